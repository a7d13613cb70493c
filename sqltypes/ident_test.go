package sqltypes

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitQualifiedName: the names PostgreSQL 15's regclass input reads
// from a text (checked there: 'x'::regclass reports the folded, cut names
// in its 42P01 message, or 42602 for text it cannot split).
func TestSplitQualifiedName(t *testing.T) {
	long := strings.Repeat("a", 70)
	for _, c := range []struct {
		in   string
		want []string // nil: 42602
	}{
		{"sales.orders_v1", []string{"sales", "orders_v1"}},
		{`"Sales".x`, []string{"Sales", "x"}},
		{" sales . orders_v1 ", []string{"sales", "orders_v1"}},
		{"SALES.Orders_V1", []string{"sales", "orders_v1"}},
		{`sales."Odd.Name"`, []string{"sales", "Odd.Name"}},
		{`"a""b"`, []string{`a"b`}},
		{`""`, []string{""}},
		{"a.b.c.d", []string{"a", "b", "c", "d"}},
		{"sales.orders_v1()", []string{"sales", "orders_v1()"}},
		{"1abc", []string{"1abc"}},
		{"ÀbC", []string{"Àbc"}},
		{"\t\na\f", []string{"a"}},
		{long, []string{long[:63]}},
		{`"` + long + `"`, []string{long[:63]}},
		{strings.Repeat("é", 40), []string{strings.Repeat("é", 31)}}, // 62 bytes: 63 would split a character
		{"", nil}, {"   ", nil}, {"sales.", nil}, {".orders_v1", nil}, {"sales..orders_v1", nil},
		{"sales.orders_v1 x", nil}, {`"sales"orders_v1`, nil}, {`"a`, nil}, {`sales. `, nil}, {`"a".`, nil},
		{"a\vb", []string{"a\vb"}}, // vertical tab is no blank to PostgreSQL's scanner
	} {
		got, err := SplitQualifiedName(c.in)
		if c.want == nil {
			if Code(err) != CodeInvalidName {
				t.Errorf("%q: %q, %v; want 42602", c.in, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%q: %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
