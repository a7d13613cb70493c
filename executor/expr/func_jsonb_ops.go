package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// jsonb's editing operators and the jsonb functions that build or print
// whole documents, after PostgreSQL's jsonfuncs.c:
//
//	jsonb_concat(a, b)        a || b
//	jsonb_delete(a, key)      a - text, a - text[], a - int
//	jsonb_delete_path(a, p)   a #- text[]
//	jsonb_pretty(a)
//	json_object / jsonb_object(text[] [, text[]])

// jsonbRows maps every row of the jsonb arguments through f, the
// documents parsed; a NULL argument makes the row NULL.
func jsonbRows(env *executor.Env, name string, in []arrow.Array, n int, docs int, f func(i int, v []sqltypes.JSONBValue, dst []byte) ([]byte, error)) (arrow.Array, error) {
	views := make([]strView, docs)
	for j := range views {
		views[j] = viewOf(in[j])
	}
	vals := make([]sqltypes.JSONBValue, docs)
	return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
		for j := range views {
			v, err := sqltypes.ParseJSONB(views[j].str(i))
			if err != nil {
				return nil, false, err
			}
			vals[j] = v
		}
		out, err := f(i, vals, dst)
		return out, false, err
	})
}

// buildJSONBConcat is a || b: two objects merge (b's value wins for a
// shared key); otherwise both sides are read as arrays (a scalar or an
// object as an array of itself) and concatenated.
func buildJSONBConcat(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	for i := range args {
		if args[i] = coerceTo(args[i], sqltypes.TypeJSONB); args[i].Type().Kind != sqltypes.JSONB {
			return nil, functionError(name, args)
		}
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeJSONB, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return jsonbRows(env, name, in, n, 2, func(_ int, v []sqltypes.JSONBValue, dst []byte) ([]byte, error) {
			a, b := v[0], v[1]
			if a.Kind == sqltypes.JSONBObject && b.Kind == sqltypes.JSONBObject {
				for k, key := range b.Keys {
					a.SetKey(key, b.Elems[k])
				}
				return a.Append(dst), nil
			}
			out := sqltypes.JSONBValue{Kind: sqltypes.JSONBArray}
			out.Elems = append(asJSONBElems(a), asJSONBElems(b)...)
			return out.Append(dst), nil
		})
	}}, nil
}

// asJSONBElems is an array's elements, or a one-element list of any
// other value.
func asJSONBElems(v sqltypes.JSONBValue) []sqltypes.JSONBValue {
	if v.Kind == sqltypes.JSONBArray {
		return v.Elems
	}
	return []sqltypes.JSONBValue{v}
}

// buildJSONBDelete is a - key (the object member, or the string array
// elements, equal to key), a - keys (each of them; NULL elements are
// skipped) and a - index (the array element at index, negative from the
// end; out of range changes nothing).
func buildJSONBDelete(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	args[0] = coerceTo(args[0], sqltypes.TypeJSONB)
	kt := args[1].Type()
	byIndex := kt.IsInteger()
	if byIndex {
		args[1] = coerceTo(args[1], sqltypes.TypeInt4)
	}
	many := kt.Kind == sqltypes.List
	if args[0].Type().Kind != sqltypes.JSONB || !byIndex && !kt.IsString() && !(many && kt.Elem.IsString()) {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeJSONB, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		// keysOf lists row i's keys to delete, in keys (reused per row).
		var keysOf func(i int) []string
		var keys []string
		switch {
		case many:
			lst, ok := in[1].(*array.List)
			if !ok {
				return nil, internalErr("jsonb keys of type %s", in[1].DataType())
			}
			vals := lst.ListValues()
			elems := viewOf(vals)
			keysOf = func(i int) []string {
				start, end := lst.ValueOffsets(i)
				keys = keys[:0]
				for j := int(start); j < int(end); j++ {
					if vals.IsValid(j) {
						keys = append(keys, elems.str(j))
					}
				}
				return keys
			}
		case !byIndex:
			kv := viewOf(in[1])
			keysOf = func(i int) []string {
				keys = append(keys[:0], kv.str(i))
				return keys
			}
		}
		return jsonbRows(env, name, in, n, 1, func(i int, v []sqltypes.JSONBValue, dst []byte) ([]byte, error) {
			doc := v[0]
			if doc.Kind != sqltypes.JSONBObject && doc.Kind != sqltypes.JSONBArray {
				return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot delete from scalar")
			}
			if byIndex {
				if doc.Kind == sqltypes.JSONBObject {
					return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot delete from object using integer index")
				}
				idx, size := int(in[1].(*array.Int32).Value(i)), len(doc.Elems)
				if idx < 0 {
					idx += size
				}
				if idx >= 0 && idx < size {
					doc.Elems = append(doc.Elems[:idx:idx], doc.Elems[idx+1:]...)
				}
				return doc.Append(dst), nil
			}
			for _, key := range keysOf(i) {
				deleteJSONBKey(&doc, key)
			}
			return doc.Append(dst), nil
		})
	}}, nil
}

