package expr

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Variable-scale numeric columns (sqltypes.VarNumericType): each value
// has its own display scale, as in PostgreSQL. The planner produces them
// where a reader keeps or computes from the scale (see
// bind.widenScales): the executor produces them (VarArith, casts,
// WithScale), compares and keys on them by value (varCmpExpr, ops), and
// the fronts print them (VarNumericAt).

// VarNumericAt returns row i of a variable-scale numeric array: its
// unscaled value and its scale. The row must not be NULL.
func VarNumericAt(a arrow.Array, i int) (decimal128.Num, int32) {
	s := a.(*array.Struct)
	m := s.Field(sqltypes.VarNumericMantissa).(*array.Decimal128)
	sc := s.Field(sqltypes.VarNumericScale).(*array.Int8)
	return m.Value(i), int32(sc.Value(i))
}

// newVarNumeric assembles a variable-scale numeric array of n rows from
// its mantissas and scales; valid (nil: no NULLs) is the validity.
func newVarNumeric(dt arrow.DataType, n int, valid, mant, scales *memory.Buffer) arrow.Array {
	st := dt.(*arrow.StructType)
	md := array.NewData(st.Field(sqltypes.VarNumericMantissa).Type, n, []*memory.Buffer{nil, mant}, nil, 0, 0)
	sd := array.NewData(st.Field(sqltypes.VarNumericScale).Type, n, []*memory.Buffer{nil, scales}, nil, 0, 0)
	nulls := 0
	if valid != nil {
		nulls = array.UnknownNullCount
	}
	data := array.NewData(dt, n, []*memory.Buffer{valid}, []arrow.ArrayData{md, sd}, nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	md.Release()
	sd.Release()
	for _, b := range []*memory.Buffer{valid, mant, scales} {
		if b != nil {
			b.Release()
		}
	}
	return arr
}

// VarNumericToDecimal converts a variable-scale numeric array to
// decimal128(38, scale), rounding half away from zero the values of more
// places (22003 if one no longer fits 38 digits). For fronts and casts
// that need one scale per column (Flight SQL's schema).
func VarNumericToDecimal(mem memory.Allocator, a arrow.Array, scale int32) (arrow.Array, error) {
	n := a.Len()
	buf, out := allocFixed[decimal128.Num](mem, n)
	for i := range out {
		out[i] = decimal128.Num{}
		if a.IsNull(i) {
			continue
		}
		v, s := VarNumericAt(a, i)
		r, ok := rescaleDec(v, s, scale)
		if !ok {
			buf.Release()
			return nil, errNumericRange()
		}
		out[i] = r
	}
	var valid *memory.Buffer
	if bm, off := bitmapOf(a); bm != nil {
		valid = copyBitmap(mem, bm, off, n)
	}
	return finish(&arrow.Decimal128Type{Precision: sqltypes.MaxNumericPrecision, Scale: scale}, n, valid, buf), nil
}

// castVarNumeric casts the variable-scale numeric e to another type: to
// text with each value's own digits, to a numeric of a scale by rounding
// each value once to it (round(x, n) too), to a variable-scale numeric of
// another nominal scale by relabeling, to an integer by rounding each
// value once; anything else goes through the numeric of e's nominal
// scale.
func castVarNumeric(e Expr, to sqltypes.Type) (Expr, error) {
	from := e.Type()
	switch {
	case to.VarScale:
		return varRelabel(e, to), nil
	case to.Kind == sqltypes.Text || to.Kind == sqltypes.Varchar || to.Kind == sqltypes.Bpchar:
		return Cast(varToText(e), to)
	case to.Kind == sqltypes.Float8 || to.Kind == sqltypes.Float4:
		// From each value's own digits: the nominal scale need not hold
		// them all (1e-29 next to 1e23).
		dt := to.Arrow()
		return &castExpr{in: e, t: to, k: func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return narrowFloat(to.Kind, mem, dt, func() (arrow.Array, error) {
				return mapRows(mem, arrow.PrimitiveTypes.Float64, a.Len(), []arrow.Array{a}, func(i int) (float64, bool, error) {
					v, s := VarNumericAt(a, i)
					return decToFloat(v, s), false, nil
				})
			})
		}}, nil
	case to.Kind == sqltypes.Numeric && (to.Precision != 0 || to.Scale != 0), to.IsInteger():
		// Rounded once, from each value's own digits, to the target's
		// places (an integer's 0): through the nominal scale first,
		// 1.4999999999999999 would round twice, to 2.
		st := from.Static()
		st.Scale = 0
		if to.Kind == sqltypes.Numeric {
			st.Scale = to.Scale
		}
		return Cast(varToStatic(e, st), to)
	}
	return Cast(varToStatic(e, from.Static()), to)
}

// varRelabel gives the variable-scale numeric e another nominal scale:
// the values stay, the Arrow type's label changes.
func varRelabel(e Expr, to sqltypes.Type) Expr {
	return &castExpr{in: e, t: to, k: relabelKernel(to)}
}

