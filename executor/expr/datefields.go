package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// extract(year|quarter|month|day FROM date) with the unit written as a
// literal: the analyst's GROUP BY extract(year FROM …) over millions of
// rows. The general kernel resolves the field per row through closures
// and a switch on the unit's name, and computes the whole civil date
// (and a date's microseconds) for every row; this loop computes only
// the field asked for. The answers are the general kernel's: whole
// numbers at scale 0, and a year ≤ 0 counted as PostgreSQL's BC years.

// dateFieldFunc returns the field of a finite day number for the units
// extractDateField covers besides the year, else nil.
func dateFieldFunc(unit string) func(days int64) int64 {
	switch unit {
	case "quarter":
		return func(days int64) int64 {
			_, m, _ := sqltypes.CivilFromDays(days)
			return int64((m-1)/3 + 1)
		}
	case "month":
		return func(days int64) int64 {
			_, m, _ := sqltypes.CivilFromDays(days)
			return int64(m)
		}
	case "day":
		return func(days int64) int64 {
			_, _, d := sqltypes.CivilFromDays(days)
			return int64(d)
		}
	}
	return nil
}

// extractDateField is extract(unit FROM date) as numeric(…, 0) over
// the dates of arr (with the validity of ins), or false, having
// allocated nothing, when the unit is not one dateFieldFunc covers or
// a row holds ±infinity (the general kernel answers those).
func extractDateField(mem memory.Allocator, dt arrow.DataType, unit string, days []int32, n int, ins []arrow.Array) (arrow.Array, bool) {
	field := dateFieldFunc(unit)
	if field == nil && unit != "year" {
		return nil, false
	}
	days = days[:n]
	for _, d := range days {
		if !sqltypes.IsFiniteDate(int64(d)) {
			return nil, false
		}
	}
	valid := andValidity(mem, n, ins...)
	buf, out := allocFixed[decimal128.Num](membudget.Filling(mem), n) // every row written
	if unit == "year" {
		// Inlined: the year is the common case, and a call per row
		// would cost as much as computing it.
		for i, d := range days {
			y := sqltypes.YearFromDays(int64(d))
			if y <= 0 {
				y-- // 1 BC is year -1
			}
			out[i] = decimal128.FromI64(y)
		}
	} else {
		for i, d := range days {
			out[i] = decimal128.FromI64(field(int64(d)))
		}
	}
	return finish(dt, n, valid, buf), true
}
