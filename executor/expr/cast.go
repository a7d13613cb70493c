package expr

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// castKernel converts an evaluated array in the session's context.
type castKernel func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error)

// castCtx is what casts read from the session: the TimeZone (timestamptz
// and date/timestamp conversions), DateStyle and IntervalStyle (date/time
// text in and out), and the transaction's start, which text input of
// 'now', 'today', 'tomorrow' and 'yesterday' reads (so that
// ('n'||'ow')::timestamptz = now(), as in PostgreSQL).
type castCtx struct {
	loc   *time.Location
	style sqltypes.DateStyle
	now   time.Time
}

func castCtxOf(env *executor.Env) castCtx {
	return castCtx{loc: env.Location, style: env.DateStyle, now: env.Now}
}

// input is what text input of dates, times and intervals reads.
func (cx castCtx) input() sqltypes.InputContext {
	return sqltypes.InputContext{Loc: cx.loc, Now: cx.now, Order: cx.style.Order, Interval: cx.style.Interval}
}

// castExpr is CAST(in AS t).
type castExpr struct {
	in Expr
	t  sqltypes.Type
	k  castKernel
}

func (e *castExpr) Type() sqltypes.Type { return e.t }
func (e *castExpr) children() []Expr    { return []Expr{e.in} }
func (e *castExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.in = ch[0]
	return &c
}
func (e *castExpr) String() string { return fmt.Sprintf("CAST(%s AS %s)", e.in, e.t) }

func (e *castExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, err := e.in.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return e.k(env.Mem, castCtxOf(env), a)
}

// Cast returns CAST(e AS to) with PostgreSQL's conversion rules:
//
//   - integers, floats and numeric convert among each other; narrowing that
//     does not fit is 22003 ("integer out of range", "numeric field
//     overflow" with PostgreSQL's detail); float to integer rounds half to
//     even, numeric to integer and numeric to a smaller scale round half
//     away from zero; float to numeric keeps 15 (float4: 6) significant
//     digits as PostgreSQL does;
//   - every type converts to text (PostgreSQL's output format; bool gives
//     "true"/"false") and text converts to every type with its input
//     function (22P02, 22007, 22008 on bad input, see sqltypes.ParseValue);
//   - varchar(n) truncates to n characters; character(n) truncates and
//     pads with blanks to n, and loses its trailing blanks when cast to
//     text (or through text to another type);
//   - date, timestamp and timestamptz convert among each other in the
//     session time zone; bool and integer convert (true = 1);
//   - Unknown (a NULL literal) converts to every type.
//
// A cast to numeric without a precision keeps the input's scale (numeric),
// 0 (integers), or 15 fractional digits (text and float8; 6 for float4):
// PostgreSQL keeps each value's own scale, a column needs one, and the
// result type never depends on constant values. Casting a literal folds
// it to a literal of the same type when the result does not depend on the
// session (time zone, DateStyle, IntervalStyle). Other pairs are 42846
// "cannot cast type x to y".
func Cast(e Expr, to sqltypes.Type) (Expr, error) {
	out, err := cast(e, to)
	if err == nil && e.Type().Kind == sqltypes.Unknown {
		noteResolved(e, to)
	}
	return out, err
}

