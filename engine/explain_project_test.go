package engine

import (
	"strings"
	"testing"
)

// A UNION ALL whose branches read one WITH query plans one projection per
// branch over the shared read (it stacked three identical ones: the
// reference's columns, the branch's select list, the union's columns),
// and answers as before, its columns named and typed by the first branch.
func TestUnionOverSharedCTEProjectsOnce(t *testing.T) {
	e, mem := demoEngine(t)
	const query = "WITH x AS (SELECT g, g * 2 AS h FROM generate_series(1, 3) AS s(g)) SELECT g AS v FROM x UNION ALL SELECT h FROM x"
	plan := rows(t, e, "admin", "EXPLAIN "+query)
	var shape []string
	for _, line := range plan {
		op, _, _ := strings.Cut(strings.TrimLeft(line, " ->"), " (")
		shape = append(shape, op)
	}
	want := []string{"Union All", "Project", "CTE Scan", "Project", "Unnest", "Values", "Project", "CTE Scan"}
	if strings.Join(shape, ",") != strings.Join(want, ",") {
		t.Errorf("plan:\n%s\nwant the operators %v", strings.Join(plan, "\n"), want)
	}
	if got := rows(t, e, "admin", "SELECT pg_typeof(v)::text, sum(v) FROM ("+query+") u GROUP BY 1"); strings.Join(got, ",") != "integer|18" {
		t.Errorf("the union's rows: %v", got)
	}
	mem.AssertSize(t, 0)
}
