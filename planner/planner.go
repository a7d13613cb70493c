// Package planner ties SQL text to executable plans: it classifies each
// parsed statement (queries, EXPLAIN, SET/SHOW/RESET, transaction control
// and other session commands), binds queries through planner/bind, and
// turns a bound query plus parameter values into an operator tree through
// planner/rules and planner/physical.
package planner

import (
	"context"
	"errors"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/planner/physical"
	"github.com/meshql/meshql/planner/rules"
	"github.com/meshql/meshql/sqltypes"
)

// Kind classifies a statement.
type Kind uint8

const (
	KindQuery      Kind = iota // SELECT / VALUES / WITH … SELECT
	KindExplain                // EXPLAIN [ANALYZE] query
	KindSet                    // SET name = value
	KindReset                  // RESET name | RESET ALL
	KindShow                   // SHOW name | SHOW ALL
	KindNoop                   // BEGIN, COMMIT, DISCARD ALL…: accepted, nothing to do
	KindDeclare                // DECLARE name CURSOR FOR query
	KindFetch                  // FETCH / MOVE [FORWARD] [n | ALL] FROM name
	KindClose                  // CLOSE name | CLOSE ALL
	KindCopyOut                // COPY (query) TO STDOUT
	KindPrepare                // PREPARE name [(types)] AS query
	KindExecute                // EXECUTE name [(args)]
	KindDeallocate             // DEALLOCATE [PREPARE] name | ALL
)

// Statement is one analyzed statement.
type Statement struct {
	Kind    Kind
	SQL     string
	Query   *bind.Query // KindQuery, KindExplain
	Analyze bool        // EXPLAIN ANALYZE
	// ExplainJSON is EXPLAIN (FORMAT JSON): the plan as one json value.
	ExplainJSON bool
	Name        string      // setting name for SET/RESET/SHOW (lower case; "all" for RESET/SHOW ALL)
	Value       string      // SET value
	Local       bool        // SET LOCAL: until the end of the transaction block
	Tag         string      // command tag for KindNoop, KindSet, KindReset
	Savepoint   string      // SAVEPOINT, RELEASE and ROLLBACK TO: the savepoint's name
	Hold        bool        // KindDeclare: WITH HOLD (survives the end of the transaction)
	Count       int64       // KindFetch: rows to fetch (FetchAll = all)
	Copy        CopyOptions // KindCopyOut
	// Prepared is KindPrepare's query, analyzed by the session when
	// prepared (its positions count in the whole statement's text), and
	// ParamTypes the types PREPARE declared (zero Kind: infer).
	Prepared   parse.Statement
	ParamTypes []sqltypes.Type
	// Args are KindExecute's arguments, as parsed: the session binds them
	// at the prepared statement's parameter types (bind.BindExecuteArgs).
	Args []*pg_query.Node
}

// Analyze classifies and binds one parsed statement. An error's position
// is in characters, as PostgreSQL reports it (parse nodes locate bytes).
func Analyze(ctx context.Context, cat bind.Catalog, st parse.Statement, opts bind.Options) (*Statement, error) {
	out, err := analyze(ctx, cat, st, opts)
	if err != nil {
		var e *sqltypes.Error
		if errors.As(err, &e) && e.Position > 0 {
			if p := st.CharPosition(e.Position); p != e.Position {
				c := *e
				c.Position = p
				return nil, &c
			}
		}
	}
	return out, err
}

