package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Range types (sqltypes/range.go holds the value model): constructors,
// accessors and the operators, which the planner binds to the functions
// PostgreSQL implements them with (range_contains for @>, range_union
// for +, ...). Values are canonical text; a kernel parses each row once
// per argument, reusing the last parse when a row repeats the text
// before it (constants, runs).

// rangeFuncs maps each range function to its arity.
var rangeFuncs = map[string]int{
	"isempty": 1, "lower_inc": 1, "upper_inc": 1, "lower_inf": 1, "upper_inf": 1, "lower": 1, "upper": 1,
	"range_merge": 2, "range_contains": 2, "range_contained_by": 2, "range_contains_elem": 2, "elem_contained_by_range": 2,
	"range_overlaps": 2, "range_before": 2, "range_after": 2, "range_overleft": 2, "range_overright": 2,
	"range_adjacent": 2, "range_union": 2, "range_intersect": 2, "range_minus": 2,
}

// RangeConstructor reports whether name is a range type's constructor.
func RangeConstructor(name string) (sqltypes.Type, bool) {
	t, ok := sqltypes.LookupType(name, nil)
	if !ok || !t.IsRange() {
		return sqltypes.Type{}, false
	}
	return t, true
}

// rangeCastKernel casts text to a range (parsed in the session's
// context, stored canonical) and a range to text (tstzrange bounds in
// the session's TimeZone, dates and timestamps in its DateStyle). Ranges
// cast to no other type.
func rangeCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	switch {
	case from.Kind == to.Kind:
		return retypeKernel(to.Arrow()), true
	case from.IsRange() && to.Kind == sqltypes.Varchar && to.Precision > 0:
		return chain(rangeTextKernel(from), truncateKernel(int(to.Precision))), true
	case from.IsRange() && to.IsString():
		return rangeTextKernel(from), true
	case to.IsRange() && (from.IsString() || from.Kind == sqltypes.Bpchar):
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			in := cx.input()
			return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
				r, err := sqltypes.ParseRange(to, v.str(i), in)
				if err != nil {
					return nil, false, err
				}
				return sqltypes.AppendRange(dst, to, r, nil), false, nil
			})
		}, true
	}
	return nil, false
}

func rangeTextKernel(from sqltypes.Type) castKernel {
	if from.Kind == sqltypes.Int4Range || from.Kind == sqltypes.Int8Range || from.Kind == sqltypes.NumRange {
		return retypeKernel(arrow.BinaryTypes.String)
	}
	return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
		rd := NewRangeReader(from, a)
		return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
			r, err := rd.At(i)
			if err != nil {
				return nil, false, err
			}
			return sqltypes.AppendRangeStyle(dst, from, r, cx.loc, cx.style), false, nil
		})
	}
}

// RangeReader reads the rows of an array of held ranges
// (sqltypes.ReadRange), reusing the last row's value when a row repeats
// its text. It keeps views of the array, which must outlive it.
type RangeReader struct {
	t    sqltypes.Type
	v    strView
	last string // the array's own bytes, not a copy
	r    sqltypes.Range
	ok   bool
}

// NewRangeReader returns a reader of a, an array of ranges of type t.
func NewRangeReader(t sqltypes.Type, a arrow.Array) *RangeReader {
	return &RangeReader{t: t, v: viewOf(a)}
}

// At returns row i's range (the caller checks NULLs).
func (rd *RangeReader) At(i int) (sqltypes.Range, error) {
	s := rd.v.str(i)
	if rd.ok && s == rd.last {
		return rd.r, nil
	}
	r, err := sqltypes.ReadRange(rd.t, s)
	if err != nil {
		return sqltypes.Range{}, err
	}
	rd.last, rd.r, rd.ok = s, r, true // a view of the array, which outlives the reader
	return r, nil
}

// rangeElemAt reads row i of a (of type t) as a bound value of the range
// type rt; nil for NULL. The planner has cast the argument to the
// subtype, except that numrange takes any integer or numeric.
func rangeElemAt(rt sqltypes.Type, a arrow.Array, t sqltypes.Type, i int) sqltypes.Datum {
	d := datumAt(a, t, i)
	switch x := d.(type) {
	case int16:
		return rangeElemOfInt(rt, int64(x))
	case int32:
		return rangeElemOfInt(rt, int64(x))
	case int64:
		return rangeElemOfInt(rt, x)
	case decimal128.Num:
		return sqltypes.Decimal{Num: x, Scale: t.Scale}
	}
	return d
}

