package expr

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Array functions: array_to_string(arr, sep [, null]) (of any
// dimensions), string_to_array(s, sep [, null]) and array_position(arr,
// x) (one-dimensional, as in PostgreSQL).

func isList(e Expr) bool { return e.Type().Kind == sqltypes.List && e.Type().Elem != nil }

// buildArrayToString renders the elements as text joined by sep; NULL
// elements are skipped, or replaced by the third argument when it is not
// NULL.
func buildArrayToString(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	if !isList(args[0]) {
		return nil, functionError(name, args)
	}
	rest, err := coerceArgs(name, args[1:], sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	at := args[0].Type()
	// Elements are written by their type's output function: a bpchar
	// keeps its padding ('a  '), which a cast to text would remove.
	var toText Expr = Column(0, at.Leaf(), "elem")
	if at.Leaf().Kind != sqltypes.Bpchar {
		if toText, err = Cast(toText, sqltypes.TypeText); err != nil {
			return nil, functionError(name, args)
		}
	}
	return &callExpr{name: name, args: append([]Expr{args[0]}, rest...), t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		l, err := flatArray(env.Mem, in[0], at) // row-major order
		if err != nil {
			return nil, err
		}
		defer l.Release()
		txt, err := castFlat(env, toText, l, n)
		if err != nil {
			return nil, err
		}
		defer txt.Release()
		first := int64(0)
		if n > 0 {
			first = int64(listOffsets(l)[0])
		}
		tv, sep := viewOf(txt), viewOf(in[1])
		var nullStr *strView
		if len(in) > 2 {
			v := viewOf(in[2])
			nullStr = &v
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in[:2], func(i int, dst []byte) ([]byte, bool, error) {
			s, e := l.ValueOffsets(i)
			wrote := false
			for j := s; j < e; j++ {
				k := int(j - first)
				var piece []byte
				switch {
				case !txt.IsNull(k):
					piece = tv.bytes(k)
				case nullStr != nil && in[2].IsValid(i):
					piece = nullStr.bytes(i)
				default:
					continue
				}
				if wrote {
					dst = append(dst, sep.bytes(i)...)
				}
				dst, wrote = append(dst, piece...), true
			}
			return dst, false, nil
		})
	}}, nil
}

// castFlat evaluates a one-column expression over the used slice of a
// list's element array.
func castFlat(env *executor.Env, e Expr, l *array.List, n int) (arrow.Array, error) {
	first, last := int64(0), int64(0)
	if n > 0 {
		offs := listOffsets(l)
		first, last = int64(offs[0]), int64(offs[n])
	}
	vals := array.NewSlice(l.ListValues(), first, last)
	defer vals.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "elem", Type: vals.DataType(), Nullable: true}}, nil)
	b := array.NewRecordBatch(schema, []arrow.Array{vals}, last-first)
	defer b.Release()
	return e.Eval(context.Background(), env, b)
}

// buildStringToArray splits s at each occurrence of sep: a NULL sep
// splits into characters, an empty sep gives {s}, an empty s gives {}.
// Elements equal to the optional third argument become NULL.
func buildStringToArray(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: textListType, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := textViews(in)
		return textListRows(env.Mem, n, in[:1], func(i int, dst []textElem) ([]textElem, bool, error) {
			s := v[0].str(i)
			if s == "" {
				return dst, false, nil
			}
			var parts []string
			switch {
			case in[1].IsNull(i):
				for _, r := range s {
					parts = append(parts, string(r))
				}
			case v[1].str(i) == "":
				parts = []string{s}
			default:
				parts = strings.Split(s, v[1].str(i))
			}
			for _, p := range parts {
				null := len(in) > 2 && in[2].IsValid(i) && p == v[2].str(i)
				dst = append(dst, textElem{s: p, null: null})
			}
			return dst, false, nil
		})
	}}, nil
}

// buildArrayPosition returns the 1-based position of the first element
// IS NOT DISTINCT FROM x (so NULL finds a NULL element), or NULL.
func buildArrayPosition(name string, args []Expr) (Expr, error) {
	if len(args) == 3 {
		return buildArrayPositionFrom(name, args)
	}
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if !isList(args[0]) {
		return nil, functionError(name, args)
	}
	if args[0].Type().Ndims() > 1 {
		return multidimOnlyEmpty(name, args)
	}
	elem := *args[0].Type().Elem
	x := coerceTo(args[1], elem)
	if !sameFamily(x.Type(), elem) || !comparableType(elem) {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: []Expr{args[0], x}, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		l, ok := in[0].(*array.List)
		if !ok {
			return nil, internalErr("%s of %s", name, in[0].DataType())
		}
		vals := l.ListValues()
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in[:1], func(i int) (int32, bool, error) {
			want, err := newDatumCmp(elem, datumAt(in[1], x.Type(), i))
			if err != nil {
				return 0, false, err
			}
			s, e := l.ValueOffsets(i)
			for j := s; j < e; j++ {
				same, err := want.same(datumAt(vals, elem, int(j)))
				if err != nil {
					return 0, false, err
				}
				if same {
					return int32(j-s) + 1, false, nil
				}
			}
			return 0, true, nil
		})
	}}, nil
}

// buildTranslate replaces each character of s found in from by the
// character at the same position in to, deleting it when to is shorter.
func buildTranslate(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 3); err != nil {
		return nil, err
	}
	return textCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
		from, to := []rune(v[1].str(i)), []rune(v[2].str(i))
		for _, r := range v[0].str(i) {
			k := -1
			for j, f := range from {
				if f == r {
					k = j
					break
				}
			}
			switch {
			case k < 0:
				dst = utf8.AppendRune(dst, r)
			case k < len(to):
				dst = utf8.AppendRune(dst, to[k])
			}
		}
		return dst, false, nil
	})
}
