package expr

import (
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor/decmath"
	"github.com/meshql/meshql/sqltypes"
)

// Numeric NaN and ±Infinity (sqltypes.NumericNaN) in the arithmetic
// kernels. The fast loops test each operand's high word in the pass they
// make anyway (a special value never fits their 64-bit or no-overflow
// cases) and hand the rows that hold one to specialArith.

var (
	numNaN    = sqltypes.NumericNaN
	numPosInf = sqltypes.NumericPosInf
	numNegInf = sqltypes.NumericNegInf
)

func isSpecial(x decimal128.Num) bool { return sqltypes.IsNumericSpecial(x) }
func isNaN(x decimal128.Num) bool     { return sqltypes.IsNumericNaN(x) }

// infOfSign is +Infinity for sign > 0, -Infinity for sign < 0.
func infOfSign(sign int) decimal128.Num {
	if sign < 0 {
		return numNegInf
	}
	return numPosInf
}

// negateNumeric is unary minus; NaN stays NaN.
func negateNumeric(x decimal128.Num) decimal128.Num {
	if isNaN(x) {
		return x
	}
	return x.Negate()
}

// specialArith is x op y for numerics of which at least one is NaN or
// ±Infinity, as PostgreSQL 15's numeric_add/sub/mul/div/mod define it.
// A finite result is zero or x itself (x % ±Infinity), at x's scale;
// finite reports which, so that the caller can rescale it.
func specialArith(op BinaryOp, x, y decimal128.Num) (r decimal128.Num, finite bool, err error) {
	if isNaN(x) || isNaN(y) {
		return numNaN, false, nil
	}
	switch op {
	case OpSub:
		y = y.Negate()
		fallthrough
	case OpAdd:
		switch {
		case !isSpecial(x):
			return y, false, nil
		case !isSpecial(y) || x == y:
			return x, false, nil
		}
		return numNaN, false, nil // Infinity + -Infinity
	case OpMul:
		if x.Sign() == 0 || y.Sign() == 0 {
			return numNaN, false, nil
		}
		return infOfSign(x.Sign() * y.Sign()), false, nil
	case OpDiv:
		switch {
		case !isSpecial(x):
			return decimal128.Num{}, true, nil // finite / ±Infinity
		case isSpecial(y):
			return numNaN, false, nil
		case y.Sign() == 0:
			return decimal128.Num{}, false, errDivByZero()
		}
		return infOfSign(x.Sign() * y.Sign()), false, nil
	case OpMod:
		switch {
		case !isSpecial(x):
			return x, true, nil // finite % ±Infinity
		case y.Sign() == 0:
			return decimal128.Num{}, false, errDivByZero()
		}
		return numNaN, false, nil
	}
	return decimal128.Num{}, false, errSpecialUnsupported(op.String())
}

// errSpecialUnsupported is the error of an operation on numeric NaN or
// ±Infinity that meshql does not compute.
func errSpecialUnsupported(what string) error {
	return sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s is not supported for numeric NaN or Infinity", what)
}

// specialMath is the numeric function name (ln, log, log10, exp, sqrt,
// power) of arguments a (mantissas at scales s) of which at least one is
// NaN or ±Infinity, as PostgreSQL 15 defines it (POSIX pow for power).
// The domain errors come from decmath on a finite value of the same sign,
// so that their messages are the ones of finite arguments.
func specialMath(name string, a []decimal128.Num, s []int32) (decimal128.Num, error) {
	signDec := func(x decimal128.Num) decmath.Dec { return decmath.New(big.NewInt(int64(x.Sign())), 0) }
	if name == "power" || name == "pow" {
		return specialPower(a[0], s[0], a[1], s[1])
	}
	if name == "log" && len(a) == 2 {
		if isNaN(a[0]) || isNaN(a[1]) {
			return numNaN, nil
		}
		if a[0].Sign() <= 0 || a[1].Sign() <= 0 {
			_, err := decmath.Log(signDec(a[0]), signDec(a[1]))
			return decimal128.Num{}, err
		}
		switch {
		case isSpecial(a[0]) && isSpecial(a[1]):
			return numNaN, nil // log(Inf, Inf)
		case isSpecial(a[0]):
			return decimal128.Num{}, nil // log(Inf, x)
		}
		return numPosInf, nil
	}
	x := a[0]
	switch {
	case isNaN(x) || x == numPosInf:
		return x, nil
	case name == "exp":
		return decimal128.Num{}, nil // exp(-Infinity)
	case name == "sqrt":
		_, err := decmath.Sqrt(signDec(x))
		return decimal128.Num{}, err
	case name == "ln" || name == "log" || name == "log10":
		_, err := decmath.Ln(signDec(x))
		return decimal128.Num{}, err
	}
	return decimal128.Num{}, errSpecialUnsupported(name)
}

