package bind

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// PostgreSQL's frame option bits (nodes/parsenodes.h).
const (
	frameRange              = 0x00002
	frameRows               = 0x00004
	frameGroups             = 0x00008
	frameStartUnboundedPrec = 0x00020
	frameEndUnboundedFoll   = 0x00100
	frameStartCurrentRow    = 0x00200
	frameEndCurrentRow      = 0x00400
	frameStartOffsetPrec    = 0x00800
	frameEndOffsetPrec      = 0x01000
	frameStartOffsetFoll    = 0x02000
	frameEndOffsetFoll      = 0x04000
	frameExclusion          = 0x08000 | 0x10000 | 0x20000
	frameNonDefault         = 0x00001
)

// winState collects the window function calls of one query block, grouped
// by their PARTITION BY / ORDER BY, which one Window node computes together.
type winState struct {
	named  map[string]*pg_query.WindowDef
	groups []*winGroup
}

type winGroup struct {
	key       string
	partition []logical.Expr
	order     []logical.SortKey
	calls     []logical.WindowCall
	cols      []logical.ColumnID
}

func newWinState(defs []*pg_query.Node) (*winState, error) {
	w := &winState{named: map[string]*pg_query.WindowDef{}}
	for _, n := range defs {
		d := n.GetWindowDef()
		if _, dup := w.named[d.Name]; dup {
			return nil, errAt(sqltypes.New("42P20", "window %q is already defined", d.Name), int(d.Location))
		}
		w.named[d.Name] = d
	}
	return w, nil
}

// nodes returns the Window nodes over input, one per distinct window.
func (w *winState) apply(input logical.Node) logical.Node {
	for _, g := range w.groups {
		input = &logical.Window{Input: input, PartitionBy: g.partition, OrderBy: g.order, Calls: g.calls, Cols: g.cols}
	}
	return input
}

// resolveWindow merges OVER w / OVER (w ORDER BY …) with the named window.
func (w *winState) resolve(d *pg_query.WindowDef) (*pg_query.WindowDef, error) {
	ref := d.Refname
	if ref == "" && d.Name != "" && len(d.PartitionClause) == 0 && len(d.OrderClause) == 0 && d.FrameOptions&frameNonDefault == 0 {
		ref = d.Name
	}
	if ref == "" {
		return d, nil
	}
	base, ok := w.named[ref]
	if !ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedObject, "window %q does not exist", ref), int(d.Location))
	}
	out := pg_query.WindowDef{Name: base.Name, PartitionClause: base.PartitionClause, OrderClause: base.OrderClause,
		FrameOptions: base.FrameOptions, StartOffset: base.StartOffset, EndOffset: base.EndOffset, Location: base.Location}
	if len(d.OrderClause) > 0 {
		out.OrderClause = d.OrderClause
	}
	if d.FrameOptions&frameNonDefault != 0 {
		out.FrameOptions, out.StartOffset, out.EndOffset = d.FrameOptions, d.StartOffset, d.EndOffset
	}
	return &out, nil
}

