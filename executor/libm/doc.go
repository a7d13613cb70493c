// Package libm computes the double precision functions of PostgreSQL's
// float8 math (exp, ln, log10, power, the trigonometric functions) with
// the bits the C library PostgreSQL is built against gives, where Go's
// math package is an ulp off (math.Log10(1e15) is 14.999999999999998,
// PostgreSQL's log(1e15::float8) is 15).
//
// glibc 2.28 and later computes exp, log, pow, sin, cos and the inverse
// trigonometric functions to within about 0.52 ulp, which makes them
// correctly rounded for all but rare inputs. This package computes those
// functions correctly rounded, by Ziv's strategy. A fast path evaluates
// each to about 2^-70 relative (fast.go, trigfast.go, atanfast.go): a
// table (2^(j/256) for exp and ln, sin, cos and atan of j/64) and a
// short polynomial in double arithmetic, the leading terms kept exact
// with twoProd and twoSum. When that error bound cannot move the result
// across a rounding boundary (all but about one input in a thousand for
// sin, cos and tan, one in 10^4 to 10^5 for the others) its
// rounding is the correct one; otherwise the slow path evaluates the
// function in double-double arithmetic (about 2^-100 relative error) and
// rounds once. The fast paths cost about 2 times Go's math functions for
// exp, ln and log10, about as much as math.Pow for power, 4 to 5 times
// for the trigonometric functions; the slow ones 20 to 50 times. Each
// error bound comes from an analysis in its function's comment, with a
// margin; the tests measure the fast paths' error against the slow
// paths' and check that both paths give the same bits on random inputs
// in every range. log10, sinh, cosh, tanh, asinh, acosh and atanh are
// not correctly rounded in glibc: those repeat glibc's (fdlibm's) steps
// instead.
// The constants are derived from big.Float series when the package loads.
//
// testdata/glibc.txt holds reference values from PostgreSQL 15 on
// Debian 12 (glibc 2.36, x86-64), made by testdata/gen: about 1100
// random and some edge inputs per function. The tests check every bit
// against it; where glibc is not correctly rounded (about one value in a
// thousand for exp, pow and the trigonometric functions) they check
// that it is glibc that is an ulp off, from big.Float evaluations. The
// package imports nothing of meshql's.
package libm
