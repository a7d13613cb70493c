// Package libm computes the double precision functions of PostgreSQL's
// float8 math (exp, ln, log10, power, the trigonometric functions) with
// the bits the C library PostgreSQL is built against gives, where Go's
// math package is an ulp off (math.Log10(1e15) is 14.999999999999998,
// PostgreSQL's log(1e15::float8) is 15).
//
// glibc 2.28 and later computes exp, log, pow, sin, cos and the inverse
// trigonometric functions to within about 0.52 ulp, which makes them
// correctly rounded for all but rare inputs. This package computes those
// functions correctly rounded: each is evaluated in double-double
// arithmetic (about 2^-100 relative error), then rounded once. log10,
// sinh, cosh, tanh, asinh, acosh and atanh are not correctly rounded in
// glibc: those repeat glibc's (fdlibm's) steps instead.
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
