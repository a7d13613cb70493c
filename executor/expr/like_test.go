package expr

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// likeRegexp is the reference: LIKE translated to an anchored regexp.
func likeRegexp(p string, fold bool) *regexp.Regexp {
	var sb strings.Builder
	sb.WriteString("(?s)^")
	if fold {
		sb.WriteString("(?i)")
	}
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '\\':
			i++
			sb.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '%':
			sb.WriteString(".*")
		case '_':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	sb.WriteString("$")
	return regexp.MustCompile(sb.String())
}

func TestLikeDifferential(t *testing.T) {
	env := newTestEnv(t)
	r := rand.New(rand.NewSource(3))
	alpha := []string{"a", "b", "A", "é", "É", "%", "_", "x"}
	pat := []string{"a", "b", "é", "%", "_", "\\%", "\\_", "A"}
	gen := func(parts []string, n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteString(parts[r.Intn(len(parts))])
		}
		return sb.String()
	}
	var strs []any
	for i := 0; i < 200; i++ {
		strs = append(strs, gen(alpha, r.Intn(7)))
	}
	b := makeBatch(t, env, testCol{sqltypes.TypeText, strs})
	defer b.Release()
	for k := 0; k < 300; k++ {
		p := gen(pat, r.Intn(6))
		for _, fold := range []bool{false, true} {
			e := must(Like(Column(0, sqltypes.TypeText, "s"), Literal(sqltypes.TypeText, p), false, fold))
			got := mustStrings(t, env, e, b)
			re := likeRegexp(p, fold)
			for i, s := range strs {
				want := map[bool]string{true: "t", false: "f"}[re.MatchString(s.(string))]
				if got[i] != want {
					t.Fatalf("%q LIKE %q (fold %v) = %s, want %s", s, p, fold, got[i], want)
				}
			}
		}
	}
}
