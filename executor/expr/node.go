package expr

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// node is implemented by every Expr of this package so that trees can be
// walked (Columns) and rebuilt (Remap) without knowing each node type.
type node interface {
	Expr
	children() []Expr
	// withChildren returns a copy of the node with its children replaced
	// (same count, same types).
	withChildren(ch []Expr) Expr
}

// Columns returns the sorted, distinct batch column indexes e reads.
func Columns(e Expr) []int {
	var out []int
	var walk func(Expr)
	walk = func(e Expr) {
		if c, ok := e.(*ColumnExpr); ok {
			out = append(out, c.Index)
			return
		}
		if n, ok := e.(node); ok {
			for _, ch := range n.children() {
				walk(ch)
			}
		}
	}
	walk(e)
	slices.Sort(out)
	return slices.Compact(out)
}

// Walkable reports whether every node of e is this package's, so that
// Columns finds all the columns e reads and Remap changes them all (an
// Expr from elsewhere is a leaf to both).
func Walkable(e Expr) bool {
	n, ok := e.(node)
	if !ok {
		return false
	}
	for _, ch := range n.children() {
		if !Walkable(ch) {
			return false
		}
	}
	return true
}

// Remap returns e with every column index i replaced by mapping(i). e is
// not modified; subtrees without columns are shared.
func Remap(e Expr, mapping func(int) int) Expr {
	switch x := e.(type) {
	case *ColumnExpr:
		c := *x
		c.Index = mapping(x.Index)
		return &c
	case node:
		ch := x.children()
		if len(ch) == 0 {
			return e
		}
		nch := make([]Expr, len(ch))
		for i, c := range ch {
			nch[i] = Remap(c, mapping)
		}
		return x.withChildren(nch)
	}
	return e
}

// ColumnExpr reads one column of the input batch.
type ColumnExpr struct {
	Index int
	T     sqltypes.Type
	Name  string
}

// Column returns the expression for batch column index of type t. Eval
// returns the batch's column itself (retained), decoding dictionary
// arrays; name is only for String.
func Column(index int, t sqltypes.Type, name string) Expr {
	return &ColumnExpr{Index: index, T: t, Name: name}
}

func (c *ColumnExpr) Type() sqltypes.Type        { return c.T }
func (c *ColumnExpr) children() []Expr           { return nil }
func (c *ColumnExpr) withChildren(_ []Expr) Expr { return c }

func (c *ColumnExpr) String() string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("#%d", c.Index)
}

func (c *ColumnExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if c.Index < 0 || c.Index >= int(b.NumCols()) {
		return nil, internalErr("column #%d of a batch with %d columns", c.Index, b.NumCols())
	}
	col := b.Column(c.Index)
	if d, ok := col.(*array.Dictionary); ok {
		out, err := compute.TakeArray(compute.WithAllocator(ctx, env.Mem), d.Dictionary(), d.Indices())
		if err != nil {
			return nil, internalErr("decoding dictionary column %s: %v", c, err)
		}
		col = out
	} else {
		col.Retain()
	}
	want := c.T.Arrow()
	if !layoutCompatible(col.DataType(), want) && c.T.Kind != sqltypes.Unknown {
		col.Release()
		return nil, internalErr("column %s has Arrow type %s, expected %s", c, col.DataType(), want)
	}
	return col, nil
}

// LiteralExpr is a constant.
type LiteralExpr struct {
	t   sqltypes.Type
	v   sqltypes.Datum
	err error // set when v could not be represented as t; raised by Eval
	// resolved, on an untyped literal probing a call (UnknownArg),
	// receives the type a successful Cast gave it.
	resolved *sqltypes.Type
}

// Literal returns a constant of type t; v nil is NULL. v should use the
// representation of sqltypes/values.go; nearby forms (an int64 for an
// int4, text for any type) are converted, and a value that cannot be
// converted makes Eval fail with that conversion's error.
func Literal(t sqltypes.Type, v sqltypes.Datum) Expr {
	nv, err := normalizeDatum(t, v)
	return &LiteralExpr{t: t, v: nv, err: err}
}

// Value returns the literal's Datum (nil for NULL).
func (l *LiteralExpr) Value() sqltypes.Datum { return l.v }

// IsLiteral reports whether e is a literal and returns its value.
func IsLiteral(e Expr) (sqltypes.Datum, bool) {
	if l, ok := e.(*LiteralExpr); ok && l.err == nil {
		return l.v, true
	}
	return nil, false
}

func (l *LiteralExpr) Type() sqltypes.Type        { return l.t }
func (l *LiteralExpr) children() []Expr           { return nil }
func (l *LiteralExpr) withChildren(_ []Expr) Expr { return l }
func (l *LiteralExpr) String() string             { return sqltypes.FormatLiteral(l.t, l.v) }

func (l *LiteralExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if l.err != nil {
		return nil, l.err
	}
	return constArray(env, l.t, l.v, int(b.NumRows()))
}

// layoutCompatible reports whether an input column can be read as type
// want: the same Arrow type up to decimal precision and timestamp zone
// name, which do not change the physical values.
func layoutCompatible(got, want arrow.DataType) bool {
	if got.ID() != want.ID() {
		return false
	}
	switch g := got.(type) {
	case *arrow.Decimal128Type:
		return g.Scale == want.(*arrow.Decimal128Type).Scale
	case *arrow.TimestampType:
		return g.Unit == want.(*arrow.TimestampType).Unit
	case *arrow.ListType:
		return layoutCompatible(g.Elem(), want.(*arrow.ListType).Elem())
	}
	return true
}

// arrayCtor (array_ctor.go) takes part in Columns/Remap like every node.
func (a *arrayCtor) children() []Expr { return a.elems }
func (a *arrayCtor) withChildren(ch []Expr) Expr {
	return &arrayCtor{elems: ch, t: a.t}
}

// Repeatable reports whether evaluating e again over the same rows gives
// the same values and does nothing else: every node is this package's
// and none calls a volatile function (random(), clock_timestamp(),
// pg_sleep(), pg_cancel_backend(), …).
func Repeatable(e Expr) bool {
	n, ok := e.(node)
	if !ok {
		return false
	}
	if c, ok := e.(*callExpr); ok && (c.acts || IsVolatile(c.name)) {
		return false
	}
	for _, ch := range n.children() {
		if !Repeatable(ch) {
			return false
		}
	}
	return true
}
