// Package lineage derives the column-level lineage of derived data
// products from their defining SQL: for each output column, the input
// products' columns whose values flow into it, and how (copied, computed,
// aggregated). It binds the definition with planner/bind over the
// declared columns of the mesh — no source is opened and no access policy
// applies, since lineage describes the definition, not a reader's view —
// and walks the logical plan through projections, aggregates, joins,
// CTEs (inlined by the binder), unnests, window functions and set
// operations.
//
// Only direct edges are reported: a column used solely to filter, join,
// group or sort (an "indirect" dependency in OpenLineage's terms) is not
// an input of any output column, and count(*) has none.
//
// The product-level graph (inputs) lives in catalog/lineage; this package
// sits in planner because it needs the binder.
package lineage

import (
	"context"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// Transformation says how an input column's values reach an output
// column; a chain takes its strongest step.
type Transformation uint8

const (
	Identity    Transformation = iota // the value itself, maybe renamed
	Transform                         // computed from it, row by row (cast, arithmetic, function)
	Aggregation                       // aggregated over rows (sum, array_agg, a window function)
)

func (t Transformation) String() string {
	return [...]string{"identity", "transformation", "aggregation"}[t]
}

// Edge is one column-level lineage edge: Column of Product is derived
// from InputColumn of Input.
type Edge struct {
	Product, Column    string // "marketing.cross_sell_v1", "customer_id"
	Input, InputColumn string // "sales.orders_v1", "customer_id"
	Transformation     Transformation
}

// Columns returns the column-level lineage of p, ordered by p's columns,
// then input and input column; nil for a product that is not derived
// (connector sql). The output columns are p's declared columns, matched
// to the definition's select list by position. Errors are the binder's
// (the definition does not bind over the declared columns of its inputs).
func Columns(ctx context.Context, m *catalog.Mesh, p *catalog.Product) ([]Edge, error) {
	if p.Source.Connector != "sql" {
		return nil, nil
	}
	stmts, err := parse.Parse(p.Source.Query)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 || stmts[0].Node.GetSelectStmt() == nil {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "the definition of %s is not one query", p.QualifiedName())
	}
	q, err := bind.BindSelect(ctx, declared{m}, stmts[0].Node, bind.Options{Now: time.Unix(0, 0).UTC()})
	if err != nil {
		return nil, err
	}
	var out []Edge
	for i, cols := range Outputs(q.Plan, q.Columns) {
		name := q.Columns[i].Name
		if len(q.Columns) == len(p.Columns) {
			name = p.Columns[i].Name
		}
		for _, e := range cols {
			e.Product, e.Column = p.QualifiedName(), name
			out = append(out, e)
		}
	}
	return out, nil
}

// Outputs returns, for each of a bound plan's output columns in order,
// the input product columns its values derive from, ordered by input and
// input column; Product and Column of the edges are left for the caller
// (a query's result has no product name). The plan may be the engine's,
// bound over the real sources: scans name their columns by the source's
// fields, which carry the declared names.
func Outputs(plan logical.Node, cols []bind.OutputColumn) [][]Edge {
	w := walker{deps: map[logical.ColumnID]deps{}}
	w.node(plan)
	out := make([][]Edge, len(cols))
	for i, c := range cols {
		for src, t := range w.deps[c.ID] {
			out[i] = append(out[i], Edge{Input: src.product, InputColumn: src.column, Transformation: t})
		}
		sort.Slice(out[i], func(a, b int) bool {
			if out[i][a].Input != out[i][b].Input {
				return out[i][a].Input < out[i][b].Input
			}
			return out[i][a].InputColumn < out[i][b].InputColumn
		})
	}
	return out
}

