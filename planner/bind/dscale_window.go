package bind

import (
	"slices"

	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// windowValueArgs returns the indexes of the arguments whose values a
// numeric window call returns or computes from: lag and lead return their
// value or their default (lead(amount, 1, 0) is an amount or 0), the
// value functions a value of the frame, sum/avg/min/max as their
// aggregate forms (varAgg).
func windowValueArgs(c logical.WindowCall) []int {
	if len(c.Args) == 0 || c.Args[0].Type().Kind != sqltypes.Numeric {
		return nil
	}
	if printsWindowArg(c) || c.Func == "array_agg" && len(c.Args) == 1 {
		return []int{0} // as their aggregate forms (keptAggArg)
	}
	if c.T.Kind != sqltypes.Numeric {
		return nil
	}
	switch c.Func {
	case "lag", "lead":
		if len(c.Args) == 3 {
			return []int{0, 2}
		}
		return []int{0}
	case "first_value", "last_value", "nth_value":
		return []int{0}
	case "sum", "avg", "min", "max":
		if len(c.Args) == 1 {
			return []int{0}
		}
	}
	return nil
}

// printsWindowArg reports whether window call c prints its numeric
// argument's values (json_agg), whose scales then show wherever its
// result goes.
func printsWindowArg(c logical.WindowCall) bool {
	return (c.Func == "json_agg" || c.Func == "jsonb_agg") && len(c.Args) == 1 && c.Args[0].Type().Kind == sqltypes.Numeric
}

// windowCall widens the arguments of window call c (output *col): those
// windowValueArgs names keep their scales when the call's result is kept,
// and the call then returns variable-scale values if one of them has
// them or lag/lead's default was written with another scale than the
// value (cast to its type by the binder).
func (f *scaleFlow) windowCall(c *logical.WindowCall, col *logical.ColumnID) {
	vals := windowValueArgs(*c)
	if !f.demand.Has(*col) && !printsWindowArg(*c) {
		vals = nil
	}
	anyVar, differs := false, false
	for j := range c.Args {
		kept := slices.Contains(vals, j)
		c.Args[j] = f.expr(c.Args[j], kept)
		if kept {
			anyVar = anyVar || c.Args[j].Type().VarScale
			differs = differs || writtenScale(c.Args[j]) != c.Args[0].Type().Scale
		}
	}
	if !anyVar && !(differs && (c.Func == "lag" || c.Func == "lead")) {
		f.staticCall(c, col)
		return
	}
	vt := sqltypes.VarNumericType(c.Args[0].Type().Scale)
	args := slices.Clone(c.Args)
	for _, j := range vals {
		a := args[j]
		if !a.Type().VarScale {
			a = withScale(a, writtenScale(a))
		}
		if !a.Type().Equal(vt) {
			a = &logical.Cast{E: a, T: vt}
		}
		args[j] = a
	}
	types := make([]sqltypes.Type, len(args))
	for j, a := range args {
		types[j] = a.Type()
	}
	t, err := ops.WindowFuncType(c.Func, types)
	if err != nil || !t.HasVarScale() && !printsWindowArg(*c) {
		// Not one the executor computes over variable scales: read
		// them at the static scale.
		for j, a := range c.Args {
			if a.Type().VarScale {
				c.Args[j] = &logical.Cast{E: a, T: a.Type().Static()}
			}
		}
		f.staticCall(c, col)
		return
	}
	c.Args, c.T = args, t
	if t.HasVarScale() { // json_agg's stays json
		f.define(col, t)
	}
}

// staticCall makes c's result static when its arguments now are: a call
// bound over an argument variable-scale from the start
// (max(lower(numrange)) OVER ()) that no reader keeps reads the argument
// at its static scale, as Aggregate does for sum(lower(numrange)).
func (f *scaleFlow) staticCall(c *logical.WindowCall, col *logical.ColumnID) {
	if !c.T.HasVarScale() || slices.ContainsFunc(c.Args, func(a logical.Expr) bool { return a.Type().HasVarScale() }) {
		return
	}
	c.T = c.T.StaticAll()
	f.define(col, c.T)
}
