package expr

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The integer bitwise operators & | # ~ << >> under PostgreSQL's function
// names: int2and, int4or, int8xor, int2not, int4shl, int8shr, … The
// planner binds the operators to them by operand type; they are callable
// by name as in PostgreSQL. None overflows: shl discards high bits. Shift
// counts are int4 and wrap as PostgreSQL's C shifts do on x86-64 (modulo
// 32, modulo 64 for int8), so 1 << 32 is 1 and 1 << -1 is -2147483648;
// int2 shifts happen on the value widened to int4 and are then truncated.

// bitwiseSuffix is the name suffix of the functions implementing op.
func bitwiseSuffix(op string) string {
	switch op {
	case "&":
		return "and"
	case "|":
		return "or"
	case "#":
		return "xor"
	case "~":
		return "not"
	case "<<":
		return "shl"
	case ">>":
		return "shr"
	}
	return ""
}

// BitwiseFunction returns the function implementing integer operator op
// (& | # ~ << >>) on operands of kind k (Int2, Int4 or Int8), and whether
// there is one.
func BitwiseFunction(op string, k sqltypes.Kind) (string, bool) {
	suffix := bitwiseSuffix(op)
	if suffix == "" {
		return "", false
	}
	switch k {
	case sqltypes.Int2:
		return "int2" + suffix, true
	case sqltypes.Int4:
		return "int4" + suffix, true
	case sqltypes.Int8:
		return "int8" + suffix, true
	}
	return "", false
}

// isBitwiseFunction reports whether name is one of the int{2,4,8}{and,or,
// xor,not,shl,shr} functions.
func isBitwiseFunction(name string) bool {
	if len(name) < 6 || name[:3] != "int" || name[3] != '2' && name[3] != '4' && name[3] != '8' {
		return false
	}
	switch name[4:] {
	case "and", "or", "xor", "not", "shl", "shr":
		return true
	}
	return false
}

func buildBitwise(name string, args []Expr) (Expr, error) {
	t := sqltypes.TypeInt8
	switch name[3] {
	case '2':
		t = sqltypes.TypeInt2
	case '4':
		t = sqltypes.TypeInt4
	}
	op := name[4:]
	nargs := 2
	if op == "not" {
		nargs = 1
	}
	if err := wantArgs(name, args, nargs, nargs); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args[:1], t)
	if err != nil {
		return nil, err
	}
	if nargs == 2 {
		rt := t
		if op == "shl" || op == "shr" {
			rt = sqltypes.TypeInt4 // the shift count
		}
		r, err := coerceArgs(name, args[1:], rt)
		if err != nil {
			return nil, err
		}
		a = append(a, r...)
	}
	var k fnKernel
	switch t.Kind {
	case sqltypes.Int2:
		k = bitwiseKernel[int16](op, 31)
	case sqltypes.Int4:
		k = bitwiseKernel[int32](op, 31)
	default:
		k = bitwiseKernel[int64](op, 63)
	}
	return &callExpr{name: name, args: a, t: t, k: k}, nil
}

// bitwiseKernel computes op over T; mask is the shift-count mask of the
// width the shift runs at (int2 shifts run at int4 width).
func bitwiseKernel[T int16 | int32 | int64](op string, mask int32) fnKernel {
	return func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		dt := in[0].DataType()
		if op == "not" {
			return mapUnary(env.Mem, dt, in[0], func(v T) (T, error) { return ^v, nil })
		}
		if op == "shl" || op == "shr" {
			return mapBinary(env.Mem, dt, in[0], in[1], func(v T, c int32) (T, error) {
				c &= mask
				if op == "shl" {
					return T(int64(v) << c), nil
				}
				return T(int64(v) >> c), nil
			})
		}
		var f func(a, b T) (T, error)
		switch op {
		case "and":
			f = func(a, b T) (T, error) { return a & b, nil }
		case "or":
			f = func(a, b T) (T, error) { return a | b, nil }
		default:
			f = func(a, b T) (T, error) { return a ^ b, nil }
		}
		return mapBinary(env.Mem, dt, in[0], in[1], f)
	}
}
