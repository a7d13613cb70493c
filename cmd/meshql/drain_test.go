package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgload/pgloadtest"
)

// childEnv makes the test binary run main() instead of the tests
// (TestMain), so that a test can start `meshql serve` as a process of its
// own and send it a real SIGTERM. The name is outside MESHQL_*, which
// holds configuration keys.
const childEnv = "MESHQLTEST_RUN_MAIN"

// serveProcess is `meshql serve` running as a child process.
type serveProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr logFile
	exited chan struct{} // closed once cmd.Wait returned
	err    error         // cmd.Wait's, once exited is closed
}

// startServeProcess runs `meshql serve args...` (pgwire on a free port)
// in a child process and waits until it is ready. The child is killed
// when the test ends, if it still runs then.
func startServeProcess(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"serve", "--pg-listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	p := &serveProcess{cmd: cmd, stderr: logFile(filepath.Join(t.TempDir(), "stderr")), exited: make(chan struct{})}
	f, err := os.Create(string(p.stderr))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() // the child has its own copy
	cmd.Stderr = f
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	for p.addr == "" && lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "@"); ok && strings.Contains(lines.Text(), "ready") {
			p.addr, _, _ = strings.Cut(rest, "/")
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	if p.addr == "" {
		<-p.exited
		t.Fatalf("meshql serve ended before it was ready: %v\n%s", p.err, p.stderr)
	}
	return p
}

// logFile is a file the child writes its log to; String reads it, for
// failure messages.
type logFile string

func (l logFile) String() string {
	data, _ := os.ReadFile(string(l))
	return string(data)
}

func (p *serveProcess) url(user string) string {
	return fmt.Sprintf("postgres://%s:%s@%s/mesh?sslmode=disable", user, user, p.addr)
}

// drainCase is one query of the load and PostgreSQL's answer to it. Every
// column is cast to text so that both protocols scan the same strings.
type drainCase struct {
	sql  string
	args []any
	want string
}

// rawTextRows runs sql and returns its rows, columns joined by "|", rows by
// newlines.
func rawTextRows(ctx context.Context, conn *pgx.Conn, sql string, args ...any) (string, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return "", err
	}
	var out []string
	for rows.Next() {
		vals := rows.RawValues()
		cols := make([]string, len(vals))
		for i, v := range vals {
			cols[i] = string(v)
		}
		out = append(out, strings.Join(cols, "|"))
	}
	return strings.Join(out, "\n"), rows.Err()
}

// flightRows runs sql over Flight SQL and returns its rows as
// rawTextRows does (every column is text).
func flightRows(ctx context.Context, cl *flightsql.Client, sql string) (string, error) {
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		return "", err
	}
	var out []string
	for _, ep := range info.Endpoint {
		rdr, err := cl.DoGet(ctx, ep.Ticket)
		if err != nil {
			return "", err
		}
		for rdr.Next() {
			b := rdr.RecordBatch()
			for r := 0; r < int(b.NumRows()); r++ {
				cols := make([]string, b.NumCols())
				for c := range cols {
					cols[c] = b.Column(c).ValueStr(r)
				}
				out = append(out, strings.Join(cols, "|"))
			}
		}
		err = rdr.Err()
		rdr.Release()
		if err != nil {
			return "", err
		}
	}
	return strings.Join(out, "\n"), nil
}

// drainCases are the short queries of the load (point lookups, a scan
// aggregate, a join) and the long one (an aggregate over a series long
// enough to be running when the signal comes), answered by PostgreSQL
// over the rows the server generated.
func drainCases(t *testing.T, dataDir string) (short []drainCase, long drainCase) {
	t.Helper()
	mesh, err := catalog.Load(filepath.Join(dataDir, "demo", "mesh"), catalog.LoadOptions{DataDir: filepath.Join(dataDir, "demo", "data")})
	if err != nil {
		t.Fatal(err)
	}
	pg := pgloadtest.NewDatabase(t, "drainload", mesh)
	ctx := t.Context()
	answer := func(sql string, args ...any) drainCase {
		// Simple protocol: text values, as the load's clients scan them.
		got, err := rawTextRows(ctx, pg, sql, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...)
		if err != nil {
			t.Fatalf("PostgreSQL: %s: %v", sql, err)
		}
		if got == "" {
			t.Fatalf("PostgreSQL: %s: no rows; the case checks nothing", sql)
		}
		return drainCase{sql: sql, args: args, want: got}
	}
	for _, id := range []int64{1, 7, 42, 99, 150} {
		short = append(short, answer("SELECT name::text, country::text, region::text FROM sales.customers_v1 WHERE customer_id = $1", id))
	}
	short = append(short,
		answer("SELECT count(*)::text, sum(amount)::text FROM sales.orders_v1"),
		answer("SELECT p.category::text, count(*)::text FROM sales.orders_v1 o JOIN catalog.products_v2 p ON p.product_id = o.product_id GROUP BY p.category ORDER BY p.category"))
	long = answer("SELECT count(*)::text, sum(g)::text FROM generate_series(1, 300000) g")
	return short, long
}