func cast(e Expr, to sqltypes.Type) (Expr, error) {
	from := e.Type()
	if from.Equal(to) {
		return e, nil
	}
	if from.VarScale {
		return castVarNumeric(e, to)
	}
	if to.VarScale {
		if from.Kind == sqltypes.JSONB {
			k, _ := jsonbScalarCastKernel(to)
			return &castExpr{in: e, t: to, k: k}, nil
		}
		if !from.IsString() && from.Kind != sqltypes.Float8 && from.Kind != sqltypes.Float4 {
			return nil, internalErr("cast of %s to a variable-scale numeric", from)
		}
		return &toVarNumeric{e: e, t: to}, nil
	}
	if v, ok := IsLiteral(e); ok && v != nil && from.Kind == sqltypes.Unknown {
		// An untyped string literal takes the target type, parsed now
		// (PostgreSQL reports bad input while planning, too).
		if to.Kind == sqltypes.Numeric && to.Precision == 0 && to.Scale == 0 {
			to.Scale = 15 // as for a column of Unknown type (types never depend on values)
		}
		nv, err := normalizeDatum(to, v)
		if err != nil {
			if l, isProbe := e.(*LiteralExpr); isProbe && l.resolved != nil && strings.HasPrefix(sqltypes.Code(err), "22") {
				// Bad input does not decide a call's resolution: the
				// binder reports it once the call resolved
				// (left('abc', 'x') is 22P02, not 42883).
				return &LiteralExpr{t: to, err: err}, nil
			}
			return nil, err
		}
		return &LiteralExpr{t: to, v: nv}, nil
	}
	to = unconstrainedScale(from, to)
	if to.Kind == sqltypes.Numeric && (to.Precision < 0 || to.Precision > sqltypes.MaxNumericPrecision || to.Scale < 0 || to.Precision > 0 && to.Scale > to.Precision) {
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", to.Scale, to.Precision)
	}
	k, ok := castKernelFor(from, to)
	if !ok {
		return nil, sqltypes.New(sqltypes.CodeCannotCoerce, "cannot cast type %s to %s", from, to)
	}
	c := &castExpr{in: e, t: to, k: k}
	if _, isLit := IsLiteral(e); isLit && !sessionDependent(from, to) {
		if v, err := foldLiteral(c); err == nil {
			return &LiteralExpr{t: to, v: v}, nil
		}
	}
	return c, nil
}

// unconstrainedScale gives a cast to numeric without a typmod (or to an
// array of it, element by element) the scale its values need at most:
// the input's for numerics, 0 for integers, 15 fractional digits for
// text, jsonb and float8 (6 for float4). The scale flow widens the values a
// reader keeps to their own scales (planner/bind/dscale.go).
func unconstrainedScale(from, to sqltypes.Type) sqltypes.Type {
	if to.Kind == sqltypes.List && to.Elem != nil && (from.Kind == sqltypes.List && from.Elem != nil || from.IsString()) {
		ef := from // text read as an array: its elements are text
		if from.Kind == sqltypes.List {
			ef = *from.Elem
		}
		e := unconstrainedScale(ef, *to.Elem)
		to.Elem = &e
		return to
	}
	if to.Kind == sqltypes.Numeric && to.Precision == 0 && to.Scale == 0 && !to.VarScale {
		switch {
		case from.Kind == sqltypes.Numeric:
			to.Scale = from.Scale
		case from.IsString() || from.Kind == sqltypes.Float8 || from.Kind == sqltypes.Unknown || from.Kind == sqltypes.JSONB:
			to.Scale = 15
		case from.Kind == sqltypes.Float4:
			to.Scale = 6
		}
	}
	return to
}

// sessionDependent reports whether a cast reads the session: its time
// zone (a cast from or to timestamptz, or arrays of it) or its DateStyle
// and IntervalStyle (date/time text in or out), or its transaction's
// start (text to time reads 'now'). Such a cast of a literal is not
// folded here, where the session is unknown; the planner folds it with
// the session's environment.
func sessionDependent(from, to sqltypes.Type) bool {
	from, to = leafType(from), leafType(to)
	return from.Kind == sqltypes.TimestampTZ || to.Kind == sqltypes.TimestampTZ ||
		from.Kind == sqltypes.TstzRange || to.Kind == sqltypes.TstzRange ||
		from.IsString() && (styledDateTime(to) || to.Kind == sqltypes.Time) || to.IsString() && styledDateTime(from)
}

func leafType(t sqltypes.Type) sqltypes.Type {
	for t.Kind == sqltypes.List && t.Elem != nil {
		t = *t.Elem
	}
	return t
}

// styledDateTime reports whether DateStyle or IntervalStyle change t's text.
func styledDateTime(t sqltypes.Type) bool {
	switch t.Kind {
	case sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ, sqltypes.Interval, sqltypes.DateRange, sqltypes.TsRange:
		return true
	}
	return false
}

