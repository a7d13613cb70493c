package tpch

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/meshql/meshql/engine"
)

// explainLines returns the lines of EXPLAIN for TPC-H query q.
func explainLines(t *testing.T, sess *engine.Session, q string) []string {
	return explainWith(t, sess, "EXPLAIN ", q)
}

// explainWith returns the lines of stmt (EXPLAIN or EXPLAIN ANALYZE)
// followed by TPC-H query q.
func explainWith(t *testing.T, sess *engine.Session, stmt, q string) []string {
	t.Helper()
	res, err := Run(context.Background(), sess, stmt+readQuery(t, q))
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var plan []string
	for _, r := range res.Rows {
		plan = append(plan, r[0])
	}
	return plan
}

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
		"q16": {"HashJoin Anti"}, // NOT IN over not_null columns
	}
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	for q, parts := range want {
		text := strings.Join(explainLines(t, sess, q), "\n")
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
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	count, err := Run(context.Background(), sess, "SELECT count(*) FROM lineitem")
	if err != nil {
		t.Fatal(err)
	}
	lineitem, _ := strconv.ParseInt(count.Rows[0][0], 10, 64)
	rowsOf := regexp.MustCompile(`actual rows=(\d+)`)
	for _, q := range []string{"q02", "q05", "q07", "q08", "q09", "q10", "q18", "q21"} {
		res, err := Run(context.Background(), sess, "EXPLAIN ANALYZE "+readQuery(t, q))
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

// TestCTEComputedOnce checks that Q15's revenue view, referenced twice,
// reads and aggregates lineitem once.
func TestCTEComputedOnce(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	text := strings.Join(explainLines(t, sess, "q15"), "\n")
	if n := strings.Count(text, "Scan tpch.lineitem"); n != 1 {
		t.Errorf("lineitem scanned %d times, want once:\n%s", n, text)
	}
	if n := strings.Count(text, "CTE Scan (name=revenue)"); n != 2 {
		t.Errorf("%d reads of revenue, want 2:\n%s", n, text)
	}
}

// TestGroupedSubqueriesReduced checks that the decorrelated aggregates of
// Q2 and Q20 only see the rows of the parts the outer query keeps (a
// semi join with the filtered part scan below the aggregate), instead of
// aggregating all of partsupp or lineitem. (Q17's is in
// TestReducedReadShared.)
func TestGroupedSubqueriesReduced(t *testing.T) {
	want := map[string]string{
		"q02": "HashJoin Semi (keys=[(ps_partkey = p_partkey)]",
		"q20": "HashJoin Semi (keys=[(l_partkey = p_partkey)]",
	}
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	for q, semi := range want {
		text := strings.Join(explainLines(t, sess, q), "\n")
		agg := strings.Index(text, "HashAggregate (groups=")
		if agg < 0 || !strings.Contains(text[agg:], semi) {
			t.Errorf("%s: no %s below the grouped aggregate:\n%s", q, semi, text)
		}
	}
}

// TestReducedReadShared checks that Q17 reads lineitem once: the
// lineitems of the filtered parts (a semi join with the part scan) feed
// both the outer join and the per-part average, instead of a second full
// read of lineitem for the average.
func TestReducedReadShared(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	text := strings.Join(explainLines(t, sess, "q17"), "\n")
	if n := strings.Count(text, "Scan tpch.lineitem"); n != 1 {
		t.Errorf("lineitem scanned %d times, want once:\n%s", n, text)
	}
	if n := strings.Count(text, "CTE Scan (name=lineitem)"); n != 2 {
		t.Errorf("%d reads of the shared lineitems, want 2:\n%s", n, text)
	}
	if !strings.Contains(text, "HashJoin Semi (keys=[(l_partkey = p_partkey)]") {
		t.Errorf("the shared lineitems are not reduced to the filtered parts:\n%s", text)
	}
	agg := strings.Index(text, "HashAggregate (groups=[l_partkey]")
	if agg < 0 || !strings.Contains(text[agg:], "CTE Scan (name=lineitem)") {
		t.Errorf("the per-part average does not read the shared lineitems:\n%s", text)
	}
}

// TestSemiJoinBelowJoins checks that Q18's IN subquery (a few dozen
// orders) filters orders before orders are joined with lineitem.
func TestSemiJoinBelowJoins(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	plan := explainLines(t, sess, "q18")
	semi, join := -1, -1
	for i, line := range plan {
		switch {
		case strings.Contains(line, "HashJoin Semi (keys=[(o_orderkey = l_orderkey)]"):
			semi = i
		case strings.Contains(line, "HashJoin Inner (keys=[(l_orderkey = o_orderkey)]"):
			join = i
		}
	}
	if semi < 0 || join < 0 || semi < join {
		t.Errorf("the semi join is not below the lineitem-orders join:\n%s", strings.Join(plan, "\n"))
	}
}

// TestLeftJoinBuildsSmallerSide checks that Q13's customer LEFT JOIN
// orders builds its hash table on the 150k customers and probes the
// orders (a RIGHT join with the sides swapped) instead of building the
// ten times larger orders.
func TestLeftJoinBuildsSmallerSide(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	text := strings.Join(explainLines(t, sess, "q13"), "\n")
	if !strings.Contains(text, "HashJoin Right (keys=[(o_custkey = c_custkey)]") {
		t.Errorf("q13 does not build customer:\n%s", text)
	}
}

// TestFilterOnlyColumnsDropped checks that a column only a filter reads
// is not carried above the scan: the hash table of orders filtered on
// o_comment holds about as much memory as that of orders filtered on the
// key, not the comments too (3x as much before).
func TestFilterOnlyColumnsDropped(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	peak := regexp.MustCompile(`HashJoin Inner .*peak_mem=([0-9.]+)([kMG]?)B`)
	buildMem := func(where string) float64 {
		t.Helper()
		res, err := Run(context.Background(), sess, "EXPLAIN ANALYZE SELECT count(*) FROM lineitem JOIN orders ON l_orderkey = o_orderkey WHERE "+where)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Rows {
			if m := peak.FindStringSubmatch(r[0]); m != nil {
				n, err := strconv.ParseFloat(m[1], 64)
				if err != nil {
					t.Fatal(err)
				}
				return n * map[string]float64{"": 1, "k": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m[2]] // membudget.HumanSize's units
			}
		}
		t.Fatalf("no hash join with peak_mem in the plan filtered on %s", where)
		return 0
	}
	byComment := buildMem("o_comment NOT LIKE '%special%requests%'")
	byKey := buildMem("o_orderkey % 100 <> 7")
	if byComment > byKey*3/2 {
		t.Errorf("the join holds %.0f bytes for orders filtered on o_comment, %.0f filtered on o_orderkey: the comments went along", byComment, byKey)
	}
}

// TestDimensionsJoinedFirst checks that Q7 joins lineitem with the
// suppliers of its two nations (146k rows at SF1) before it joins them
// with orders, instead of joining all 1.8M lines of the two years with
// orders first.
func TestDimensionsJoinedFirst(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	plan := explainLines(t, sess, "q07")
	depth := func(keys ...string) int {
		for _, line := range plan {
			for _, k := range keys {
				if strings.Contains(line, k) {
					return len(line) - len(strings.TrimLeft(line, " "))
				}
			}
		}
		t.Fatalf("no join on %s:\n%s", keys[0], strings.Join(plan, "\n"))
		return 0
	}
	if depth("(l_suppkey = s_suppkey)", "(s_suppkey = l_suppkey)") <= depth("(o_orderkey = l_orderkey)", "(l_orderkey = o_orderkey)") {
		t.Errorf("lineitem meets orders before the suppliers of two nations:\n%s", strings.Join(plan, "\n"))
	}
}

// TestSemiJoinBuildReduced checks that Q4's EXISTS over lineitem and
// Q22's NOT EXISTS over orders build only the rows that can match their
// filtered left side (a semi join with that scan below them), instead of
// all late lineitems or all orders.
func TestSemiJoinBuildReduced(t *testing.T) {
	want := map[string]string{
		"q04": "HashJoin Semi (keys=[(l_orderkey = o_orderkey)]",
		"q22": "HashJoin Semi (keys=[(o_custkey = c_custkey)]",
	}
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	for q, semi := range want {
		if text := strings.Join(explainLines(t, sess, q), "\n"); !strings.Contains(text, semi) {
			t.Errorf("%s: no %s below the join:\n%s", q, semi, text)
		}
	}
}

// TestExplainShowsProbeFilter: Q3's filters on lineitem and orders are
// evaluated inside the probes of the hash joins above their scans, and
// EXPLAIN says so on the join (probe_filter=), not on the scan; EXPLAIN ANALYZE runs the same plan and
// counts the rows the scan read (the filter's input).
func TestExplainShowsProbeFilter(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	for _, analyze := range []bool{false, true} {
		stmt := "EXPLAIN "
		if analyze {
			stmt += "ANALYZE "
		}
		plan := explainWith(t, sess, stmt, "q03")
		text := strings.Join(plan, "\n")
		scans := 0
		for i, line := range plan {
			if !strings.Contains(line, "Scan tpch.lineitem_v1") {
				continue
			}
			scans++
			if i == 0 || !strings.Contains(plan[i-1], "HashJoin Inner") || !strings.Contains(plan[i-1], "probe_filter=[(l_shipdate > DATE '1995-03-15')]") {
				t.Errorf("analyze=%v: the join probing lineitem does not show its filter:\n%s", analyze, text)
			}
			if strings.Contains(line, " filter=") {
				t.Errorf("analyze=%v: the scan still shows the filter the join runs:\n%s", analyze, text)
			}
			if analyze && !strings.Contains(line, "actual rows=60175 ") {
				t.Errorf("the scan's rows are not those it read:\n%s", text)
			}
		}
		if scans == 0 {
			t.Fatalf("analyze=%v: no scan of lineitem in the plan:\n%s", analyze, text)
		}
		if !strings.Contains(text, "probe_filter=[(o_orderdate < DATE '1995-03-15')]") {
			t.Errorf("analyze=%v: the join probing orders does not show its filter:\n%s", analyze, text)
		}
	}
}

// TestFilterPivotReadsDictionary: a pivot whose FILTER clauses read a
// text column stored dictionary-encoded (l_returnflag) reads it as a
// dictionary and evaluates the predicates once per entry, and counts
// what the same pivot written with CASE (which reads the column as
// text) counts.
func TestFilterPivotReadsDictionary(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	const filter = `SELECT l_linestatus,
       count(*) FILTER (WHERE l_returnflag = 'R') AS r,
       count(*) FILTER (WHERE l_returnflag IN ('A', 'N') OR l_returnflag IS NULL) AS an,
       sum(l_quantity) FILTER (WHERE l_returnflag <> 'N') AS q
FROM lineitem GROUP BY l_linestatus ORDER BY 1`
	const caseWhen = `SELECT l_linestatus,
       sum(CASE WHEN l_returnflag = 'R' THEN 1 ELSE 0 END) AS r,
       sum(CASE WHEN l_returnflag IN ('A', 'N') OR l_returnflag IS NULL THEN 1 ELSE 0 END) AS an,
       sum(CASE WHEN l_returnflag <> 'N' THEN l_quantity END) AS q
FROM lineitem GROUP BY l_linestatus ORDER BY 1`
	run := func(sql string) [][]string {
		t.Helper()
		res, err := Run(context.Background(), sess, sql)
		if err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		return res.Rows
	}
	plan := run("EXPLAIN " + filter)
	text := ""
	for _, r := range plan {
		text += r[0] + "\n"
	}
	if !strings.Contains(text, "dictionary=[l_returnflag, l_linestatus]") && !strings.Contains(text, "dictionary=[l_linestatus, l_returnflag]") {
		t.Errorf("the scan does not read l_returnflag as a dictionary:\n%s", text)
	}
	got, want := run(filter), run(caseWhen)
	if len(got) != 2 || len(got) != len(want) {
		t.Fatalf("got %d rows, CASE gives %d, want 2", len(got), len(want))
	}
	for i := range got {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: FILTER gives %v, CASE gives %v", i, got[i], want[i])
		}
	}
}

// TestJoinKeyFiltersReachBothScans: a constant filter on orders' key also
// restricts lineitem's key it is joined on, so the lineitem scan (and its
// Parquet statistics) filters too, also below the row numbers of a
// decorrelated LATERAL top-1 partitioned by that key.
func TestJoinKeyFiltersReachBothScans(t *testing.T) {
	_, sess := newSession(t, "../../testdata/mesh-tpch", nil)
	for _, q := range []string{
		"SELECT count(*) FROM orders o JOIN lineitem l ON l.l_orderkey = o.o_orderkey WHERE o.o_orderkey < 100",
		"SELECT o.o_orderkey, x.p FROM orders o, LATERAL (SELECT l.l_extendedprice p FROM lineitem l " +
			"WHERE l.l_orderkey = o.o_orderkey ORDER BY l.l_extendedprice DESC LIMIT 1) x WHERE o.o_orderkey < 100",
		"SELECT count(*) FROM orders o LEFT JOIN lineitem l ON l.l_orderkey = o.o_orderkey WHERE o.o_orderkey BETWEEN 1 AND 99",
	} {
		res, err := Run(context.Background(), sess, "EXPLAIN "+q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan []string
		for _, r := range res.Rows {
			plan = append(plan, r[0])
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "Scan tpch.lineitem") {
			t.Fatalf("%s: no lineitem scan:\n%s", q, text)
		}
		for _, line := range plan {
			if strings.Contains(line, "Scan tpch.lineitem") && !strings.Contains(line, "pushed_filters=[l_orderkey") {
				t.Errorf("%s: the lineitem scan is not restricted by the orders key filter:\n%s", q, text)
			}
		}
	}
}
