package engine

import (
	"slices"
	"testing"
)

// TestJSONBOrdersByValue: jsonb sorts and groups as PostgreSQL's jsonb
// btree (checked against PostgreSQL in testdata/sql/jsonb_order.slt), so
// documents ordered by a numeric member come in the member's numeric
// order, not its text's (10.5 after 9.5), across several batches and
// workers, and grouping by a jsonb number is grouping by the number (7
// and 7.0 are one group).
func TestJSONBOrdersByValue(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	byDoc, err := queryErr(t, e, "admin", `SELECT i FROM generate_series(1, 5000) i ORDER BY jsonb_build_object('v', (i * 7919) % 5000 + 0.5), i`)
	if err != nil {
		t.Fatal(err)
	}
	byNum, err := queryErr(t, e, "admin", `SELECT i FROM generate_series(1, 5000) i ORDER BY (i * 7919) % 5000, i`)
	if err != nil {
		t.Fatal(err)
	}
	if len(byNum) != 5000 || !slices.Equal(byDoc, byNum) {
		t.Errorf("ORDER BY the document differs from ORDER BY the number: %q... vs %q...", byDoc[:min(10, len(byDoc))], byNum[:min(10, len(byNum))])
	}
	groups, err := queryErr(t, e, "admin", `SELECT count(*) FROM (SELECT to_jsonb(i % 97) FROM generate_series(1, 3000) i UNION ALL SELECT to_jsonb(i % 97 + 0.0) FROM generate_series(1, 3000) i) s(j) GROUP BY j`)
	if err != nil {
		t.Fatal(err)
	}
	// 3000 rows of each kind over 97 residues: 30 or 31 of each, twice.
	if len(groups) != 97 {
		t.Fatalf("%d groups of jsonb numbers n and n.0, want 97", len(groups))
	}
	for _, g := range groups {
		if g != "60" && g != "62" {
			t.Errorf("a group of jsonb numbers n and n.0 has %s rows, want 60 or 62", g)
		}
	}
}