func analyze(ctx context.Context, cat bind.Catalog, st parse.Statement, opts bind.Options) (*Statement, error) {
	n := st.Node
	out := &Statement{SQL: st.SQL}
	switch {
	case n.GetSelectStmt() != nil:
		q, err := bind.BindSelect(ctx, cat, n, opts)
		if err != nil {
			return nil, err
		}
		out.Kind, out.Query = KindQuery, q
	case n.GetExplainStmt() != nil:
		ex := n.GetExplainStmt()
		for _, o := range ex.Options {
			d := o.GetDefElem()
			switch d.Defname {
			case "analyze":
				out.Analyze = defBool(d)
			case "verbose", "costs", "timing", "summary", "buffers", "settings", "wal":
			case "format":
				switch f := strings.ToLower(defString(d)); f {
				case "text":
					out.ExplainJSON = false
				case "json":
					out.ExplainJSON = true
				case "xml", "yaml":
					return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "EXPLAIN (FORMAT %s) is not supported; use FORMAT TEXT or FORMAT JSON", strings.ToUpper(f))
				default:
					return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "unrecognized value for EXPLAIN option \"format\": \"%s\"", f)
				}
			default:
				return nil, sqltypes.New(sqltypes.CodeSyntaxError, "unrecognized EXPLAIN option %q", d.Defname)
			}
		}
		if ex.Query.GetSelectStmt() == nil {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "EXPLAIN is supported for queries only")
		}
		q, err := bind.BindSelect(ctx, cat, ex.Query, opts)
		if err != nil {
			return nil, err
		}
		out.Kind, out.Query = KindExplain, q
	case n.GetVariableSetStmt() != nil:
		return analyzeSet(n.GetVariableSetStmt(), out)
	case n.GetVariableShowStmt() != nil:
		out.Kind, out.Name = KindShow, strings.ToLower(n.GetVariableShowStmt().Name)
	case n.GetTransactionStmt() != nil:
		ts := n.GetTransactionStmt()
		tags := map[pg_query.TransactionStmtKind]string{
			pg_query.TransactionStmtKind_TRANS_STMT_BEGIN: "BEGIN", pg_query.TransactionStmtKind_TRANS_STMT_START: "START TRANSACTION",
			pg_query.TransactionStmtKind_TRANS_STMT_COMMIT: "COMMIT", pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK: "ROLLBACK",
			pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT: "SAVEPOINT", pg_query.TransactionStmtKind_TRANS_STMT_RELEASE: "RELEASE",
			pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO: "ROLLBACK",
		}
		tag, ok := tags[ts.Kind]
		if !ok {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "two-phase commit is not supported: meshql is read-only")
		}
		out.Kind, out.Tag, out.Savepoint = KindNoop, tag, ts.SavepointName
		if ts.Kind == pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO {
			// Tagged ROLLBACK too, but the transaction block goes on.
			out.Name = "savepoint"
		}
	case n.GetDeclareCursorStmt() != nil:
		return analyzeDeclare(ctx, cat, n.GetDeclareCursorStmt(), opts, out)
	case n.GetFetchStmt() != nil:
		return analyzeFetch(n.GetFetchStmt(), out)
	case n.GetClosePortalStmt() != nil:
		// An empty name is CLOSE ALL.
		out.Kind, out.Name, out.Tag = KindClose, n.GetClosePortalStmt().Portalname, "CLOSE CURSOR"
		if out.Name == "" {
			out.Tag = "CLOSE CURSOR ALL"
		}
	case n.GetCopyStmt() != nil:
		return analyzeCopy(ctx, cat, n.GetCopyStmt(), opts, out)
	case n.GetDiscardStmt() != nil:
		out.Kind, out.Tag = KindNoop, "DISCARD ALL"
	case n.GetPrepareStmt() != nil:
		return analyzePrepare(n.GetPrepareStmt(), st, out)
	case n.GetExecuteStmt() != nil:
		return analyzeExecute(n.GetExecuteStmt(), out)
	case n.GetDeallocateStmt() != nil:
		// An empty name is DEALLOCATE ALL.
		out.Kind, out.Name, out.Tag = KindDeallocate, n.GetDeallocateStmt().Name, "DEALLOCATE"
		if out.Name == "" {
			out.Tag = "DEALLOCATE ALL"
		}
	default:
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s is not supported: meshql serves read-only queries", statementName(n))
	}
	return out, nil
}

