package expr

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// jsonb_set, jsonb_insert and json(b)_strip_nulls, after PostgreSQL's
// setPath (jsonfuncs.c): the path walks objects by key and arrays by
// index (negative from the end); jsonb_set replaces the member the path
// ends at or, when create_if_missing, adds it to its object or array (an
// index past either end adds at that end); jsonb_insert adds before (or
// after) the array element, or a new object key (22023 for an existing
// one). A path through a missing member or a scalar changes nothing.

// jsonbEditArg is an argument of type t, or a string literal read as t
// (the planner types untyped literals as text).
func jsonbEditArg(name string, args []Expr, i int, t sqltypes.Type) (Expr, error) {
	a := args[i]
	if a.Type().Kind == sqltypes.Unknown {
		return Cast(a, t) // an untyped literal or parameter; text is no jsonb, as in PostgreSQL
	}
	if !a.Type().Equal(t) && !(t.Kind == sqltypes.List && a.Type().Kind == sqltypes.List && a.Type().Leaf().IsString()) {
		return nil, functionError(name, args)
	}
	return a, nil
}

// buildJSONBEdit is jsonb_set(target, path, new [, create_if_missing])
// and jsonb_insert(target, path, new [, insert_after]).
func buildJSONBEdit(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 4); err != nil {
		return nil, err
	}
	types := []sqltypes.Type{sqltypes.TypeJSONB, sqltypes.ListOf(sqltypes.TypeText), sqltypes.TypeJSONB, sqltypes.TypeBool}
	in := make([]Expr, len(args))
	for i := range args {
		a, err := jsonbEditArg(name, args, i, types[i])
		if err != nil {
			return nil, err
		}
		in[i] = a
	}
	insert := name == "jsonb_insert"
	return &callExpr{name: name, args: in, t: sqltypes.TypeJSONB, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		target, value := viewOf(in[0]), viewOf(in[2])
		paths, ok := in[1].(*array.List)
		if !ok {
			return nil, internalErr("%s path of %s", name, in[1].DataType())
		}
		keys := viewOf(paths.ListValues())
		var flag *array.Boolean
		if len(in) > 3 {
			flag = in[3].(*array.Boolean)
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			doc, err := sqltypes.ParseJSONB(target.str(i))
			if err != nil {
				return nil, false, err
			}
			if doc.Kind != sqltypes.JSONBObject && doc.Kind != sqltypes.JSONBArray {
				return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot set path in scalar")
			}
			newVal, err := sqltypes.ParseJSONB(value.str(i))
			if err != nil {
				return nil, false, err
			}
			s, e := paths.ValueOffsets(i)
			path := make([]*string, 0, e-s)
			for j := s; j < e; j++ {
				var p *string
				if paths.ListValues().IsValid(int(j)) {
					k := keys.str(int(j))
					p = &k
				}
				path = append(path, p)
			}
			op := jsonbEditOp{insert: insert, create: !insert, after: false, newVal: newVal, path: path}
			if flag != nil {
				if insert {
					op.after = flag.Value(i)
				} else {
					op.create = flag.Value(i)
				}
			}
			// An empty document that jsonb_set may not add to stays as it is,
			// whatever the path holds.
			keep := !insert && !op.create && len(doc.Elems) == 0
			if len(path) > 0 && !keep {
				if err := op.set(&doc, 0); err != nil {
					return nil, false, err
				}
			}
			return doc.Append(dst), false, nil
		})
	}}, nil
}

// jsonbEditOp is one jsonb_set, jsonb_insert or #- (delete) along path.
type jsonbEditOp struct {
	insert, create, after, delete bool
	newVal                        sqltypes.JSONBValue
	path                          []*string
}