// drainOutcome counts what the load's clients saw.
type drainOutcome struct {
	mu           sync.Mutex
	failures     []string
	afterSignal  int // queries that completed correctly after SIGTERM was sent
	terminated   int // sessions ended with 57P01
	refused      int // connection attempts refused during the drain
	beforeSignal atomic.Int64
}

func (o *drainOutcome) fail(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failures = append(o.failures, fmt.Sprintf(format, args...))
}

func (o *drainOutcome) add(field *int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	*field++
}

// TestSIGTERMDrainsUnderLoad sends a real SIGTERM to `meshql serve` while
// eight pgx clients run a mix of queries (persistent sessions in both
// protocols, long queries, a client that connects for every query) and
// one query that outlasts the grace period, and two Flight SQL clients
// run the short queries (turned away as gRPC Unavailable once draining).
// Every pgwire query must either complete with PostgreSQL's answer or
// fail with a clean 57P01; every
// connection attempt during the drain must be refused (ECONNREFUSED) or
// rejected with 57P03/57P01; the process must exit 0. Nothing here
// depends on timing but the generous bounds on waiting.
func TestSIGTERMDrainsUnderLoad(t *testing.T) {
	dataDir := demoDataDir(t, "0.01")
	flightAddr := freeAddr(t)
	p := startServeProcess(t, "--data-dir", dataDir, "--demo-scale", "0.01", "--flight-listen", flightAddr, "--http-listen", "off",
		"--log-level", "warn", "--shutdown-grace", "5s")
	short, long := drainCases(t, dataDir)
	ctx, stop := context.WithTimeout(context.Background(), 3*time.Minute)
	defer stop()

	var signaled atomic.Bool
	out := &drainOutcome{}
	// check classifies one query's end. It reports whether the session
	// is over (57P01: the server ended it as the drain asks).
	check := func(who string, c drainCase, got string, err error) (over bool) {
		var pe *pgconn.PgError
		switch {
		case err == nil && got == c.want:
			if signaled.Load() {
				out.add(&out.afterSignal)
			} else {
				out.beforeSignal.Add(1)
			}
			return false
		case err == nil:
			out.fail("%s: %s %v: got %q, PostgreSQL says %q", who, c.sql, c.args, got, c.want)
			return true
		case !signaled.Load():
			out.fail("%s: %s before SIGTERM: %v", who, c.sql, err)
			return true
		case errors.As(err, &pe) && pe.Code == "57P01":
			out.add(&out.terminated)
			return true
		default:
			out.fail("%s: %s during the drain: %T %v; want a result or 57P01", who, c.sql, err, err)
			return true
		}
	}
	// connect opens a session; during the drain it must be refused
	// cleanly (ok false then).
	connect := func(who string) (conn *pgx.Conn, ok bool) {
		conn, err := pgx.Connect(ctx, p.url("admin"))
		if err == nil {
			return conn, true
		}
		var pe *pgconn.PgError
		switch {
		case !signaled.Load():
			out.fail("%s: connecting before SIGTERM: %v", who, err)
		case errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &pe) && (pe.Code == "57P03" || pe.Code == "57P01"):
			out.add(&out.refused)
		default:
			out.fail("%s: connecting during the drain: %T %v; want ECONNREFUSED, 57P03 or 57P01", who, err, err)
		}
		return nil, false
	}
	// session runs cases on one connection until the server ends it,
	// then checks that a new connection is refused.
	session := func(who string, mode pgx.QueryExecMode, cases []drainCase) {
		conn, ok := connect(who)
		if !ok {
			return
		}
		defer conn.Close(context.Background())
		for i := 0; ctx.Err() == nil; i++ {
			c := cases[i%len(cases)]
			got, err := rawTextRows(ctx, conn, c.sql, append([]any{mode}, c.args...)...)
			if check(who, c, got, err) {
				break
			}
		}
		if c, ok := connect(who + " (reconnecting)"); ok {
			c.Close(context.Background())
			out.fail("%s: a new connection was accepted after the session was ended for the shutdown", who)
		}
	}
	var wg sync.WaitGroup
	spawn := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	for i := range 4 {
		mode := pgx.QueryExecModeSimpleProtocol
		if i%2 == 1 {
			mode = pgx.QueryExecModeCacheStatement
		}
		spawn(func() { session(fmt.Sprintf("client %d", i), mode, short) })
	}
	for i := 4; i < 6; i++ {
		spawn(func() {
			session(fmt.Sprintf("client %d (long)", i), pgx.QueryExecModeCacheStatement, []drainCase{long})
		})
	}
	for i := 6; i < 8; i++ {
		// A new connection for every query: some arrive just as the
		// drain starts.
		spawn(func() {
			who := fmt.Sprintf("client %d (connects per query)", i)
			for j := 0; ctx.Err() == nil; j++ {
				conn, ok := connect(who)
				if !ok {
					return
				}
				c := short[j%len(short)]
				got, err := rawTextRows(ctx, conn, c.sql, c.args...)
				conn.Close(context.Background())
				if check(who, c, got, err) {
					return
				}
			}
		})
	}
	// Flight SQL clients run the short queries too. A call started
	// during the drain may be turned away as gRPC Unavailable (the
	// server's GOAWAY, a refused connection, or 57P01 when the grace
	// ends): that is how gRPC says "retry elsewhere".
	flightClient := func(who string) {
		cl, err := flightsql.NewClient(flightAddr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			out.fail("%s: %v", who, err)
			return
		}
		defer cl.Close()
		fctx, err := cl.Client.AuthenticateBasicToken(ctx, "admin", "admin")
		if err != nil {
			out.fail("%s: authenticating: %v", who, err)
			return
		}
		for j := 0; ctx.Err() == nil; j++ {
			c := short[j%len(short)]
			sql := c.sql
			for k, a := range c.args {
				sql = strings.ReplaceAll(sql, fmt.Sprintf("$%d", k+1), fmt.Sprint(a))
			}
			got, err := flightRows(fctx, cl, sql)
			if st, ok := status.FromError(err); err != nil && ok && st.Code() == codes.Unavailable && signaled.Load() {
				out.add(&out.refused)
				return
			}
			if check(who, c, got, err) {
				return
			}
		}
	}
	for i := 8; i < 10; i++ {
		spawn(func() { flightClient(fmt.Sprintf("Flight SQL client %d", i)) })
	}
	// One query that cannot finish within the grace: it must end with
	// 57P01 when the grace is over, not hang and not break the protocol.
	endless := make(chan error, 1)
	go func() {
		conn, err := pgx.Connect(ctx, p.url("admin"))
		if err != nil {
			endless <- err
			return
		}
		defer conn.Close(context.Background())
		// Some 10^11 rows, produced batch by batch (so that the
		// cancellation at the end of the grace is seen at once).
		_, err = conn.Exec(ctx, "SELECT count(*) FROM sales.orders_v1 a, sales.orders_v1 b, catalog.products_v2 c")
		endless <- err
	}()

	// SIGTERM once every client has had answers and the endless query runs.
	admin, err := pgx.Connect(ctx, p.url("admin"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		var running int64
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM mesh.running_queries WHERE query LIKE '%catalog.products_v2 c%' AND query NOT LIKE '%running_queries%'").Scan(&running); err != nil {
			t.Fatal(err)
		}
		if running > 0 && out.beforeSignal.Load() >= 16 {
			break
		}
		out.mu.Lock()
		failures := out.failures
		out.mu.Unlock()
		select {
		case err := <-endless:
			t.Fatalf("the endless query ended before SIGTERM: %v", err)
		default:
		}
		if len(failures) > 0 || i == 6000 {
			t.Fatalf("the load did not get going: %d answers, endless query running: %v, failures:\n%s\n%s",
				out.beforeSignal.Load(), running > 0, strings.Join(failures, "\n"), p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	admin.Close(context.Background())
	signaled.Store(true)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	select {
	case err := <-endless:
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "57P01" {
			t.Errorf("the query running past the grace period: %T %v; want 57P01", err, err)
		}
	case <-ctx.Done():
		t.Fatal("the query running past the grace period never ended")
	}
	wg.Wait()
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("meshql serve after SIGTERM: %v; want exit 0\n%s", p.err, p.stderr)
		}
	case <-ctx.Done():
		t.Fatalf("meshql serve did not exit after SIGTERM\n%s", p.stderr)
	}
	for _, f := range out.failures {
		t.Error(f)
	}
	t.Logf("%d answers before SIGTERM, %d after; %d sessions ended with 57P01, %d connection attempts refused",
		out.beforeSignal.Load(), out.afterSignal, out.terminated, out.refused)
	// Sessions were busy when the signal came: the drain let some
	// statement finish (a drain that ended everything at once would
	// show none).
	if out.afterSignal == 0 {
		t.Error("no query completed after SIGTERM: running statements were not allowed to finish")
	}
}