func rangeElemOfInt(rt sqltypes.Type, v int64) sqltypes.Datum {
	switch rt.Kind {
	case sqltypes.Int4Range:
		return int32(v)
	case sqltypes.NumRange:
		return sqltypes.Decimal{Num: decimal128.FromI64(v)}
	}
	return v
}

// rangeElemTypeOK reports whether an argument of type t is a bound of
// the range type rt as the kernels read it.
func rangeElemTypeOK(rt, t sqltypes.Type) bool {
	switch rt.Kind {
	case sqltypes.NumRange:
		return t.IsInteger() || t.Kind == sqltypes.Numeric
	case sqltypes.Int8Range:
		return t.Kind == sqltypes.Int8
	}
	return t.Kind == sqltypes.RangeSubtype(rt).Kind
}

func buildRangeConstructor(name string, args []Expr) (Expr, error) {
	rt, _ := RangeConstructor(name)
	if len(args) < 2 || len(args) > 3 || !rangeElemTypeOK(rt, args[0].Type()) && args[0].Type().Kind != sqltypes.Unknown ||
		!rangeElemTypeOK(rt, args[1].Type()) && args[1].Type().Kind != sqltypes.Unknown ||
		len(args) == 3 && !args[2].Type().IsString() && args[2].Type().Kind != sqltypes.Unknown {
		return nil, functionError(name, args)
	}
	lt, ut := args[0].Type(), args[1].Type()
	// A constant flags argument (the usual '[]') is read once; its error,
	// as a row's, is raised only when there is a row.
	constFlags, cLow, cUp, cErr := len(args) == 2, true, false, error(nil)
	if len(args) == 3 {
		if v, ok := IsLiteral(args[2]); ok {
			constFlags = true
			if s, isStr := v.(string); isStr {
				cLow, cUp, cErr = rangeFlags(s)
			} else {
				cErr = errNullRangeFlags()
			}
		}
	}
	return &callExpr{name: name, args: args, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		var flags strView
		if !constFlags {
			flags = viewOf(in[2])
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, nil, func(i int, dst []byte) ([]byte, bool, error) {
			lowInc, upInc, err := cLow, cUp, cErr
			if !constFlags {
				if in[2].IsNull(i) {
					return nil, false, errNullRangeFlags()
				}
				lowInc, upInc, err = rangeFlags(flags.str(i))
			}
			if err != nil {
				return nil, false, err
			}
			r, err := sqltypes.MakeRange(rt, rangeElemAt(rt, in[0], lt, i), rangeElemAt(rt, in[1], ut, i), lowInc, upInc)
			if err != nil {
				return nil, false, err
			}
			return sqltypes.AppendRange(dst, rt, r, nil), false, nil
		})
	}}, nil
}

func errNullRangeFlags() error {
	return sqltypes.New(sqltypes.CodeDataException, "range constructor flags argument must not be null")
}

// rangeFlags reads a constructor's bounds argument: "[]", "[)", "(]" or "()".
func rangeFlags(s string) (lowInc, upInc bool, err error) {
	if len(s) != 2 || (s[0] != '[' && s[0] != '(') || (s[1] != ']' && s[1] != ')') {
		return false, false, sqltypes.New(sqltypes.CodeSyntaxError, "invalid range bound flags").
			WithHint(`Valid values are "[]", "[)", "(]", and "()".`)
	}
	return s[0] == '[', s[1] == ']', nil
}

