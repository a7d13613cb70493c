package pgregex

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// Answers of PostgreSQL 15: regexp_like(s, pattern, flags) for the ~
// flags, like_regex for the XQuery ones (which map to these options).
func TestCompile(t *testing.T) {
	nl := Options{NewlineStop: true, NewlineAnchor: true} // flag n
	for _, c := range []struct {
		pattern string
		o       Options
		s       string
		want    bool
	}{
		{`^x[^a]y$`, Options{}, "x\ny", true},
		{`^x[^a]y$`, nl, "x\ny", false},
		{`^x[^]a]y$`, Options{NewlineStop: true}, "x\ny", false},
		{`^x.y$`, Options{NewlineStop: true}, "x\ny", false},
		{`^b`, Options{NewlineStop: true}, "a\nb", false},
		{`^b`, Options{NewlineAnchor: true}, "a\nb", true},
		{`a.c`, Options{Quote: true, CaseInsensitive: true}, "A.C", true},
		{`a.c`, Options{Quote: true}, "abc", false},
		{`\yc`, Options{}, "ab cd", true},
		{`a[[:alpha:]]`, Options{}, "a1", false},
		{`***=a*`, Options{}, "aa", false},
	} {
		re, err := Compile(c.pattern, c.o)
		if err != nil {
			t.Errorf("%s %+v: %v", c.pattern, c.o, err)
			continue
		}
		if got := re.MatchString(c.s); got != c.want {
			t.Errorf("%q ~ %s %+v = %v, want %v", c.s, c.pattern, c.o, got, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for pattern, code := range map[string]string{`(ab)\1`: "0A000", `a\m`: "0A000", `(`: "2201B"} {
		if _, err := Compile(pattern, Options{}); sqltypes.Code(err) != code {
			t.Errorf("%s: %v, want %s", pattern, err, code)
		}
	}
}
