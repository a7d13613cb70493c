package expr

import (
	"math"

	"github.com/meshql/meshql/executor/libm"
)

// The trigonometric and hyperbolic float8 functions, with PostgreSQL 15's
// errors: an infinite angle is 22003 "input is out of range" (its sin,
// cos, tan and the degree forms refuse it), as is an asin/acos argument
// outside [-1, 1], acosh below 1 and atanh outside [-1, 1]. The results
// come from executor/libm, which gives the C library's bits.

// radiansPerDegree is PostgreSQL's RADIANS_PER_DEGREE (M_PI / 180).
const radiansPerDegree = math.Pi / 180

// degreeConsts are the values PostgreSQL's float.c divides by so that the
// degree functions are exact at 30, 45, 60 and 90 degrees (sind(30) is
// 0.5): sin 30°, 1 - cos 60°, asin 0.5, acos 0.5 and atan 1, each from
// the C library.
var degreeConsts = func() (c struct{ sin30, oneMinusCos60, asinHalf, acosHalf, atan1 float64 }) {
	c.sin30 = libm.Sin(toRadians(30))
	c.oneMinusCos60 = 1 - libm.Cos(toRadians(60))
	c.asinHalf = libm.Asin(0.5)
	c.acosHalf = libm.Acos(0.5)
	c.atan1 = libm.Atan(1)
	return c
}()

// toRadians is x * RADIANS_PER_DEGREE rounded as a double product: Go
// would compute 30 * radiansPerDegree exactly, as a constant.
func toRadians(x float64) float64 { return x * radiansPerDegree }

// The helpers below are PostgreSQL 15's (float.c), step for step: each
// float64() conversion stops the compiler from fusing a multiply-add the
// C code rounds twice.

func sind0to30(x float64) float64 {
	s := libm.Sin(toRadians(x))
	return (s / degreeConsts.sin30) / 2
}

func cosd0to60(x float64) float64 {
	omc := 1 - libm.Cos(toRadians(x))
	return 1 - (omc/degreeConsts.oneMinusCos60)/2
}

func sindQ1(x float64) float64 {
	if x <= 30 {
		return sind0to30(x)
	}
	return cosd0to60(90 - x)
}

func cosdQ1(x float64) float64 {
	if x <= 60 {
		return cosd0to60(x)
	}
	return sind0to30(90 - x)
}

func asindQ1(x float64) float64 {
	if x <= 0.5 {
		return float64(libm.Asin(x)/degreeConsts.asinHalf) * 30
	}
	return 90 - float64(float64(libm.Acos(x)/degreeConsts.acosHalf)*60)
}

func acosdQ1(x float64) float64 {
	if x <= 0.5 {
		return 90 - float64(float64(libm.Asin(x)/degreeConsts.asinHalf)*30)
	}
	return float64(libm.Acos(x)/degreeConsts.acosHalf) * 60
}

// degreeQuadrant folds x (finite) into [0, 90] degrees, returning the
// sign the tangent-like functions (odd, period 180) take.
func degreeQuadrant(x float64) (float64, float64) {
	x = math.Mod(x, 360)
	sign := 1.0
	if x < 0 {
		x, sign = -x, -sign
	}
	if x > 180 {
		x, sign = 360-x, -sign
	}
	if x > 90 {
		x, sign = 180-x, -sign
	}
	return x, sign
}

// trigFn returns the float8 kernel of a trigonometric or hyperbolic
// function of one argument, or nil.
func trigFn(name string) func(float64) (float64, error) {
	finite := func(f func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) {
			if math.IsInf(x, 0) {
				return 0, errOutOfDom()
			}
			if math.IsNaN(x) {
				return x, nil
			}
			return f(x), nil
		}
	}
	unit := func(f func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) {
			if x < -1 || x > 1 {
				return 0, errOutOfDom()
			}
			if math.IsNaN(x) {
				return x, nil
			}
			return f(x), nil
		}
	}
	plain := func(f func(float64) float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) { return f(x), nil }
	}
	switch name {
	case "sin":
		return finite(libm.Sin)
	case "cos":
		return finite(libm.Cos)
	case "tan":
		return finite(libm.Tan)
	case "cot":
		return finite(func(x float64) float64 { return 1 / libm.Tan(x) })
	case "asin":
		return unit(libm.Asin)
	case "acos":
		return unit(libm.Acos)
	case "atan":
		return plain(libm.Atan)
	case "sind":
		return finite(func(x float64) float64 {
			x = math.Mod(x, 360)
			sign := 1.0
			if x < 0 {
				x, sign = -x, -sign
			}
			if x > 180 {
				x, sign = 360-x, -sign
			}
			if x > 90 {
				x = 180 - x
			}
			return sign * sindQ1(x)
		})
	case "cosd":
		return finite(func(x float64) float64 {
			x = math.Mod(x, 360)
			sign := 1.0
			if x < 0 {
				x = -x
			}
			if x > 180 {
				x = 360 - x
			}
			if x > 90 {
				x, sign = 180-x, -sign
			}
			return sign * cosdQ1(x)
		})
	case "tand", "cotd":
		return finite(func(x float64) float64 {
			x, sign := degreeQuadrant(x)
			var r float64
			if name == "tand" {
				r = sign * (float64(sindQ1(x)/cosdQ1(x)) / tan45())
			} else {
				r = sign * (float64(cosdQ1(x)/sindQ1(x)) / cot45())
			}
			if r == 0 {
				r = 0 // PostgreSQL forces minus zero to plain zero
			}
			return r
		})
	case "asind":
		return unit(func(x float64) float64 {
			if x >= 0 {
				return asindQ1(x)
			}
			return -asindQ1(-x)
		})
	case "acosd":
		return unit(func(x float64) float64 {
			if x >= 0 {
				return acosdQ1(x)
			}
			return 90 + asindQ1(-x)
		})
	case "atand":
		return plain(func(x float64) float64 { return float64(libm.Atan(x)/degreeConsts.atan1) * 45 })
	case "sinh":
		return plain(libm.Sinh)
	case "cosh":
		return plain(libm.Cosh)
	case "tanh":
		return plain(libm.Tanh)
	case "asinh":
		return plain(libm.Asinh)
	case "acosh":
		return func(x float64) (float64, error) {
			if x < 1 {
				return 0, errOutOfDom()
			}
			return libm.Acosh(x), nil
		}
	case "atanh":
		return unit(libm.Atanh)
	}
	return nil
}

func tan45() float64 { return sindQ1(45) / cosdQ1(45) }
func cot45() float64 { return cosdQ1(45) / sindQ1(45) }

// atan2Fn is atan2 (radians) or atan2d (degrees) of y and x.
func atan2Fn(name string) func(y, x float64) (float64, error) {
	if name == "atan2d" {
		return func(y, x float64) (float64, error) {
			if math.IsNaN(x) || math.IsNaN(y) {
				return math.NaN(), nil
			}
			return float64(libm.Atan2(y, x)/degreeConsts.atan1) * 45, nil
		}
	}
	return func(y, x float64) (float64, error) { return libm.Atan2(y, x), nil }
}