// foldLiteral evaluates a cast of a literal once, on a one-row batch.
func foldLiteral(c *castExpr) (sqltypes.Datum, error) {
	mem := memory.NewGoAllocator()
	env := &executor.Env{Mem: mem, Location: time.UTC}
	schema := arrow.NewSchema(nil, nil)
	b := array.NewRecordBatch(schema, nil, 1)
	defer b.Release()
	a, err := c.Eval(context.Background(), env, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return datumAt(a, c.t, 0), nil
}

// castNullKernel produces all-NULL output of type t (casts from Unknown).
func castNullKernel(t sqltypes.Type) castKernel {
	return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		return nullArray(mem, t, a.Len()), nil
	}
}

// retype returns a with the same buffers under another Arrow type of the
// same layout (varchar→text, numeric(p,s)→numeric(38,s)).
func retype(a arrow.Array, dt arrow.DataType) arrow.Array {
	d := a.Data()
	nd := array.NewData(dt, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
	defer nd.Release()
	return array.MakeFromData(nd)
}

func retypeKernel(dt arrow.DataType) castKernel {
	return func(_ memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		return retype(a, dt), nil
	}
}

// castKernelFor selects the kernel of a cast.
func castKernelFor(from, to sqltypes.Type) (castKernel, bool) {
	dt := to.Arrow()
	switch {
	case from.VarScale && to.Kind == sqltypes.Numeric && !to.VarScale && to.Scale == from.Scale:
		// The elements of an array of variable-scale numerics read at
		// their nominal scale.
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return VarNumericToDecimal(mem, a, to.Scale)
		}, true
	case from.VarScale && to.VarScale:
		return relabelKernel(to), true
	case to.VarScale && from.Kind == sqltypes.JSONB:
		return jsonbScalarCastKernel(to)
	case to.VarScale && (from.IsString() || from.Kind == sqltypes.Float8 || from.Kind == sqltypes.Float4):
		// The elements of text[] or float8[] cast to an array of
		// variable-scale numerics (as toVarNumeric).
		return toVarNumericKernel(dt), true
	case from.Kind == sqltypes.Unknown:
		return castNullKernel(to), true
	case from.Kind == sqltypes.Name || to.Kind == sqltypes.Name:
		return nameCastKernel(from, to)
	case from.Kind == sqltypes.Bpchar || to.Kind == sqltypes.Bpchar:
		return bpcharCastKernel(from, to)
	case from.Kind == sqltypes.JSONPath || to.Kind == sqltypes.JSONPath:
		return jsonPathCastKernel(from, to)
	case from.IsRange() || to.IsRange():
		return rangeCastKernel(from, to)
	case isInet(from) || isInet(to):
		return inetCastKernel(from, to)
	case from.Kind == sqltypes.Macaddr || to.Kind == sqltypes.Macaddr:
		return macaddrCastKernel(from, to)
	case from.Kind == sqltypes.Char || to.Kind == sqltypes.Char:
		return charCastKernel(from, to)
	case from.IsOID() || to.IsOID():
		return oidCastKernel(from, to)
	case to.Kind == sqltypes.Varchar && to.Precision > 0 && (from.IsString() || from.IsJSON()):
		return truncateKernel(int(to.Precision)), true
	case to.IsString() && (from.IsString() || from.IsJSON()):
		return retypeKernel(dt), true
	case from.Kind == sqltypes.JSONB && to.Kind == sqltypes.JSON:
		return retypeKernel(dt), true
	case from.Kind == sqltypes.JSON && to.Kind == sqltypes.JSONB:
		return normalizeJSONBKernel, true
	case from.Kind == sqltypes.JSONB:
		return jsonbScalarCastKernel(to)
	case to.IsString():
		k := toTextKernel(from)
		if to.Kind == sqltypes.Varchar && to.Precision > 0 {
			return chain(k, truncateKernel(int(to.Precision))), true
		}
		return k, true
	case from.IsString():
		return fromTextKernel(to)
	case from.IsJSON() || to.IsJSON():
		return nil, false
	case from.Kind == sqltypes.List && to.Kind == sqltypes.List:
		return listCastKernel(from, to)
	}
	if k, ok := numericCastKernel(from, to); ok {
		return k, true
	}
	return temporalCastKernel(from, to)
}
