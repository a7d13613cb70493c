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
	// named holds the WINDOW clause's definitions, each merged with the
	// one it builds on; order lists their names as written, used those
	// some OVER clause refers to.
	named  map[string]*pg_query.WindowDef
	order  []string
	used   map[string]bool
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
	w := &winState{named: map[string]*pg_query.WindowDef{}, used: map[string]bool{}}
	for _, n := range defs {
		d := n.GetWindowDef()
		if _, dup := w.named[d.Name]; dup {
			return nil, errAt(sqltypes.New(sqltypes.CodeWindowingError, "window %q is already defined", d.Name), int(d.Location))
		}
		// A definition may build on an earlier one only (PostgreSQL's
		// transformWindowDefinitions): stored merged, so that a chain of
		// any length resolves in one step.
		m, err := w.merge(d)
		if err != nil {
			return nil, err
		}
		w.named[d.Name] = m
		w.order = append(w.order, d.Name)
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
// ORDER BY, arguments, FILTERs and frame offsets (rank() OVER (ORDER BY
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
		for _, r := range []*logical.Expr{&c.Filter, &c.RangeKey, &c.RangeStart, &c.RangeEnd, &c.Offsets[0], &c.Offsets[1]} {
			if *r != nil {
				slots = append(slots, r)
			}
		}
	}
	return b.joinSlotSubqueries(input, slots)
}

// resolve returns the window an OVER clause denotes: OVER w is the named
// window itself, frame included; OVER (w …) copies w (see merge).
func (w *winState) resolve(d *pg_query.WindowDef) (*pg_query.WindowDef, error) {
	if d.Refname == "" && d.Name != "" && len(d.PartitionClause) == 0 && len(d.OrderClause) == 0 && d.FrameOptions&frameNonDefault == 0 {
		base, ok := w.named[d.Name]
		if !ok {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedObject, "window %q does not exist", d.Name), int(d.Location))
		}
		w.used[d.Name] = true
		return base, nil
	}
	if d.Refname != "" {
		w.used[d.Refname] = true
	}
	return w.merge(d)
}

// merge resolves d's reference to a named window as PostgreSQL does: d
// takes the base's PARTITION BY, and its ORDER BY unless the base has
// none, but may not replace either, nor copy a base that has a frame
// clause (42P20).
func (w *winState) merge(d *pg_query.WindowDef) (*pg_query.WindowDef, error) {
	if d.Refname == "" {
		return d, nil
	}
	base, ok := w.named[d.Refname]
	if !ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedObject, "window %q does not exist", d.Refname), int(d.Location))
	}
	loc := int(d.Location)
	switch {
	case len(d.PartitionClause) > 0:
		return nil, errAt(sqltypes.New(sqltypes.CodeWindowingError, "cannot override PARTITION BY clause of window %q", d.Refname), loc)
	case len(d.OrderClause) > 0 && len(base.OrderClause) > 0:
		return nil, errAt(sqltypes.New(sqltypes.CodeWindowingError, "cannot override ORDER BY clause of window %q", d.Refname), loc)
	case base.FrameOptions&frameNonDefault != 0:
		e := sqltypes.New(sqltypes.CodeWindowingError, "cannot copy window %q because it has a frame clause", d.Refname)
		if d.Name == "" && len(d.OrderClause) == 0 && d.FrameOptions&frameNonDefault == 0 {
			e = e.WithHint("Omit the parentheses in this OVER clause.")
		}
		return nil, errAt(e, loc)
	}
	out := &pg_query.WindowDef{Name: d.Name, PartitionClause: base.PartitionClause, OrderClause: base.OrderClause,
		FrameOptions: d.FrameOptions, StartOffset: d.StartOffset, EndOffset: d.EndOffset, Location: d.Location}
	if len(d.OrderClause) > 0 {
		out.OrderClause = d.OrderClause
	}
	return out, nil
}

