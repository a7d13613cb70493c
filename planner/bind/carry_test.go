package bind

import (
	"testing"

	"github.com/meshql/meshql/planner/logical"
)

// TestPerRowGroupsByRowNumber: a subquery evaluated per outer row groups
// the joined rows by the outer row number; the outer row's texts it reads
// (l.t, l.u) are carried along, not hashed and compared as further keys
// on every row. Its own GROUP BY keys stay keys.
func TestPerRowGroupsByRowNumber(t *testing.T) {
	const from = " FROM (SELECT 1 AS a, 'x' AS t, 'p' AS u UNION ALL SELECT 2, 'y', NULL) l"
	for _, sql := range []string{
		"SELECT l.a, (SELECT string_agg(v.y, ',') FROM (VALUES (1, 'a'), (2, 'b')) v(x, y) WHERE v.x < l.a AND v.y < l.t || l.u)" + from,
		"SELECT * " + from + ", LATERAL (SELECT count(*) AS n, max(v.y) AS m FROM (VALUES (1, 'a'), (2, 'b')) v(x, y) WHERE v.y <> l.t AND v.x <= l.a) s",
		"SELECT * " + from + " LEFT JOIN LATERAL (SELECT l.u || max(v.y) AS m FROM (VALUES (1, 'a'), (2, 'b')) v(x, y) WHERE v.y <> l.t HAVING count(*) > 1) s ON true",
		"SELECT * " + from + " LEFT JOIN LATERAL (SELECT v.y, count(*) AS n FROM (VALUES (1, 'a'), (2, 'b')) v(x, y) WHERE v.x < l.a AND v.y <> l.t GROUP BY v.y) s ON true",
	} {
		b, rel, err := bindStandalone(t, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		perRow := 0
		logical.Inspect(rel.node, func(n logical.Node) bool {
			a, ok := n.(*logical.Aggregate)
			if !ok || !readsAny(logical.NewColSet(a.GroupCols...), b.rowKeys.Sorted()) {
				return true
			}
			perRow++
			for _, id := range a.GroupCols {
				if c := b.meta.Column(id); c.Name == "t" || c.Name == "u" {
					t.Errorf("%s:\ngrouped per outer row by %s too", sql, c.Name)
				}
			}
			return true
		})
		if perRow == 0 {
			t.Errorf("%s: no aggregate per outer row", sql)
		}
	}
}
