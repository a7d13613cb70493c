package libm

import "math"

// The hyperbolic functions are not correctly rounded in glibc: it keeps
// fdlibm's (Sun Microsystems, freely redistributable with its notice),
// built on exp, log (its correctly rounded ones), expm1 and log1p
// (fdlibm's, which math.Expm1 and math.Log1p port too). These repeat
// fdlibm's steps and thresholds (on the high 32 bits of x, as there),
// each operation rounded on its own: float64() stops Go from fusing a
// multiply-add that C rounds twice.

func highWord(x float64) uint32 { return uint32(math.Float64bits(x)>>32) & 0x7fffffff }

// Sinh is glibc's sinh.
func Sinh(x float64) float64 {
	ix := highWord(x)
	if ix >= 0x7ff00000 {
		return x + x
	}
	h := 0.5
	if x < 0 {
		h = -h
	}
	ax := math.Abs(x)
	switch {
	case ix < 0x3e300000: // |x| < 2^-28
		return x
	case ix < 0x40360000: // |x| < 22
		t := math.Expm1(ax)
		if ix < 0x3ff00000 {
			return h * (2*t - float64(t*t)/(t+1))
		}
		return h * (t + t/(t+1))
	case ix < 0x40862e42: // |x| < log(MaxFloat64)
		return h * Exp(ax)
	case ax <= math.Float64frombits(0x408633ce8fb9f87d): // the overflow threshold
		w := Exp(0.5 * ax)
		return float64(h*w) * w
	}
	return x * 1e307
}

// Cosh is glibc's cosh.
func Cosh(x float64) float64 {
	ix := highWord(x)
	ax := math.Abs(x)
	switch {
	case ix >= 0x7ff00000:
		return x * x
	case ix < 0x3c800000: // |x| < 2^-55
		return 1
	case ix < 0x3fd62e43: // |x| < ln2/2: 1 + expm1(|x|)^2 / (2 exp|x|)
		t := math.Expm1(ax)
		w := 1 + t
		return 1 + float64(t*t)/(w+w)
	case ix < 0x40360000: // |x| < 22
		t := Exp(ax)
		return float64(0.5*t) + 0.5/t
	case ix < 0x40862e42:
		return 0.5 * Exp(ax)
	case ax <= math.Float64frombits(0x408633ce8fb9f87d):
		w := Exp(0.5 * ax)
		return float64(0.5*w) * w
	}
	return math.Inf(1)
}

// Tanh is glibc's tanh.
func Tanh(x float64) float64 {
	ix := highWord(x)
	var z float64
	switch {
	case math.IsNaN(x):
		return x
	case x == 0:
		return x
	case ix < 0x3c800000: // |x| < 2^-55
		return x * (1 + x)
	case ix >= 0x40360000: // |x| >= 22 (and infinities)
		z = 1
	case ix >= 0x3ff00000: // |x| >= 1
		t := math.Expm1(2 * math.Abs(x))
		z = 1 - 2/(t+2)
	default:
		t := math.Expm1(-2 * math.Abs(x))
		z = -t / (t + 2)
	}
	if x < 0 {
		return -z
	}
	return z
}

// ln2Double is ln 2 rounded to a double, as fdlibm adds it.
const ln2Double = 6.93147180559945286227e-01

// Asinh is glibc's asinh.
func Asinh(x float64) float64 {
	ix := highWord(x)
	if ix >= 0x7ff00000 {
		return x + x
	}
	if ix < 0x3e300000 { // |x| < 2^-28
		return x
	}
	ax := math.Abs(x)
	var w float64
	switch {
	case ix > 0x41b00000: // |x| > 2^28
		w = Log(ax) + ln2Double
	case ix > 0x40000000: // |x| > 2
		w = Log(float64(2*ax) + 1/(math.Sqrt(float64(x*x)+1)+ax))
	default:
		t := x * x
		w = math.Log1p(ax + t/(1+math.Sqrt(1+t)))
	}
	return math.Copysign(w, x)
}

// Acosh is glibc's acosh (x >= 1; NaN below).
func Acosh(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 1:
		return math.NaN()
	case x >= 0x1p28:
		if math.IsInf(x, 1) {
			return x
		}
		return Log(x) + ln2Double
	case x == 1:
		return 0
	case x > 2:
		t := x * x
		return Log(float64(2*x) - 1/(x+math.Sqrt(t-1)))
	}
	t := x - 1
	return math.Log1p(t + math.Sqrt(float64(2*t)+float64(t*t)))
}

// Atanh is glibc's atanh (|x| <= 1; NaN outside).
func Atanh(x float64) float64 {
	xa := math.Abs(x)
	var t float64
	switch {
	case math.IsNaN(x):
		return x
	case xa < 0x1p-28:
		return x
	case xa < 0.5:
		t = xa + xa
		t = 0.5 * math.Log1p(t+float64(t*xa)/(1-xa))
	case xa < 1:
		t = 0.5 * math.Log1p((xa+xa)/(1-xa))
	case xa > 1:
		return math.NaN()
	default:
		return x / 0
	}
	return math.Copysign(t, x)
}
