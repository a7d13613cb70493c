package decmath

import (
	"bufio"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

func parseDec(t *testing.T, s string) Dec {
	t.Helper()
	sc := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		sc = len(s) - i - 1
		s = s[:i] + s[i+1:]
	}
	m, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad decimal %q", s)
	}
	return Dec{Mant: m, Scale: int32(sc)}
}

// TestAgainstPostgres checks every function on random and edge values
// against the digits, scales and SQLSTATEs PostgreSQL 15 gave for them
// (testdata/gen.sql).
func TestAgainstPostgres(t *testing.T) {
	f, err := os.Open("testdata/pg15.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "|")
		fn, want := p[0], p[len(p)-1]
		args := make([]Dec, len(p)-2)
		for i := range args {
			args[i] = parseDec(t, p[i+1])
		}
		var got Dec
		switch fn {
		case "ln":
			got, err = Ln(args[0])
		case "exp":
			got, err = Exp(args[0])
		case "sqrt":
			got, err = Sqrt(args[0])
		case "log10":
			got, err = Log10(args[0])
		case "log":
			got, err = Log(args[0], args[1])
		case "power":
			got, err = Power(args[0], args[1])
		default:
			t.Fatalf("unknown function in %q", line)
		}
		n++
		if code, isErr := strings.CutPrefix(want, "ERR "); isErr {
			if err == nil || sqltypes.Code(err) != code {
				t.Errorf("%s: got %v, %v; want SQLSTATE %s", line, got, err, code)
			}
			continue
		}
		if err != nil || got.String() != want {
			t.Errorf("%s: got %v, %v", line, got, err)
		}
	}
	if n < 1000 {
		t.Fatalf("only %d cases read", n)
	}
}

func TestNbase(t *testing.T) {
	for _, c := range []struct {
		in     string
		digits []int
		weight int
	}{
		{"0.000", nil, 0},
		{"1", []int{1}, 0},
		{"12345.6789", []int{1, 2345, 6789}, 1},
		{"0.00012", []int{1, 2000}, -1},
		{"100000000", []int{1}, 2},
		{"-10000.00010000", []int{1, 0, 1}, 1},
	} {
		d, w := nbase(parseDec(t, strings.TrimPrefix(c.in, "-")))
		if w != c.weight || len(d) != len(c.digits) {
			t.Errorf("nbase(%s) = %v, %d; want %v, %d", c.in, d, w, c.digits, c.weight)
			continue
		}
		for i := range d {
			if d[i] != c.digits[i] {
				t.Errorf("nbase(%s) = %v; want %v", c.in, d, c.digits)
			}
		}
	}
}
