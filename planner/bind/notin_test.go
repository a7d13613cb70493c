package bind

import "testing"

// TestNotInMarkJoinDecorrelatedOnce: NOT IN and op ALL over a nullable
// column become a mark join (an anti join would lose the NULL answers);
// the subquery decorrelated to decide that is the one the mark join
// reads, not a second rewrite of it.
func TestNotInMarkJoinDecorrelatedOnce(t *testing.T) {
	const from = "SELECT a FROM (VALUES (1), (NULL)) l(a) WHERE "
	const inner = "(SELECT x FROM (VALUES (1, 1), (NULL, 2)) v(x, y)"
	for _, tc := range []struct{ name, where string }{
		{"not in", "a NOT IN " + inner + ")"},
		{"all", "a > ALL " + inner + ")"},
		{"correlated not in", "a NOT IN " + inner + " WHERE v.y = l.a)"},
		{"correlated all", "a <> ALL " + inner + " WHERE v.y = l.a)"},
		{"next to in", "a NOT IN " + inner + ") AND a IN " + inner + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bindCounting(t, from+tc.where)
			want := 1
			if tc.name == "next to in" {
				want = 2
			}
			if b.decorrelations != want {
				t.Errorf("decorrelations %d; want %d", b.decorrelations, want)
			}
		})
	}
}
