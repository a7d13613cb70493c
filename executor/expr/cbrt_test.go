package expr

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCbrtMatchesPostgres checks cbrt bit for bit against PostgreSQL's
// (the C library's) on the values of testdata/cbrt_pg15.txt; math.Cbrt
// differs on some of them.
func TestCbrtMatchesPostgres(t *testing.T) {
	f, err := os.Open("testdata/cbrt_pg15.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, differs := 0, 0
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		x, err1 := strconv.ParseFloat(strings.Split(sc.Text(), "|")[0], 64)
		want, err2 := strconv.ParseFloat(strings.Split(sc.Text(), "|")[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		n++
		if got := cbrt(x); got != want {
			t.Errorf("cbrt(%v) = %v, want %v", x, got, want)
		}
		if math.Cbrt(x) != want {
			differs++
		}
	}
	if n < 500 {
		t.Fatalf("only %d values", n)
	}
	t.Logf("%d values, %d where math.Cbrt differs", n, differs)
}
