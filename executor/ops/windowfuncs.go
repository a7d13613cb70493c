package ops

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// windowOnly lists the functions that exist only as window functions.
var windowOnly = map[string]bool{
	"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true, "cume_dist": true,
	"ntile": true, "lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true,
}

// WindowFuncType returns the result type of window function fn over
// arguments of types args, following PostgreSQL:
//
//	row_number(), rank(), dense_rank()        bigint
//	percent_rank(), cume_dist()               double precision
//	ntile(integer)                            integer
//	lag(x [, integer [, x]]), lead(...)       x's type (the planner casts the
//	                                          default to x's type)
//	first_value(x), last_value(x)             x's type
//	nth_value(x, integer)                     x's type
//	aggregates                                AggregateType's answer
//
// Ordered-set aggregates (percentile_cont, percentile_disc) return 0A000
// as in PostgreSQL; unknown functions and argument types 42883.
func WindowFuncType(fn string, args []sqltypes.Type) (sqltypes.Type, error) {
	if !windowOnly[fn] {
		if fn == "percentile_cont" || fn == "percentile_disc" {
			return sqltypes.Type{}, errUnsupported("OVER is not supported for ordered-set aggregate %s", fn)
		}
		return AggregateType(fn, args)
	}
	bad := func() (sqltypes.Type, error) {
		names := make([]string, len(args))
		for i, a := range args {
			names[i] = a.String()
		}
		return sqltypes.Type{}, sqltypes.New(sqltypes.CodeUndefinedFunction,
			"function %s(%s) does not exist", fn, strings.Join(names, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	intArg := func(i int) bool {
		k := args[i].Kind
		return k == sqltypes.Int4 || k == sqltypes.Int2 || k == sqltypes.Unknown
	}
	if len(args) > 0 && (fn == "rank" || fn == "dense_rank" || fn == "percent_rank" || fn == "cume_dist") {
		// With arguments these name the hypothetical-set aggregates.
		return sqltypes.Type{}, sqltypes.New(sqltypes.CodeWrongObjectType, "WITHIN GROUP is required for ordered-set aggregate %s", fn)
	}
	switch fn {
	case "row_number", "rank", "dense_rank":
		if len(args) == 0 {
			return sqltypes.TypeInt8, nil
		}
	case "percent_rank", "cume_dist":
		if len(args) == 0 {
			return sqltypes.TypeFloat8, nil
		}
	case "ntile":
		if len(args) == 1 && intArg(0) {
			return sqltypes.TypeInt4, nil
		}
	case "lag", "lead":
		if len(args) >= 1 && len(args) <= 3 && (len(args) < 2 || intArg(1)) {
			if len(args) < 3 || args[2].Kind == sqltypes.Unknown || args[2].Equal(args[0]) {
				return args[0], nil
			}
		}
	case "first_value", "last_value":
		if len(args) == 1 {
			return args[0], nil
		}
	case "nth_value":
		if len(args) == 2 && intArg(1) {
			return args[0], nil
		}
	}
	return bad()
}

// checkWindowFunc validates f and fills in its type and default frame.
func checkWindowFunc(f *WindowFunc, hasOrder bool) error {
	types := make([]sqltypes.Type, len(f.Args))
	for j, x := range f.Args {
		if x == nil {
			return errInternal("argument %d of window function %s is nil", j, f.Func)
		}
		types[j] = x.Type()
	}
	t, err := WindowFuncType(f.Func, types)
	if err != nil {
		return err
	}
	switch {
	case f.Type.Kind == sqltypes.Unknown && f.Type.Elem == nil:
		f.Type = t
	case varStats(f.Func, f.Type, t):
	case !arrow.TypeEqual(f.Type.Arrow(), t.Arrow()):
		return errInternal("window function %s declared %s, computes %s", f.Func, f.Type, t)
	}
	if f.Filter != nil {
		if windowOnly[f.Func] {
			return errUnsupported("FILTER is not implemented for non-aggregate window functions")
		}
		if err := checkBool("FILTER", f.Filter); err != nil {
			return err
		}
	}
	if f.Frame == (Frame{}) {
		f.Frame = DefaultFrame(hasOrder)
	}
	if f.Frame.HasRangeOffset() != (f.Range.Key != nil) {
		return errInternal("RANGE frame %+v with key %v", f.Frame, f.Range.Key)
	}
	return checkFrame(f.Frame, hasOrder)
}

func errWindowing(msg string) error { return sqltypes.New(sqltypes.CodeWindowingError, "%s", msg) }

// checkFrame rejects the frames PostgreSQL rejects.
func checkFrame(fr Frame, hasOrder bool) error {
	s, e := fr.Start, fr.End
	switch {
	case fr.Mode > FrameGroups || s.Kind > UnboundedFollowing || e.Kind > UnboundedFollowing || fr.Exclude > ExcludeTies:
		return errInternal("invalid window frame %+v", fr)
	case s.Kind == UnboundedFollowing:
		return errWindowing("frame start cannot be UNBOUNDED FOLLOWING")
	case e.Kind == UnboundedPreceding:
		return errWindowing("frame end cannot be UNBOUNDED PRECEDING")
	case s.Kind == CurrentRow && e.Kind == OffsetPreceding:
		return errWindowing("frame starting from current row cannot have preceding rows")
	case s.Kind == OffsetFollowing && (e.Kind == OffsetPreceding || e.Kind == CurrentRow):
		return errWindowing("frame starting from following row cannot have preceding rows")
	case fr.Mode == FrameGroups && !hasOrder:
		return errWindowing("GROUPS mode requires an ORDER BY clause")
	}
	for i, b := range []FrameBound{s, e} {
		if !b.Kind.isOffset() || fr.Mode == FrameRange {
			continue // RANGE offsets are checked by the planner
		}
		if b.Offset < 0 {
			which := [2]string{"starting", "ending"}[i]
			return sqltypes.New("22013", "frame %s offset must not be negative", which)
		}
	}
	return nil
}

// eval computes one function over the sorted positions; args are its
// arguments in sorted order, keep its FILTER (nil: every row), rb its
// RANGE offset bounds (nil: none).
func (w *winData) eval(ctx context.Context, f WindowFunc, args []arrow.Array, keep []bool, rb *rangeBounds) (arrow.Array, error) {
	mem := w.env.Mem
	switch f.Func {
	case "row_number", "rank", "dense_rank":
		out := make([]int64, w.n)
		w.partition(func(ps, pe, g0, g1 int) {
			for k := ps; k < pe; k++ {
				switch f.Func {
				case "row_number":
					out[k] = int64(k - ps + 1)
				case "rank":
					out[k] = int64(int(w.gstart[w.grp[k]]) - ps + 1)
				default:
					out[k] = int64(int(w.grp[k]) - g0 + 1)
				}
			}
		})
		return fixedArray(mem, arrow.PrimitiveTypes.Int64, out, nil), nil
	case "percent_rank", "cume_dist":
		out := make([]float64, w.n)
		w.partition(func(ps, pe, g0, g1 int) {
			n := float64(pe - ps)
			for k := ps; k < pe; k++ {
				g := w.grp[k]
				switch {
				case f.Func == "cume_dist":
					out[k] = float64(int(w.gstart[g+1])-ps) / n
				case pe-ps > 1:
					out[k] = float64(int(w.gstart[g])-ps) / (n - 1)
				}
			}
		})
		return fixedArray(mem, arrow.PrimitiveTypes.Float64, out, nil), nil
	case "ntile":
		return w.ntile(args[0])
	case "lag", "lead":
		return w.lagLead(f.Func == "lead", args)
	case "first_value", "last_value", "nth_value":
		return w.frameValue(f, args, w.frames(f.Frame, rb))
	}
	return w.aggregate(ctx, f, args, keep, w.frames(f.Frame, rb))
}

// intArgs reads an integer argument (int2, int4 or an untyped NULL).
func intArgs(a arrow.Array) (func(k int) int64, validity) {
	switch a.DataType().ID() {
	case arrow.INT32:
		v := fixedVals[int32](a)
		return func(k int) int64 { return int64(v[k]) }, validityOf(a)
	case arrow.INT16:
		v := fixedVals[int16](a)
		return func(k int) int64 { return int64(v[k]) }, validityOf(a)
	}
	return func(int) int64 { return 0 }, validity{Bits: make([]byte, (a.Len()+7)/8)}
}

// ntile is PostgreSQL's window_ntile: the bucket count is read at the
// first row of the partition whose argument is not NULL (earlier rows get
// NULL); the first total % n buckets get one row more.
func (w *winData) ntile(arg arrow.Array) (arrow.Array, error) {
	val, v := intArgs(arg)
	out, valid := make([]int32, w.n), make([]bool, w.n)
	var err error
	w.partition(func(ps, pe, g0, g1 int) {
		var cur, rows, boundary, rem int64
		total := int64(pe - ps)
		for k := ps; k < pe && err == nil; k++ {
			if cur == 0 {
				if !v.OK(k) {
					continue
				}
				nb := val(k)
				if nb <= 0 {
					err = sqltypes.New("22014", "argument of ntile must be greater than zero")
					return
				}
				cur, rows, boundary, rem = 1, 0, total/nb, 0
				if boundary <= 0 {
					boundary = 1
				} else if rem = total % nb; rem != 0 {
					boundary++
				}
			}
			rows++
			if boundary < rows {
				if rem != 0 && cur == rem {
					rem = 0
					boundary--
				}
				cur++
				rows = 1
			}
			out[k], valid[k] = int32(cur), true
		}
	})
	if err != nil {
		return nil, err
	}
	return fixedArray(w.env.Mem, arrow.PrimitiveTypes.Int32, out, valid), nil
}

// lagLead returns x at offset rows before (lag) or after (lead) each row
// within its partition: NULL if the offset is NULL; the default (evaluated
// at the current row; NULL if absent) if the target is outside the
// partition. Negative offsets look the other way.
func (w *winData) lagLead(lead bool, args []arrow.Array) (arrow.Array, error) {
	mem := w.env.Mem
	src := args[0]
	src.Retain()
	defer func() { src.Release() }()
	withDefault := len(args) == 3 && args[2].DataType().ID() != arrow.NULL && src.DataType().ID() != arrow.NULL
	if withDefault {
		c, err := array.Concatenate([]arrow.Array{args[0], args[2]}, mem)
		if err != nil {
			return nil, sqltypes.Wrap(err, sqltypes.CodeProgramLimitExceeded, "lag/lead: %v", err)
		}
		src.Release()
		src = c
	}
	off, ov := func(int) int64 { return 1 }, validity{}
	if len(args) >= 2 {
		off, ov = intArgs(args[1])
	}
	idx := make([]int32, w.n)
	w.partition(func(ps, pe, g0, g1 int) {
		for k := ps; k < pe; k++ {
			if !ov.OK(k) {
				idx[k] = -1
				continue
			}
			d := off(k)
			if !lead {
				d = -d
			}
			switch t := int64(k) + d; {
			case t >= int64(ps) && t < int64(pe):
				idx[k] = int32(t)
			case withDefault:
				idx[k] = int32(w.n + k)
			default:
				idx[k] = -1
			}
		}
	})
	return takeArray(mem, src, idx)
}

// frameValue is first_value, last_value and nth_value over each row's
// frame (NULL when the frame is empty or shorter than n).
func (w *winData) frameValue(f WindowFunc, args []arrow.Array, fr *frameRows) (arrow.Array, error) {
	idx := make([]int32, w.n)
	var nth func(int) int64
	var nv validity
	if f.Func == "nth_value" {
		nth, nv = intArgs(args[1])
	}
	var runs [][2]int32
	for k := range idx {
		runs = fr.runs(k, runs[:0])
		idx[k] = -1
		if len(runs) == 0 {
			continue
		}
		switch f.Func {
		case "first_value":
			idx[k] = runs[0][0]
		case "last_value":
			idx[k] = runs[len(runs)-1][1] - 1
		default:
			if !nv.OK(k) {
				continue
			}
			m := nth(k)
			if m <= 0 {
				return nil, sqltypes.New("22016", "argument of nth_value must be greater than zero")
			}
			for _, r := range runs {
				if m <= int64(r[1]-r[0]) {
					idx[k] = r[0] + int32(m) - 1
					break
				}
				m -= int64(r[1] - r[0])
			}
		}
	}
	return takeArray(w.env.Mem, args[0], idx)
}

// sliceArray returns a[i:j] as a new reference.
func sliceArray(a arrow.Array, i, j int) arrow.Array { return array.NewSlice(a, int64(i), int64(j)) }
