package federation

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/internal/tpch"
)

// TestPostgresStatsPickBuildSide joins two PostgreSQL tables that meshql
// cannot join remotely (two connection URLs) with a filter on each whose
// selectivity only pg_stats knows: 1% of big's rows are 'rare', 90% of
// small's are 'on'. A fixed guess per filter would make small the build
// side; the most-common-value frequencies make the filtered big side
// the smaller one, so it is built (build=left). After the data flips and
// is analyzed again, an engine that re-opens its sources (source
// recheck) reads the new statistics and builds small; one that never
// re-opens keeps the old plan. The answers match PostgreSQL's own.
func TestPostgresStatsPickBuildSide(t *testing.T) {
	ctx := context.Background()
	uri := pgtest.NewDatabase(t, "pgstats")
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	pgExec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	pgExec(`CREATE TABLE big AS SELECT g AS k, CASE WHEN g % 100 = 0 THEN 'rare' ELSE 'common' END AS status FROM generate_series(1, 20000) g`)
	pgExec(`CREATE TABLE small AS SELECT g * 5 AS k, CASE WHEN g % 10 = 0 THEN 'off' ELSE 'on' END AS flag FROM generate_series(1, 4000) g`)
	pgExec(`ANALYZE big`)
	pgExec(`ANALYZE small`)
	t.Setenv("MESHQL_STATS_PG_A", uri)
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	t.Setenv("MESHQL_STATS_PG_B", uri+sep+"application_name=meshql_b")

	dir := t.TempDir()
	meshYAML := strings.Replace(readFile(t, filepath.Join(tpchMesh, "mesh.yaml")), "\ndomains:\n",
		"\ndomains:\n  st: {description: Statistics test tables, owner: {team: t, contact: t@example.com}}\n", 1)
	writeFile(t, filepath.Join(dir, "mesh.yaml"), meshYAML)
	for _, d := range []struct{ name, env, col string }{{"big", "MESHQL_STATS_PG_A", "status"}, {"small", "MESHQL_STATS_PG_B", "flag"}} {
		writeFile(t, filepath.Join(dir, "st", d.name+"_v1.yaml"), `product: `+d.name+`
version: 1
domain: st
owner: {team: t, contact: t@example.com}
status: active
description: Statistics test table.
sla: {availability: 99.0%, schema_stability: stable}
source: {connector: postgres, table: public.`+d.name+`, options: {url_env: `+d.env+`}}
columns:
  - {name: k, type: integer, description: Key.}
  - {name: `+d.col+`, type: text, description: Skewed value.}
inputs: []
policies:
  read: [analyst]
`)
	}
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // registered first: runs last
	session := func(recheck time.Duration) *engine.Session {
		pc := postgres.New()
		t.Cleanup(pc.Close)
		return newAdminSession(t, engine.Config{Mesh: mesh, Mem: mem, Workers: 2, SourceRecheck: recheck,
			Connectors: []connectors.Connector{pc}})
	}
	fresh, stale := session(1), session(-1) // re-open at every query; never
	const q = `SELECT count(*) FROM st.big b JOIN st.small s ON b.k = s.k WHERE b.status = 'rare' AND s.flag = 'on'`
	check := func(sess *engine.Session, wantBuildLeft bool, what string) {
		t.Helper()
		plan, err := tpch.Run(ctx, sess, "EXPLAIN "+q)
		if err != nil {
			t.Fatal(err)
		}
		var text []string
		for _, r := range plan.Rows {
			text = append(text, strings.Join(r, " "))
		}
		joined := strings.Join(text, "\n")
		if got := strings.Contains(joined, "build=left"); got != wantBuildLeft {
			t.Errorf("%s: build=left %v, want %v:\n%s", what, got, wantBuildLeft, joined)
		}
		res, err := tpch.Run(ctx, sess, q)
		if err != nil {
			t.Fatal(err)
		}
		var want int64
		if err := conn.QueryRow(ctx, strings.NewReplacer("st.big", "big", "st.small", "small").Replace(q)).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 1 || res.Rows[0][0] != strconv.FormatInt(want, 10) {
			t.Errorf("%s: %v, PostgreSQL says %d", what, res.Rows, want)
		}
	}
	check(fresh, true, "rare big side")
	check(stale, true, "rare big side (never re-opened)")

	// Now 'rare' is most of big and 'on' a sliver of small.
	pgExec(`UPDATE big SET status = CASE WHEN k % 100 = 0 THEN 'common' ELSE 'rare' END`)
	pgExec(`UPDATE small SET flag = CASE WHEN k % 50 = 0 THEN 'on' ELSE 'off' END`)
	pgExec(`VACUUM ANALYZE big`)
	pgExec(`VACUUM ANALYZE small`)
	check(fresh, false, "after ANALYZE, re-opened")
	check(stale, true, "after ANALYZE, never re-opened")
}