// Mesh returns the column-level lineage of every derived product of m,
// in product order; a product whose definition does not bind is left out
// and its error returned in errs (meshql lint reports such definitions).
func Mesh(ctx context.Context, m *catalog.Mesh) (edges []Edge, errs []error) {
	for _, p := range m.Products {
		e, err := Columns(ctx, m, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		edges = append(edges, e...)
	}
	return edges, errs
}

// source is an input product's column.
type source struct{ product, column string }

// deps are the input columns a plan column is derived from.
type deps map[source]Transformation

// walker computes deps for every column of a plan, bottom up.
type walker struct {
	deps map[logical.ColumnID]deps
	// anchors are the anchor outputs of the recursive queries being
	// walked, by key: a working table's columns derive from them (and
	// from the recursive term, which adds its own inputs to the union's
	// columns).
	anchors map[int][]logical.ColumnID
	// seen holds the inputs of shared WITH queries walked already: their
	// references hold one input, whose columns' deps are known after the
	// first, and walking it again per reference doubled at each level of
	// WITH queries that read the one before twice.
	seen logical.NodeSet
}

func (w *walker) node(n logical.Node) {
	if logical.Revisits(&w.seen, n) {
		return
	}
	if x, ok := n.(*logical.RecursiveUnion); ok {
		w.node(x.Anchor)
		if w.anchors == nil {
			w.anchors = map[int][]logical.ColumnID{}
		}
		w.anchors[x.Key] = x.Anchor.Output()
		w.node(x.Recursive)
		w.union(x.Cols, x.Anchor.Output(), x.Recursive.Output())
		return
	}
	for _, c := range n.Children() {
		w.node(c)
	}
	switch x := n.(type) {
	case *logical.WorkTable:
		for i, id := range x.Cols {
			if a := w.anchors[x.Key]; i < len(a) {
				w.set(id, w.deps[a[i]])
			}
		}
	case *logical.Scan:
		if x.Product == nil || x.Table == nil {
			return
		}
		s := x.Table.Schema()
		for i, id := range x.Cols {
			if j := x.SourceIdx[i]; j >= 0 && j < s.NumFields() {
				w.deps[id] = deps{{x.Product.QualifiedName(), s.Field(j).Name}: Identity}
			}
		}
	case *logical.Project:
		for i, e := range x.Exprs {
			w.set(x.Cols[i], w.expr(e, Identity))
		}
	case *logical.Aggregate:
		for i, e := range x.Groups {
			w.set(x.GroupCols[i], w.expr(e, Identity))
		}
		for i, a := range x.Aggs {
			w.set(x.AggCols[i], w.exprs(a.Args, Aggregation))
		}
	case *logical.Window:
		for i, c := range x.Calls {
			w.set(x.Cols[i], w.exprs(c.Args, Aggregation))
		}
	case *logical.Unnest:
		for i, l := range x.Lists {
			w.set(x.Cols[i], w.expr(l, Transform))
		}
	case *logical.SetOp:
		w.union(x.Cols, x.Left.Output(), x.Right.Output())
	case *logical.Values:
		for _, row := range x.Rows {
			for i, e := range row {
				d := w.deps[x.Cols[i]]
				if d == nil {
					d = deps{}
				}
				d.add(w.expr(e, Identity), Identity)
				w.set(x.Cols[i], d)
			}
		}
	}
}

// union records that each of cols is l's or r's column of its position.
func (w *walker) union(cols, l, r []logical.ColumnID) {
	for i, id := range cols {
		d := deps{}
		d.add(w.deps[l[i]], Identity)
		d.add(w.deps[r[i]], Identity)
		w.set(id, d)
	}
}

// set records d for id unless id already has deps: a plain column
// reference keeps its ID through projections and groupings.
func (w *walker) set(id logical.ColumnID, d deps) {
	if _, ok := w.deps[id]; !ok || len(d) > 0 {
		w.deps[id] = d
	}
}

// expr returns the deps of e's value: a bare column reference passes its
// own at least at floor; anything computed is a Transform at least.
func (w *walker) expr(e logical.Expr, floor Transformation) deps {
	if c, ok := e.(*logical.ColRef); ok {
		d := deps{}
		d.add(w.deps[c.ID], floor)
		return d
	}
	return w.exprs([]logical.Expr{e}, max(floor, Transform))
}

// exprs returns the deps of every column e reads, at least at floor.
func (w *walker) exprs(es []logical.Expr, floor Transformation) deps {
	d := deps{}
	var visit func(e logical.Expr)
	visit = func(e logical.Expr) {
		if c, ok := e.(*logical.ColRef); ok {
			d.add(w.deps[c.ID], floor)
		}
		for _, ch := range e.Children() {
			if ch != nil {
				visit(ch)
			}
		}
	}
	for _, e := range es {
		if e != nil {
			visit(e)
		}
	}
	return d
}

// add merges o into d, each step at least at floor.
func (d deps) add(o deps, floor Transformation) {
	for s, t := range o {
		t = max(t, floor)
		if cur, ok := d[s]; !ok || t > cur {
			d[s] = t
		}
	}
}

// declared resolves names for the binder over the mesh's declared
// columns: every product, derived or not, is a table of its own, so that
// edges stop at a derived input instead of reaching through it.
type declared struct{ m *catalog.Mesh }

// Every product is resolved whoever reads: lineage is about the definition.
func (c declared) ResolveTable(_ context.Context, schema, name string, _ policy.Principal) (*bind.Table, error) {
	var p *catalog.Product
	if schema == "" {
		for _, d := range c.m.SearchPath {
			if found, ok := c.m.Lookup(d, name); ok {
				p = found
				break
			}
		}
	}
	if p == nil {
		var err error
		if p, err = c.m.Resolve(schema, name); err != nil {
			return nil, err
		}
	}
	t := &bind.Table{Product: p, Name: p.QualifiedName(), Source: contractTable{p}}
	for i, col := range p.Columns {
		t.Columns = append(t.Columns, bind.TableColumn{Name: col.Name, Type: col.Type, SourceIndex: i, SourceType: col.Type})
	}
	return t, nil
}

// contractTable is a product as its contract declares it: a schema to
// bind against, never scanned.
type contractTable struct{ p *catalog.Product }

func (t contractTable) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.p.Columns))
	for i, c := range t.p.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.Arrow(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

func (contractTable) Stats() connectors.Stats { return connectors.Stats{} }

func (contractTable) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}

func (t contractTable) Partitions(context.Context, connectors.ScanRequest) ([]connectors.Partition, error) {
	return nil, sqltypes.New(sqltypes.CodeInternal, "%s is bound for lineage only and cannot be scanned", t.p.QualifiedName())
}
