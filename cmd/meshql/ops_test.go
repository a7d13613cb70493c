package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshql/meshql/internal/pgtest"
)

// opsMesh writes a mesh of PostgreSQL products: ops.<name>_v1 for each
// name → (url, remote table).
func opsMesh(t *testing.T, products map[string][2]string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(path, body string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "mesh.yaml"), `name: ops
roles:
  analyst: {}
  admin: {inherits: [analyst]}
users:
  analyst: {password: analyst, roles: [analyst]}
  admin: {password: admin, roles: [admin]}
domains:
  ops: {owner: {team: ops, contact: ops@example.com}}
`)
	for name, src := range products {
		write(filepath.Join(dir, "ops", name+"_v1.yaml"), fmt.Sprintf(`product: %s
version: 1
domain: ops
owner: {team: ops, contact: ops@example.com}
status: active
sla: {freshness: 24h, availability: 99%%, schema_stability: stable}
source: {connector: postgres, table: %s, options: {url: %q}}
columns:
  - {name: x, type: bigint}
policies:
  read: [analyst]
`, name, src[1], src[0]))
	}
	return dir
}

// addNation adds ops.nation_v1 to an opsMesh: the committed TPC-H
// SF0.01 nation table, served from Parquet.
func addNation(t *testing.T, mesh string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "tpch", "sf0.01", "nation.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	desc, err := os.ReadFile(filepath.Join("..", "..", "testdata", "mesh-tpch", "tpch", "nation_v1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	d := strings.NewReplacer("domain: tpch", "domain: ops", "path: ../tpch/sf0.01/nation.parquet", "path: nation.parquet",
		"read: [analyst, marketing, sales]", "read: [analyst]").Replace(string(desc))
	if err := os.WriteFile(filepath.Join(mesh, "nation.parquet"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mesh, "ops", "nation_v1.yaml"), []byte(d), 0o644); err != nil {
		t.Fatal(err)
	}
}

