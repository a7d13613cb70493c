package bind

import (
	"testing"
)

// TestAggregateLevelCountsSubqueryReferences: an aggregate whose argument
// reads an outer column directly and the current block's p.k only inside
// a subquery belongs to the current block, as in PostgreSQL (it was given
// to the outer block, which then failed with 42P01 "missing FROM-clause
// entry for table p"); it is computed over o's rows joined with p's.
func TestAggregateLevelCountsSubqueryReferences(t *testing.T) {
	const with = "WITH o(c, a) AS (VALUES (1, 10)), p(k, c) AS (VALUES (1, 1)), r(k, v) AS (VALUES (1, 10)) "
	bind := func(sql string) error {
		_, _, err := bindStandalone(t, with+sql)
		return err
	}
	if err := bind("SELECT (SELECT max((SELECT max(r.v) FROM r WHERE r.k = p.k) + o.a) FROM p WHERE p.c = 1) FROM o"); err != nil {
		t.Errorf("aggregate over a subquery reading p and over o.a: %v", err)
	}
	if err := bind("SELECT (SELECT max((SELECT max(r.v) FROM r WHERE r.k = p.k)) FROM p WHERE p.c = o.c) FROM o"); err != nil {
		t.Errorf("aggregate over a subquery reading p: %v", err)
	}
}
