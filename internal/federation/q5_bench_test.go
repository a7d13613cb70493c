package federation

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/pgload"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/internal/tpch"
)

// q5Tables are the tables TPC-H Q5 reads.
var q5Tables = []string{"customer", "orders", "lineitem", "supplier", "nation", "region"}

// BenchmarkFederatedQ5 runs TPC-H Q5 (SF0.01) over tables that all live in
// one PostgreSQL database, four ways:
//
//   - meshql/pushdown=on: meshql federates the six tables, pushing
//     columns, filters (r_name = 'ASIA', the o_orderdate range) to the
//     source and joining and aggregating itself;
//   - meshql/pushdown=off: the same with SET mesh.pushdown = off;
//   - postgres_fdw: PostgreSQL runs Q5 in a second database over
//     postgres_fdw foreign tables pointing back at the first (defaults:
//     no remote estimates, fetch_size 100);
//   - postgres: PostgreSQL runs Q5 over the tables themselves.
//
// Besides time per query, each reports source_rows and source_bytes: what
// the sources sent (for meshql, the EXPLAIN ANALYZE counts: DataRow bytes
// in binary format; for postgres_fdw, the rows of its Foreign Scans and the
// text-format DataRow bytes of its remote queries, run once more to count
// them). Every way must return Q5's reference answer.
func BenchmarkFederatedQ5(b *testing.B) {
	ctx := context.Background()
	sql := readFile(b, filepath.Join(queryDir, "q05.sql"))
	want, err := tpch.LoadAnswer(filepath.Join(answersDir, "q05.csv"))
	if err != nil {
		b.Fatal(err)
	}
	base, err := catalog.Load(tpchMesh, catalog.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	srcURL := pgtest.NewDatabase(b, "q5src")
	src := connect(b, srcURL)
	var q5 []*catalog.Product
	for _, t := range q5Tables {
		p, ok := base.Lookup("tpch", t+"_v1")
		if !ok {
			b.Fatalf("no tpch.%s_v1", t)
		}
		q5 = append(q5, p)
	}
	if err := pgload.LoadMesh(ctx, src, &catalog.Mesh{Products: q5}, mem); err != nil {
		b.Fatal(err)
	}
	exec(b, src, "ANALYZE")
	// PostgreSQL reads Q5's unversioned names through views.
	for _, t := range q5Tables {
		exec(b, src, fmt.Sprintf("CREATE VIEW public.%s AS SELECT * FROM tpch.%s_v1", t, t))
	}

	// postgres_fdw in a second database, pointing back at the first.
	cfg, err := pgx.ParseConfig(srcURL)
	if err != nil {
		b.Fatal(err)
	}
	fdw := connect(b, pgtest.NewDatabase(b, "q5fdw"))
	exec(b, fdw, "CREATE EXTENSION postgres_fdw")
	exec(b, fdw, fmt.Sprintf("CREATE SERVER src FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %s, port %s, dbname %s)",
		quoteLit(cfg.Host), quoteLit(strconv.Itoa(int(cfg.Port))), quoteLit(cfg.Database)))
	exec(b, fdw, fmt.Sprintf("CREATE USER MAPPING FOR CURRENT_USER SERVER src OPTIONS (user %s)", quoteLit(cfg.User)))
	exec(b, fdw, "CREATE SCHEMA tpch")
	exec(b, fdw, "IMPORT FOREIGN SCHEMA tpch FROM SERVER src INTO tpch")
	for _, t := range q5Tables {
		exec(b, fdw, fmt.Sprintf("ANALYZE tpch.%s_v1", t))
		exec(b, fdw, fmt.Sprintf("CREATE VIEW public.%s AS SELECT * FROM tpch.%s_v1", t, t))
	}

	// meshql over the same tables.
	for _, p := range base.Products {
		p.Source = catalog.Source{Connector: "postgres", Table: p.QualifiedName(), Options: map[string]string{"url": srcURL}}
	}
	base.Products = q5
	pg := postgres.New()
	defer pg.Close()
	eng, err := engine.New(engine.Config{Mesh: base, Mem: mem, Workers: 2, Connectors: []connectors.Connector{pg}})
	if err != nil {
		b.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sess.Close()

	for _, mode := range []string{"on", "off"} {
		b.Run("meshql/pushdown="+mode, func(b *testing.B) {
			if _, err := tpch.Run(ctx, sess, "SET mesh.pushdown = "+mode); err != nil {
				b.Fatal(err)
			}
			rows, bytes := meshqlSourceCounts(b, sess, sql)
			for b.Loop() {
				got, err := tpch.Run(ctx, sess, sql)
				if err != nil {
					b.Fatal(err)
				}
				if err := tpch.Compare(sql, got, want); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows), "source_rows")
			b.ReportMetric(float64(bytes), "source_bytes")
		})
	}
	b.Run("postgres_fdw", func(b *testing.B) {
		rows, bytes := fdwSourceCounts(b, fdw, src, sql)
		for b.Loop() {
			pgQuery(b, fdw, sql, want)
		}
		b.ReportMetric(float64(rows), "source_rows")
		b.ReportMetric(float64(bytes), "source_bytes")
	})
	b.Run("postgres", func(b *testing.B) {
		for b.Loop() {
			pgQuery(b, src, sql, want)
		}
	})
}

var sourceCounts = regexp.MustCompile(`source_rows=(\d+) source_bytes=(\d+)`)

// meshqlSourceCounts sums what the scans of sql's EXPLAIN ANALYZE say
// their sources returned.
func meshqlSourceCounts(b *testing.B, sess *engine.Session, sql string) (rows, bytes int64) {
	plan, err := tpch.Run(context.Background(), sess, "EXPLAIN ANALYZE "+sql)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range plan.Rows {
		for _, m := range sourceCounts.FindAllStringSubmatch(strings.Join(r, " "), -1) {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			k, _ := strconv.ParseInt(m[2], 10, 64)
			rows, bytes = rows+n, bytes+k
		}
	}
	return rows, bytes
}

var (
	foreignScan = regexp.MustCompile(`Foreign Scan.*actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)`)
	remoteSQL   = regexp.MustCompile(`^\s*Remote SQL: (.*)$`)
)

// fdwSourceCounts runs sql's EXPLAIN (ANALYZE, VERBOSE) on the fdw
// database: the rows its Foreign Scans received, and the bytes of its
// remote queries' results, counted by running each on the source in text
// format, as postgres_fdw does.
func fdwSourceCounts(b *testing.B, fdw, src *pgx.Conn, sql string) (rows, bytes int64) {
	ctx := context.Background()
	res, err := fdw.Query(ctx, "EXPLAIN (ANALYZE, VERBOSE) "+sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		b.Fatal(err)
	}
	var remote []string
	for res.Next() {
		line := string(res.RawValues()[0])
		if m := foreignScan.FindStringSubmatch(line); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			l, _ := strconv.ParseInt(m[2], 10, 64)
			rows += n * l
		}
		if m := remoteSQL.FindStringSubmatch(line); m != nil {
			remote = append(remote, m[1])
			b.Logf("postgres_fdw remote SQL: %s", m[1]) // shows which joins it pushed
		}
	}
	if err := res.Err(); err != nil {
		b.Fatal(err)
	}
	for _, q := range remote {
		if strings.Contains(q, "$1") {
			b.Logf("parameterized remote query, bytes not counted: %s", q)
			continue
		}
		rs, err := src.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			b.Fatal(err)
		}
		for rs.Next() {
			bytes += 2
			for _, v := range rs.RawValues() {
				bytes += 4 + int64(len(v))
			}
		}
		if err := rs.Err(); err != nil {
			b.Fatal(err)
		}
	}
	return rows, bytes
}

// pgQuery runs sql on conn and checks its rows against want.
func pgQuery(b *testing.B, conn *pgx.Conn, sql string, want *tpch.Result) {
	rs, err := conn.Query(context.Background(), sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		b.Fatal(err)
	}
	got := &tpch.Result{Columns: want.Columns}
	for rs.Next() {
		var r []string
		for _, v := range rs.RawValues() {
			r = append(r, string(v))
		}
		got.Rows = append(got.Rows, r)
	}
	if err := rs.Err(); err != nil {
		b.Fatal(err)
	}
	if err := tpch.Compare(sql, got, want); err != nil {
		b.Fatal(err)
	}
}

func connect(b *testing.B, url string) *pgx.Conn {
	b.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func exec(b *testing.B, conn *pgx.Conn, sql string) {
	b.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
}

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