func execAll(t *testing.T, uri string, sqls ...string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, sql := range sqls {
		if _, err := conn.Exec(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

// sourceDB creates a database with table t (x = 1, 2, 3) and views that
// answer slowly: slow (a row every 50 ms, for a minute) and pause (one
// row, x = 1, after two seconds).
func sourceDB(t *testing.T, uri string) {
	execAll(t, uri,
		"CREATE TABLE t AS SELECT g::bigint AS x FROM generate_series(1, 3) g",
		"CREATE VIEW slow AS SELECT g::bigint AS x FROM generate_series(1, 1200) g WHERE pg_sleep(0.05)::text = ''",
		"CREATE VIEW pause AS SELECT 1::bigint AS x FROM pg_sleep(2)",
	)
}

func sqlstate(t *testing.T, err error) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("want a server error, got %T: %v", err, err)
	}
	return pe
}

func scalar(t *testing.T, conn *pgx.Conn, sql string) int64 {
	t.Helper()
	var v int64
	if err := conn.QueryRow(t.Context(), sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// waitRunning waits until a query of the server reads from the view.
func waitRunning(t *testing.T, admin *pgx.Conn, product string) {
	t.Helper()
	for i := 0; ; i++ {
		n := scalar(t, admin, "SELECT count(*) FROM mesh.running_queries WHERE query LIKE '%"+product+"%' AND query NOT LIKE '%running_queries%'")
		if n > 0 {
			return
		}
		if i == 3000 {
			t.Fatalf("no query on %s started", product)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSourceKilledMidQueryAndSlowSource(t *testing.T) {
	doomed, kill := pgtest.Private(t)
	sourceDB(t, doomed)
	healthy := pgtest.NewDatabase(t, "healthy")
	sourceDB(t, healthy)
	mesh := opsMesh(t, map[string][2]string{
		"doomed": {doomed, "public.slow"}, "slow": {healthy, "public.slow"}, "local": {healthy, "public.t"},
	})
	addNation(t, mesh)
	s := startServer(t, "--mesh", mesh)
	ctx := t.Context()
	victim, other, admin := connectAs(t, s, "analyst"), connectAs(t, s, "analyst"), connectAs(t, s, "admin")

	// A source killed while a query reads it: that query fails with a
	// connection error naming the product and the source.
	failed := make(chan error, 1)
	go func() {
		var n int64
		failed <- victim.QueryRow(ctx, "SELECT count(*) FROM ops.doomed_v1").Scan(&n)
	}()
	waitRunning(t, admin, "doomed_v1")
	kill()
	select {
	case err := <-failed:
		pe := sqlstate(t, err)
		if pe.Code != "08006" && pe.Code != "08001" {
			t.Errorf("query on the killed source: SQLSTATE %s (%s), want 08006 or 08001", pe.Code, pe.Message)
		}
		if !strings.Contains(pe.Message, "ops.doomed_v1") || !strings.Contains(pe.Message, "postgres source") {
			t.Errorf("the error does not name the product and the source: %q", pe.Message)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the query on the killed source hangs")
	}
	// Later queries on the dead source fail at once, with 08001.
	_, err := victim.Exec(ctx, "SELECT count(*) FROM ops.doomed_v1")
	if pe := sqlstate(t, err); pe.Code != "08001" || !strings.Contains(pe.Message, "ops.doomed_v1") {
		t.Errorf("query after the kill: %s %q, want 08001 naming the product", pe.Code, pe.Message)
	}
	// Everything else keeps working, on the same connection too: the
	// other PostgreSQL source and a Parquet product (TPC-H's 25 nations,
	// keys 0 to 24).
	for _, c := range []*pgx.Conn{victim, other} {
		if n := scalar(t, c, "SELECT sum(x) FROM ops.local_v1"); n != 6 {
			t.Errorf("sum over the healthy source = %d, want 6", n)
		}
		if n := scalar(t, c, "SELECT count(*) * 1000 + sum(n_nationkey) FROM ops.nation_v1"); n != 25*1000+300 {
			t.Errorf("count and key sum of the Parquet nations: %d, want 25300", n)
		}
	}

	// A slow source honours statement_timeout: 57014, not a hang.
	if _, err := other.Exec(ctx, "SET statement_timeout = '200ms'"); err != nil {
		t.Fatal(err)
	}
	_, err = other.Exec(ctx, "SELECT count(*) FROM ops.slow_v1")
	if pe := sqlstate(t, err); pe.Code != "57014" || !strings.Contains(pe.Message, "statement timeout") {
		t.Errorf("slow source: %s %q, want 57014 statement timeout", pe.Code, pe.Message)
	}
	if n := scalar(t, other, "SELECT sum(x) FROM ops.local_v1"); n != 6 {
		t.Errorf("after the timeout: sum = %d, want 6", n)
	}
}

func connectAs(t *testing.T, s *server, user string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), s.url(user))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func httpStatus(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// serveUntilSignal runs `meshql serve` with args (pgwire on a free port,
// Flight SQL off) until sigterm ends its context, as SIGTERM does, and
// waits until it is ready; its exit code arrives on exited.
func serveUntilSignal(t *testing.T, args ...string) (s *server, sigterm context.CancelFunc, exited <-chan int) {
	t.Helper()
	ctx, sigterm := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"serve", "--pg-listen", "127.0.0.1:0", "--flight-listen", "off"}, args...), stdout, io.Discard)
		stdout.Close()
	}()
	var addr string
	lines := bufio.NewScanner(out)
	for addr == "" && lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "@"); ok {
			addr, _, _ = strings.Cut(rest, "/")
		}
	}
	go io.Copy(io.Discard, out)
	if addr == "" {
		sigterm()
		t.Fatal("meshql serve ended before it was ready")
	}
	return &server{addr: addr}, sigterm, code
}

// TestServeDrainsOnSIGTERM runs meshql serve and ends its context, as
// SIGTERM does: /readyz turns 503, new connections are refused, the
// running query completes, its session then ends with FATAL 57P01, and
// serve exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	db := pgtest.NewDatabase(t, "drain")
	sourceDB(t, db)
	mesh := opsMesh(t, map[string][2]string{"pause": {db, "public.pause"}})
	httpAddr := freeAddr(t)
	s, sigterm, exited := serveUntilSignal(t, "--mesh", mesh, "--http-listen", httpAddr, "--log-level", "warn", "--shutdown-grace", "1m")
	defer sigterm()
	if got := httpStatus("http://" + httpAddr + "/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz before shutdown: %d", got)
	}
	busy, admin := connectAs(t, s, "analyst"), connectAs(t, s, "admin")
	result := make(chan error, 1)
	go func() {
		var x int64
		// One simple-protocol message: with the extended protocol the
		// statement shows in running_queries while its Parse is planned,
		// and the session is idle (so ended by the drain) before Execute.
		err := busy.QueryRow(context.Background(), "SELECT x FROM ops.pause_v1", pgx.QueryExecModeSimpleProtocol).Scan(&x)
		if err == nil && x != 1 {
			err = fmt.Errorf("x = %d, want 1", x)
		}
		result <- err
	}()
	waitRunning(t, admin, "pause_v1")
	sigterm()

	for i := 0; httpStatus("http://"+httpAddr+"/readyz") != http.StatusServiceUnavailable; i++ {
		if i == 3000 {
			t.Fatal("/readyz never turned 503")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// /readyz turns 503 just before the listener closes (load balancers
	// first): new connections must be refused soon after.
	for i := 0; ; i++ {
		c, err := pgx.Connect(context.Background(), s.url("analyst"))
		if err != nil {
			break
		}
		c.Close(context.Background())
		if i == 3000 {
			t.Fatal("new connections were still accepted 30 s into draining")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := <-result; err != nil {
		t.Errorf("the query running at SIGTERM: %v", err)
	}
	_, err := busy.Exec(context.Background(), "SELECT 1")
	if pe := sqlstate(t, err); pe.Code != "57P01" || pe.Severity != "FATAL" {
		t.Errorf("after the drain: %s %s %q, want FATAL 57P01", pe.Severity, pe.Code, pe.Message)
	}
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("serve exited with %d, want 0", code)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not exit")
	}
}

func TestPrintConfigAndInvalidConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "meshql.yaml")
	if err := os.WriteFile(cfg, []byte("max_connections: 7\nstatement_timeout: 1500\ndemo_postgres: postgres://u:hunter2@db/x\nuser: bob\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MESHQL_SHUTDOWN_GRACE", "5s")
	code, stdout, stderr := runCLI(t, "serve", "--config", cfg, "--idle-session-timeout", "10m", "--memory-limit", "1536MB", "--print-config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"max_connections: 7\n", "statement_timeout: 1.5s\n", "shutdown_grace: 5s\n",
		"idle_session_timeout: 10m0s\n", "demo_postgres: postgres://u:xxxxx@db/x\n", "max_queries_per_user: 0\n",
		"max_message_size: 1MB\n", "memory_limit: 1536MB\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--print-config lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "hunter2") {
		t.Error("--print-config shows a password")
	}
	for _, tc := range []struct{ body, want string }{
		{"max_conections: 3\n", `unknown key "max_conections"`},
		{"max_connections: many\n", "max_connections (from config file"},
		{"idle_session_timeout: -5s\n", "idle_session_timeout (from config file"},
		{"log_format: xml\n", `log_format: invalid value "xml"`},
		{"memory_limit: 2XB\n", `memory_limit: invalid value "2XB"`},
		{"query_memory_total: lots\n", `query_memory_total: invalid value "lots"`},
		{"max_message_size: 1kB\n", `max_message_size: invalid value "1kB": want at least 8kB`},
	} {
		if err := os.WriteFile(cfg, []byte(tc.body), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, "serve", "--config", cfg, "--print-config")
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("config %q: exit %d, stderr %q; want a failure naming %q", tc.body, code, stderr, tc.want)
		}
	}
}

