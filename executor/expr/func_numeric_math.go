package expr

import (
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/decmath"
	"github.com/meshql/meshql/sqltypes"
)

// Numeric ln, log, log10, exp, power and sqrt compute each value exactly
// as PostgreSQL does (executor/decmath), at the scale PostgreSQL picks
// for that value: ln(2.0) has 16 places, exp(-100.0) 59, sqrt(1e6) 13.
// Where the result goes to the client unchanged the planner asks for
// that per-value scale (CallVarScale); elsewhere it is rounded to a
// static nominal scale, as quotients are.

// PerValueScale reports whether the numeric result of the function name
// has a scale PostgreSQL picks per value, so that CallVarScale builds
// it.
func PerValueScale(name string) bool {
	switch name {
	case "ln", "log", "log10", "exp", "power", "pow", "sqrt":
		return true
	}
	return false
}

// CallVarScale is Call for a function PerValueScale lists whose
// arguments make it numeric, or round/trunc whose places a row gives:
// each result keeps its own scale.
func CallVarScale(name string, args []Expr) (Expr, error) {
	if (name == "round" || name == "trunc") && len(args) == 2 {
		return varRound(name, args[0], args[1])
	}
	e, err := numericMath(name, args, true)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, internalErr("numeric %s has no per-value scale", name)
	}
	return e, nil
}

// numericMath builds the numeric form of a PerValueScale function, or
// returns nil if the arguments ask for the double precision one (no
// numeric argument, or a float one next to it, as PostgreSQL's function
// resolution prefers float8 then). log(b, x) is numeric only.
func numericMath(name string, args []Expr, varScale bool) (Expr, error) {
	hasNumeric, hasFloat := false, false
	for _, a := range args {
		switch a.Type().Kind {
		case sqltypes.Numeric:
			hasNumeric = true
		case sqltypes.Float4, sqltypes.Float8:
			hasFloat = true
		}
	}
	two := len(args) == 2
	switch {
	case name == "log" && two:
		if hasFloat {
			return nil, functionError(name, args)
		}
	case name == "power" || name == "pow":
		if !hasNumeric || hasFloat {
			return nil, nil
		}
	case !hasNumeric || two:
		return nil, nil
	}
	var fn func(a []decmath.Dec) (decmath.Dec, error)
	switch name {
	case "ln":
		fn = func(a []decmath.Dec) (decmath.Dec, error) { return decmath.Ln(a[0]) }
	case "exp":
		fn = func(a []decmath.Dec) (decmath.Dec, error) { return decmath.Exp(a[0]) }
	case "sqrt":
		fn = func(a []decmath.Dec) (decmath.Dec, error) { return decmath.Sqrt(a[0]) }
	case "log10", "log":
		fn = func(a []decmath.Dec) (decmath.Dec, error) { return decmath.Log10(a[0]) }
		if two {
			fn = func(a []decmath.Dec) (decmath.Dec, error) { return decmath.Log(a[0], a[1]) }
		}
	case "power", "pow":
		fn = func(a []decmath.Dec) (decmath.Dec, error) { return decmath.Power(a[0], a[1]) }
	}
	nargs := make([]Expr, len(args))
	nominal := int32(16)
	if name == "sqrt" {
		nominal = 15
	}
	for i, a := range args {
		n, ok := asNumeric(a)
		if !ok {
			return nil, functionError(name, args)
		}
		nargs[i] = n
		nominal = max(nominal, n.Type().Scale)
	}
	nominal = min(nominal, sqltypes.MaxNumericPrecision)
	rt := sqltypes.NumericType(0, nominal)
	if varScale {
		rt = sqltypes.VarNumericType(nominal)
	}
	return &callExpr{name: name, args: nargs, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return numericMathKernel(env.Mem, name, rt, nargs, in, n, fn)
	}}, nil
}

