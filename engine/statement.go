package engine

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// Statement is a prepared statement: bound once, executable many times
// with different parameter values.
//
// A statement is analyzed (names resolved, types checked) when it is
// first described or executed, not when the query string is parsed, so
// that in `SET search_path = sales; SELECT * FROM orders_v1` the SELECT
// sees the new search_path, as in PostgreSQL.
type Statement struct {
	s          *Session
	parsed     parse.Statement
	paramTypes []sqltypes.Type
	st         *planner.Statement
	err        error
}

// Prepare parses sql into statements. paramTypes are the types a client
// declared for $1…$n (zero Kind = infer). An empty string yields no
// statements. With a single statement, it is analyzed at once so that
// errors surface at Prepare, as a Parse message expects.
func (s *Session) Prepare(ctx context.Context, sql string, paramTypes ...sqltypes.Type) ([]*Statement, error) {
	parsed, err := parse.Parse(sql)
	if err != nil {
		return nil, err
	}
	out := make([]*Statement, len(parsed))
	for i, p := range parsed {
		out[i] = &Statement{s: s, parsed: p, paramTypes: paramTypes}
	}
	if len(out) == 1 {
		if err := out[0].analyze(ctx); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// analyze binds the statement once.
func (st *Statement) analyze(ctx context.Context) error {
	if st.st == nil && st.err == nil {
		s := st.s
		system := false
		st.st, st.err = planner.Analyze(ctx, catalogView{s: s, system: &system}, st.parsed, bind.Options{
			Now: s.engine.clock(), Location: s.location(), User: s.user, ParamTypes: st.paramTypes,
			SessionFunction: s.sessionFunction, ResolveOID: s.resolveOID,
			Mesh: s.engine.Mesh(), Principal: s.who,
		})
		if st.err != nil && system {
			// A client's introspection query meshql cannot answer: the
			// text shows which catalog table, column or function is
			// missing.
			s.engine.log.Warn("catalog query not answered", "user", s.user, "status", sqltypes.Code(st.err),
				"error", st.err.Error(), "sql", st.parsed.SQL)
		}
	}
	return st.err
}

// Query prepares and executes a single statement.
func (s *Session) Query(ctx context.Context, sql string, params ...sqltypes.Datum) (*Result, error) {
	stmts, err := s.Prepare(ctx, sql)
	if err != nil {
		return nil, err
	}
	switch len(stmts) {
	case 0:
		return &Result{Tag: "EMPTY"}, nil
	case 1:
		return stmts[0].Execute(ctx, params)
	}
	return nil, sqltypes.New(sqltypes.CodeSyntaxError, "cannot run %d statements in one Query call; use Prepare", len(stmts))
}

// SQL is the statement's text.
func (st *Statement) SQL() string { return st.parsed.SQL }

// ParamTypes are the types of $1…$n; nil if analysis failed (Execute
// then returns the error).
func (st *Statement) ParamTypes() []sqltypes.Type {
	if st.analyze(context.Background()) != nil || st.st.Query == nil {
		return nil
	}
	return st.st.Query.ParamTypes
}

// Columns describes the rows the statement returns; nil when it returns
// none or analysis failed (Execute then returns the error).
func (st *Statement) Columns() []Column {
	if st.analyze(context.Background()) != nil {
		return nil
	}
	switch st.st.Kind {
	case planner.KindQuery:
		return st.queryColumns()
	case planner.KindExplain:
		return []Column{{Name: "QUERY PLAN", Type: sqltypes.TypeText}}
	case planner.KindFetch:
		if st.st.Tag == "FETCH" {
			return st.s.cursorColumns(st.st.Name)
		}
	case planner.KindShow:
		if st.st.Name == "all" {
			return []Column{{Name: "name", Type: sqltypes.TypeText}, {Name: "setting", Type: sqltypes.TypeText}, {Name: "description", Type: sqltypes.TypeText}}
		}
		return []Column{{Name: st.st.Name, Type: sqltypes.TypeText}}
	}
	return nil
}

// queryColumns are the columns of the statement's query (a SELECT, or the
// query of DECLARE CURSOR or COPY).
func (st *Statement) queryColumns() []Column {
	cols := make([]Column, len(st.st.Query.Columns))
	for i, c := range st.st.Query.Columns {
		cols[i] = Column{Name: c.Name, Type: c.Type}
	}
	return cols
}

// Execute runs the statement with parameter values (sqltypes.Datum
// representations matching ParamTypes). The Result must be closed.
func (st *Statement) Execute(ctx context.Context, params []sqltypes.Datum) (*Result, error) {
	s := st.s
	if err := st.analyze(ctx); err != nil {
		return nil, err
	}
	switch st.st.Kind {
	case planner.KindQuery:
		return s.runQuery(ctx, st, params)
	case planner.KindExplain:
		return s.explain(ctx, st, params)
	case planner.KindSet:
		if _, err := s.set(st.st.Name, st.st.Value); err != nil {
			return nil, err
		}
		return &Result{Tag: st.st.Tag}, nil
	case planner.KindReset:
		if err := s.reset(st.st.Name); err != nil {
			return nil, err
		}
		return &Result{Tag: st.st.Tag}, nil
	case planner.KindShow:
		return s.show(st)
	case planner.KindCopyOut:
		// COPY runs the query as any SELECT, policies and all; only the
		// way the wire sends its rows differs.
		res, err := s.runQuery(ctx, st, params)
		if err != nil {
			return nil, err
		}
		res.Copy = &CopyOut{Columns: res.Columns, CopyOptions: st.st.Copy}
		res.Columns, res.Tag = nil, "COPY"
		return res, nil
	case planner.KindDeclare:
		return s.declare(ctx, st, params)
	case planner.KindFetch:
		return s.fetch(st.st)
	case planner.KindClose:
		if err := s.closeCursor(st.st.Name); err != nil {
			return nil, err
		}
	case planner.KindNoop:
		switch st.st.Tag {
		case "BEGIN", "START TRANSACTION":
			s.inTx = true
		case "COMMIT", "ROLLBACK":
			s.inTx = false
			s.closeCursors(false /* all */)
		case "DISCARD ALL":
			s.closeCursors(true /* all */)
		}
	}
	return &Result{Tag: st.st.Tag}, nil
}

func (s *Session) env() *executor.Env {
	return &executor.Env{Mem: s.engine.mem, Now: s.engine.clock(), Location: s.location(), Workers: s.workers()}
}

// queryContext applies statement_timeout; the returned cancel must run
// when the query ends.
func (s *Session) queryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := s.statementTimeout(); d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

func (s *Session) runQuery(ctx context.Context, st *Statement, params []sqltypes.Datum) (*Result, error) {
	if err := checkParams(st.ParamTypes(), params); err != nil {
		return nil, err
	}
	qctx, cancel := s.queryContext(ctx)
	start := time.Now()
	plan, err := planner.Build(qctx, s.env(), st.st.Query, params, false)
	if err != nil {
		cancel()
		s.logQuery(st.parsed.SQL, time.Since(start), 0, err)
		return nil, err
	}
	if err := plan.Root.Open(qctx); err != nil {
		plan.Root.Close()
		cancel()
		s.logQuery(st.parsed.SQL, time.Since(start), 0, err)
		return nil, sqltypes.AsError(err)
	}
	res := &Result{Columns: st.queryColumns(), Tag: "SELECT", op: &ctxOperator{Operator: plan.Root, ctx: qctx}, Notices: st.st.Query.Notices}
	res.onDone = func(rows int64, err error) {
		cancel()
		s.logQuery(st.parsed.SQL, time.Since(start), rows, err)
	}
	return res, nil
}

// ctxOperator runs Next under the query's own context, so that
// statement_timeout applies however the caller's context is set.
type ctxOperator struct {
	executor.Operator
	ctx context.Context
}

func (o *ctxOperator) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := o.Operator.Next(o.ctx)
	if err != nil && err != io.EOF && o.ctx.Err() == context.DeadlineExceeded {
		return nil, sqltypes.New(sqltypes.CodeQueryCanceled, "canceling statement due to statement timeout")
	}
	return b, err
}

func checkParams(types []sqltypes.Type, params []sqltypes.Datum) error {
	if len(params) < len(types) {
		return sqltypes.New("08P01", "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(types))
	}
	return nil
}

func (s *Session) explain(ctx context.Context, st *Statement, params []sqltypes.Datum) (*Result, error) {
	qctx, cancel := s.queryContext(ctx)
	defer cancel()
	plan, err := planner.Build(qctx, s.env(), st.st.Query, params, st.st.Analyze)
	if err != nil {
		return nil, err
	}
	var total time.Duration
	if st.st.Analyze {
		start := time.Now()
		err := drain(qctx, plan.Root)
		total = time.Since(start)
		if err != nil {
			return nil, err
		}
	} else {
		plan.Root.Close()
	}
	lines := plan.Explain.Lines(st.st.Analyze)
	if st.st.Analyze {
		lines = append(lines, "Execution Time: "+total.Round(time.Microsecond).String())
	}
	return s.textResult(st.Columns(), "EXPLAIN", [][]string{lines})
}

// drain runs an operator to the end, discarding its rows.
func drain(ctx context.Context, op executor.Operator) error {
	defer op.Close()
	if err := op.Open(ctx); err != nil {
		return err
	}
	for {
		b, err := op.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		b.Release()
	}
}

func (s *Session) show(st *Statement) (*Result, error) {
	if st.st.Name == "all" {
		s.mu.Lock()
		var names []string
		for n := range s.values {
			names = append(names, n)
		}
		sort.Strings(names)
		cols := [][]string{names, make([]string, len(names)), make([]string, len(names))}
		for i, n := range names {
			cols[1][i] = s.values[n]
		}
		s.mu.Unlock()
		return s.textResult(st.Columns(), "SHOW", cols)
	}
	v, ok := s.Setting(st.st.Name)
	if !ok {
		return nil, sqltypes.New(sqltypes.CodeUndefinedObject, "unrecognized configuration parameter %q", st.st.Name)
	}
	if st.st.Name == "timezone" || st.st.Name == "datestyle" || st.st.Name == "intervalstyle" {
		st.st.Name = strings.ToLower(st.st.Name)
	}
	return s.textResult(st.Columns(), "SHOW", [][]string{{v}})
}

// textResult returns a small result of text columns given column-wise.
func (s *Session) textResult(cols []Column, tag string, values [][]string) (*Result, error) {
	mem := s.engine.mem
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := 0
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: arrow.BinaryTypes.String, Nullable: true}
		b := array.NewStringBuilder(mem)
		b.AppendValues(values[i], nil)
		arrs[i] = b.NewArray()
		b.Release()
		n = len(values[i])
	}
	schema := arrow.NewSchema(fields, nil)
	batch := array.NewRecordBatch(schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	op := ops.NewBatches(schema, []arrow.RecordBatch{batch})
	batch.Release()
	if err := op.Open(context.Background()); err != nil {
		return nil, err
	}
	return &Result{Columns: cols, Tag: tag, op: op}, nil
}
