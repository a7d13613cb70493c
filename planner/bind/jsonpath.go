package bind

import (
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// jsonPathParams are the parameters of the jsonb_path functions, as
// PostgreSQL names them for named notation (silent => true).
var jsonPathParams = []string{"target", "path", "vars", "silent"}

// bindJSONPathCall binds jsonb_path_exists/_match/_query/_query_array/
// _query_first[_tz](target, path [, vars [, silent]]), positional or
// named, to its four arguments: vars defaults to '{}' and silent to
// false, untyped literals are read as jsonb, jsonpath, jsonb and boolean,
// as PostgreSQL resolves them. A path literal is parsed while binding (by
// its cast to jsonpath), so its syntax errors surface while planning, as
// in PostgreSQL.
func (b *binder) bindJSONPathCall(fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	name := funcName(fc)
	loc := int(fc.Location)
	nodes := make([]*pg_query.Node, len(jsonPathParams))
	for i, a := range fc.Args {
		pos := i
		if na := a.GetNamedArgExpr(); na != nil {
			if pos = slices.Index(jsonPathParams, na.Name); pos < 0 {
				return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s has no parameter named \"%s\"", name, na.Name), int(na.Location))
			}
			a = na.Arg
		} else if pos >= len(nodes) {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s takes at most %d arguments", name, len(nodes)), loc)
		}
		if nodes[pos] != nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "argument name \"%s\" used more than once", jsonPathParams[pos]), loc)
		}
		nodes[pos] = a
	}
	types := []sqltypes.Type{sqltypes.TypeJSONB, sqltypes.TypeJSONPath, sqltypes.TypeJSONB, sqltypes.TypeBool}
	defaults := []logical.Expr{nil, nil, &logical.Const{T: sqltypes.TypeJSONB, V: "{}"}, &logical.Const{T: sqltypes.TypeBool, V: false}}
	args := make([]logical.Expr, len(nodes))
	for i, n := range nodes {
		if n == nil {
			if defaults[i] == nil {
				return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s requires its %s argument", name, jsonPathParams[i]).
					WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), loc)
			}
			args[i] = defaults[i]
			continue
		}
		e, err := b.bindExpr(n, sc, agg)
		if err != nil {
			return nil, err
		}
		if e.Type().Kind == sqltypes.Unknown {
			if e, err = b.coerce(e, types[i]); err != nil {
				return nil, errAt(sqltypes.AsError(err), location(n))
			}
		}
		args[i] = e
	}
	rt, err := funcType(name, args)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: name, Args: args, T: rt}, nil
}

// bindJSONPathOperator binds jsonb @? jsonpath (jsonb_path_exists) and
// jsonb @@ jsonpath (jsonb_path_match), both silent, as PostgreSQL
// defines them. Two untyped literals around @@ are text search in
// PostgreSQL, which meshql lacks: 0A000 rather than a different answer.
func (b *binder) bindJSONPathOperator(name string, l, r logical.Expr, loc int) (logical.Expr, error) {
	if name == "@@" && l.Type().Kind == sqltypes.Unknown && r.Type().Kind == sqltypes.Unknown {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "operator @@ over two untyped literals is text search in PostgreSQL, which is not supported").
			WithHint("Cast the operands: '...'::jsonb @@ '...'::jsonpath."), loc)
	}
	var err error
	if l.Type().Kind == sqltypes.Unknown {
		l, err = b.coerce(l, sqltypes.TypeJSONB)
	}
	if err == nil && r.Type().Kind == sqltypes.Unknown {
		r, err = b.coerce(r, sqltypes.TypeJSONPath)
	}
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	if l.Type().Kind != sqltypes.JSONB || r.Type().Kind != sqltypes.JSONPath {
		return nil, opError(name, l.Type(), r.Type(), loc)
	}
	fn := "jsonb_path_exists"
	if name == "@@" {
		fn = "jsonb_path_match"
	}
	args := []logical.Expr{l, r, &logical.Const{T: sqltypes.TypeJSONB, V: "{}"}, &logical.Const{T: sqltypes.TypeBool, V: true}}
	t, err := funcType(fn, args)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: fn, Args: args, T: t}, nil
}

// isJSONPathSetFunction reports whether name is jsonb_path_query, the
// set-returning one of the jsonb_path functions.
func isJSONPathSetFunction(name string) bool {
	return name == "jsonb_path_query" || name == "jsonb_path_query_tz"
}