// asNumeric returns a numeric argument as it is (static or per-value
// scale), an integer as numeric of scale 0 and a string literal at the
// scale it is written with ('2.50' has 2), as PostgreSQL's numeric input
// gives it.
func asNumeric(a Expr) (Expr, bool) {
	t := a.Type()
	switch {
	case t.Kind == sqltypes.Numeric:
		return a, true
	case t.IsInteger():
		c, err := Cast(a, sqltypes.NumericType(0, 0))
		return c, err == nil
	case t.Kind == sqltypes.Unknown:
		scale := int32(0)
		if v, ok := IsLiteral(a); ok {
			if s, ok := v.(string); ok {
				scale = min(sqltypes.NumericTextScale(s), sqltypes.MaxNumericPrecision)
			}
		}
		c, err := Cast(a, sqltypes.NumericType(0, scale))
		return c, err == nil
	}
	return nil, false
}

// errNumericDigits is 22003 for a result PostgreSQL's numeric holds but
// meshql's does not.
func errNumericDigits() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format").
		WithHint("meshql's numeric holds 38 digits, with at most 127 decimal places; PostgreSQL's result here has more.")
}

// numericMathKernel applies fn row by row; NULL in, NULL out. Results
// must fit meshql's numerics: 38 digits, and a scale of at most 127 for
// per-value scales (22003 otherwise, where PostgreSQL's unbounded
// numeric would print the value).
func numericMathKernel(mem memory.Allocator, name string, rt sqltypes.Type, args []Expr, in []arrow.Array, n int, fn func([]decmath.Dec) (decmath.Dec, error)) (arrow.Array, error) {
	getters := make([]func(int) (decimal128.Num, int32), len(in))
	for j, a := range in {
		getters[j] = numAt(a, args[j].Type())
	}
	valid := andValidity(mem, n, in...)
	var vb []byte
	if valid != nil {
		vb = valid.Bytes()
	}
	mbuf, mant := allocFixed[decimal128.Num](mem, n)
	var sbuf *memory.Buffer
	var scales []int8
	if rt.VarScale {
		sbuf, scales = allocFixed[int8](mem, n)
	}
	fail := func(err error) (arrow.Array, error) {
		for _, b := range []*memory.Buffer{valid, mbuf, sbuf} {
			if b != nil {
				b.Release()
			}
		}
		return nil, err
	}
	limit := bigPow10(sqltypes.MaxNumericPrecision)
	argv := make([]decmath.Dec, len(in))
	raw, rawScales := make([]decimal128.Num, len(in)), make([]int32, len(in))
	for i := range mant {
		mant[i] = decimal128.Num{}
		if scales != nil {
			scales[i] = 0
		}
		if !validAt(vb, 0, i) {
			continue
		}
		special := false
		for j, g := range getters {
			raw[j], rawScales[j] = g(i)
			special = special || isSpecial(raw[j])
		}
		if special {
			v, err := specialMath(name, raw, rawScales)
			if err != nil {
				return fail(err)
			}
			mant[i] = v
			if !rt.VarScale && !isSpecial(v) {
				mant[i], _ = rescaleDec(v, 0, rt.Scale) // 0 or 1
			}
			continue
		}
		for j := range raw {
			argv[j] = decmath.New(raw[j].BigInt(), rawScales[j])
		}
		r, err := fn(argv)
		if err != nil {
			return fail(err)
		}
		if !rt.VarScale {
			r = decmath.Round(r, rt.Scale)
		}
		if r.Scale > 127 || new(big.Int).Abs(r.Mant).Cmp(limit) >= 0 {
			return fail(errNumericDigits())
		}
		mant[i] = decimal128.FromBigInt(r.Mant)
		if scales != nil {
			scales[i] = int8(r.Scale)
		}
	}
	if rt.VarScale {
		return newVarNumeric(rt.Arrow(), n, valid, mbuf, sbuf), nil
	}
	return finish(rt.Arrow(), n, valid, mbuf), nil
}
