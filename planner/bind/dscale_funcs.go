package bind

import (
	"slices"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// valueFunc reports whether the numeric function call x returns one of
// its arguments' values (greatest, least, nullif) or a value at their
// larger scale (mod, gcd, lcm): with a variable-scale argument and a
// reader that keeps it, it returns variable-scale values.
func valueFunc(x *logical.Func) bool {
	switch x.Name {
	case "greatest", "least", "nullif", "mod", "gcd", "lcm":
		return x.T.Kind == sqltypes.Numeric && len(x.Args) > 0
	}
	return false
}

// elementFunc reports whether x returns an element of its first
// argument, an array of numerics (a[1]).
func elementFunc(x *logical.Func) bool {
	return x.Name == "array_element" && len(x.Args) > 0 && x.T.Kind == sqltypes.Numeric
}

// exactFunc reports whether x reads its numeric arguments' every place
// for a result of scale 0 (floor(0.99999999999999999999) is 0, div too):
// it takes variable-scale arguments as they are.
func exactFunc(x *logical.Func) bool {
	switch x.Name {
	case "ceil", "ceiling", "floor", "sign":
		return len(x.Args) == 1 && x.Args[0].Type().Kind == sqltypes.Numeric
	case "div":
		return len(x.Args) == 2 && x.T.Kind == sqltypes.Numeric && numOperand(x.Args[0].Type()) && numOperand(x.Args[1].Type())
	}
	return false
}

// scaleFunc reports whether x is scale, min_scale or trim_scale of a
// numeric: they read its display scale and every place, so they take a
// variable-scale argument as it is; trim_scale's result has a scale of
// its own per value (trim_scale(1.500) is 1.5).
func scaleFunc(x *logical.Func) bool {
	return expr.ScaleFunc(x.Name) && len(x.Args) == 1 && x.Args[0].Type().Kind == sqltypes.Numeric
}

// fillFunc reports whether x is array_fill of a numeric: its array holds
// the value, with its scale.
func fillFunc(x *logical.Func) bool {
	return x.Name == "array_fill" && len(x.Args) >= 2 && x.Args[0].Type().Kind == sqltypes.Numeric
}

// digitsFunc reports whether x computes from every digit of its numeric
// arguments (ln, exp, power, sqrt and width_bucket's numeric forms): it
// takes variable-scale arguments as they are.
func digitsFunc(x *logical.Func) bool {
	if x.Name == "width_bucket" {
		return len(x.Args) == 4 && slices.ContainsFunc(x.Args[:3], func(a logical.Expr) bool { return a.Type().Kind == sqltypes.Numeric })
	}
	return x.T.Kind == sqltypes.Numeric && expr.PerValueScale(x.Name)
}

// asVarScale is the numeric e as the variable-scale vt: a static value
// keeps the scale it was written with (before a cast to a common scale).
func asVarScale(e logical.Expr, vt sqltypes.Type) logical.Expr {
	if !e.Type().VarScale {
		e = withScale(e, writtenScale(e))
	}
	if !e.Type().Equal(vt) {
		e = &logical.Cast{E: e, T: vt}
	}
	return e
}

// varValueFunc is the valueFunc x, one of whose arguments is
// variable-scale, computing variable-scale values: its numeric arguments
// become variable-scale of its nominal scale, as the executor's kernels
// take them.
func varValueFunc(x *logical.Func) logical.Expr {
	vt := sqltypes.VarNumericType(x.T.Scale)
	args := make([]logical.Expr, len(x.Args))
	for i, a := range x.Args {
		if a.Type().Kind == sqltypes.Numeric {
			a = asVarScale(a, vt)
		}
		args[i] = a
	}
	return &logical.Func{Name: x.Name, Args: args, T: vt}
}

// textFunc reports whether x prints its arguments as PostgreSQL's output
// functions do (concat(1.50) is '1.50', to_json(1.50) 1.50), or lays
// out their every place (to_char): it takes variable-scale numerics as
// they are.
func textFunc(x *logical.Func) bool {
	switch x.Name {
	case "concat", "concat_ws", "format", "array_to_string", "to_json", "to_jsonb", "row_to_json", "json_build_object", "json_build_array",
		"jsonb_build_object", "jsonb_build_array", "to_char", "pg_size_pretty",
		// A numrange keeps each bound's scale (it prints them), and an
		// element is compared with its bounds exactly.
		"numrange", "range_contains_elem", "elem_contained_by_range":
		return true
	}
	return false
}

// textCast reports whether c turns a numeric or an array of them into
// text or text[], which print each value's scale.
func textCast(c *logical.Cast) bool {
	return c.E.Type().Leaf().Kind == sqltypes.Numeric && (c.T.IsString() || c.T.Kind == sqltypes.List && c.T.Leaf().IsString())
}

// markPrinted marks the numeric values that e prints (textCast, textFunc)
// or whose scales it reads (scaleFunc) anywhere in it: their scales show
// whatever reads the result.
func (f *scaleFlow) markPrinted(e logical.Expr) {
	logical.Walk(e, func(x logical.Expr) bool {
		switch y := x.(type) {
		case *logical.Cast:
			if textCast(y) {
				f.markKept(y.E)
			}
		case *logical.Func:
			if textFunc(y) || scaleFunc(y) {
				for _, a := range y.Args {
					f.markKept(a)
				}
			}
		}
		return true
	})
}
