package tpch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// spillBudget is the per-query memory budget of TestTPCHSpill. At SF0.01
// a query's largest hash table or sort holds a few MB (lineitem is 60k
// rows), so the 64 MiB would never spill; 512kB makes the hash
// aggregates, hash joins and sorts of the big queries spill.
const spillBudget = "512kB"

// q21SpillBudget makes Q21's semi and anti joins spill at SF0.01.
const q21SpillBudget = "64kB"

// TestTPCHSpill runs the 22 queries with a memory budget small enough
// that operators spill to disk, and compares each with the reference
// answer; the engine's spill counter must have moved for Q9 and Q18 and
// the spill folder must be empty afterwards. Q21, whose semi and anti
// joins build the few lines they filter rather than all of lineitem,
// runs again under a budget small enough for those joins to spill.
func TestTPCHSpill(t *testing.T) {
	spillDir := t.TempDir()
	eng, sess := newSession(t, "../../testdata/mesh-tpch", func(c *engine.Config) { c.SpillDir = spillDir })
	ctx := context.Background()
	for _, set := range []string{"SET search_path = tpch", "SET mesh.query_memory = '" + spillBudget + "'"} {
		if _, err := Run(ctx, sess, set); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
	}
	s := suite{answers: "../../testdata/tpch/sf0.01/answers", timeout: 60 * time.Second}
	for q := 1; q <= 22; q++ {
		name := fmt.Sprintf("q%02d", q)
		t.Run(name, func(t *testing.T) {
			before := eng.SpilledBytes()
			if err := runQuery(ctx, t, sess, name, s); err != nil {
				t.Fatal(err)
			}
			spilled := eng.SpilledBytes() - before
			t.Logf("%s spilled %d bytes", name, spilled)
			if (q == 9 || q == 18) && spilled == 0 {
				t.Errorf("%s did not spill with a budget of %s", name, spillBudget)
			}
			if left, _ := os.ReadDir(spillDir); len(left) > 0 {
				t.Errorf("%s left %d entries in the spill folder", name, len(left))
			}
		})
	}
	t.Run("q21 at "+q21SpillBudget, func(t *testing.T) {
		if _, err := Run(ctx, sess, "SET mesh.query_memory = '"+q21SpillBudget+"'"); err != nil {
			t.Fatal(err)
		}
		before := eng.SpilledBytes()
		if err := runQuery(ctx, t, sess, "q21", s); err != nil {
			t.Fatal(err)
		}
		if eng.SpilledBytes() == before {
			t.Errorf("q21 did not spill with a budget of %s", q21SpillBudget)
		}
		if left, _ := os.ReadDir(spillDir); len(left) > 0 {
			t.Errorf("q21 left %d entries in the spill folder", len(left))
		}
	})
	// EXPLAIN ANALYZE names the operators that spilled: in Q18 the hash
	// aggregate over lineitem (its joins see only the orders the IN
	// subquery keeps), in Q9 and Q21 hash joins.
	for q, want := range map[string]string{"q18": "HashAggregate", "q09": "HashJoin", "q21": "HashJoin"} {
		budget := spillBudget
		if q == "q21" {
			budget = q21SpillBudget
		}
		if _, err := Run(ctx, sess, "SET mesh.query_memory = '"+budget+"'"); err != nil {
			t.Fatal(err)
		}
		res, err := Run(ctx, sess, "EXPLAIN ANALYZE "+readQuery(t, q))
		if err != nil {
			t.Fatal(err)
		}
		spilled := map[string]bool{}
		for _, r := range res.Rows {
			if strings.Contains(r[0], "spilled=") {
				op := strings.TrimLeft(r[0], " ->")
				spilled[strings.Fields(op)[0]] = true
			}
		}
		if !spilled[want] {
			t.Errorf("%s: want a spilling %s, got %v", q, want, spilled)
		}
	}
	if _, err := Run(ctx, sess, "SET mesh.query_memory = '"+spillBudget+"'"); err != nil {
		t.Fatal(err)
	}
	// A sort of all of lineitem spills sorted runs and merges them: the
	// same rows, in the same order, as with the default budget.
	const sorted = "SELECT l_orderkey, l_linenumber, l_extendedprice FROM lineitem ORDER BY l_extendedprice DESC, l_orderkey, l_linenumber"
	res, err := Run(ctx, sess, "EXPLAIN ANALYZE "+sorted)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Rows[0][0], "Sort") || !strings.Contains(res.Rows[0][0], "spilled=") {
		t.Errorf("the sort did not spill: %s", res.Rows[0][0])
	}
	small, err := Run(ctx, sess, sorted)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, sess, "RESET mesh.query_memory"); err != nil {
		t.Fatal(err)
	}
	big, err := Run(ctx, sess, sorted)
	if err != nil {
		t.Fatal(err)
	}
	if len(small.Rows) != len(big.Rows) || len(big.Rows) == 0 {
		t.Fatalf("spilled sort returned %d rows, in-memory %d", len(small.Rows), len(big.Rows))
	}
	for i := range big.Rows {
		if strings.Join(small.Rows[i], "|") != strings.Join(big.Rows[i], "|") {
			t.Fatalf("row %d: spilled sort %v, in-memory %v", i, small.Rows[i], big.Rows[i])
		}
	}
	var metrics strings.Builder
	eng.WriteMetrics(&metrics)
	if !strings.Contains(metrics.String(), fmt.Sprintf("meshql_spill_bytes_total %d\n", eng.SpilledBytes())) || eng.SpilledBytes() == 0 {
		t.Errorf("meshql_spill_bytes_total missing or zero:\n%s", metrics.String())
	}
}