func TestQueryMaxRows(t *testing.T) {
	dir := demoDataDir(t, "0.01")
	q := "SELECT x FROM (VALUES (1), (2), (3)) v(x) ORDER BY x"
	code, stdout, stderr := runCLI(t, "query", "--data-dir", dir, "--demo-scale", "0.01", "--format", "csv", "--max-rows", "3", q)
	if code != 0 || stdout != "x\n1\n2\n3\n" {
		t.Errorf("3 rows under --max-rows 3: exit %d, %q, %s", code, stdout, stderr)
	}
	for _, format := range []string{"csv", "arrow"} {
		code, stdout, stderr = runCLI(t, "query", "--data-dir", dir, "--demo-scale", "0.01", "--format", format, "--max-rows", "2", q)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "more than 2 rows") || !strings.Contains(stderr, "54000") {
			t.Errorf("%s: 3 rows over --max-rows 2: exit %d, stdout %q, stderr %q", format, code, stdout, stderr)
		}
	}
}

// TestQueryRegclass: meshql query prints a regclass column as psql does,
// the relation's name, left-aligned ("-" for 0).
func TestQueryRegclass(t *testing.T) {
	code, stdout, stderr := runCLI(t, "query", "--data-dir", demoDataDir(t, "0.01"), "--demo-scale", "0.01", "SELECT 'sales.orders_v1'::regclass AS r, 0::regclass AS zero")
	want := "        r        | zero\n-----------------+------\n sales.orders_v1 | -   \n(1 row)\n"
	if code != 0 || stdout != want {
		t.Errorf("exit %d, %q, want %q; %s", code, stdout, want, stderr)
	}
}

// TestQueryProfileAndTiming: --profile writes a CPU profile pprof can
// read (gzip-compressed protobuf naming cpu/nanoseconds samples) and
// --timing prints one time per statement on stderr, leaving the result
// on stdout as it was; an unwritable profile path fails before the query.
func TestQueryProfileAndTiming(t *testing.T) {
	dir := demoDataDir(t, "0.01")
	prof := filepath.Join(dir, "cpu.out")
	code, stdout, stderr := runCLI(t, "query", "--data-dir", dir, "--demo-scale", "0.01", "--format", "csv",
		"--profile", prof, "--timing", "SELECT 1 AS a; SELECT 2 AS b")
	if code != 0 || stdout != "a\n1\nb\n2\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if times := regexp.MustCompile(`(?m)^Time: \d+\.\d{3} ms$`).FindAllString(stderr, -1); len(times) != 2 {
		t.Errorf("stderr %q: want one Time line per statement", stderr)
	}
	f, err := os.Open(prof)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("profile is not gzip-compressed as pprof writes it: %v", err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || !bytes.Contains(body, []byte("nanoseconds")) || !bytes.Contains(body, []byte("cpu")) {
		t.Errorf("profile: %d bytes, %v; want a CPU profile", len(body), err)
	}

	code, stdout, stderr = runCLI(t, "query", "--data-dir", dir, "--demo-scale", "0.01",
		"--profile", filepath.Join(dir, "missing", "cpu.out"), "SELECT 1")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "--profile") || !strings.Contains(stderr, "22023") {
		t.Errorf("unwritable --profile: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
