package federation

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/internal/tpch"
)

// TestPushdownDifferential runs a seeded random corpus of filters, plain
// limits, ORDER BY + LIMIT, global aggregates and GROUP BY aggregates
// over TPC-H orders, and joins with customer and nation (inner, LEFT and
// FULL, and mixed trees of PostgreSQL and Parquet tables): from PostgreSQL
// with pushdown on (filters, limits,
// orders and partial aggregates in the remote SQL) and off (SET
// mesh.pushdown = off: meshql does everything over the raw rows), from a
// meshql node over Flight SQL (filters and limits pushed), and from the
// same rows in Parquet, where meshql evaluates every filter itself. The
// PostgreSQL answers with and without pushdown must be identical, and
// all must agree with Parquet's.
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
	src := regexp.MustCompile(`(?m)^source: .*$`)
	for _, table := range []string{"orders", "customer", "nation"} {
		desc := readFile(t, filepath.Join(tpchMesh, "tpch", table+"_v1.yaml"))
		for dom, s := range map[string]string{
			"pq": "source: {connector: parquet, path: " + filepath.Join(data, table+".parquet") + "}",
			"pg": "source: {connector: postgres, table: tpch." + table + "_v1, options: {url_env: MESHQL_FED_PG_URL}}",
			"fs": "source: {connector: flightsql, table: tpch." + table + "_v1, options: {uri: \"" + flightURI + "\", username: admin, password_env: MESHQL_FED_FLIGHT_PW}}",
		} {
			d := strings.Replace(src.ReplaceAllLiteralString(desc, s), "domain: tpch", "domain: "+dom, 1)
			writeFile(t, filepath.Join(dir, dom, table+"_v1.yaml"), d)
		}
	}
	sess := r.adminSession(t, dir)
	run := func(sql string) *tpch.Result {
		t.Helper()
		qctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		res, err := tpch.Run(qctx, sess, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return res
	}

	rng := rand.New(rand.NewSource(8))
	const kinds, n = 11, 165
	// What EXPLAIN must show in PostgreSQL's remote SQL, per kind of query.
	marks := [kinds]string{"WHERE", "LIMIT", "ORDER BY", "count(*)", "GROUP BY", "ORDER BY", `AS t1`, "(SELECT * FROM", "FULL JOIN", `AS t1`, `AS t1`}
	pushed := map[string]int{}
	for i := range n {
		where := randFilter(rng, 2)
		var q string // {T} stands for the table
		switch i % kinds {
		case 0:
			q = "SELECT o_orderkey, o_custkey, o_totalprice, o_orderdate, o_orderstatus FROM {T} WHERE " + where
		case 1: // a plain limit picks any rows: only their number is certain
			q = fmt.Sprintf("SELECT count(*), count(DISTINCT o_orderkey) FROM (SELECT o_orderkey FROM {T} WHERE %s LIMIT %d) s", where, rng.Intn(40))
		case 2:
			q = "SELECT o_orderkey, o_clerk FROM {T} WHERE " + where + fmt.Sprintf(" ORDER BY o_orderkey DESC LIMIT %d OFFSET %d", 1+rng.Intn(20), rng.Intn(5))
		case 3:
			q = "SELECT count(*), sum(o_totalprice), avg(o_totalprice), min(o_orderdate), max(o_clerk), sum(o_shippriority), avg(o_custkey) FROM {T} WHERE " + where
		case 4:
			q = "SELECT o_orderstatus, o_orderpriority, count(*), count(o_comment), sum(o_totalprice), avg(o_totalprice), min(o_clerk), max(o_orderdate), " +
				"sum(o_custkey), avg(o_shippriority) FROM {T} WHERE " + where + " GROUP BY o_orderstatus, o_orderpriority"
		case 5: // text keys: the source must order bytes as meshql does
			q = "SELECT o_clerk, o_orderkey, o_orderdate FROM {T} WHERE " + where + fmt.Sprintf(" ORDER BY o_clerk DESC, o_orderdate, o_orderkey LIMIT %d", 1+rng.Intn(30))
		case 6: // a join within one source: PostgreSQL runs it whole
			q = "SELECT o_orderkey, o_totalprice, c_name, c_mktsegment FROM {T} JOIN {C} ON o_custkey = c_custkey WHERE " + where +
				fmt.Sprintf(" AND c_nationkey %s %d", []string{"<", ">=", "<>"}[rng.Intn(3)], rng.Intn(25))
		case 7: // LEFT (or RIGHT) JOIN: a third of the customers have no orders, and
			// the ON filter null-extends more; a WHERE on the nullable side
			// must stay above the join.
			join := "{C} LEFT JOIN {T}"
			if rng.Intn(3) == 0 {
				join = "{T} RIGHT JOIN {C}"
			}
			q = fmt.Sprintf("SELECT c_custkey, c_name, o_orderkey, o_totalprice, o_orderstatus FROM %s ON c_custkey = o_custkey AND %s WHERE c_nationkey %s %d",
				join, where, []string{"<", ">=", "<>"}[rng.Intn(3)], rng.Intn(25))
			switch rng.Intn(3) {
			case 0:
				q += " AND o_orderkey IS NULL"
			case 1:
				q += fmt.Sprintf(" AND (o_totalprice > %d OR o_totalprice IS NULL)", rng.Intn(300000))
			}
		case 8: // FULL JOIN of two filtered sides: NULLs on both
			q = fmt.Sprintf("SELECT c.c_custkey, c.c_nationkey, o.o_orderkey, o.o_custkey, o.o_orderstatus FROM (SELECT * FROM {C} WHERE c_nationkey %s %d) c FULL JOIN (SELECT * FROM {T} WHERE %s) o ON c.c_custkey = o.o_custkey",
				[]string{"<", ">=", "<>"}[rng.Intn(3)], rng.Intn(25), where)
			if rng.Intn(2) == 0 {
				q += " WHERE o.o_orderkey IS NULL OR c.c_custkey IS NULL"
			}
		case 9: // a mixed tree: PostgreSQL joins orders and customer, meshql adds Parquet's nation
			q = "SELECT n_name, count(*), count(o_orderkey), sum(o_totalprice) FROM {T} JOIN {C} ON o_custkey = c_custkey JOIN pq.nation_v1 ON c_nationkey = n_nationkey WHERE " + where + " GROUP BY n_name"
			if rng.Intn(2) == 0 {
				q = "SELECT n_name, c_custkey, o_orderkey FROM {C} LEFT JOIN {T} ON c_custkey = o_custkey AND " + where + " JOIN pq.nation_v1 ON c_nationkey = n_nationkey WHERE n_regionkey = " + fmt.Sprint(rng.Intn(5))
			}
		default: // a mixed tree whose largest table is Parquet's: the
			// planner groups customer and nation for PostgreSQL
			q = "SELECT o_orderkey, c_name, n_name FROM pq.orders_v1 JOIN {C} ON o_custkey = c_custkey JOIN {N} ON c_nationkey = n_nationkey WHERE " + where +
				fmt.Sprintf(" AND n_regionkey %s %d", []string{"<", ">=", "<>"}[rng.Intn(3)], rng.Intn(5))
		}
		in := func(dom string) string {
			return strings.NewReplacer("{T}", dom+".orders_v1", "{C}", dom+".customer_v1", "{N}", dom+".nation_v1").Replace(q)
		}
		want := run(in("pq"))
		pgSQL := in("pg")
		run("SET mesh.pushdown = off")
		off := run(pgSQL)
		run("SET mesh.pushdown = on")
		for _, dom := range []string{"pg", "fs"} {
			sql := in(dom)
			got := run(sql)
			if err := tpch.Compare(sql, got, want); err != nil {
				t.Errorf("pushdown changed the answer of %s: %v", sql, err)
			}
			if dom == "pg" && !sameRows(sql, got, off) {
				t.Errorf("%s: with pushdown %v, without %v", sql, got.Rows, off.Rows)
			}
			plan := run("EXPLAIN " + sql)
			for _, r := range plan.Rows {
				line := strings.Join(r, " ")
				if dom == "pg" && i%kinds == 0 {
					checkSelectList(t, sql, line)
				}
				if strings.Contains(line, "remote_sql=") && strings.Contains(line, marks[i%kinds]) {
					pushed[fmt.Sprintf("%s/%d", dom, i%kinds)]++
					break
				}
			}
		}
	}
	// The corpus is only worth running if most of it reaches the source.
	for kind := range kinds {
		if got := pushed[fmt.Sprintf("pg/%d", kind)]; got < n/kinds/2 {
			t.Errorf("only %d of %d queries of kind %d pushed %s to PostgreSQL", got, n/kinds, kind, marks[kind])
		}
	}
	if got := pushed["fs/0"]; got < n/kinds/2 {
		t.Errorf("only %d of %d filter queries pushed a WHERE clause to Flight SQL", got, n/kinds)
	}
}

