package federation

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/internal/tpch"
)

// TestPushdownDifferential runs a seeded random corpus of filters, limits
// and ORDER BY + LIMIT over TPC-H orders three times: from PostgreSQL and
// from a meshql node over Flight SQL, where the filters and limits are
// pushed into the remote SQL, and from the same rows in Parquet, where
// meshql evaluates every filter itself (Parquet only prunes row groups).
// The rows must be the same.
func TestPushdownDifferential(t *testing.T) {
	ctx := context.Background()
	r := startRemotes(t)
	flightURI := "grpc://" + r.flightAddr
	dir := t.TempDir()
	meshYAML := strings.Replace(readFile(t, filepath.Join(tpchMesh, "mesh.yaml")), "\ndomains:\n",
		"\ndomains:\n  pq: {description: Parquet copy}\n  pg: {description: PostgreSQL copy}\n  fs: {description: Flight SQL copy}\n", 1)
	writeFile(t, filepath.Join(dir, "mesh.yaml"), meshYAML)
	data, err := filepath.Abs(tpchData)
	if err != nil {
		t.Fatal(err)
	}
	desc := readFile(t, filepath.Join(tpchMesh, "tpch", "orders_v1.yaml"))
	src := regexp.MustCompile(`(?m)^source: .*$`)
	for dom, s := range map[string]string{
		"pq": "source: {connector: parquet, path: " + filepath.Join(data, "orders.parquet") + "}",
		"pg": "source: {connector: postgres, table: tpch.orders_v1, options: {url_env: MESHQL_FED_PG_URL}}",
		"fs": "source: {connector: flightsql, table: tpch.orders_v1, options: {uri: \"" + flightURI + "\", username: admin, password_env: MESHQL_FED_FLIGHT_PW}}",
	} {
		d := strings.Replace(src.ReplaceAllLiteralString(desc, s), "domain: tpch", "domain: "+dom, 1)
		writeFile(t, filepath.Join(dir, dom, "orders_v1.yaml"), d)
	}
	sess := r.adminSession(t, dir)

	rng := rand.New(rand.NewSource(8))
	pushed := map[string]int{}
	for i := range 120 {
		where := randFilter(rng, 2)
		var q string // {T} stands for the table
		switch i % 3 {
		case 0:
			q = "SELECT o_orderkey, o_custkey, o_totalprice, o_orderdate, o_orderstatus FROM {T} WHERE " + where
		case 1:
			q = "SELECT o_orderkey, o_clerk FROM {T} WHERE " + where + fmt.Sprintf(" ORDER BY o_orderkey DESC LIMIT %d", 1+rng.Intn(20))
		default:
			q = "SELECT count(*), sum(o_totalprice), min(o_orderdate), max(o_clerk) FROM {T} WHERE " + where
		}
		pqSQL := strings.ReplaceAll(q, "{T}", "pq.orders_v1")
		qctx, cancel := context.WithTimeout(ctx, time.Minute)
		want, err := tpch.Run(qctx, sess, pqSQL)
		cancel()
		if err != nil {
			t.Fatalf("parquet: %s: %v", pqSQL, err)
		}
		for _, dom := range []string{"pg", "fs"} {
			sql := strings.ReplaceAll(q, "{T}", dom+".orders_v1")
			qctx, cancel := context.WithTimeout(ctx, time.Minute)
			got, err := tpch.Run(qctx, sess, sql)
			cancel()
			if err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			if err := tpch.Compare(sql, got, want); err != nil {
				t.Errorf("pushdown changed the answer of %s: %v", sql, err)
			}
			plan, err := tpch.Run(ctx, sess, "EXPLAIN "+sql)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range plan.Rows {
				if strings.Contains(strings.Join(r, " "), "WHERE") {
					pushed[dom]++
					break
				}
			}
		}
	}
	// The corpus is only worth running if most filters reach the source.
	for _, dom := range []string{"pg", "fs"} {
		if pushed[dom] < 60 {
			t.Errorf("only %d of 120 queries pushed a WHERE clause to %s", pushed[dom], dom)
		}
	}
}

// randFilter returns a random predicate over orders' columns, nested up to
// depth levels of AND/OR/NOT.
func randFilter(rng *rand.Rand, depth int) string {
	if depth > 0 && rng.Intn(3) == 0 {
		a, b := randFilter(rng, depth-1), randFilter(rng, depth-1)
		switch rng.Intn(3) {
		case 0:
			return "(" + a + " AND " + b + ")"
		case 1:
			return "(" + a + " OR " + b + ")"
		}
		return "NOT (" + a + ")"
	}
	ops := []string{"=", "<>", "<", "<=", ">", ">="}
	op := ops[rng.Intn(len(ops))]
	switch rng.Intn(10) {
	case 0:
		return fmt.Sprintf("o_orderkey %s %d", op, rng.Intn(60000))
	case 1:
		return fmt.Sprintf("o_totalprice %s %d.%02d", op, rng.Intn(400000), rng.Intn(100))
	case 2:
		return fmt.Sprintf("o_orderdate %s DATE '199%d-%02d-%02d'", op, 2+rng.Intn(7), 1+rng.Intn(12), 1+rng.Intn(28))
	case 3:
		return fmt.Sprintf("o_orderstatus %s '%c'", op, "FOP"[rng.Intn(3)])
	case 4:
		not := ""
		if rng.Intn(2) == 0 {
			not = "NOT "
		}
		return fmt.Sprintf("o_custkey %sIN (%d, %d, %d)", not, rng.Intn(1500), rng.Intn(1500), rng.Intn(1500))
	case 5:
		pats := []string{"1-%", "%URGENT", "Clerk#00000009%", "%special%", "_-LOW", "%"}
		not := ""
		if rng.Intn(3) == 0 {
			not = "NOT "
		}
		return fmt.Sprintf("(o_comment %sLIKE '%s' OR o_orderpriority %sLIKE '%s')", not, pats[rng.Intn(len(pats))], not, pats[rng.Intn(len(pats))])
	case 6:
		lo := rng.Intn(1500)
		return fmt.Sprintf("o_custkey BETWEEN %d AND %d", lo, lo+rng.Intn(300))
	case 7:
		if rng.Intn(2) == 0 {
			return "o_comment IS NOT NULL"
		}
		return "o_clerk IS NULL"
	case 8:
		return fmt.Sprintf("o_orderpriority %s '%d-%s'", op, 1+rng.Intn(5), []string{"URGENT", "HIGH", "MEDIUM", "LOW"}[rng.Intn(4)])
	}
	return fmt.Sprintf("o_shippriority %s %d", op, rng.Intn(2))
}