func analyzeSet(vs *pg_query.VariableSetStmt, out *Statement) (*Statement, error) {
	out.Name = strings.ToLower(vs.Name)
	switch vs.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		var parts []string
		for _, a := range vs.Args {
			if out.Name == "timezone" && isIntervalCast(a) {
				// The interval is hours east; its text alone would read as
				// a POSIX spec, hours west.
				return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "SET TIME ZONE INTERVAL is not supported; use a zone name")
			}
			parts = append(parts, argString(a))
		}
		out.Kind, out.Value, out.Tag, out.Local = KindSet, strings.Join(parts, ", "), "SET", vs.IsLocal
	case pg_query.VariableSetKind_VAR_SET_DEFAULT, pg_query.VariableSetKind_VAR_RESET:
		out.Kind, out.Tag, out.Local = KindReset, "SET", vs.IsLocal
		if vs.Kind == pg_query.VariableSetKind_VAR_RESET {
			out.Tag = "RESET"
		}
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		out.Kind, out.Name, out.Tag = KindReset, "all", "RESET"
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		// SET TRANSACTION READ ONLY / ISOLATION LEVEL …, SET SESSION CHARACTERISTICS
		out.Kind, out.Tag = KindNoop, "SET"
	default:
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "SET ... FROM CURRENT is not supported")
	}
	return out, nil
}

// isIntervalCast reports whether n is INTERVAL '…' (SET TIME ZONE's
// interval form).
func isIntervalCast(n *pg_query.Node) bool {
	tc := n.GetTypeCast()
	if tc == nil || tc.TypeName == nil || len(tc.TypeName.Names) == 0 {
		return false
	}
	return tc.TypeName.Names[len(tc.TypeName.Names)-1].GetString_().GetSval() == "interval"
}

func argString(n *pg_query.Node) string {
	if ac := n.GetAConst(); ac != nil {
		switch v := ac.Val.(type) {
		case *pg_query.A_Const_Sval:
			return v.Sval.Sval
		case *pg_query.A_Const_Ival:
			return strconv.Itoa(int(v.Ival.Ival))
		case *pg_query.A_Const_Fval:
			return v.Fval.Fval
		case *pg_query.A_Const_Boolval:
			if v.Boolval.Boolval {
				return "on"
			}
			return "off"
		}
	}
	if tc := n.GetTypeCast(); tc != nil {
		return argString(tc.Arg)
	}
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

func defBool(d *pg_query.DefElem) bool {
	if d.Arg == nil {
		return true
	}
	switch strings.ToLower(argString(d.Arg)) {
	case "false", "off", "0":
		return false
	}
	return true
}

func defString(d *pg_query.DefElem) string {
	if d.Arg == nil {
		return ""
	}
	return argString(d.Arg)
}

func statementName(n *pg_query.Node) string {
	s := n.String()
	if i := strings.IndexAny(s, ":{"); i > 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "this statement"
	}
	return s
}

// Build optimizes a bound query for the given parameter values and lowers
// it into operators. With analyze, operators are instrumented.
func Build(ctx context.Context, env *executor.Env, q *bind.Query, params []sqltypes.Datum, analyze bool) (*physical.Plan, error) {
	return BuildWith(ctx, env, q, params, physical.Options{Analyze: analyze})
}

// FoldAtBind folds q's constants with params as BuildWith would, and
// reports the error that raises (PostgreSQL plans a portal at Bind:
// rules.FoldWithParams); nothing is built.
func FoldAtBind(ctx context.Context, env *executor.Env, q *bind.Query, params []sqltypes.Datum) error {
	required := logical.ColSet{}
	for _, c := range q.Columns {
		required.Add(c.ID)
	}
	eval := func(e logical.Expr) (sqltypes.Datum, error) { return physical.EvalConst(ctx, env, e) }
	return rules.FoldWithParams(ctx, q.Plan, params, required, eval)
}

// BuildWith is Build with physical planning options (a share of a split
// result, see physical.Split).
func BuildWith(ctx context.Context, env *executor.Env, q *bind.Query, params []sqltypes.Datum, opts physical.Options) (*physical.Plan, error) {
	required := logical.ColSet{}
	out := make([]physical.Output, len(q.Columns))
	for i, c := range q.Columns {
		required.Add(c.ID)
		out[i] = physical.Output{ID: c.ID, Name: c.Name}
	}
	eval := func(e logical.Expr) (sqltypes.Datum, error) { return physical.EvalConst(ctx, env, e) }
	meta := q.Meta.Clone()
	plan, err := rules.Optimize(ctx, q.Plan, params, required, eval, meta)
	if err != nil {
		return nil, err
	}
	return physical.BuildWith(ctx, env, meta, plan, out, opts)
}