func relabelKernel(to sqltypes.Type) castKernel {
	st := to.Arrow().(*arrow.StructType)
	return func(_ memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		d := a.Data()
		ch := d.Children()
		kids := []arrow.ArrayData{ch[sqltypes.VarNumericMantissa], ch[sqltypes.VarNumericScale]}
		nd := array.NewData(st, d.Len(), d.Buffers(), kids, d.NullN(), d.Offset())
		defer nd.Release()
		return array.MakeFromData(nd), nil
	}
}

// toVarElemKernel converts the numeric elements of an array to the
// variable-scale numeric to: a static numeric's values keep its scale
// (arrays of different scales through a set operation keep theirs).
func toVarElemKernel(from, to sqltypes.Type) castKernel {
	if from.VarScale {
		return relabelKernel(to)
	}
	return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		n := a.Len()
		mbuf, mant := allocFixed[decimal128.Num](mem, n)
		sbuf, scales := allocFixed[int8](mem, n)
		copy(mant, values[decimal128.Num](a))
		for i := range scales {
			scales[i] = int8(from.Scale)
		}
		var valid *memory.Buffer
		if bm, off := bitmapOf(a); bm != nil {
			valid = copyBitmap(mem, bm, off, n)
		}
		return newVarNumeric(to.Arrow(), n, valid, mbuf, sbuf), nil
	}
}

// varToText prints each value of the variable-scale numeric e with its
// own scale, as numeric_out does.
func varToText(e Expr) Expr {
	return &castExpr{in: e, t: sqltypes.TypeText, k: func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		sb := array.NewStringBuilder(mem)
		defer sb.Release()
		sb.Reserve(a.Len())
		for i := range a.Len() {
			if a.IsNull(i) {
				sb.AppendNull()
				continue
			}
			sb.Append(sqltypes.FormatDecimal(VarNumericAt(a, i)))
		}
		return sb.NewArray(), nil
	}}
}

// varToStatic casts the variable-scale numeric e to t, a numeric of one
// scale (its nominal one, or the one a cast or round asks for), rounding
// half away from zero.
func varToStatic(e Expr, t sqltypes.Type) Expr {
	return &castExpr{in: e, t: t, k: func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		return VarNumericToDecimal(mem, a, t.Scale)
	}}
}

// WithScale gives each value of the numeric v the display scale of the
// same row of the integer s (NULL: v's scale): CASE, COALESCE, GREATEST
// and LEAST over numerics of different scales keep the scale of the
// argument each row took, as in PostgreSQL, while the kernels compute
// them at the common scale. Only scales up to v's are asked for, so
// values are exact.
func WithScale(v, s Expr) (Expr, error) {
	vt, st := v.Type(), s.Type()
	if vt.Kind != sqltypes.Numeric || vt.VarScale || st.Kind != sqltypes.Int4 {
		return nil, internalErr("numeric scale of %s by %s", vt, st)
	}
	return &withScaleExpr{v: v, s: s, t: sqltypes.VarNumericType(vt.Scale)}, nil
}

type withScaleExpr struct {
	v, s Expr
	t    sqltypes.Type
}

func (e *withScaleExpr) Type() sqltypes.Type { return e.t }
func (e *withScaleExpr) children() []Expr    { return []Expr{e.v, e.s} }
func (e *withScaleExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.v, c.s = ch[0], ch[1]
	return &c
}
func (e *withScaleExpr) String() string { return e.v.String() }

func (e *withScaleExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalArgs(ctx, env, b, e.v, e.s)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	va, sa := args[0], args[1]
	n := va.Len()
	from := e.v.Type().Scale
	vals, scs := values[decimal128.Num](va), values[int32](sa)
	mbuf, mant := allocFixed[decimal128.Num](env.Mem, n)
	sbuf, scales := allocFixed[int8](env.Mem, n)
	for i := range mant {
		mant[i], scales[i] = decimal128.Num{}, int8(from)
		if va.IsNull(i) {
			continue
		}
		to := from
		if sa.IsValid(i) && scs[i] >= 0 && scs[i] < from {
			to = scs[i]
		}
		m, _ := rescaleDec(vals[i], from, to) // shrinking never overflows
		mant[i], scales[i] = m, int8(to)
	}
	var valid *memory.Buffer
	if bm, off := bitmapOf(va); bm != nil {
		valid = copyBitmap(env.Mem, bm, off, n)
	}
	return newVarNumeric(e.t.Arrow(), n, valid, mbuf, sbuf), nil
}

// toVarNumeric converts text or floats to numeric as PostgreSQL does, each
// value with its own scale: text through numeric input ('1.50' keeps two
// places), a float through its text of 15 (real: 6) significant digits
// (0.1::float8 is 0.1).
type toVarNumeric struct {
	e Expr
	t sqltypes.Type
}

func (c *toVarNumeric) Type() sqltypes.Type { return c.t }
func (c *toVarNumeric) children() []Expr    { return []Expr{c.e} }
func (c *toVarNumeric) withChildren(ch []Expr) Expr {
	x := *c
	x.e = ch[0]
	return &x
}
func (c *toVarNumeric) String() string { return fmt.Sprintf("CAST(%s AS numeric)", c.e) }

