package sqltypes

import "testing"

// YearFromDays looks the years 1900-2155 up in a table and computes the
// others: both must agree with CivilFromDays on every day around and
// inside the table's span, and far outside it.
func TestYearFromDays(t *testing.T) {
	check := func(z int64) {
		t.Helper()
		want, _, _ := CivilFromDays(z)
		if got := YearFromDays(z); got != want {
			t.Fatalf("YearFromDays(%d) = %d, want %d", z, got, want)
		}
	}
	from, to := DaysFromCivil(1890, 1, 1), DaysFromCivil(2170, 1, 1)
	for z := from; z <= to; z++ {
		check(z)
	}
	for _, z := range []int64{MinDateDays, -1e6, -719468, 0, 1e6, MaxDateDays} {
		check(z)
	}
}