// deleteJSONBKey removes an object's member key, or an array's string
// elements equal to key.
func deleteJSONBKey(doc *sqltypes.JSONBValue, key string) {
	keys, elems := doc.Keys[:0], doc.Elems[:0]
	for k := range doc.Elems {
		if doc.Kind == sqltypes.JSONBObject && doc.Keys[k] == key ||
			doc.Kind == sqltypes.JSONBArray && doc.Elems[k].Kind == sqltypes.JSONBString && doc.Elems[k].Scalar == key {
			continue
		}
		if doc.Kind == sqltypes.JSONBObject {
			keys = append(keys, doc.Keys[k])
		}
		elems = append(elems, doc.Elems[k])
	}
	if doc.Kind == sqltypes.JSONBObject {
		doc.Keys = keys
	}
	doc.Elems = elems
}

// buildJSONBDeletePath is a #- path: the member the path ends at removed;
// a path through a missing member or a scalar changes nothing.
func buildJSONBDeletePath(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	in := make([]Expr, 2)
	for i, t := range []sqltypes.Type{sqltypes.TypeJSONB, textListType} {
		a, err := jsonbEditArg(name, args, i, t)
		if err != nil {
			return nil, err
		}
		in[i] = a
	}
	return &callExpr{name: name, args: in, t: sqltypes.TypeJSONB, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		paths, ok := in[1].(*array.List)
		if !ok {
			return nil, internalErr("%s path of %s", name, in[1].DataType())
		}
		keys := viewOf(paths.ListValues())
		return jsonbRows(env, name, in, n, 1, func(i int, v []sqltypes.JSONBValue, dst []byte) ([]byte, error) {
			doc := v[0]
			if doc.Kind != sqltypes.JSONBObject && doc.Kind != sqltypes.JSONBArray {
				return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot delete path in scalar")
			}
			s, e := paths.ValueOffsets(i)
			op := jsonbEditOp{delete: true}
			for j := s; j < e; j++ {
				var p *string
				if paths.ListValues().IsValid(int(j)) {
					k := keys.str(int(j))
					p = &k
				}
				op.path = append(op.path, p)
			}
			if len(op.path) > 0 && len(doc.Elems) > 0 {
				if err := op.set(&doc, 0); err != nil {
					return nil, err
				}
			}
			return doc.Append(dst), nil
		})
	}}, nil
}

// buildJSONBPretty is jsonb_pretty: jsonb's text indented four spaces
// per level, one member or element per line.
func buildJSONBPretty(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a, err := jsonbEditArg(name, args, 0, sqltypes.TypeJSONB)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: []Expr{a}, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return jsonbRows(env, name, in, n, 1, func(_ int, v []sqltypes.JSONBValue, dst []byte) ([]byte, error) {
			return appendJSONBPretty(dst, &v[0], 0), nil
		})
	}}, nil
}

func appendJSONBPretty(dst []byte, v *sqltypes.JSONBValue, level int) []byte {
	if v.Kind != sqltypes.JSONBObject && v.Kind != sqltypes.JSONBArray {
		return v.Append(dst)
	}
	open, end := byte('['), byte(']')
	if v.Kind == sqltypes.JSONBObject {
		open, end = '{', '}'
	}
	dst = append(dst, open)
	for k := range v.Elems {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendIndent(dst, level+1)
		if v.Kind == sqltypes.JSONBObject {
			dst = append(sqltypes.AppendJSONString(dst, v.Keys[k]), ": "...)
		}
		dst = appendJSONBPretty(dst, &v.Elems[k], level+1)
	}
	return append(appendIndent(dst, level), end)
}

// appendIndent starts a new line indented four spaces per level.
func appendIndent(dst []byte, level int) []byte {
	dst = append(dst, '\n')
	for range level {
		dst = append(dst, "    "...)
	}
	return dst
}