// set applies the edit at path level to v, a member the path reached.
func (op *jsonbEditOp) set(v *sqltypes.JSONBValue, level int) error {
	if op.path[level] == nil {
		return sqltypes.New(sqltypes.CodeNullValueNotAllowed, "path element at position %d is null", level+1)
	}
	key := *op.path[level]
	last := level == len(op.path)-1
	switch v.Kind {
	case sqltypes.JSONBObject:
		child, found := v.Lookup(key)
		switch {
		case found && last && op.delete:
			deleteJSONBKey(v, key)
		case found && last && op.insert:
			return sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot replace existing key").
				WithHint("Try using the function jsonb_set to replace key value.")
		case found && last:
			v.SetKey(key, op.newVal)
		case found:
			if err := op.set(&child, level+1); err != nil {
				return err
			}
			v.SetKey(key, child)
		case last && (op.create || op.insert):
			v.SetKey(key, op.newVal)
		}
	case sqltypes.JSONBArray:
		idx, err := strconv.ParseInt(key, 10, 32)
		if err != nil {
			return sqltypes.New(sqltypes.CodeInvalidTextRepr, "path element at position %d is not an integer: \"%s\"", level+1, key)
		}
		n := int64(len(v.Elems))
		prepend := false
		if idx < 0 {
			if -idx > n {
				prepend = true
			} else {
				idx += n
			}
		}
		idx = min(idx, n)
		adds := op.create || op.insert
		switch {
		case (prepend || n == 0) && last && adds:
			v.Elems = append([]sqltypes.JSONBValue{op.newVal}, v.Elems...)
		case !prepend && idx < n && last && op.delete:
			v.Elems = append(v.Elems[:idx:idx], v.Elems[idx+1:]...)
		case !prepend && idx < n && last && op.insert:
			at := idx
			if op.after {
				at++
			}
			v.Elems = append(v.Elems[:at:at], append([]sqltypes.JSONBValue{op.newVal}, v.Elems[at:]...)...)
		case !prepend && idx < n && last:
			v.Elems[idx] = op.newVal
		case !prepend && idx < n:
			return op.set(&v.Elems[idx], level+1)
		case idx == n && last && adds:
			v.Elems = append(v.Elems, op.newVal)
		}
	}
	return nil
}

// buildJSONStripNulls is json_strip_nulls / jsonb_strip_nulls: object
// fields whose value is null removed at every depth (array elements
// stay). json comes out compact, its tokens as written; jsonb normalized.
func buildJSONStripNulls(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	t := sqltypes.TypeJSON
	if name == "jsonb_strip_nulls" {
		t = sqltypes.TypeJSONB
	}
	a, err := jsonbEditArg(name, args, 0, t)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: []Expr{a}, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			if t.Kind == sqltypes.JSONB {
				doc, err := sqltypes.ParseJSONB(v.str(i))
				if err != nil {
					return nil, false, err
				}
				stripJSONBNulls(&doc)
				return doc.Append(dst), false, nil
			}
			s := v.str(i)
			start := jsonWS(s, 0)
			end, err := jsonValue(s, start, nil)
			if err == nil && jsonWS(s, end) != len(s) {
				err = errBadJSON()
			}
			if err != nil {
				return nil, false, err
			}
			return appendJSONStripped(dst, s[start:end]), false, nil
		})
	}}, nil
}

func stripJSONBNulls(v *sqltypes.JSONBValue) {
	switch v.Kind {
	case sqltypes.JSONBObject:
		keys, elems := v.Keys[:0], v.Elems[:0]
		for i := range v.Keys {
			if v.Elems[i].Kind == sqltypes.JSONBNull {
				continue
			}
			stripJSONBNulls(&v.Elems[i])
			keys, elems = append(keys, v.Keys[i]), append(elems, v.Elems[i])
		}
		v.Keys, v.Elems = keys, elems
	case sqltypes.JSONBArray:
		for i := range v.Elems {
			stripJSONBNulls(&v.Elems[i])
		}
	}
}

// appendJSONStripped appends the valid json value v without whitespace
// between tokens and without the object fields whose value is null.
func appendJSONStripped(dst []byte, v string) []byte {
	switch jsonKind(v) {
	case '{', '[':
		obj := v[0] == '{'
		dst = append(dst, v[0])
		first := true
		// v is valid: the scan cannot fail.
		_, _ = jsonValue(v, 0, func(ks, ke int, _ bool, vs, ve int) {
			if obj && jsonKind(v[vs:ve]) == 'n' {
				return
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			if obj {
				dst = append(append(dst, v[ks:ke]...), ':')
			}
			dst = appendJSONStripped(dst, v[vs:ve])
		})
		if obj {
			return append(dst, '}')
		}
		return append(dst, ']')
	}
	return append(dst, v...)
}
