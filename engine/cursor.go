package engine

import (
	"cmp"
	"context"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/planner"
	"github.com/meshql/meshql/sqltypes"
)

// MaxCursors bounds the cursors one session holds open at once. A cursor
// keeps its query running with its operators' buffers reserved (about
// 0.8 MB for a plain scan), and WITH HOLD ones outlive their transaction:
// without a bound a client declaring them in a loop took gigabytes.
const MaxCursors = 100

// cursor is an open DECLAREd cursor: the running query's Result, read a
// FETCH at a time, and the part of a batch the last FETCH did not take.
// Inside its transaction a cursor's rows are never materialized beyond
// one batch, so it streams a result of any size (psycopg2's named cursors
// rely on it). A WITH HOLD cursor is materialized when its transaction
// commits, as PostgreSQL's (persist): its remaining rows are read then
// (an error fails the COMMIT) and kept, up to the query's memory budget
// (mesh.query_memory), past which the rest stays a running query.
//
// The query runs under the cursor's own context (ctx), which CLOSE, the
// end of the transaction (for cursors without HOLD) or of the session
// cancels. Between statements the session is idle, as in PostgreSQL: the
// cursor is no running statement, so a cancel request or
// pg_cancel_backend then leaves it be. The statement that reads it (the
// DECLARE, each FETCH) is registered as any other, and its cancel or
// timeout stops the cursor's query while it runs (follow).
type cursor struct {
	res     *Result
	ctx     context.Context
	cancel  context.CancelCauseFunc
	pending arrow.RecordBatch // nil, or the rows left of the last batch
	hold    bool
	// failed: a FETCH stopped or failed the cursor's query (a cancel,
	// statement_timeout, a runtime error); as PostgreSQL's failed portal
	// it cannot be read again (55000), only closed.
	failed bool
	// depth is how many savepoints were open when the cursor was
	// declared (or when the savepoint it was declared under was
	// released): ROLLBACK TO an earlier savepoint closes it, as
	// PostgreSQL drops the portals of the subtransactions it rolls back.
	depth int
	// seq orders the cursors by declaration (persist goes in that order).
	seq int
	// persisted is set once a WITH HOLD cursor's transaction committed:
	// its rows left then are in held (and, past the memory budget, in
	// the query, until exhausted).
	persisted bool
	held      []arrow.RecordBatch
	exhausted bool // the query returned io.EOF
}

// follow makes the end of stmt, the context of the statement reading the
// cursor, stop the cursor's query with its cause, until unlink is called
// (before the statement's context ends at the statement's end).
func (c *cursor) follow(stmt context.Context) (unlink func()) {
	stop := context.AfterFunc(stmt, func() { c.cancel(context.Cause(stmt)) })
	return func() { stop() }
}

func (c *cursor) close() {
	if c.pending != nil {
		c.pending.Release()
		c.pending = nil
	}
	for _, b := range c.held {
		b.Release()
	}
	c.held = nil
	c.res.Close()
	c.cancel(nil)
}

// persist materializes a WITH HOLD cursor at its transaction's commit,
// as PostgreSQL's PersistHoldablePortal: the rows it has left are read
// now, under stmt, the committing statement (its cancel or timeout stops
// the reading), and kept in memory reserved from the query's budget;
// once that is refused the rest stays in the running query. An error is
// the COMMIT's.
func (c *cursor) persist(stmt context.Context) error {
	if err := c.readHeld(stmt); err != nil {
		return err
	}
	c.persisted = true
	return nil
}

// readHeld reads the rows persist keeps.
func (c *cursor) readHeld(stmt context.Context) error {
	if c.failed || c.exhausted {
		return nil
	}
	unlink := c.follow(stmt)
	defer unlink()
	var r *membudget.Reservation
	if c.res.budget != nil {
		r = c.res.budget.Reserve("WITH HOLD cursor")
	}
	for {
		b, err := c.res.Next(c.ctx)
		if err == io.EOF {
			c.exhausted = true
			return nil
		}
		if err != nil {
			c.failed = true
			return err
		}
		c.held = append(c.held, b)
		if r != nil && !r.TryGrow(membudget.BatchBytes(b)) {
			return nil
		}
	}
}

// persistCursors persists the WITH HOLD cursors declared in the
// committing transaction, in the order they were declared; on an error
// the cursor that failed and those after it are closed (PostgreSQL's
// failed COMMIT drops the cursors not yet persisted), the ones before it
// stay.
func (s *Session) persistCursors(stmt context.Context) error {
	var todo []*cursor
	for _, c := range s.cursors {
		if c.hold && !c.persisted {
			todo = append(todo, c)
		}
	}
	slices.SortFunc(todo, func(a, b *cursor) int { return cmp.Compare(a.seq, b.seq) })
	for _, c := range todo {
		if err := c.persist(stmt); err != nil {
			s.dropUnpersisted()
			return err
		}
	}
	return nil
}

// dropUnpersisted closes the WITH HOLD cursors declared in a transaction
// that rolls back: only those an earlier commit persisted outlive it.
func (s *Session) dropUnpersisted() {
	for name, c := range s.cursors {
		if c.hold && !c.persisted {
			c.close()
			delete(s.cursors, name)
		}
	}
}

