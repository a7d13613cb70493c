package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// jsonb: values are text in jsonb's normal form (sqltypes.NormalizeJSONB),
// made so by every cast or builder that produces jsonb. The accessors of
// json.go work on them unchanged, since a member of a normalized value is
// normalized. Containment and existence (@> <@ ? ?| ?&, bound to the
// functions of PostgreSQL's names) and = parse the values per row.

// normalizeJSONBKernel casts text or json to jsonb.
func normalizeJSONBKernel(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
	v := viewOf(a)
	return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
		j, err := sqltypes.ParseJSONB(v.str(i))
		if err != nil {
			return nil, false, err
		}
		return j.Append(dst), false, nil
	})
}

// asJSONB makes a json-producing builder's result jsonb: its text is
// normalized as jsonb's input would be.
func asJSONB(e Expr, err error) (Expr, error) {
	if err != nil {
		return nil, err
	}
	return Cast(e, sqltypes.TypeJSONB)
}

// jsonbKindName names the kind of a jsonb value as PostgreSQL's cast
// errors do. A jsonb value's text is normalized (no leading blanks), so
// its first byte (jsonKind) tells the kind without parsing the value.
func jsonbKindName(v string) string {
	switch jsonKind(v) {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "numeric"
}

// jsonbScalarCastKernel casts jsonb to boolean or a number type: the value
// must be a scalar of that kind (22023 otherwise, as PostgreSQL). Its
// normalized text is then what text input of the type reads; integers go
// through numeric, so that 1.5 rounds to 2.
func jsonbScalarCastKernel(to sqltypes.Type) (castKernel, bool) {
	want := "numeric"
	switch {
	case to.Kind == sqltypes.Bool:
		want = "boolean"
	case to.IsNumeric():
	default:
		return nil, false
	}
	via := to
	if to.IsInteger() {
		via = sqltypes.NumericType(0, 0)
	}
	fromText, ok := fromTextKernel(via)
	if to.VarScale {
		// numeric keeps the number's own digits ('1.5'::jsonb is 1.5).
		fromText, ok = toVarNumericKernel(to.Arrow()), true
	}
	if !ok {
		return nil, false
	}
	var toInt castKernel
	if via != to {
		if toInt, ok = numericCastKernel(via, to); !ok {
			return nil, false
		}
	}
	return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
		v := viewOf(a)
		for i := 0; i < a.Len(); i++ {
			if a.IsNull(i) {
				continue
			}
			if kind := jsonbKindName(v.str(i)); kind != want {
				return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot cast jsonb %s to type %s", kind, to)
			}
		}
		text := retype(a, arrow.BinaryTypes.String)
		defer text.Release()
		out, err := fromText(mem, cx, text)
		if err != nil || toInt == nil {
			return out, err
		}
		defer out.Release()
		return toInt(mem, cx, out)
	}, true
}

// buildJSONBContains is jsonb_contains(a, b) (a @> b) and
// jsonb_contained(a, b) (a <@ b).
func buildJSONBContains(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	for i := range args {
		if args[i] = coerceTo(args[i], sqltypes.TypeJSONB); args[i].Type().Kind != sqltypes.JSONB {
			return nil, functionError(name, args)
		}
	}
	contained := name == "jsonb_contained"
	return &callExpr{name: name, args: args, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		a, b := viewOf(in[0]), viewOf(in[1])
		return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
			x, err := sqltypes.ParseJSONB(a.str(i))
			if err != nil {
				return false, false, err
			}
			y, err := sqltypes.ParseJSONB(b.str(i))
			if err != nil {
				return false, false, err
			}
			if contained {
				x, y = y, x
			}
			return x.Contains(&y, true), false, nil
		})
	}}, nil
}

// buildJSONBExists is jsonb_exists(j, key) (j ? key), and
// jsonb_exists_any / jsonb_exists_all(j, keys) (j ?| keys, j ?& keys):
// whether the keys are top-level object keys or string array elements.
// NULL elements of keys are skipped.
func buildJSONBExists(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	args[0] = coerceTo(args[0], sqltypes.TypeJSONB)
	many := name != "jsonb_exists"
	if many {
		args[1] = coerceTo(args[1], textListType)
	} else {
		args[1] = coerceTo(args[1], sqltypes.TypeText)
	}
	if kt := args[1].Type(); args[0].Type().Kind != sqltypes.JSONB ||
		many && (kt.Kind != sqltypes.List || !kt.Elem.IsString()) || !many && !kt.IsString() {
		return nil, functionError(name, args)
	}
	all := name == "jsonb_exists_all"
	return &callExpr{name: name, args: args, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		docs := viewOf(in[0])
		// has tells whether doc has the key(s) of row i.
		var has func(doc *sqltypes.JSONBValue, i int) bool
		if many {
			lst, ok := in[1].(*array.List)
			if !ok {
				return nil, internalErr("jsonb keys of type %s", in[1].DataType())
			}
			vals := lst.ListValues()
			elems := viewOf(vals)
			has = func(doc *sqltypes.JSONBValue, i int) bool {
				start, end := lst.ValueOffsets(i)
				for j := int(start); j < int(end); j++ {
					if vals.IsValid(j) && doc.HasKey(elems.str(j)) != all {
						return !all
					}
				}
				return all
			}
		} else {
			kv := viewOf(in[1])
			has = func(doc *sqltypes.JSONBValue, i int) bool { return doc.HasKey(kv.str(i)) }
		}
		return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
			doc, err := sqltypes.ParseJSONB(docs.str(i))
			if err != nil {
				return false, false, err
			}
			return has(&doc, i), false, nil
		})
	}}, nil
}
