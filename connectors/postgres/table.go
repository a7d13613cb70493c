package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/sqlgen"
	"github.com/meshql/meshql/sqltypes"
)

// Table is an opened PostgreSQL table or query. It is immutable and safe
// for concurrent use; its pool belongs to the Connector.
type Table struct {
	pool     *connPool
	set      settings
	password string
	from     string // FROM clause item: a sanitized name or "(query) AS q"
	rel      string // the same without the alias: a name or "(query)"
	isTable  bool
	cols     []column
	byName   map[string]int
	schema   *arrow.Schema
	stats    connectors.Stats
	relpages int64 // > 0 only for plain tables and materialized views
}

var (
	_ connectors.Table           = (*Table)(nil)
	_ connectors.ScanExplainer   = (*Table)(nil)
	_ connectors.OrderPusher     = (*Table)(nil)
	_ connectors.AggregatePusher = (*Table)(nil)
)

// OpenTable parses src's options, describes the remote table or query and
// reads pg_class statistics for tables. Errors: HV000 for bad options,
// 08001 when the server is unreachable, HV00R when the table is missing,
// the remote SQLSTATE for other server errors, 57014 when ctx ends.
func (c *Connector) OpenTable(ctx context.Context, src catalog.Source) (*Table, error) {
	set, err := parseSettings(src)
	if err != nil {
		return nil, err
	}
	pool, err := c.pool(&set)
	if err != nil {
		return nil, err
	}
	t := &Table{pool: pool, set: set, password: pool.Config().ConnConfig.Password, isTable: src.Table != ""}
	if t.isTable {
		// Read as PostgreSQL reads a regclass: unquoted parts fold to
		// lower case, quoted ones keep theirs; database.schema.table at most.
		parts, err := sqltypes.SplitQualifiedName(src.Table)
		if err != nil || len(parts) > 3 {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "postgres source: invalid table name %q", src.Table)
		}
		t.rel = pgx.Identifier(parts).Sanitize()
		t.from = t.rel
	} else {
		t.rel = "(" + strings.TrimRight(strings.TrimSpace(src.Query), ";") + ")"
		t.from = t.rel + " AS q"
	}
	if err := t.describe(ctx); err != nil {
		return nil, err
	}
	t.stats = connectors.Stats{RowCount: -1}
	if t.isTable {
		if err := t.loadStats(ctx); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *Table) mapErr(ctx context.Context, err error) error {
	return mapError(ctx, err, t.set.host, t.password)
}

// describe runs `SELECT * FROM <from> LIMIT 0` and maps the columns.
func (t *Table) describe(ctx context.Context) error {
	rows, done, err := t.pool.query(ctx, "SELECT * FROM "+t.from+" LIMIT 0")
	if err != nil {
		return t.mapErr(ctx, err)
	}
	fds := rows.FieldDescriptions()
	rows.Close()
	done()
	if err := rows.Err(); err != nil {
		return t.mapErr(ctx, err)
	}
	fields := make([]arrow.Field, len(fds))
	t.cols = make([]column, len(fds))
	t.byName = make(map[string]int, len(fds))
	for i, fd := range fds {
		col := newColumn(fd.Name, fd.DataTypeOID, fd.TypeModifier, t.set.numericScale)
		t.cols[i] = col
		fields[i] = col.typ.Field(fd.Name)
		if _, dup := t.byName[fd.Name]; dup {
			t.byName[fd.Name] = -1 // ambiguous: never pushed
		} else {
			t.byName[fd.Name] = i
		}
	}
	t.schema = arrow.NewSchema(fields, nil)
	return nil
}

// Schema returns the source's columns, in remote order.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Stats returns the row count from pg_class.reltuples (-1 when unknown or
// for query sources) and the column statistics of pg_stats (see
// loadStats).
func (t *Table) Stats() connectors.Stats { return t.stats }

// SupportsFilters answers Exact for every filter the deparser can express
// in remote SQL with meshql's meaning, else Unsupported.
func (t *Table) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	out := make([]connectors.PushSupport, len(fs))
	for i, f := range fs {
		d := deparser{t: t}
		if _, ok := d.filter(f); ok {
			out[i] = connectors.Exact
		}
	}
	return out
}

// query is one remote statement.
type query struct {
	sql  string
	args []any
	lits []connectors.Literal // the parameters as meshql literals, for EXPLAIN
}