// checkUnused binds the PARTITION BY and ORDER BY of the named windows no
// OVER clause used, which PostgreSQL checks all the same (WINDOW w AS
// (PARTITION BY nosuch) is 42703).
func (w *winState) checkUnused(b *binder, sc *scope, agg *aggState) error {
	defer func() { w.binding = "" }()
	w.binding = "window definitions"
	for _, name := range w.order {
		if w.used[name] {
			continue
		}
		d := w.named[name]
		for _, n := range d.PartitionClause {
			if _, err := b.bindExpr(n, sc, agg); err != nil {
				return err
			}
		}
		for _, n := range d.OrderClause {
			if _, err := b.bindExpr(n.GetSortBy().Node, sc, agg); err != nil {
				return err
			}
		}
	}
	return nil
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
	if name == "every" {
		call.Func = "bool_and" // the SQL standard's name for it
	}
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
	if anyelementWindowFunc(name, len(call.Args)) && call.Args[0].Type().Kind == sqltypes.Unknown {
		// No position, as PostgreSQL gives none.
		return nil, sqltypes.New(sqltypes.CodeDatatypeMismatch, "could not determine polymorphic type because input has type unknown")
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
	if i, ok := intArgs[name]; ok && i < len(call.Args) && call.Args[i].Type().Kind == sqltypes.Unknown {
		// ntile('2'), lag(x, NULL): an untyped literal is the integer
		// the function takes.
		if call.Args[i], err = b.coerce(call.Args[i], sqltypes.TypeInt4); err != nil {
			return nil, err
		}
	}
	argTypes := make([]sqltypes.Type, len(call.Args))
	for i, e := range call.Args {
		if e.Type().Kind == sqltypes.Unknown {
			t := sqltypes.TypeText
			if call.Func == "bool_and" || call.Func == "bool_or" {
				t = sqltypes.TypeBool // their one signature
			}
			if call.Args[i], err = b.coerce(e, t); err != nil {
				return nil, err
			}
		}
		argTypes[i] = call.Args[i].Type()
	}
	if fc.AggFilter != nil {
		b.win.binding = "FILTER"
		f, err := bindOne(fc.AggFilter)
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
		if slices.ContainsFunc(order, func(k logical.SortKey) bool { return logical.Key(k.Expr) == logical.Key(e) }) {
			// A repeated key orders nothing more; PostgreSQL drops it
			// (ORDER BY x, x DESC RANGE 1 PRECEDING has one key).
			continue
		}
		order = append(order, logical.SortKey{Expr: e, Desc: desc, NullsFirst: nf})
		keyParts = append(keyParts, fmt.Sprintf("%s/%v/%v", logical.Key(e), desc, nf))
	}
	if err := b.bindFrame(&call, def, order, sc); err != nil {
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

// intArgs gives the window functions' integer parameter (ntile's count,
// lag's and lead's offset, nth_value's n) by position.
// anyelementWindowFunc reports whether the window function name of n
// arguments takes its value as PostgreSQL's anyelement, which an untyped
// literal or parameter cannot resolve (lag('x') is 42804; lag('x', 1,
// 'y') is anycompatible, text).
func anyelementWindowFunc(name string, n int) bool {
	switch name {
	case "lag", "lead":
		return n == 1 || n == 2
	case "first_value", "last_value", "nth_value":
		return n > 0
	}
	return false
}

var intArgs = map[string]int{"ntile": 0, "lag": 1, "lead": 1, "nth_value": 1}

// bindFrame decodes a window's frame clause into call.Frame and, for a
// RANGE frame with offsets, call's RANGE expressions.
func (b *binder) bindFrame(call *logical.WindowCall, d *pg_query.WindowDef, order []logical.SortKey, sc *scope) error {
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
		return b.bindRangeOffsets(call, d, order, sc)
	}
	for i, bd := range []struct {
		bound *ops.FrameBound
		n     *pg_query.Node
	}{{&call.Frame.Start, d.StartOffset}, {&call.Frame.End, d.EndOffset}} {
		if bd.n == nil {
			continue
		}
		e, err := b.frameOffset(bd.n, sc, f.Mode, i, func(e logical.Expr) (logical.Expr, error) { return b.coerce(e, sqltypes.TypeInt8) })
		if err != nil {
			return err
		}
		if c, ok := e.(*logical.Const); ok {
			bd.bound.Offset = c.V.(int64)
		} else {
			call.Offsets[i] = e
		}
	}
	return nil
}

// frameOffset binds a frame offset (i: 0 start, 1 end), which may be any
// expression that reads no column (see checkNoVars), typed by coerce. A constant is checked
// now; any other ($1, 1+1, (SELECT n FROM t)) is left in call.Offsets for
// the optimizer to fold, or else for the executor to compute.
func (b *binder) frameOffset(n *pg_query.Node, local *scope, mode ops.FrameMode, i int, coerce func(logical.Expr) (logical.Expr, error)) (logical.Expr, error) {
	clause := map[ops.FrameMode]string{ops.FrameRows: "ROWS", ops.FrameRange: "RANGE", ops.FrameGroups: "GROUPS"}[mode]
	restore := b.bindingIn("window " + clause)
	e, err := b.bindExpr(n, local, nil)
	restore()
	if err != nil {
		return nil, err
	}
	if err := checkNoVars(e, n, local, clause, "Compute the offset in a scalar subquery that reads no outer column, or pass it as a parameter."); err != nil {
		return nil, err
	}
	if e, err = coerce(e); err != nil {
		return nil, errAt(sqltypes.AsError(err), location(n))
	}
	if c, ok := e.(*logical.Const); ok {
		if _, err := ops.CheckFrameOffset(mode, ops.FrameWhich[i], c.V); err != nil {
			return nil, errAt(err, location(n))
		}
	}
	return e, nil
}

// bindRangeOffsets types a RANGE frame's offsets against the single ORDER
// BY key, as PostgreSQL's in_range support functions do: integers,
// numeric and floats take offsets of their own kind; date, timestamp,
// timestamptz and interval take intervals. The key and every bound
// value (key ∓ offset) are computed in one type, so the executor can
// compare them: integers as numeric (no overflow at the extremes), date as
// timestamp.
func (b *binder) bindRangeOffsets(call *logical.WindowCall, d *pg_query.WindowDef, order []logical.SortKey, sc *scope) error {
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
	for i, bd := range []struct {
		bound ops.FrameBound
		n     *pg_query.Node
		out   *logical.Expr
	}{{call.Frame.Start, d.StartOffset, &call.RangeStart}, {call.Frame.End, d.EndOffset, &call.RangeEnd}} {
		if bd.bound.Kind != ops.OffsetPreceding && bd.bound.Kind != ops.OffsetFollowing {
			continue
		}
		coerceOff := func(e logical.Expr) (logical.Expr, error) {
			if e.Type().Kind == sqltypes.Unknown {
				// An untyped literal takes the key's own type ('1'
				// over an int2 key is int2).
				var err error
				if e, err = b.coerce(e, offType); err != nil {
					return nil, err
				}
			}
			if !offKind(e.Type()) {
				return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s", kt, e.Type())
			}
			switch {
			case kt.IsInteger():
				return b.coerce(e, sqltypes.TypeInt8)
			case offType.Kind == sqltypes.Float8:
				if c, ok := e.(*logical.Const); ok && c.V != nil {
					// Casts are folded after binding; the offset's
					// sign is checked now.
					if f, ok := floatDatum(c.V, c.T); ok {
						return &logical.Const{T: offType, V: f}, nil
					}
				}
				return b.coerce(e, offType)
			}
			return e, nil
		}
		off, err := b.frameOffset(bd.n, sc, ops.FrameRange, i, coerceOff)
		if err != nil {
			return err
		}
		if c, ok := off.(*logical.Const); ok && kt.IsInteger() {
			off = &logical.Const{T: sqltypes.NumericType(38, 0), V: decimal128.FromI64(c.V.(int64))}
		} else if !ok {
			// The bound values compute the offset row by row, which
			// only a stable offset allows.
			if logical.IsVolatile(off) {
				return errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "volatile RANGE frame offsets are not supported").
					WithHint("Compute the offset first, or pass it as a parameter."), location(bd.n))
			}
			call.Offsets[i] = off
			if hasSubquery(off) {
				// Each place takes its own instance: a subquery becomes
				// one join.
				if call.Offsets[i], err = b.frameOffset(bd.n, sc, ops.FrameRange, i, coerceOff); err != nil {
					return err
				}
			}
			if kt.IsInteger() {
				off = &logical.Cast{E: off, T: sqltypes.NumericType(38, 0)}
			}
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

// floatDatum converts a numeric constant to float8, NaN and the
// infinities included.
func floatDatum(v sqltypes.Datum, t sqltypes.Type) (float64, bool) {
	switch x := v.(type) {
	case decimal128.Num:
		switch {
		case sqltypes.IsNumericNaN(x):
			return math.NaN(), true
		case sqltypes.IsNumericSpecial(x):
			return math.Inf(x.Sign()), true
		}
		return x.ToFloat64(t.Scale), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	i, ok := sqltypes.DatumInt64(v)
	return float64(i), ok
}

// castTo casts e to t unless it has t's Arrow type already.
func castTo(e logical.Expr, t sqltypes.Type) logical.Expr {
	if arrow.TypeEqual(e.Type().Arrow(), t.Arrow()) {
		return e
	}
	return &logical.Cast{E: e, T: t}
}
