package expr

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The json builders and inspectors beyond json_build_object: arrays of
// values, scalars as JSON, the type and length of a json value. The jsonb
// builders are these, their result normalized (see asJSONB).

// buildJSONBuildArray is json_build_array / jsonb_build_array(v, …).
func buildJSONBuildArray(name string, args []Expr) (Expr, error) {
	types := typesOf(args)
	return &callExpr{name: name, args: args, t: sqltypes.TypeJSON, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return boundedStr(env, name, arrow.BinaryTypes.String, n, nil, func(i int, dst []byte) ([]byte, bool, error) {
			dst = append(dst, '[')
			for j := range in {
				if j > 0 {
					dst = append(dst, ", "...)
				}
				dst = appendJSONValue(dst, types[j], datumAt(in[j], types[j], i), castCtxOf(env))
			}
			return append(dst, ']'), false, nil
		})
	}}, nil
}

// buildToJSON is to_json / to_jsonb(x): a scalar as its JSON value.
func buildToJSON(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	t := args[0].Type()
	return &callExpr{name: name, args: args, t: sqltypes.TypeJSON, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			return appendJSONValue(dst, t, datumAt(in[0], t, i), castCtxOf(env)), false, nil
		})
	}}, nil
}

// buildJSONTypeof is json_typeof / jsonb_typeof: object, array, string,
// number, boolean or null.
func buildJSONTypeof(name string, args []Expr) (Expr, error) {
	return jsonInspector(name, args, sqltypes.TypeText, func(s string, dst []byte) ([]byte, error) {
		i := jsonWS(s, 0)
		if i >= len(s) {
			return nil, errBadJSON()
		}
		switch s[i] {
		case '{':
			return append(dst, "object"...), nil
		case '[':
			return append(dst, "array"...), nil
		case '"':
			return append(dst, "string"...), nil
		case 't', 'f':
			return append(dst, "boolean"...), nil
		case 'n':
			return append(dst, "null"...), nil
		}
		return append(dst, "number"...), nil
	})
}

// buildJSONArrayLength is json_array_length / jsonb_array_length.
func buildJSONArrayLength(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a, err := jsonArgument(name, args)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: []Expr{a}, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			s := v.str(i)
			start := jsonWS(s, 0)
			if start >= len(s) || s[start] != '[' {
				what := "a scalar"
				if start < len(s) && s[start] == '{' {
					what = "a non-array"
				}
				return 0, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot get array length of %s", what)
			}
			var count int32
			if _, err := jsonValue(s, start, func(_, _ int, _ bool, _, _ int) { count++ }); err != nil {
				return 0, false, err
			}
			return count, false, nil
		})
	}}, nil
}

// jsonInspector builds a function of one json argument computing text.
func jsonInspector(name string, args []Expr, t sqltypes.Type, f func(s string, dst []byte) ([]byte, error)) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a, err := jsonArgument(name, args)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: []Expr{a}, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			out, err := f(v.str(i), dst)
			return out, false, err
		})
	}}, nil
}

func typesOf(args []Expr) []sqltypes.Type {
	types := make([]sqltypes.Type, len(args))
	for i, a := range args {
		types[i] = a.Type()
	}
	return types
}

// AppendJSON appends row i of arr, of SQL type t, as a JSON value (as
// to_json does, in env's TimeZone and IntervalStyle); json_agg builds its
// arrays with it.
func AppendJSON(dst []byte, t sqltypes.Type, arr arrow.Array, i int, env *executor.Env) []byte {
	return appendJSONValue(dst, t, datumAt(arr, t, i), castCtxOf(env))
}

// jsonArgument is the argument of a one-argument json (jsonb) function,
// json for json_*, jsonb for jsonb_* (PostgreSQL has no implicit cast
// between them, nor from text): an untyped literal or parameter reads as
// that type, as PostgreSQL resolves it.
func jsonArgument(name string, args []Expr) (Expr, error) {
	want := JSONSetArgType(name)
	a := args[0]
	if a.Type().Kind == want.Kind {
		return a, nil
	}
	if a.Type().Kind == sqltypes.Unknown {
		return Cast(a, want)
	}
	return nil, functionError(name, args)
}