// buildJSONObjectFromArrays is json_object / jsonb_object(text[]): a
// flat array of alternating keys and values, or a two-dimensional array
// of pairs; and (keys text[], values text[]). Values are JSON strings,
// NULL as null; a NULL key is 22004.
func buildJSONObjectFromArrays(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 2); err != nil {
		return nil, err
	}
	in := make([]Expr, len(args))
	for i := range args {
		t := textListType
		if v, ok := IsLiteral(args[i]); ok && args[i].Type().Kind == sqltypes.Unknown && v != nil {
			t = sqltypes.ArrayOf(sqltypes.TypeText, sqltypes.ArrayTextNdims(v.(string))) // {{k,v},...}
		}
		a, err := jsonbEditArg(name, args, i, t)
		if err != nil {
			return nil, err
		}
		in[i] = a
	}
	jsonb := name == "jsonb_object"
	t := sqltypes.TypeJSON
	if jsonb {
		t = sqltypes.TypeJSONB
	}
	return &callExpr{name: name, args: in, t: t, k: func(env *executor.Env, ins []arrow.Array, n int) (arrow.Array, error) {
		lists := make([]*array.List, len(ins))
		for j := range ins {
			l, ok := ins[j].(*array.List)
			if !ok {
				return nil, internalErr("%s argument of %s", name, ins[j].DataType())
			}
			lists[j] = l
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, ins, func(i int, dst []byte) ([]byte, bool, error) {
			keys, vals, err := jsonObjectPairs(lists, i)
			if err != nil {
				return nil, false, err
			}
			obj := sqltypes.JSONBValue{Kind: sqltypes.JSONBObject}
			if !jsonb {
				dst = append(dst, '{')
			}
			for k, key := range keys {
				val := sqltypes.JSONBValue{Kind: sqltypes.JSONBNull}
				if vals[k] != nil {
					val = sqltypes.JSONBValue{Kind: sqltypes.JSONBString, Scalar: *vals[k]}
				}
				if jsonb {
					obj.SetKey(key, val)
					continue
				}
				if k > 0 {
					dst = append(dst, ", "...)
				}
				dst = append(sqltypes.AppendJSONString(dst, key), " : "...)
				dst = val.Append(dst)
			}
			if jsonb {
				return obj.Append(dst), false, nil
			}
			return append(dst, '}'), false, nil
		})
	}}, nil
}

// jsonObjectPairs reads row i's keys and values for json_object.
func jsonObjectPairs(lists []*array.List, i int) ([]string, []*string, error) {
	elems := func(l *array.List) []*string { return elemsOf(l, i) }
	for _, l := range lists {
		if inner, ok := l.ListValues().(*array.List); ok {
			if _, deeper := inner.ListValues().(*array.List); deeper || len(lists) == 2 {
				return nil, nil, sqltypes.New(sqltypes.CodeArraySubscriptError, "wrong number of array subscripts")
			}
		}
	}
	var keys, vals []*string
	if inner, ok := lists[0].ListValues().(*array.List); ok && len(lists) == 1 {
		// {{k,v},...}: a two-dimensional array of pairs.
		s, e := lists[0].ValueOffsets(i)
		for j := int(s); j < int(e); j++ {
			pair := elemsOf(inner, j)
			if len(pair) != 2 {
				return nil, nil, sqltypes.New(sqltypes.CodeArraySubscriptError, "array must have two columns")
			}
			keys, vals = append(keys, pair[0]), append(vals, pair[1])
		}
	} else if len(lists) == 2 {
		keys, vals = elems(lists[0]), elems(lists[1])
		if len(keys) != len(vals) {
			return nil, nil, sqltypes.New(sqltypes.CodeArraySubscriptError, "mismatched array dimensions")
		}
	} else {
		all := elems(lists[0])
		if len(all)%2 != 0 {
			return nil, nil, sqltypes.New(sqltypes.CodeArraySubscriptError, "array must have even number of elements")
		}
		for k := 0; k < len(all); k += 2 {
			keys, vals = append(keys, all[k]), append(vals, all[k+1])
		}
	}
	out := make([]string, len(keys))
	for k, key := range keys {
		if key == nil {
			return nil, nil, sqltypes.New(sqltypes.CodeNullValueNotAllowed, "null value not allowed for object key")
		}
		out[k] = *key
	}
	return out, vals, nil
}

// elemsOf is row i of a text list, NULL elements as nil.
func elemsOf(l *array.List, i int) []*string {
	vals := l.ListValues()
	v := viewOf(vals)
	s, e := l.ValueOffsets(i)
	out := make([]*string, 0, e-s)
	for j := int(s); j < int(e); j++ {
		if vals.IsValid(j) {
			str := v.str(j)
			out = append(out, &str)
		} else {
			out = append(out, nil)
		}
	}
	return out
}