func buildRangeFunc(name string, args []Expr) (Expr, error) {
	if len(args) != rangeFuncs[name] {
		return nil, functionError(name, args)
	}
	rt := args[0].Type()
	switch name {
	case "elem_contained_by_range":
		rt = args[1].Type()
		if !rt.IsRange() || !rangeElemTypeOK(rt, args[0].Type()) {
			return nil, functionError(name, args)
		}
	case "range_contains_elem":
		if !rt.IsRange() || !rangeElemTypeOK(rt, args[1].Type()) {
			return nil, functionError(name, args)
		}
	default:
		if !rt.IsRange() || len(args) == 2 && args[1].Type().Kind != rt.Kind {
			return nil, functionError(name, args)
		}
	}
	switch name {
	case "lower", "upper":
		sub := sqltypes.RangeSubtype(rt)
		up := name == "upper"
		return &callExpr{name: name, args: args, t: sub, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			rd := NewRangeReader(rt, in[0])
			b := array.NewBuilder(env.Mem, sub.Arrow())
			defer b.Release()
			for i := range n {
				if in[0].IsNull(i) {
					b.AppendNull()
					continue
				}
				r, err := rd.At(i)
				if err != nil {
					return nil, err
				}
				v := r.Lower
				if up {
					v = r.Upper
				}
				if r.Empty {
					v = nil
				}
				appendDatum(b, sub, v)
			}
			return b.NewArray(), nil
		}}, nil
	case "range_merge", "range_union", "range_intersect", "range_minus":
		return &callExpr{name: name, args: args, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			a, b := NewRangeReader(rt, in[0]), NewRangeReader(rt, in[1])
			return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
				x, err := a.At(i)
				if err != nil {
					return nil, false, err
				}
				y, err := b.At(i)
				if err != nil {
					return nil, false, err
				}
				var r sqltypes.Range
				switch name {
				case "range_merge":
					r, err = RangeUnion(rt, x, y, false)
				case "range_union":
					r, err = RangeUnion(rt, x, y, true)
				case "range_intersect":
					r, err = RangeIntersect(rt, x, y)
				default:
					r, err = rangeMinus(rt, x, y)
				}
				if err != nil {
					return nil, false, err
				}
				return sqltypes.AppendRange(dst, rt, r, nil), false, nil
			})
		}}, nil
	case "range_contains_elem", "elem_contained_by_range":
		ri, ei := 0, 1
		if name == "elem_contained_by_range" {
			ri, ei = 1, 0
		}
		et := args[ei].Type()
		return &callExpr{name: name, args: args, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			rd := NewRangeReader(rt, in[ri])
			return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
				r, err := rd.At(i)
				if err != nil {
					return false, false, err
				}
				return rangeContainsElem(r, rangeElemAt(rt, in[ei], et, i)), false, nil
			})
		}}, nil
	}
	pred := rangePredicates[name]
	return &callExpr{name: name, args: args, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		rds := make([]*RangeReader, len(in))
		for j := range in {
			rds[j] = NewRangeReader(rt, in[j])
		}
		return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
			x, err := rds[0].At(i)
			if err != nil {
				return false, false, err
			}
			var y sqltypes.Range
			if len(rds) == 2 {
				if y, err = rds[1].At(i); err != nil {
					return false, false, err
				}
			}
			return pred(rt, x, y), false, nil
		})
	}}, nil
}

// rangePredicates are the boolean range functions of one or two ranges.
var rangePredicates = map[string]func(t sqltypes.Type, x, y sqltypes.Range) bool{
	"isempty":            func(_ sqltypes.Type, x, _ sqltypes.Range) bool { return x.Empty },
	"lower_inc":          func(_ sqltypes.Type, x, _ sqltypes.Range) bool { return !x.Empty && x.LowerInc },
	"upper_inc":          func(_ sqltypes.Type, x, _ sqltypes.Range) bool { return !x.Empty && x.UpperInc },
	"lower_inf":          func(_ sqltypes.Type, x, _ sqltypes.Range) bool { return x.LowerInf() },
	"upper_inf":          func(_ sqltypes.Type, x, _ sqltypes.Range) bool { return x.UpperInf() },
	"range_contains":     func(_ sqltypes.Type, x, y sqltypes.Range) bool { return rangeContains(x, y) },
	"range_contained_by": func(_ sqltypes.Type, x, y sqltypes.Range) bool { return rangeContains(y, x) },
	"range_overlaps":     func(_ sqltypes.Type, x, y sqltypes.Range) bool { return rangeOverlaps(x, y) },
	"range_before": func(_ sqltypes.Type, x, y sqltypes.Range) bool {
		return !x.Empty && !y.Empty && sqltypes.CompareRangeBounds(x.Upper, x.UpperInc, false, y.Lower, y.LowerInc, true) < 0
	},
	"range_after": func(_ sqltypes.Type, x, y sqltypes.Range) bool {
		return !x.Empty && !y.Empty && sqltypes.CompareRangeBounds(x.Lower, x.LowerInc, true, y.Upper, y.UpperInc, false) > 0
	},
	"range_overleft": func(_ sqltypes.Type, x, y sqltypes.Range) bool {
		return !x.Empty && !y.Empty && sqltypes.CompareRangeBounds(x.Upper, x.UpperInc, false, y.Upper, y.UpperInc, false) <= 0
	},
	"range_overright": func(_ sqltypes.Type, x, y sqltypes.Range) bool {
		return !x.Empty && !y.Empty && sqltypes.CompareRangeBounds(x.Lower, x.LowerInc, true, y.Lower, y.LowerInc, true) >= 0
	},
	"range_adjacent": rangeAdjacent,
}

