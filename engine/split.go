package engine

import (
	"context"

	"github.com/meshql/meshql/planner"
	"github.com/meshql/meshql/planner/physical"
	"github.com/meshql/meshql/sqltypes"
)

// Share names one of Count disjoint shares of a query's rows; see
// Statement.Split.
type Share struct {
	Index, Count int
	// Partitions is what Split reported; ExecuteShare fails with 40001
	// when the scan no longer has that many partitions.
	Partitions int
	// Start is the clock of the statement Split planned: every share
	// runs at it (now(), current_date, partition pruning on them), so
	// that the shares, fetched at different times and on other
	// sessions, are the rows of one statement.
	Start Clock
}

// Split plans the statement's query for params, at a clock it reads as a
// statement's start, and returns its first share: Count is into how many
// disjoint shares, at most max, its rows can be read, each by its own
// ExecuteShare, possibly concurrently and on other sessions of the same
// user: the shares' rows together are exactly the query's rows. A query
// splits when its rows come from one data product scan of several
// partitions through filters and projections only (policies included);
// anything else (ORDER BY, LIMIT, aggregates, joins, system tables, action
// functions, statements that are not queries) gives Count 1, to be read
// with Execute. Each share counts as one query toward the user's limit
// of queries at once, so max is capped by it. Split runs nothing; errors
// are those of planning.
func (st *Statement) Split(ctx context.Context, params []sqltypes.Datum, max int) (Share, error) {
	return st.SplitAt(ctx, params, max, st.s.Clock())
}

// SplitAt is Split with the statement's start given (not zero: XX000): a
// Clock the caller also read the parameters' 'now' and 'today' at, so
// that the plan Split makes and every share read them at one instant, as
// PostgreSQL reads a Bind's values in the transaction that executes them.
// As ExecuteAt, it takes the transaction start anew from the session at
// start.Statement.
func (st *Statement) SplitAt(ctx context.Context, params []sqltypes.Datum, max int, start Clock) (_ Share, err error) {
	s := st.s
	defer recoverQuery(s.engine.log, s.user, st.parsed.SQL, &err)
	if start.Statement.IsZero() {
		return Share{}, sqltypes.New(sqltypes.CodeInternal, "internal error: a statement was split without the clock of its start")
	}
	// One reading for the analysis, the plan and the shares: a statement
	// analyzed here reads its 'now' literals where its now() is.
	start = s.clockAt(start.Statement)
	if err := st.analyzeAt(ctx, true, start); err != nil {
		return Share{}, err
	}
	whole := Share{Count: 1}
	if lim := s.engine.maxPerUser; lim > 0 {
		// Each share runs as a query of its own: more shares than the
		// user may run at once would fail with 53400 when fetched in
		// parallel.
		max = min(max, lim)
	}
	if max < 2 || st.st.Kind != planner.KindQuery || st.hasActions {
		return whole, nil
	}
	if err := checkParams(st.ParamTypes(), params); err != nil {
		return Share{}, err
	}
	env := s.env(start)
	defer env.Budget.Close()
	plan, err := planner.Build(ctx, env, st.st.Query, params, false /* analyze */)
	if err != nil {
		return Share{}, sqltypes.AsError(err)
	}
	plan.Root.Close()
	if plan.Partitions < 2 {
		return whole, nil
	}
	return Share{Count: min(max, plan.Partitions), Partitions: plan.Partitions, Start: start}, nil
}

// ExecuteShare runs one share of the statement's rows, as Execute runs
// all of them (the query log and the audit log record each share as a
// query), at the clock Split read (sh.Start), whatever the session's. It
// fails with 40001 when the data product's partitions changed since
// Split.
func (st *Statement) ExecuteShare(ctx context.Context, params []sqltypes.Datum, sh Share) (_ *Result, err error) {
	s := st.s
	defer recoverQuery(s.engine.log, s.user, st.parsed.SQL, &err)
	if sh.Start.Statement.IsZero() {
		return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: a share without the clock of its split was requested")
	}
	ctx, end := s.statement(ctx) // analyzed and run as one statement
	defer end()
	if err := st.analyzeAt(ctx, true, sh.Start); err != nil {
		return nil, err
	}
	if st.st.Kind != planner.KindQuery || st.hasActions {
		return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: a share of a statement that cannot be split was requested")
	}
	return s.runQueryShare(ctx, st, params, sh.Start, &physical.Split{Index: sh.Index, Count: sh.Count, Partitions: sh.Partitions}, st.parsed.SQL, nil)
}
