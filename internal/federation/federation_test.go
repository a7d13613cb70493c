package federation

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/connectors/objstore/s3test"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/internal/tpch"
	wireflight "github.com/meshql/meshql/wire/flightsql"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	tpchMesh   = "../../testdata/mesh-tpch"
	tpchData   = "../../testdata/tpch/sf0.01"
	answersDir = "../../testdata/tpch/sf0.01/answers"
	queryDir   = "../../testdata/tpch/queries"
)

// where each TPC-H table lives in the federated mesh.
var placement = map[string]string{
	"customer": "postgres", "nation": "postgres",
	"orders":   "s3",
	"supplier": "flightsql", "region": "flightsql",
	"lineitem": "parquet", "part": "parquet", "partsupp": "parquet",
}

// TestTPCHFederated runs TPC-H Q3, Q5 and Q10 with the tables split across
// Parquet, PostgreSQL, S3 and a second meshql node over Flight SQL, and
// compares the answers with the reference answers (single-source, made by
// DuckDB). EXPLAIN of Q5 shows what each source is sent.
func TestTPCHFederated(t *testing.T) {
	ctx := context.Background()
	r := startRemotes(t)
	// S3: orders as an object, read with ranged requests.
	s3 := s3test.Start(t, "tpch", map[string]string{"sf0.01/orders/orders.parquet": filepath.Join(tpchData, "orders.parquet")})
	t.Setenv("MESHQL_FED_S3_SECRET", "secret")
	sess := r.adminSession(t, writeFederatedMesh(t, s3.URL, r.flightAddr))
	for _, q := range []string{"q03", "q05", "q10"} {
		t.Run(q, func(t *testing.T) {
			sql := readFile(t, filepath.Join(queryDir, q+".sql"))
			want, err := tpch.LoadAnswer(filepath.Join(answersDir, q+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			qctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			got, err := tpch.Run(qctx, sess, sql)
			if err != nil {
				t.Fatal(err)
			}
			if err := tpch.Compare(sql, got, want); err != nil {
				t.Fatal(err)
			}
		})
	}

	// EXPLAIN names what each source does: remote SQL with its WHERE for
	// PostgreSQL and Flight SQL, files and bytes for S3. r_name is only
	// filtered on, remotely: the remote SELECT list leaves it out.
	plan, err := tpch.Run(ctx, sess, "EXPLAIN "+readFile(t, filepath.Join(queryDir, "q05.sql")))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range plan.Rows {
		lines = append(lines, strings.Join(r, " "))
	}
	text := strings.Join(lines, "\n")
	t.Logf("EXPLAIN q05:\n%s", text)
	for _, want := range []string{
		`remote_sql="SELECT \"r_regionkey\" FROM \"tpch\".\"region_v1\" WHERE \"r_name\" = $1" params=['ASIA']`,
		`remote_sql="SELECT \"c_custkey\", \"c_nationkey\" FROM \"tpch\".\"customer_v1\""`,
		`fetch_bytes=`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN of q05 lacks %s:\n%s", want, text)
		}
	}
	if !regexp.MustCompile(`files=1/1 row_groups=\d+/\d+`).MatchString(text) {
		t.Errorf("EXPLAIN of q05 lacks the S3 scan's files:\n%s", text)
	}

	// EXPLAIN ANALYZE: every scan says what its source returned. TPC-H
	// SF0.01 has 1,500 customers, all read (Q5 filters them by join only),
	// and 5 regions, of which the Flight SQL node returns ASIA alone.
	plan, err = tpch.Run(ctx, sess, "EXPLAIN ANALYZE "+readFile(t, filepath.Join(queryDir, "q05.sql")))
	if err != nil {
		t.Fatal(err)
	}
	scans := 0
	source := regexp.MustCompile(`source_rows=(\d+) source_bytes=(\d+)`)
	for _, r := range plan.Rows {
		line := strings.Join(r, " ")
		if !strings.Contains(line, "Scan tpch.") {
			continue
		}
		scans++
		m := source.FindStringSubmatch(line)
		if m == nil || m[2] == "0" {
			t.Errorf("scan without the rows and bytes its source returned: %s", line)
			continue
		}
		for table, rows := range map[string]string{"customer_v1": "1500", "region_v1": "1"} {
			if strings.Contains(line, "Scan tpch."+table) && m[1] != rows {
				t.Errorf("%s: source_rows=%s, want %s", table, m[1], rows)
			}
		}
	}
	if scans != 6 {
		t.Errorf("EXPLAIN ANALYZE of q05 shows %d scans, want 6:\n%v", scans, plan.Rows)
	}
}

// serveFlight serves eng over Flight SQL on loopback until t ends.
func serveFlight(t *testing.T, eng *engine.Engine, mem memory.Allocator) string {
	t.Helper()
	return serveFlightWith(t, eng, mem, wireflight.Config{})
}

// serveFlightWith is serveFlight with a server configuration (its Logger
// and Mem are set here).
func serveFlightWith(t *testing.T, eng *engine.Engine, mem memory.Allocator, cfg wireflight.Config) string {
	t.Helper()
	cfg.Logger, cfg.Mem = slog.New(slog.NewTextHandler(io.Discard, nil)), mem
	srv, err := wireflight.NewServer(eng, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// writeFederatedMesh copies the TPC-H mesh with each table's source moved
// to where placement puts it.
func writeFederatedMesh(t *testing.T, s3URL, flightAddr string) string {
	t.Helper()
	dir := t.TempDir()
	data, err := filepath.Abs(tpchData)
	if err != nil {
		t.Fatal(err)
	}
	mesh := readFile(t, filepath.Join(tpchMesh, "mesh.yaml")) + `
connections:
  lake:
    kind: s3
    endpoint: ` + s3URL + `
    region: us-east-1
    path_style: "true"
    access_key_id: meshql
    secret_access_key_env: MESHQL_FED_S3_SECRET
  node:
    kind: flightsql
    uri: grpc://` + flightAddr + `
    username: admin
    password_env: MESHQL_FED_FLIGHT_PW
`
	writeFile(t, filepath.Join(dir, "mesh.yaml"), mesh)
	for table, where := range placement {
		desc := readFile(t, filepath.Join(tpchMesh, "tpch", table+"_v1.yaml"))
		var src string
		switch where {
		case "postgres":
			src = "source: {connector: postgres, table: tpch." + table + "_v1, options: {url_env: MESHQL_FED_PG_URL}}"
		case "s3":
			src = "source: {connector: parquet, path: s3://tpch/sf0.01/" + table + "/*.parquet, connection: lake}"
		case "flightsql":
			src = "source: {connector: flightsql, table: tpch." + table + "_v1, connection: node}"
		default:
			src = "source: {connector: parquet, path: " + filepath.Join(data, table+".parquet") + "}"
		}
		re := regexp.MustCompile(`(?m)^source: .*$`)
		if !re.MatchString(desc) {
			t.Fatalf("%s: no source line", table)
		}
		writeFile(t, filepath.Join(dir, "tpch", table+"_v1.yaml"), re.ReplaceAllLiteralString(desc, src))
	}
	return dir
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