func rangeContains(x, y sqltypes.Range) bool {
	switch {
	case y.Empty:
		return true
	case x.Empty:
		return false
	}
	return sqltypes.CompareRangeBounds(x.Lower, x.LowerInc, true, y.Lower, y.LowerInc, true) <= 0 &&
		sqltypes.CompareRangeBounds(x.Upper, x.UpperInc, false, y.Upper, y.UpperInc, false) >= 0
}

func rangeContainsElem(r sqltypes.Range, v sqltypes.Datum) bool {
	if r.Empty || v == nil {
		return false
	}
	if r.Lower != nil {
		c := sqltypes.CompareRangeElem(r.Lower, v)
		if c > 0 || c == 0 && !r.LowerInc {
			return false
		}
	}
	if r.Upper != nil {
		c := sqltypes.CompareRangeElem(r.Upper, v)
		if c < 0 || c == 0 && !r.UpperInc {
			return false
		}
	}
	return true
}

func rangeOverlaps(x, y sqltypes.Range) bool {
	if x.Empty || y.Empty {
		return false
	}
	if sqltypes.CompareRangeBounds(x.Lower, x.LowerInc, true, y.Lower, y.LowerInc, true) >= 0 &&
		sqltypes.CompareRangeBounds(x.Lower, x.LowerInc, true, y.Upper, y.UpperInc, false) <= 0 {
		return true
	}
	return sqltypes.CompareRangeBounds(y.Lower, y.LowerInc, true, x.Lower, x.LowerInc, true) >= 0 &&
		sqltypes.CompareRangeBounds(y.Lower, y.LowerInc, true, x.Upper, x.UpperInc, false) <= 0
}

func rangeAdjacent(t sqltypes.Type, x, y sqltypes.Range) bool {
	if x.Empty || y.Empty {
		return false
	}
	return boundsAdjacent(t, x.Upper, x.UpperInc, y.Lower, y.LowerInc) ||
		boundsAdjacent(t, y.Upper, y.UpperInc, x.Lower, x.LowerInc)
}

// boundsAdjacent is PostgreSQL's bounds_adjacent of an upper bound a and
// a lower bound b: nothing lies between them.
func boundsAdjacent(t sqltypes.Type, a sqltypes.Datum, aInc bool, b sqltypes.Datum, bInc bool) bool {
	var c int
	switch {
	case a == nil:
		c = 1 // +infinity after any lower bound
	case b == nil:
		c = 1
	default:
		c = sqltypes.CompareRangeElem(a, b)
	}
	switch {
	case c < 0:
		if t.Kind != sqltypes.Int4Range && t.Kind != sqltypes.Int8Range && t.Kind != sqltypes.DateRange {
			return false // a continuous subtype has points in between
		}
		r, err := sqltypes.MakeRange(t, a, b, !aInc, !bInc)
		return err == nil && r.Empty
	case c == 0:
		return aInc != bInc
	}
	return false
}

// RangeUnion is x + y (contiguous: a gap is 22000) or range_merge.
func RangeUnion(t sqltypes.Type, x, y sqltypes.Range, contiguous bool) (sqltypes.Range, error) {
	switch {
	case x.Empty:
		return y, nil
	case y.Empty:
		return x, nil
	}
	if contiguous && !rangeOverlaps(x, y) && !rangeAdjacent(t, x, y) {
		return sqltypes.Range{}, sqltypes.New(sqltypes.CodeDataException, "result of range union would not be contiguous")
	}
	// On a tie the bound of y is taken, as range_union_internal does
	// (numrange's 1.5 and 1.50 print differently).
	r := y
	if sqltypes.CompareRangeBounds(x.Lower, x.LowerInc, true, y.Lower, y.LowerInc, true) < 0 {
		r.Lower, r.LowerInc = x.Lower, x.LowerInc
	}
	if sqltypes.CompareRangeBounds(x.Upper, x.UpperInc, false, y.Upper, y.UpperInc, false) > 0 {
		r.Upper, r.UpperInc = x.Upper, x.UpperInc
	}
	return sqltypes.MakeRange(t, r.Lower, r.Upper, r.LowerInc, r.UpperInc)
}