func (c *toVarNumeric) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	a, err := c.e.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return toVarNumericKernel(c.t.Arrow())(env.Mem, castCtxOf(env), a)
}

// toVarNumericKernel is toVarNumeric's conversion, as the element kernel
// of a cast of arrays too (text[]::numeric[]); dt is the variable-scale
// numeric's Arrow type.
func toVarNumericKernel(dt arrow.DataType) castKernel {
	return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		n := a.Len()
		var text func(int) string
		switch x := a.(type) {
		case *array.Float64:
			text = func(i int) string { return strconv.FormatFloat(x.Value(i), 'g', 15, 64) }
		case *array.Float32:
			text = func(i int) string { return strconv.FormatFloat(float64(x.Value(i)), 'g', 6, 32) }
		case array.StringLike:
			text = x.Value
		case *array.Dictionary:
			d, ok := x.Dictionary().(array.StringLike)
			if !ok {
				return nil, internalErr("cast of %s to numeric", a.DataType())
			}
			text = func(i int) string { return d.Value(x.GetValueIndex(i)) }
		default:
			return nil, internalErr("cast of %s to numeric", a.DataType())
		}
		mbuf, mant := allocFixed[decimal128.Num](mem, n)
		sbuf, scales := allocFixed[int8](mem, n)
		for i := range mant {
			mant[i], scales[i] = decimal128.Num{}, 0
			if a.IsNull(i) {
				continue
			}
			d, err := sqltypes.ParseVarNumeric(text(i))
			if err != nil {
				mbuf.Release()
				sbuf.Release()
				return nil, err
			}
			mant[i], scales[i] = d.Num, int8(d.Scale)
		}
		var valid *memory.Buffer
		if bm, off := bitmapOf(a); bm != nil {
			valid = copyBitmap(mem, bm, off, n)
		}
		return newVarNumeric(dt, n, valid, mbuf, sbuf), nil
	}
}

// DecimalArray returns a variable-scale numeric array, or an array of
// them, as decimal128 of the nominal scale (nil, nil for any other
// array). The caller releases the result.
func DecimalArray(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	if nominal, ok := sqltypes.VarNumericNominal(a.DataType()); ok {
		return VarNumericToDecimal(mem, a, nominal)
	}
	l, ok := a.(*array.List)
	if !ok {
		return nil, nil
	}
	vals, err := DecimalArray(mem, l.ListValues())
	if vals == nil || err != nil {
		return nil, err
	}
	defer vals.Release()
	d := l.Data()
	data := array.NewData(arrow.ListOf(vals.DataType()), d.Len(), d.Buffers(), []arrow.ArrayData{vals.Data()}, d.NullN(), d.Offset())
	defer data.Release()
	return array.MakeFromData(data), nil
}

// DecimalBatch returns b with its variable-scale numeric columns (and
// arrays of them) as decimal128 of their nominal scales, for Arrow
// consumers (IPC output),
// which have no per-value scale; b itself is returned (retained) when it
// has none. The caller releases the result.
func DecimalBatch(mem memory.Allocator, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	var cols []arrow.Array
	var fields []arrow.Field
	for i, c := range b.Columns() {
		d, err := DecimalArray(mem, c)
		if err != nil {
			return nil, err
		}
		if d == nil {
			continue
		}
		if cols == nil {
			cols = make([]arrow.Array, b.NumCols())
			fields = append([]arrow.Field(nil), b.Schema().Fields()...)
			defer func() {
				for _, a := range cols {
					if a != nil {
						a.Release()
					}
				}
			}()
		}
		cols[i] = d
		fields[i].Type = d.DataType()
	}
	if cols == nil {
		b.Retain()
		return b, nil
	}
	for i, c := range b.Columns() {
		if cols[i] == nil {
			c.Retain()
			cols[i] = c
		}
	}
	md := b.Schema().Metadata()
	return array.NewRecordBatch(arrow.NewSchema(fields, &md), cols, b.NumRows()), nil
}

// varRows is the function name of a variable-scale numeric args[0] (the
// other arguments constants the caller folded into f) computing each
// value, of type rt, from its mantissa and scale.
func varRows(name string, args []Expr, rt sqltypes.Type, f func(m decimal128.Num, s int32) (decimal128.Num, error)) Expr {
	return &callExpr{name: name, args: args, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return mapRows(env.Mem, rt.Arrow(), n, in[:1], func(i int) (decimal128.Num, bool, error) {
			m, s := VarNumericAt(in[0], i)
			r, err := f(m, s)
			return r, false, err
		})
	}}
}

// intPart is ceil, ceiling, floor or sign of x at scale s, at scale 0.
func intPart(name string, x decimal128.Num, s int32) decimal128.Num {
	if name == "sign" {
		return decimal128.FromI64(int64(x.Sign()))
	}
	neg, m := split(x)
	q, r := u128{}, m // |x| < 1 past 38 places
	if s <= 38 {
		q, r = m.divmod(pow10(s))
	}
	if !r.isZero() && (name == "floor") == neg {
		q = q.add(u128{0, 1})
	}
	return join(neg && !q.isZero(), q)
}
