package bind

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
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
	frameExcludeCurrentRow  = 0x08000
	frameExcludeGroup       = 0x10000
	frameExcludeTies        = 0x20000
	frameNonDefault         = 0x00001
)

// winState collects the window function calls of one query block, grouped
// by their PARTITION BY / ORDER BY, which one Window node computes together.
type winState struct {
	named  map[string]*pg_query.WindowDef
	groups []*winGroup
	// binding names the part of a window call being bound ("" outside
	// one): a window call there is PostgreSQL's 42P20, as one Window node
	// cannot read another's result.
	binding string
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
			return nil, errAt(sqltypes.New(sqltypes.CodeWindowingError, "window %q is already defined", d.Name), int(d.Location))
		}
		w.named[d.Name] = d
	}
	return w, nil
}

// nodes returns the Window nodes over input, one per distinct window.
func (w *winState) apply(b *binder, input logical.Node) (logical.Node, error) {
	for _, g := range w.groups {
		var err error
		if input, err = g.joinSubqueries(b, input); err != nil {
			return nil, err
		}
		input = &logical.Window{Input: input, PartitionBy: g.partition, OrderBy: g.order, Calls: g.calls, Cols: g.cols}
	}
	return input, nil
}

// joinSubqueries computes the subqueries in the group's PARTITION BY,
// ORDER BY, arguments, FILTERs and RANGE offsets (rank() OVER (ORDER BY
// (SELECT …)))
// by joins below its Window node, which reads their columns instead.
func (g *winGroup) joinSubqueries(b *binder, input logical.Node) (logical.Node, error) {
	var slots []*logical.Expr
	for i := range g.partition {
		slots = append(slots, &g.partition[i])
	}
	for i := range g.order {
		slots = append(slots, &g.order[i].Expr)
	}
	for i := range g.calls {
		c := &g.calls[i]
		c.Args = slices.Clone(c.Args) // the call's own, not the bound expression's
		for j := range c.Args {
			slots = append(slots, &c.Args[j])
		}
		for _, r := range []*logical.Expr{&c.Filter, &c.RangeKey, &c.RangeStart, &c.RangeEnd} {
			if *r != nil {
				slots = append(slots, r)
			}
		}
	}
	return b.joinSlotSubqueries(input, slots)
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
		return nil, b.current().notAllowed(sqltypes.CodeWindowingError, "window functions", loc)
	}
	if fc.AggDistinct || len(fc.AggOrder) > 0 {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "DISTINCT and ORDER BY inside a window function call are not supported"), loc)
	}
	switch b.win.binding {
	case "":
	case "arguments":
		return nil, errAt(sqltypes.New(sqltypes.CodeWindowingError, "window function calls cannot be nested"), loc)
	default:
		return nil, errAt(sqltypes.New(sqltypes.CodeWindowingError, "window functions are not allowed in %s", b.win.binding), loc)
	}
	def, err := b.win.resolve(fc.Over)
	if err != nil {
		return nil, err
	}
	defer func() { b.win.binding = "" }()
	b.win.binding = "arguments"
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
	args := fc.Args
	if name == "count" && len(args) == 1 {
		// count(t.*): t's rows (see bindAgg).
		_, present, whole, err := b.bindWholeRowJSON(args[0], sc, agg)
		if err != nil {
			return nil, err
		}
		if whole {
			call.Func, args = "count_star", nil
			if present != nil {
				if agg != nil {
					if present, err = agg.groupify(present, fc.Args[0]); err != nil {
						return nil, err
					}
				}
				call.Func, call.Args = "count", []logical.Expr{present}
			}
		}
	}
	for _, an := range args {
		e, err := bindOne(an)
		if err != nil {
			return nil, err
		}
		call.Args = append(call.Args, e)
	}
	if (name == "lag" || name == "lead") && len(call.Args) == 3 {
		// lag(anycompatible, integer, anycompatible): the value and the
		// default meet in their common type (lag(bigint_col, 1, 0) is
		// bigint, lag(int_col, 1, 0.5) numeric).
		pair, _, err := b.unifyAll([]logical.Expr{call.Args[0], call.Args[2]}, loc)
		if err != nil {
			return nil, err
		}
		call.Args[0], call.Args[2] = pair[0], pair[1]
	}
	argTypes := make([]sqltypes.Type, len(call.Args))
	for i, e := range call.Args {
		if e.Type().Kind == sqltypes.Unknown {
			if call.Args[i], err = b.coerce(e, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
		argTypes[i] = call.Args[i].Type()
	}
	if fc.AggFilter != nil {
		b.win.binding = "FILTER"
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
	b.win.binding = "window definitions"
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
		desc, nf, err := sortDirection(sb)
		if err != nil {
			return nil, err
		}
		order = append(order, logical.SortKey{Expr: e, Desc: desc, NullsFirst: nf})
		keyParts = append(keyParts, fmt.Sprintf("%s/%v/%v", logical.Key(e), desc, nf))
	}
	if err := b.bindFrame(&call, def, order); err != nil {
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

// bindFrame decodes a window's frame clause into call.Frame and, for a
// RANGE frame with offsets, call's RANGE expressions.
func (b *binder) bindFrame(call *logical.WindowCall, d *pg_query.WindowDef, order []logical.SortKey) error {
	opts := d.FrameOptions
	if opts&frameNonDefault == 0 {
		call.Frame = ops.DefaultFrame(len(order) > 0)
		return nil
	}
	f := ops.Frame{Mode: ops.FrameRange}
	switch {
	case opts&frameRows != 0:
		f.Mode = ops.FrameRows
	case opts&frameGroups != 0:
		f.Mode = ops.FrameGroups
	}
	switch {
	case opts&frameExcludeCurrentRow != 0:
		f.Exclude = ops.ExcludeCurrentRow
	case opts&frameExcludeGroup != 0:
		f.Exclude = ops.ExcludeGroup
	case opts&frameExcludeTies != 0:
		f.Exclude = ops.ExcludeTies
	}
	switch {
	case opts&frameStartUnboundedPrec != 0:
		f.Start.Kind = ops.UnboundedPreceding
	case opts&frameStartCurrentRow != 0:
		f.Start.Kind = ops.CurrentRow
	case opts&frameStartOffsetPrec != 0:
		f.Start.Kind = ops.OffsetPreceding
	case opts&frameStartOffsetFoll != 0:
		f.Start.Kind = ops.OffsetFollowing
	}
	switch {
	case opts&frameEndUnboundedFoll != 0:
		f.End.Kind = ops.UnboundedFollowing
	case opts&frameEndOffsetPrec != 0:
		f.End.Kind = ops.OffsetPreceding
	case opts&frameEndOffsetFoll != 0:
		f.End.Kind = ops.OffsetFollowing
	default: // CURRENT ROW, also the implicit end of a frame without BETWEEN
		f.End.Kind = ops.CurrentRow
	}
	call.Frame = f
	if f.HasRangeOffset() {
		return b.bindRangeOffsets(call, d, order)
	}
	for _, bd := range []struct {
		bound *ops.FrameBound
		n     *pg_query.Node
		which string
	}{{&call.Frame.Start, d.StartOffset, "starting"}, {&call.Frame.End, d.EndOffset, "ending"}} {
		if bd.n == nil {
			continue
		}
		c, err := b.frameOffset(bd.n, bd.which, func(e logical.Expr) (logical.Expr, error) { return b.coerce(e, sqltypes.TypeInt8) })
		if err != nil {
			return err
		}
		v := c.V.(int64)
		if v < 0 {
			return errAt(sqltypes.New("22013", "frame %s offset must not be negative", bd.which), location(bd.n))
		}
		bd.bound.Offset = v
	}
	return nil
}

// frameOffset binds a frame offset, which may not refer to columns and
// must be a non-NULL constant once typed by coerce.
func (b *binder) frameOffset(n *pg_query.Node, which string, coerce func(logical.Expr) (logical.Expr, error)) (*logical.Const, error) {
	e, err := b.bindExpr(n, &scope{}, nil)
	if err != nil {
		if sqltypes.AsError(err).Code == sqltypes.CodeUndefinedColumn {
			return nil, errAt(sqltypes.New("42P10", "argument of window frame offset must not contain variables"), location(n))
		}
		return nil, err
	}
	if e, err = coerce(e); err != nil {
		return nil, errAt(sqltypes.AsError(err), location(n))
	}
	c, ok := e.(*logical.Const)
	if !ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "window frame offsets must be constants"), location(n))
	}
	if c.V == nil {
		return nil, errAt(sqltypes.New("22004", "frame %s offset must not be null", which), location(n))
	}
	return c, nil
}

