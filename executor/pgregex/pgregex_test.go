package pgregex

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

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
		if got, err := re.MatchString(c.s); got != c.want || err != nil {
			t.Errorf("%q ~ %s %+v = %v, %v, want %v", c.s, c.pattern, c.o, got, err, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	// "{" not followed by a digit is an ordinary character.
	for pattern, s := range map[string]string{`a{`: "a{", `a{,5}`: "xa{,5}", `a{x`: "a{x"} {
		re, err := Compile(pattern, Options{})
		if err != nil {
			t.Errorf("%s: %v", pattern, err)
			continue
		}
		if m, err := re.MatchString(s); err != nil || !m {
			t.Errorf("%s ~ %s: %v, %v; want a match", s, pattern, m, err)
		}
	}
	for pattern, code := range map[string]string{`(ab)\1`: "0A000", `\1`: "2201B", `(`: "2201B",
		`a{256}`: "2201B", `a(?i)b`: "2201B", `[[:foo:]]`: "2201B", `\k`: "2201B", `(?z)a`: "2201B", `(?b)a`: "0A000",
		`a{1`: "2201B", `a{1,`: "2201B", `a{12,3`: "2201B", `a{1x}`: "2201B", `a{1,2,3}`: "2201B"} {
		if _, err := Compile(pattern, Options{}); sqltypes.Code(err) != code {
			t.Errorf("%s: %v, want %s", pattern, err, code)
		}
	}
}

// Answers of PostgreSQL 15's regexp_match: extents and captures follow
// its greediness rules, not RE2's leftmost-first ones.
func TestSubmatches(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       []string // "<nil>" for a group that took no part; nil for no match
	}{
		{`(.*?)(\d+)(.*)`, "abc123def", []string{"abc1", "abc", "1", ""}},
		{`(y+?)(y*)`, "xyyyz", []string{"y", "y", ""}},
		{`a|ab|abc`, "abcd", []string{"abc"}},
		{`(a|ab)(b?)`, "ab", []string{"ab", "ab", ""}},
		{`(a|ab)(c|bcd)`, "abcd", []string{"abcd", "a", "bcd"}},
		{`(a)|(b)`, "abc", []string{"a", "a", "<nil>"}},
		{`(a*)+`, "aaa", []string{"aaa", ""}},
		{`(a|ab)+`, "abab", []string{"abab", "ab"}},
		{`(?:(a)|b|c)+`, "abcabc", []string{"abcabc", "<nil>"}},
		{`(b*)*`, "abbc", []string{"", ""}},
		{`<(.*?)>`, "<a><b>", []string{"<a>", "a"}},
		{`(?:a|b)x*?`, "axx", []string{"axx"}},
		{`\mcat\M`, "concat cat", []string{"cat"}},
		{`a(?=b)`, "acab", []string{"a"}},
		{`(?<!x)b`, "xbab", []string{"b"}},
		{`[[:<:]]b`, "ab b", []string{"b"}},
		{`x`, "abc", nil},
	} {
		re, err := Compile(c.pattern, Options{})
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		m, err := re.FindStringSubmatchIndex(c.s)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		var got []string
		for k := 0; k+1 < len(m); k += 2 {
			if m[k] < 0 {
				got = append(got, "<nil>")
			} else {
				got = append(got, c.s[m[k]:m[k+1]])
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("regexp_match(%q, %q) = %q, want %q", c.s, c.pattern, got, c.want)
		}
	}
}

// PostgreSQL's global iteration counts an empty match right after a
// match, and a search from the middle of the text still sees what is
// before it.
func TestFindAllFrom(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		from       int
		want       string
	}{
		{`b*`, "abc", 0, "[[0 0] [1 2] [2 2] [3 3]]"},
		{`^a`, "abab", 2, "[]"},
		{`\ya`, "ab ab", 1, "[[3 4]]"},
		{`.*?b`, "abab", 1, "[[1 2] [2 4]]"},
	} {
		re, err := Compile(c.pattern, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := re.FindAllFrom(c.s, c.from, -1)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(ms)
		if ms == nil {
			got = "[]"
		}
		if got != c.want {
			t.Errorf("%s in %q from %d: %s, want %s", c.pattern, c.s, c.from, got, c.want)
		}
	}
}

// TestFindAllContext: a search for every match stops with 57014 once its
// context is done (statement_timeout, a cancel) instead of finding the
// rest, for the engine's patterns and RE2's; a live context finds all.
func TestFindAllContext(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	s := strings.Repeat("ab", 1000)
	for _, pattern := range []string{`(a|ab)*?b`, `ab`} {
		re, err := Compile(pattern, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if ms, err := re.FindAllContext(context.Background(), s, 0, -1); err != nil || len(ms) != 1000 {
			t.Errorf("%s: %d matches, %v", pattern, len(ms), err)
		}
		ms, err := re.FindAllContext(canceled, s, 0, -1)
		if sqltypes.Code(err) != sqltypes.CodeQueryCanceled || ms != nil {
			t.Errorf("%s with a canceled context: %d matches, %v", pattern, len(ms), err)
		}
	}
}

// Long texts stay linear for the common shapes: the engine's sets are
// capped at the match RE2 found, or grown only as far as a shortest
// match needs.
func TestLongText(t *testing.T) {
	long := strings.Repeat("ab", 20000)
	for _, c := range []struct {
		pattern, s string
		want       []int // the last group's bounds
	}{
		{`(a|b)*`, long, []int{len(long) - 1, len(long)}},
		{`(.*?)(\d+)`, long + "12", []int{len(long), len(long) + 1}},
		{`(?<=a)(b)`, long, []int{1, 2}},
	} {
		re, err := Compile(c.pattern, Options{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := re.FindStringSubmatchIndex(c.s)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		if got := m[len(m)-2:]; fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: last group %v, want %v", c.pattern, got, c.want)
		}
	}
}

// TestMatchBudgetIsAnError: a match the engine gives up on is 2201B, not
// "no match" (a ~ over it answered false where PostgreSQL says true).
func TestMatchBudgetIsAnError(t *testing.T) {
	re, err := Compile(`a(?!.*a)`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := re.MatchString(strings.Repeat("a", 20000))
	if err == nil || sqltypes.AsError(err).Code != "2201B" {
		t.Fatalf("MatchString = %v, %v; want 2201B", m, err)
	}
	if m, err := re.MatchString("aab"); !m || err != nil {
		t.Errorf("short text: %v, %v", m, err)
	}
}

// A g search of a pattern that reads the text before its start takes
// its starts from RE2 given one character of context; the answers are
// the engine's own, trying every start.
func TestLeftContextStartsMatchEngine(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 27))
	patterns := []string{`\y(w.*?)d`, `\mab`, `\Ma`, `\yb+\y`, `(?n)^a.`, `\yb(a|ab)`, `[[:<:]]a*?b`, `\y`}
	for _, p := range patterns {
		for _, opts := range []Options{{}, {NewlineAnchor: true}, {CaseInsensitive: true}} {
			re, err := Compile(p, opts)
			if err != nil {
				t.Fatal(err)
			}
			if re.re2 != nil && re.after == nil {
				t.Fatalf("%s: no left-context finder", p)
			}
			engineOnly := *re
			engineOnly.re2 = nil
			for range 200 {
				s := randomText(rng, "abwd \nAé", rng.IntN(30))
				from := rng.IntN(len(s) + 1)
				for from > 0 && from < len(s) && !utf8.RuneStart(s[from]) {
					from--
				}
				got, err1 := re.FindAllFrom(s, from, -1)
				want, err2 := engineOnly.FindAllFrom(s, from, -1)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s %+v in %q from %d: %v, engine alone %v", p, opts, s, from, got, want)
				}
			}
		}
	}
}

func randomText(rng *rand.Rand, alphabet string, n int) string {
	runes := []rune(alphabet)
	var b strings.Builder
	for range n {
		b.WriteRune(runes[rng.IntN(len(runes))])
	}
	return b.String()
}

func BenchmarkLeftContextGlobal(b *testing.B) {
	re, err := Compile(`\y(w.*?)d`, Options{})
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("some words and a wind blowing around ", 2700)
	for b.Loop() {
		if _, err := re.FindAllFrom(text, 0, -1); err != nil {
			b.Fatal(err)
		}
	}
}