// specialPower is power(x, y) with NaN or ±Infinity among x (scale xs)
// and y (scale ys).
func specialPower(x decimal128.Num, xs int32, y decimal128.Num, ys int32) (decimal128.Num, error) {
	one := decimal128.FromI64(1)
	isOne := func(v decimal128.Num, s int32) bool { return !isSpecial(v) && cmpNumeric(v, s, one, 0) == 0 }
	switch {
	case isNaN(x):
		if !isSpecial(y) && y.Sign() == 0 {
			return one, nil
		}
		return numNaN, nil
	case isNaN(y):
		if isOne(x, xs) {
			return one, nil
		}
		return numNaN, nil
	case x == numPosInf:
		switch y.Sign() {
		case -1:
			return decimal128.Num{}, nil
		case 0:
			return one, nil
		}
		return numPosInf, nil
	case x == numNegInf:
		if isSpecial(y) {
			if y.Sign() > 0 {
				return numPosInf, nil
			}
			return decimal128.Num{}, nil
		}
		if y.Sign() == 0 {
			return one, nil
		}
		neg, m := split(y)
		q, r := m.divmod(pow10(ys))
		if !r.isZero() {
			_, err := decmath.Power(decmath.New(big.NewInt(-1), 0), decmath.New(big.NewInt(1), 1))
			return decimal128.Num{}, err
		}
		if neg {
			return decimal128.Num{}, nil
		}
		if q.lo&1 == 1 {
			return numNegInf, nil
		}
		return numPosInf, nil
	}
	// x is finite, y is ±Infinity: compare |x| with 1.
	_, mx := split(x)
	c := cmpNumeric(join(false, mx), xs, one, 0)
	switch {
	case x.Sign() == 0 && y.Sign() < 0:
		_, err := decmath.Power(decmath.New(big.NewInt(0), 0), decmath.New(big.NewInt(-1), 0))
		return decimal128.Num{}, err
	case c == 0:
		return one, nil
	case (c < 0) == (y.Sign() > 0):
		return decimal128.Num{}, nil
	}
	return numPosInf, nil
}

// specialUnary is abs, sign, ceil/ceiling or floor of NaN or ±Infinity.
func specialUnary(name string, x decimal128.Num) decimal128.Num {
	switch {
	case isNaN(x):
		return x
	case name == "abs":
		return numPosInf
	case name == "sign":
		return decimal128.FromI64(int64(x.Sign()))
	}
	return x
}

// CheckArrowNumerics fails with 0A000 when a numeric column of b (or an
// element of an array column) holds NaN or ±Infinity, for the fronts
// that hand Arrow decimal128 to clients (Flight SQL, IPC output): Arrow's
// decimal has no such values, and a client would read the sentinel
// mantissa as a 39-digit number.
func CheckArrowNumerics(b arrow.RecordBatch) error {
	for _, c := range b.Columns() {
		if hasArrowSpecial(c) {
			return sqltypes.New(sqltypes.CodeFeatureNotSupported, "numeric NaN and Infinity cannot be sent as Arrow decimal128").
				WithHint("Cast the column to double precision or text.")
		}
	}
	return nil
}

func hasArrowSpecial(a arrow.Array) bool {
	switch x := a.(type) {
	case *array.Decimal128:
		return sqltypes.HasNumericSpecial(x.Values())
	case *array.Struct:
		for i := range x.NumField() {
			if hasArrowSpecial(x.Field(i)) {
				return true
			}
		}
	case *array.List:
		return hasArrowSpecial(x.ListValues())
	}
	return false
}

// seriesSpecial is generate_series's 22023 for a NaN or ±Infinity start,
// stop or step in row i.
func seriesSpecial(in []arrow.Array, vals [][]decimal128.Num, i int) error {
	for k, what := range []string{"start value", "stop value", "step size"}[:len(in)] {
		if x := vals[k][i]; in[k].IsValid(i) && isSpecial(x) {
			kind := "infinity"
			if isNaN(x) {
				kind = "NaN"
			}
			return sqltypes.New(sqltypes.CodeInvalidParameterValue, "%s cannot be %s", what, kind)
		}
	}
	return nil
}