// TestTPCHOutOfMemory: an operator that cannot spill (a window function
// materializes its input) fails with 53200 under a tiny budget, names the
// budget and the setting, and the session keeps working.
func TestTPCHOutOfMemory(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", func(c *engine.Config) { c.QueryMemory = 1 << 30 })
	ctx := context.Background()
	show := func() string {
		res, err := Run(ctx, sess, "SHOW mesh.query_memory")
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0][0]
	}
	if got := show(); got != "1GB" {
		t.Errorf("default mesh.query_memory = %q, want the engine's 1GB", got)
	}
	for _, set := range []string{"SET search_path = tpch", "SET mesh.query_memory = '64kB'"} {
		if _, err := Run(ctx, sess, set); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
	}
	if got := show(); got != "64kB" {
		t.Errorf("mesh.query_memory = %q after SET", got)
	}
	_, err := Run(ctx, sess, "SELECT l_orderkey, row_number() OVER (ORDER BY l_extendedprice) FROM lineitem")
	var se *sqltypes.Error
	if !errors.As(err, &se) || se.Code != sqltypes.CodeOutOfMemory {
		t.Fatalf("want 53200, got %v", err)
	}
	if !strings.Contains(se.Msg, "64kB") || !strings.Contains(se.Msg, "mesh.query_memory") || !strings.Contains(se.Msg, "Window") {
		t.Errorf("message should name the operator, the budget and the setting: %s", se.Msg)
	}
	if _, err := Run(ctx, sess, "SET mesh.query_memory = 'lots'"); sqltypes.Code(err) != sqltypes.CodeInvalidParameterValue {
		t.Errorf("SET to a bad size: want 22023, got %v", err)
	}
	if _, err := Run(ctx, sess, "RESET mesh.query_memory"); err != nil {
		t.Fatal(err)
	}
	s := suite{answers: "../../testdata/tpch/sf0.01/answers", timeout: 60 * time.Second}
	if err := runQuery(ctx, t, sess, "q06", s); err != nil {
		t.Fatalf("the session after 53200: %v", err)
	}
}

func readQuery(t *testing.T, name string) string {
	t.Helper()
	sql, err := os.ReadFile(queryDir + "/" + name + ".sql")
	if err != nil {
		t.Fatal(err)
	}
	return string(sql)
}

// TestTPCHPartitionedSpill runs the queries whose hash joins probe per
// stream over a shared build side (lineitem and orders split, see
// TestTPCHPartitioned) under spillBudget, so that those shared build
// sides spill and each stream joins its own probe partitions with them;
// and Q15 under a budget too small for its WITH query (materialized once
// for its two references), which then spills too. The answers must be
// the reference answers, and no spill file may be left behind.
func TestTPCHPartitionedSpill(t *testing.T) {
	spillDir := t.TempDir()
	_, sess := newSession(t, partitionedMesh(t), func(c *engine.Config) { c.SpillDir = spillDir })
	ctx := context.Background()
	s := suite{answers: "../../testdata/tpch/sf0.01/answers", timeout: 60 * time.Second}
	set := func(budget string) {
		for _, set := range []string{"SET search_path = tpch", "SET mesh.query_memory = '" + budget + "'"} {
			if _, err := Run(ctx, sess, set); err != nil {
				t.Fatalf("%s: %v", set, err)
			}
		}
	}
	// spilled reports whether EXPLAIN ANALYZE of q shows an operator whose
	// line contains each of marks and spilled=.
	spilled := func(q string, marks ...string) bool {
		res, err := Run(ctx, sess, "EXPLAIN ANALYZE "+readQuery(t, q))
		if err != nil {
			t.Fatal(err)
		}
	rows:
		for _, r := range res.Rows {
			line := strings.Join(r, " ")
			for _, m := range append(marks, "spilled=") {
				if !strings.Contains(line, m) {
					continue rows
				}
			}
			return true
		}
		return false
	}
	check := func(q string) {
		t.Run(q, func(t *testing.T) {
			if err := runQuery(ctx, t, sess, q, s); err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(spillDir); len(left) > 0 {
				t.Errorf("%s left %d entries in the spill folder", q, len(left))
			}
		})
	}
	set(spillBudget)
	for _, q := range []string{"q03", "q04", "q07", "q09", "q10", "q21"} {
		check(q)
	}
	if !spilled("q09", "HashJoin", "parallel=") {
		t.Errorf("q09: no hash join probed per stream spilled with a budget of %s", spillBudget)
	}
	// Q15's revenue view holds 100 rows, about 3kB.
	set("2kB")
	check("q15")
	if !spilled("q15", "CTE Scan") {
		t.Error("q15: the WITH query did not spill with a budget of 2kB")
	}
}
