package bind

import (
	"testing"

	"github.com/meshql/meshql/planner/logical"
)

// TestFunctionJoinBoundOnce: a function in FROM that does not read the
// left side of its join is bound once, not once over the left rows and
// again on its own: its subqueries (and the notices and costs of their
// binding) are not doubled. Each binding registers the function's
// column, so their count tells the bindings.
func TestFunctionJoinBoundOnce(t *testing.T) {
	const fn = "unnest(ARRAY(SELECT x FROM (VALUES (1), (2)) v(x)))"
	for _, join := range []string{
		"JOIN " + fn + " u(y) ON u.y = l.a",
		"LEFT JOIN " + fn + " u(y) ON u.y < l.a",
		"FULL JOIN " + fn + " u(y) ON u.y = l.a",
		"JOIN " + fn + " u(a) USING (a)",
	} {
		t.Run(join, func(t *testing.T) {
			b := bindCounting(t, "SELECT * FROM (VALUES (1), (2), (3)) l(a) "+join)
			n := 0
			for id := 1; id <= b.meta.Len(); id++ {
				if b.meta.Column(logical.ColumnID(id)).Table == "u" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("the function's column was registered %d times, want once", n)
			}
		})
	}
}