// checkSelectList checks that the remote SQL of a pushed scan in an
// EXPLAIN line of a filter query (kind 0, which returns o_orderkey,
// o_custkey, o_totalprice, o_orderdate and o_orderstatus) asks for no
// column that only its WHERE clause reads.
func checkSelectList(t *testing.T, sql, line string) {
	t.Helper()
	m := regexp.MustCompile(`remote_sql="SELECT (.*?) FROM`).FindStringSubmatch(line)
	if m == nil || strings.Contains(line, " filter=") {
		return // not a scan, or meshql re-checks a filter and needs its columns
	}
	for _, c := range []string{"o_comment", "o_clerk", "o_orderpriority", "o_shippriority"} {
		if strings.Contains(m[1], c) {
			t.Errorf("%s: the remote SELECT list fetches %s, which only the pushed filter reads: %s", sql, c, line)
		}
	}
}

// sameRows reports whether two results have exactly the same rows, in
// order when the query orders them.
func sameRows(sql string, a, b *tpch.Result) bool {
	flat := func(r *tpch.Result) []string {
		out := make([]string, len(r.Rows))
		for i, row := range r.Rows {
			out[i] = strings.Join(row, "|")
		}
		if !tpch.HasOrderBy(sql) {
			slices.Sort(out)
		}
		return out
	}
	return slices.Equal(flat(a), flat(b))
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