// bindRangeOffsets types a RANGE frame's offsets against the single ORDER
// BY key, as PostgreSQL's in_range support functions do: integers,
// numeric and floats take offsets of their own kind; date, timestamp,
// timestamptz and interval take intervals. The key and every bound
// value (key ∓ offset) are computed in one type, so the executor can
// compare them: integers as numeric (no overflow at the extremes), date as
// timestamp.
func (b *binder) bindRangeOffsets(call *logical.WindowCall, d *pg_query.WindowDef, order []logical.SortKey) error {
	loc := int(d.Location)
	if len(order) != 1 {
		return errAt(sqltypes.New(sqltypes.CodeWindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column"), loc)
	}
	key := order[0].Expr
	kt := key.Type()
	var offKind func(sqltypes.Type) bool
	var offType sqltypes.Type
	cmpKey := key
	switch {
	case kt.IsInteger():
		offKind, offType = sqltypes.Type.IsInteger, kt
		cmpKey = &logical.Cast{E: key, T: sqltypes.NumericType(38, 0)}
	case kt.Kind == sqltypes.Numeric:
		offKind, offType = func(t sqltypes.Type) bool { return t.IsInteger() || t.Kind == sqltypes.Numeric }, kt
	case kt.Kind == sqltypes.Float4 || kt.Kind == sqltypes.Float8:
		offKind, offType = sqltypes.Type.IsNumeric, sqltypes.TypeFloat8
		cmpKey = &logical.Cast{E: key, T: sqltypes.TypeFloat8}
	case kt.Kind == sqltypes.Date || kt.Kind == sqltypes.Timestamp || kt.Kind == sqltypes.TimestampTZ || kt.Kind == sqltypes.Interval:
		offKind, offType = func(t sqltypes.Type) bool { return t.Kind == sqltypes.Interval }, sqltypes.TypeInterval
		if kt.Kind == sqltypes.Date {
			cmpKey = &logical.Cast{E: key, T: sqltypes.TypeTimestamp}
		}
	default:
		return errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s", kt), loc)
	}
	var bounds []logical.Expr
	for _, bd := range []struct {
		bound ops.FrameBound
		n     *pg_query.Node
		out   *logical.Expr
		which string
	}{{call.Frame.Start, d.StartOffset, &call.RangeStart, "starting"}, {call.Frame.End, d.EndOffset, &call.RangeEnd, "ending"}} {
		if bd.bound.Kind != ops.OffsetPreceding && bd.bound.Kind != ops.OffsetFollowing {
			continue
		}
		off, err := b.frameOffset(bd.n, bd.which, func(e logical.Expr) (logical.Expr, error) {
			if e.Type().Kind == sqltypes.Unknown {
				return b.coerce(e, offType)
			}
			if !offKind(e.Type()) {
				return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s", kt, e.Type())
			}
			if kt.IsInteger() {
				return b.coerce(e, sqltypes.TypeInt8)
			}
			if c, ok := e.(*logical.Const); ok && offType.Kind == sqltypes.Float8 && c.V != nil {
				// Casts are folded after binding; the offset's sign is
				// checked now.
				switch v := c.V.(type) {
				case decimal128.Num:
					f := v.ToFloat64(c.T.Scale)
					switch {
					case sqltypes.IsNumericNaN(v):
						f = math.NaN()
					case sqltypes.IsNumericSpecial(v):
						f = math.Inf(v.Sign())
					}
					return &logical.Const{T: offType, V: f}, nil
				case float32:
					return &logical.Const{T: offType, V: float64(v)}, nil
				}
				if i, ok := sqltypes.DatumInt64(c.V); ok {
					return &logical.Const{T: offType, V: float64(i)}, nil
				}
			}
			return e, nil
		})
		if err != nil {
			return err
		}
		if negativeOffset(off.V) {
			return errAt(sqltypes.New("22013", "invalid preceding or following size in window function"), location(bd.n))
		}
		if kt.IsInteger() {
			off = &logical.Const{T: sqltypes.NumericType(38, 0), V: decimal128.FromI64(off.V.(int64))}
		}
		// PRECEDING goes against the sort direction, FOLLOWING with it.
		op, opText := expr.OpAdd, "+"
		if (bd.bound.Kind == ops.OffsetPreceding) != order[0].Desc {
			op, opText = expr.OpSub, "-"
		}
		v, err := b.bindOperator(op, opText, cmpKey, off, loc)
		if err != nil {
			return err
		}
		*bd.out = v
		bounds = append(bounds, v)
	}
	// One type for the key and the bounds: numeric bounds take the
	// larger scale, so that no bound is rounded.
	t := bounds[0].Type()
	for _, e := range bounds[1:] {
		if e.Type().Scale > t.Scale {
			t = e.Type()
		}
	}
	for _, e := range []*logical.Expr{&call.RangeStart, &call.RangeEnd} {
		if *e != nil {
			*e = castTo(*e, t)
		}
	}
	call.RangeKey = castTo(cmpKey, t)
	return nil
}

// castTo casts e to t unless it has t's Arrow type already.
func castTo(e logical.Expr, t sqltypes.Type) logical.Expr {
	if arrow.TypeEqual(e.Type().Arrow(), t.Arrow()) {
		return e
	}
	return &logical.Cast{E: e, T: t}
}

// negativeOffset reports whether a RANGE offset is below zero (or NaN),
// intervals compared as PostgreSQL does (a month is 30 days).
func negativeOffset(v sqltypes.Datum) bool {
	switch x := v.(type) {
	case float64:
		return x < 0 || math.IsNaN(x)
	case decimal128.Num:
		return x.Sign() < 0 || sqltypes.IsNumericNaN(x)
	case arrow.MonthDayNanoInterval:
		const nanosPerDay = 86400 * 1e9
		span := decimal128.FromI64(int64(x.Months)).Mul(decimal128.FromI64(30 * nanosPerDay)).
			Add(decimal128.FromI64(int64(x.Days)).Mul(decimal128.FromI64(nanosPerDay))).
			Add(decimal128.FromI64(x.Nanoseconds))
		return span.Sign() < 0
	}
	i, _ := sqltypes.DatumInt64(v)
	return i < 0
}
