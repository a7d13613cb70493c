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

// foldDegrees folds x (finite) into [0, 90] degrees as float.c does:
// mod 360, then -x, 360-x and 180-x, each reported, from which each
// function takes its sign.
func foldDegrees(x float64) (y float64, neg, over180, over90 bool) {
	x = math.Mod(x, 360)
	if neg = x < 0; neg {
		x = -x
	}
	if over180 = x > 180; over180 {
		x = 360 - x
	}
	if over90 = x > 90; over90 {
		x = 180 - x
	}
	return x, neg, over180, over90
}

// signOf is -1 for an odd number of flips, else 1.
func signOf(flips ...bool) float64 {
	s := 1.0
	for _, f := range flips {
		if f {
			s = -s
		}
	}
	return s
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
			x, neg, over180, _ := foldDegrees(x) // sind(180-x) = sind(x)
			return signOf(neg, over180) * sindQ1(x)
		})
	case "cosd":
		return finite(func(x float64) float64 {
			x, _, _, over90 := foldDegrees(x) // cosd is even, period 360
			return signOf(over90) * cosdQ1(x)
		})
	case "tand", "cotd":
		return finite(func(x float64) float64 {
			x, neg, over180, over90 := foldDegrees(x)
			sign := signOf(neg, over180, over90)
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