// bindWindowCall binds f(...) OVER (...) and returns a reference to the
// column the Window node will compute.
func (b *binder) bindWindowCall(fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(fc.Location)
	if b.win == nil {
		if b.inAggArgs {
			return nil, errAt(sqltypes.New(sqltypes.CodeGroupingError, "aggregate function calls cannot contain window function calls"), loc)
		}
		return nil, errAt(sqltypes.New("42P20", "window functions are not allowed here"), loc)
	}
	if fc.AggDistinct || len(fc.AggOrder) > 0 {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "DISTINCT and ORDER BY inside a window function call are not supported"), loc)
	}
	def, err := b.win.resolve(fc.Over)
	if err != nil {
		return nil, err
	}
	bindOne := func(n *pg_query.Node) (logical.Expr, error) {
		e, err := b.bindExpr(n, sc, agg)
		if err != nil {
			return nil, err
		}
		if agg != nil {
			return agg.groupify(e, n)
		}
		return e, nil
	}
	name := funcName(fc)
	call := logical.WindowCall{Func: name}
	if fc.AggStar {
		call.Func = "count_star"
	}
	var argTypes []sqltypes.Type
	for _, an := range fc.Args {
		e, err := bindOne(an)
		if err != nil {
			return nil, err
		}
		if e.Type().Kind == sqltypes.Unknown {
			if e, err = b.coerce(e, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
		call.Args = append(call.Args, e)
		argTypes = append(argTypes, e.Type())
	}
	if fc.AggFilter != nil {
		f, err := b.bindExpr(fc.AggFilter, sc, agg)
		if err != nil {
			return nil, err
		}
		call.Filter = f
	}
	if call.T, err = ops.WindowFuncType(call.Func, argTypes); err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	var part []logical.Expr
	var keyParts []string
	for _, n := range def.PartitionClause {
		e, err := bindOne(n)
		if err != nil {
			return nil, err
		}
		part = append(part, e)
		keyParts = append(keyParts, logical.Key(e))
	}
	keyParts = append(keyParts, "|")
	var order []logical.SortKey
	for _, n := range def.OrderClause {
		sb := n.GetSortBy()
		e, err := bindOne(sb.Node)
		if err != nil {
			return nil, err
		}
		desc, nf := sortDirection(sb)
		order = append(order, logical.SortKey{Expr: e, Desc: desc, NullsFirst: nf})
		keyParts = append(keyParts, fmt.Sprintf("%s/%v/%v", logical.Key(e), desc, nf))
	}
	if call.Frame, err = frameOf(def, len(order) > 0); err != nil {
		return nil, err
	}
	key := strings.Join(keyParts, ",")
	var g *winGroup
	for _, cand := range b.win.groups {
		if cand.key == key {
			g = cand
		}
	}
	if g == nil {
		g = &winGroup{key: key, partition: part, order: order}
		b.win.groups = append(b.win.groups, g)
	}
	id := b.meta.NewColumn(name, "", call.T)
	g.calls = append(g.calls, call)
	g.cols = append(g.cols, id)
	return &logical.ColRef{ID: id, Name: name, T: call.T}, nil
}

// frameOf decodes a window's frame clause.
func frameOf(d *pg_query.WindowDef, hasOrder bool) (ops.Frame, error) {
	opts := d.FrameOptions
	if opts&frameNonDefault == 0 {
		return ops.DefaultFrame(hasOrder), nil
	}
	if opts&frameExclusion != 0 {
		return ops.Frame{}, sqltypes.New(sqltypes.CodeFeatureNotSupported, "frame EXCLUDE clauses are not supported yet")
	}
	f := ops.Frame{Mode: ops.FrameRange}
	switch {
	case opts&frameRows != 0:
		f.Mode = ops.FrameRows
	case opts&frameGroups != 0:
		f.Mode = ops.FrameGroups
	}
	offset := func(n *pg_query.Node) (int64, error) {
		if n == nil {
			return 0, nil
		}
		if ac := n.GetAConst(); ac != nil {
			if iv, ok := ac.Val.(*pg_query.A_Const_Ival); ok && iv.Ival.Ival >= 0 {
				return int64(iv.Ival.Ival), nil
			}
		}
		return 0, sqltypes.New(sqltypes.CodeFeatureNotSupported, "window frame offsets must be non-negative integer constants")
	}
	var err error
	switch {
	case opts&frameStartUnboundedPrec != 0:
		f.Start.Kind = ops.UnboundedPreceding
	case opts&frameStartCurrentRow != 0:
		f.Start.Kind = ops.CurrentRow
	case opts&frameStartOffsetPrec != 0:
		f.Start.Kind = ops.OffsetPreceding
		f.Start.Offset, err = offset(d.StartOffset)
	case opts&frameStartOffsetFoll != 0:
		f.Start.Kind = ops.OffsetFollowing
		f.Start.Offset, err = offset(d.StartOffset)
	}
	if err != nil {
		return ops.Frame{}, err
	}
	switch {
	case opts&frameEndUnboundedFoll != 0:
		f.End.Kind = ops.UnboundedFollowing
	case opts&frameEndOffsetPrec != 0:
		f.End.Kind = ops.OffsetPreceding
		f.End.Offset, err = offset(d.EndOffset)
	case opts&frameEndOffsetFoll != 0:
		f.End.Kind = ops.OffsetFollowing
		f.End.Offset, err = offset(d.EndOffset)
	default: // CURRENT ROW, also the implicit end of a frame without BETWEEN
		f.End.Kind = ops.CurrentRow
	}
	if err != nil {
		return ops.Frame{}, err
	}
	if f.Mode == ops.FrameRange && (f.Start.Kind == ops.OffsetPreceding || f.Start.Kind == ops.OffsetFollowing || f.End.Kind == ops.OffsetPreceding || f.End.Kind == ops.OffsetFollowing) {
		return ops.Frame{}, sqltypes.New(sqltypes.CodeFeatureNotSupported, "RANGE frames with offsets are not supported yet; use ROWS")
	}
	return f, nil
}