// RangeIntersect is x * y.
func RangeIntersect(t sqltypes.Type, x, y sqltypes.Range) (sqltypes.Range, error) {
	if !rangeOverlaps(x, y) {
		return sqltypes.EmptyRange, nil
	}
	r := x
	if sqltypes.CompareRangeBounds(y.Lower, y.LowerInc, true, x.Lower, x.LowerInc, true) > 0 {
		r.Lower, r.LowerInc = y.Lower, y.LowerInc
	}
	if sqltypes.CompareRangeBounds(y.Upper, y.UpperInc, false, x.Upper, x.UpperInc, false) < 0 {
		r.Upper, r.UpperInc = y.Upper, y.UpperInc
	}
	return sqltypes.MakeRange(t, r.Lower, r.Upper, r.LowerInc, r.UpperInc)
}

// rangeMinus is x - y, PostgreSQL's range_minus_internal.
func rangeMinus(t sqltypes.Type, x, y sqltypes.Range) (sqltypes.Range, error) {
	if x.Empty || y.Empty {
		return x, nil
	}
	cl1l2 := sqltypes.CompareRangeBounds(x.Lower, x.LowerInc, true, y.Lower, y.LowerInc, true)
	cl1u2 := sqltypes.CompareRangeBounds(x.Lower, x.LowerInc, true, y.Upper, y.UpperInc, false)
	cu1l2 := sqltypes.CompareRangeBounds(x.Upper, x.UpperInc, false, y.Lower, y.LowerInc, true)
	cu1u2 := sqltypes.CompareRangeBounds(x.Upper, x.UpperInc, false, y.Upper, y.UpperInc, false)
	switch {
	case cl1l2 < 0 && cu1u2 > 0:
		return sqltypes.Range{}, sqltypes.New(sqltypes.CodeDataException, "result of range difference would not be contiguous")
	case cl1u2 > 0 || cu1l2 < 0:
		return x, nil
	case cl1l2 >= 0 && cu1u2 <= 0:
		return sqltypes.EmptyRange, nil
	case cl1l2 <= 0 && cu1l2 >= 0 && cu1u2 <= 0:
		return sqltypes.MakeRange(t, x.Lower, y.Lower, x.LowerInc, y.Lower != nil && !y.LowerInc)
	case cl1l2 >= 0 && cu1u2 >= 0 && cl1u2 <= 0:
		return sqltypes.MakeRange(t, y.Upper, x.Upper, y.Upper != nil && !y.UpperInc, x.UpperInc)
	}
	return sqltypes.Range{}, internalErr("unexpected case in range_minus")
}

// compareRangeText orders two ranges held as text (the btree order).
func compareRangeText(t sqltypes.Type, a, b string) int {
	x, err1 := sqltypes.ReadRange(t, a)
	y, err2 := sqltypes.ReadRange(t, b)
	if err1 != nil || err2 != nil {
		return cmpString(a, b) // not a range meshql wrote; cannot happen
	}
	return sqltypes.CompareRanges(x, y)
}

// RangeSortKeys returns the sort key of every row of the range array a
// (of range type t) as a binary array with a's NULLs; of an array of
// ranges, the array of its elements' keys, of the same shape.
func RangeSortKeys(mem memory.Allocator, t sqltypes.Type, a arrow.Array) (arrow.Array, error) {
	if l, ok := a.(*array.List); ok {
		return mapListValues(l, func(vals arrow.Array) (arrow.Array, error) { return RangeSortKeys(mem, t, vals) })
	}
	n := a.Len()
	rd := NewRangeReader(t, a)
	out := newStrOut(mem, n, 2*len(rd.v.data)+n)
	var key []byte
	for i := range n {
		if a.IsNull(i) {
			out.addNull()
			continue
		}
		r, err := rd.At(i)
		if err != nil {
			out.release()
			return nil, err
		}
		key = sqltypes.AppendRangeSortKey(key[:0], r)
		out.add(key)
	}
	return out.finish(arrow.BinaryTypes.Binary)
}