// build returns the remote SELECT for req and the columns it returns,
// plus an extra condition (a ctid range) when extra is not nil.
func (t *Table) build(req connectors.ScanRequest, extra func(d *deparser) string) (query, *arrow.Schema, []column, error) {
	q := sqlgen.Query{From: t.from, Filters: req.Filters, Limit: req.Limit}
	var out []column
	if req.Aggregate != nil {
		var ok bool
		if out, ok = t.aggregate(*req.Aggregate, &q); !ok {
			return query{}, nil, nil, sqltypes.New(sqltypes.CodeInternal, "postgres source cannot compute the aggregate %v", *req.Aggregate)
		}
	} else {
		for _, c := range req.Columns {
			if c < 0 || c >= len(t.cols) {
				return query{}, nil, nil, sqltypes.New(sqltypes.CodeInternal, "scan column index %d out of range (table has %d columns)", c, len(t.cols))
			}
			out = append(out, t.cols[c])
			q.Cols = append(q.Cols, t.cols[c].selectExpr())
		}
	}
	if len(req.Order) > 0 {
		if !t.SupportsOrder(req.Order) {
			return query{}, nil, nil, sqltypes.New(sqltypes.CodeInternal, "postgres source cannot order by %v", req.Order)
		}
		for _, k := range req.Order {
			q.OrderBy = append(q.OrderBy, t.orderExpr(k))
		}
	}
	d := deparser{t: t}
	if extra != nil {
		q.Extra = func() string { return extra(&d) }
	}
	sql, ok := d.gen().Render(q)
	if !ok {
		return query{}, nil, nil, sqltypes.New(sqltypes.CodeInternal, "postgres source cannot apply filters %v", req.Filters)
	}
	fields := make([]arrow.Field, len(out))
	for i, c := range out {
		fields[i] = c.typ.Field(c.name)
	}
	return query{sql: sql, args: d.args, lits: d.lits}, arrow.NewSchema(fields, nil), out, nil
}

// ranges returns the ctid block boundaries of a parallel scan, or nil for
// a single partition: tables only, above the row threshold, no limit.
func (t *Table) ranges(req connectors.ScanRequest) []int64 {
	n := int64(t.set.partitions)
	if !t.isTable || req.Limit >= 0 || n < 2 || t.stats.RowCount <= t.set.threshold || t.relpages < n {
		return nil
	}
	b := make([]int64, 0, n-1)
	for i := int64(1); i < n; i++ {
		b = append(b, t.relpages*i/n)
	}
	return b
}

// Partitions returns one partition, or, for tables larger than the
// parallel threshold, one per ctid range: the first range is open below
// and the last open above, so rows on pages added since the statistics
// were gathered are still read. Partitions does no I/O.
func (t *Table) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	bounds := t.ranges(req)
	if bounds == nil {
		q, schema, cols, err := t.build(req, nil)
		if err != nil {
			return nil, err
		}
		return []connectors.Partition{&partition{t: t, q: q, schema: schema, cols: cols}}, nil
	}
	out := make([]connectors.Partition, 0, len(bounds)+1)
	for i := 0; i <= len(bounds); i++ {
		q, schema, cols, err := t.build(req, func(d *deparser) string {
			var c []string
			if i > 0 {
				c = append(c, "ctid >= "+d.param(pgtype.TID{BlockNumber: uint32(bounds[i-1]), Valid: true}, tidLit(bounds[i-1]))+"::tid")
			}
			if i < len(bounds) {
				c = append(c, "ctid < "+d.param(pgtype.TID{BlockNumber: uint32(bounds[i]), Valid: true}, tidLit(bounds[i]))+"::tid")
			}
			return strings.Join(c, " AND ")
		})
		if err != nil {
			return nil, err
		}
		out = append(out, &partition{t: t, q: q, schema: schema, cols: cols})
	}
	return out, nil
}

func tidLit(block int64) connectors.Literal {
	return connectors.Literal{Type: sqltypes.TypeText, Value: fmt.Sprintf("(%d,0)", block)}
}

// ExplainScan returns the remote SQL with its $n placeholders, the
// parameter values, and the partition count.
func (t *Table) ExplainScan(ctx context.Context, req connectors.ScanRequest) []string {
	return append(t.ExplainRequest(ctx, req), fmt.Sprintf("partitions=%d", t.partitionCount(req)))
}

func (t *Table) partitionCount(req connectors.ScanRequest) int {
	if b := t.ranges(req); b != nil {
		return len(b) + 1
	}
	return 1
}

// ExplainRequest returns the remote SQL with its $n placeholders and the
// parameter values.
func (t *Table) ExplainRequest(ctx context.Context, req connectors.ScanRequest) []string {
	q, _, _, err := t.build(req, nil)
	if err != nil {
		return []string{"remote_error=" + fmt.Sprintf("%q", err.Error())}
	}
	return explainQuery(q)
}
