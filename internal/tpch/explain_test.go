package tpch

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
)

// TestSubqueriesAreJoins checks the plans of the TPC-H queries with
// correlated subqueries: each subquery runs once, as a join (semi, anti,
// single), never once per outer row.
func TestSubqueriesAreJoins(t *testing.T) {
	want := map[string][]string{
		"q17": {"HashJoin Single", "groups=[l_partkey]"},
		"q20": {"HashJoin Semi", "HashJoin Single"},
		"q21": {"HashJoin Semi", "HashJoin Anti"},
		"q22": {"HashJoin Anti", "NestedLoopJoin Single"},
		"q04": {"HashJoin Semi"},
		"q16": {"Mark"},
	}
	mesh, err := catalog.Load("../../testdata/mesh-tpch", catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	eng, err := engine.New(engine.Config{Mesh: mesh, Connectors: []connectors.Connector{parquet.New()}, Mem: mem, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	for q, parts := range want {
		sql, err := os.ReadFile("../../testdata/tpch/queries/" + q + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), sess, "EXPLAIN "+string(sql))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan []string
		for _, r := range res.Rows {
			plan = append(plan, r[0])
		}
		text := strings.Join(plan, "\n")
		for _, p := range parts {
			if !strings.Contains(text, p) {
				t.Errorf("%s: plan lacks %q:\n%s", q, p, text)
			}
		}
		if strings.Contains(strings.ToLower(text), "subquery") {
			t.Errorf("%s: plan still has a subquery:\n%s", q, text)
		}
	}
}

// TestJoinsDoNotExplode runs the multi-way joins of TPC-H under EXPLAIN
// ANALYZE and checks that no join produces more rows than lineitem, the
// largest table, has: the join order follows the keys (Q7 once joined
// supplier to the nations of 120k order rows first, 400 suppliers each).
func TestJoinsDoNotExplode(t *testing.T) {
	mesh, err := catalog.Load("../../testdata/mesh-tpch", catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	eng, err := engine.New(engine.Config{Mesh: mesh, Connectors: []connectors.Connector{parquet.New()}, Mem: mem, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	count, err := Run(context.Background(), sess, "SELECT count(*) FROM lineitem")
	if err != nil {
		t.Fatal(err)
	}
	lineitem, _ := strconv.ParseInt(count.Rows[0][0], 10, 64)
	rowsOf := regexp.MustCompile(`actual rows=(\d+)`)
	for _, q := range []string{"q02", "q05", "q07", "q08", "q09", "q10", "q18", "q21"} {
		sql, err := os.ReadFile("../../testdata/tpch/queries/" + q + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), sess, "EXPLAIN ANALYZE "+string(sql))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, r := range res.Rows {
			line := r[0]
			if !strings.Contains(line, "Join") {
				continue
			}
			if m := rowsOf.FindStringSubmatch(line); m != nil {
				if n, _ := strconv.ParseInt(m[1], 10, 64); n > lineitem {
					t.Errorf("%s: a join produced %d rows, more than lineitem's %d: %s", q, n, lineitem, strings.TrimSpace(line))
				}
			}
		}
	}
}
