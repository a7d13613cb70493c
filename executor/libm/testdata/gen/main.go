// Command gen writes ../glibc.txt: inputs and PostgreSQL 15's float8 results
// for the functions package libm reproduces, as bit patterns in hex.
//
//	go run ./executor/libm/testdata/gen postgres://postgres@/postgres?host=/tmp/pg&port=5432 > executor/libm/testdata/glibc.txt
//
// The reference shipped was made by PostgreSQL 15 on Debian 12 (glibc 2.36,
// x86-64 with FMA): PostgreSQL's float8 functions call the C library's.
// Inputs are random (fixed seed) in each function's domain plus edge values.
package main

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"

	"github.com/jackc/pgx/v5"
)

type fn struct {
	name string
	sql  string // $1 (and $2) are float8[] of the inputs
	two  bool
	gen  func(r *rand.Rand) (float64, float64)
	edge [][2]float64
}

// logUniform is ±2^e * m for e uniform in [lo, hi).
func logUniform(r *rand.Rand, lo, hi int, signed bool) float64 {
	x := math.Ldexp(1+r.Float64(), lo+r.Intn(hi-lo))
	if signed && r.Intn(2) == 0 {
		x = -x
	}
	return x
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

func ints(lo, hi int) [][2]float64 {
	var out [][2]float64
	for i := lo; i <= hi; i++ {
		out = append(out, [2]float64{float64(i)})
	}
	return out
}

func pairs(xs, ys []float64) [][2]float64 {
	var out [][2]float64
	for _, x := range xs {
		for _, y := range ys {
			out = append(out, [2]float64{x, y})
		}
	}
	return out
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen POSTGRES_URL > glibc.txt")
		os.Exit(2)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer conn.Close(ctx)
	var version string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("# %s: PostgreSQL's float8 results (hex bit patterns: function x [y] result), made by gen\n", version)
	pow10 := [][2]float64{}
	for e := -20; e <= 22; e++ {
		pow10 = append(pow10, [2]float64{math.Pow10(e)})
	}
	small := []float64{2, 3, 9, 10, 0.5, 1.5, 7, 0.1, 1e-3}
	fns := []fn{
		{name: "exp", sql: "exp(x)", gen: func(r *rand.Rand) (float64, float64) {
			if r.Intn(4) == 0 {
				return logUniform(r, -60, 0, true), 0
			}
			return uniform(r, -708, 709), 0
		}, edge: append(ints(-20, 20), [2]float64{1e-300}, [2]float64{-1e-300}, [2]float64{709.78}, [2]float64{-708.39})},
		{name: "ln", sql: "ln(x)", gen: func(r *rand.Rand) (float64, float64) {
			if r.Intn(4) == 0 {
				return 1 + logUniform(r, -50, -1, true), 0
			}
			return logUniform(r, -1022, 1023, false), 0
		}, edge: append(ints(1, 100), pow10...)},
		{name: "log10", sql: "log(x)", gen: func(r *rand.Rand) (float64, float64) {
			if r.Intn(4) == 0 {
				return 1 + logUniform(r, -50, -1, true), 0
			}
			return logUniform(r, -1022, 1023, false), 0
		}, edge: append(ints(1, 100), pow10...)},
		{name: "pow", sql: "power(x, y)", two: true, gen: func(r *rand.Rand) (float64, float64) {
			switch r.Intn(4) {
			case 0:
				return float64(1 + r.Intn(100)), float64(r.Intn(40) - 20)
			case 1:
				return float64(1 + r.Intn(100)), float64(r.Intn(80)-40) / 2
			case 2:
				return logUniform(r, -10, 10, false), uniform(r, -30, 30)
			}
			return logUniform(r, -300, 300, false), uniform(r, -1, 1)
		}, edge: pairs(small, []float64{2, 2.5, -2, 0.5, 1.0 / 3, 10, -0.5, 100})},
	}
	angle := func(r *rand.Rand) (float64, float64) {
		switch r.Intn(5) {
		case 0:
			return logUniform(r, -40, 0, true), 0
		case 1:
			return logUniform(r, 20, 1000, true), 0
		case 2:
			return float64(r.Intn(2000000) - 1000000), 0
		}
		return uniform(r, -20, 20), 0
	}
	angles := append(ints(-10, 10), [2]float64{math.Pi}, [2]float64{math.Pi / 2}, [2]float64{math.Pi / 4}, [2]float64{1e22}, [2]float64{-1e300})
	unit := func(r *rand.Rand) (float64, float64) {
		if r.Intn(4) == 0 {
			return math.Copysign(1-logUniform(r, -53, -2, false), float64(r.Intn(2)*2-1)), 0
		}
		return uniform(r, -1, 1), 0
	}
	hyper := func(r *rand.Rand) (float64, float64) {
		if r.Intn(3) == 0 {
			return logUniform(r, -30, 0, true), 0
		}
		return uniform(r, -40, 40), 0
	}
	units := [][2]float64{{-1}, {-0.5}, {0}, {0.5}, {1}, {0.1}, {0.9}}
	fns = append(fns,
		fn{name: "sin", sql: "sin(x)", gen: angle, edge: angles},
		fn{name: "cos", sql: "cos(x)", gen: angle, edge: angles},
		fn{name: "tan", sql: "tan(x)", gen: angle, edge: angles},
		fn{name: "asin", sql: "asin(x)", gen: unit, edge: units},
		fn{name: "acos", sql: "acos(x)", gen: unit, edge: units},
		fn{name: "atan", sql: "atan(x)", gen: func(r *rand.Rand) (float64, float64) {
			return logUniform(r, -40, 80, true), 0
		}, edge: ints(-10, 10)},
		fn{name: "atan2", sql: "atan2(x, y)", two: true, gen: func(r *rand.Rand) (float64, float64) {
			if r.Intn(3) == 0 {
				return uniform(r, -10, 10), uniform(r, -10, 10)
			}
			return logUniform(r, -30, 30, true), logUniform(r, -30, 30, true)
		}, edge: pairs([]float64{1, -1, 0.5, 3}, []float64{1, -1, 2, -0.5})},
		fn{name: "sinh", sql: "sinh(x)", gen: hyper, edge: ints(-5, 5)},
		fn{name: "cosh", sql: "cosh(x)", gen: hyper, edge: ints(-5, 5)},
		fn{name: "tanh", sql: "tanh(x)", gen: hyper, edge: ints(-5, 5)},
		fn{name: "asinh", sql: "asinh(x)", gen: func(r *rand.Rand) (float64, float64) {
			return logUniform(r, -30, 60, true), 0
		}, edge: ints(-5, 5)},
		fn{name: "acosh", sql: "acosh(x)", gen: func(r *rand.Rand) (float64, float64) {
			return 1 + logUniform(r, -30, 60, false), 0
		}, edge: ints(1, 10)},
		fn{name: "atanh", sql: "atanh(x)", gen: unit, edge: [][2]float64{{-0.5}, {0}, {0.5}, {0.1}, {0.9}}},
	)
	for _, f := range fns {
		r := rand.New(rand.NewSource(int64(len(f.name))*7919 + 1))
		in := f.edge
		for i := 0; i < 1100; i++ {
			x, y := f.gen(r)
			in = append(in, [2]float64{x, y})
		}
		sort.SliceStable(in, func(i, j int) bool { return false })
		xs := make([]float64, len(in))
		ys := make([]float64, len(in))
		for i, v := range in {
			xs[i], ys[i] = v[0], v[1]
		}
		q := "SELECT " + f.sql + " FROM unnest($1::float8[], $2::float8[]) AS t(x, y)"
		rows, err := conn.Query(ctx, q, xs, ys)
		if err != nil {
			fmt.Fprintln(os.Stderr, f.name, err)
			os.Exit(1)
		}
		i := 0
		for rows.Next() {
			var v float64
			if err := rows.Scan(&v); err != nil {
				fmt.Fprintln(os.Stderr, f.name, err)
				os.Exit(1)
			}
			if f.two {
				fmt.Printf("%s %016x %016x %016x\n", f.name, math.Float64bits(xs[i]), math.Float64bits(ys[i]), math.Float64bits(v))
			} else {
				fmt.Printf("%s %016x %016x\n", f.name, math.Float64bits(xs[i]), math.Float64bits(v))
			}
			i++
		}
		if err := rows.Err(); err != nil {
			fmt.Fprintln(os.Stderr, f.name, err)
			os.Exit(1)
		}
	}
}