// declare runs the cursor's query and keeps its result open under the
// cursor's name. The query runs under a context of its own, not the
// DECLARE statement's, which ends when the statement completes; CLOSE, the
// end of the transaction (for cursors without HOLD) or of the session stops
// it. The query runs in the DECLARE's statement, which starts at start.
func (s *Session) declare(ctx context.Context, st *Statement, params []sqltypes.Datum, start Clock) (*Result, error) {
	name := st.st.Name
	if _, ok := s.cursors[name]; ok {
		return nil, sqltypes.New("42P03", "cursor \"%s\" already exists", name)
	}
	if !st.st.Hold && !s.inTx && !s.tx.implicitBlock {
		return nil, sqltypes.New(sqltypes.CodeNoActiveTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if len(s.cursors) >= MaxCursors {
		return nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "too many open cursors: a session may hold %d", MaxCursors).
			WithHint("Close cursors you no longer read with CLOSE (or CLOSE ALL): each keeps its query running and its buffers reserved until then.")
	}
	s.cursorSeq++
	c := &cursor{hold: st.st.Hold, depth: len(s.savepoints), seq: s.cursorSeq}
	c.ctx, c.cancel = context.WithCancelCause(context.WithoutCancel(ctx))
	res, err := s.runQueryShare(ctx, st, params, start, nil, st.parsed.SQL, c)
	if err != nil {
		c.cancel(nil)
		return nil, err
	}
	c.res = res
	if c.hold && !s.inTx {
		// Its implicit transaction commits with the statement:
		// PostgreSQL persists the cursor then, and an error is the
		// DECLARE's.
		if err := c.persist(ctx); err != nil {
			c.close()
			return nil, err
		}
	}
	if s.cursors == nil {
		s.cursors = map[string]*cursor{}
	}
	s.cursors[name] = c
	return &Result{Tag: st.st.Tag}, nil
}

// cursorColumns are the columns FETCH returns from the named cursor; nil
// when there is no such cursor (Execute then reports it).
func (s *Session) cursorColumns(name string) []Column {
	if c, ok := s.cursors[name]; ok {
		return c.res.Columns
	}
	return nil
}

// fetch returns up to st.Count rows of the named cursor (MOVE skips
// them), as the execution of the statement ctx carries (text): registered
// until the Result is closed, and stopping the cursor's query when it is
// canceled or times out meanwhile.
func (s *Session) fetch(ctx context.Context, st *planner.Statement, text string) (*Result, error) {
	c, ok := s.cursors[st.Name]
	if !ok {
		return nil, sqltypes.New("34000", "cursor \"%s\" does not exist", st.Name)
	}
	if c.failed {
		return nil, sqltypes.New(sqltypes.CodeObjectNotInState, "portal \"%s\" cannot be run", st.Name)
	}
	qctx, _, end, err := s.beginQuery(ctx, text)
	if err != nil {
		return nil, err
	}
	unlink := c.follow(qctx)
	op := &fetchOperator{c: c, left: st.Count}
	res := &Result{Columns: c.res.Columns, Tag: "FETCH", op: op}
	if st.Tag == "MOVE" {
		res = &Result{Tag: "MOVE", op: op}
	}
	res.onDone = func(int64, error) {
		unlink() // before end, which cancels qctx
		end()
	}
	return res, nil
}

// closeCursor closes one cursor, or every cursor when name is empty
// (CLOSE ALL).
func (s *Session) closeCursor(name string) error {
	if name == "" {
		s.closeCursors(true)
		return nil
	}
	c, ok := s.cursors[name]
	if !ok {
		return sqltypes.New("34000", "cursor \"%s\" does not exist", name)
	}
	c.close()
	delete(s.cursors, name)
	return nil
}

// rollbackCursors closes the cursors declared after the savepoint at
// index i, which ROLLBACK TO rolls back.
func (s *Session) rollbackCursors(i int) {
	for name, c := range s.cursors {
		if c.depth > i {
			c.close()
			delete(s.cursors, name)
		}
	}
}

// releaseCursors gives the cursors declared under the savepoints from
// index i on, which RELEASE ends, to the savepoint (or block) around them.
func (s *Session) releaseCursors(i int) {
	for _, c := range s.cursors {
		c.depth = min(c.depth, i)
	}
}

// closeCursors closes the cursors a transaction end closes: those without
// HOLD, or all of them.
func (s *Session) closeCursors(all bool) {
	for name, c := range s.cursors {
		if all || !c.hold {
			c.close()
			delete(s.cursors, name)
		}
	}
}

// fetchOperator hands out at most left rows of a cursor, slicing the
// batch that straddles the limit and keeping its rest in the cursor.
type fetchOperator struct {
	c    *cursor
	left int64
}

func (o *fetchOperator) Schema() *arrow.Schema { return o.c.res.op.Schema() }

func (o *fetchOperator) Open(context.Context) error { return nil }

func (o *fetchOperator) Close() error { return nil }

func (o *fetchOperator) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.left <= 0 {
		return nil, io.EOF
	}
	b := o.c.pending
	o.c.pending = nil
	if b == nil && len(o.c.held) > 0 {
		b = o.c.held[0]
		o.c.held[0] = nil
		o.c.held = o.c.held[1:]
	}
	if b == nil {
		if o.c.exhausted {
			return nil, io.EOF
		}
		var err error
		if b, err = o.c.res.Next(ctx); err != nil {
			o.c.failed = err != io.EOF
			o.c.exhausted = err == io.EOF
			return nil, err
		}
	}
	if n := b.NumRows(); n > o.left {
		out := b.NewSlice(0, o.left)
		o.c.pending = b.NewSlice(o.left, n)
		b.Release()
		o.left = 0
		return out, nil
	}
	o.left -= b.NumRows()
	return b, nil
}
