// Command meshql-loadtest runs `make loadtest`: it starts two `meshql
// serve` processes (the demo mesh, and the TPC-H SF0.01 mesh of
// testdata/mesh-tpch) unless given servers to drive, runs
// internal/loadtest's query and churn phases against them, prints the
// report and, with --results, rewrites the load-test section of
// bench/RESULTS.md. It exits 1 when a bound is missed (an error, a leak,
// RSS over --max-rss).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/internal/demodata"
	"github.com/meshql/meshql/internal/loadtest"
)

const crossSell = demodata.CrossSell

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "meshql-loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("meshql-loadtest", flag.ContinueOnError)
	bin := fs.String("meshql", "bin/meshql", "meshql binary to start servers with")
	demoAddr := fs.String("demo-addr", "", "drive this running demo-mesh server (host:port) instead of starting one; needs --metrics")
	tpchAddr := fs.String("tpch-addr", "", "drive this running TPC-H-mesh server instead of starting one")
	metrics := fs.String("metrics", "", "comma-separated /metrics URLs of the servers given with --demo-addr/--tpch-addr")
	dataDir := fs.String("data-dir", filepath.Join(os.TempDir(), "meshql-loadtest"), "data dir of the started demo server")
	demoScale := fs.String("demo-scale", "1", "demo data size of the started server (1: ~1M order lines)")
	tpchMesh := fs.String("tpch-mesh", "testdata/mesh-tpch", "TPC-H mesh of the started server")
	tpchQueries := fs.String("tpch-queries", "testdata/tpch/queries", "folder of qNN.sql")
	clients := fs.Int("clients", 100, "concurrent clients")
	duration := fs.Duration("duration", 60*time.Second, "length of the query phase")
	churnClients := fs.Int("churn-clients", 20, "clients of the connect/disconnect phase")
	churnDuration := fs.Duration("churn-duration", 20*time.Second, "length of the connect/disconnect phase")
	maxRSS := fs.Int64("max-rss-mib", 2048, "bound on each server's resident memory, MiB")
	memLimit := fs.String("memory-limit", "1536MB", "--memory-limit of the started servers (their queries share half of it)")
	results := fs.String("results", "", "rewrite the load-test section of this file (bench/RESULTS.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var metricURLs []string
	if *demoAddr == "" {
		demo, err := startServer(ctx, *bin, "--data-dir", *dataDir, "--demo-scale", *demoScale, "--memory-limit", *memLimit)
		if err != nil {
			return err
		}
		defer demo.stop(out)
		tpch, err := startServer(ctx, *bin, "--mesh", *tpchMesh, "--memory-limit", *memLimit)
		if err != nil {
			return err
		}
		defer tpch.stop(out)
		*demoAddr, *tpchAddr = demo.pg, tpch.pg
		metricURLs = []string{demo.metrics, tpch.metrics}
	} else if *metrics != "" {
		metricURLs = strings.Split(*metrics, ",")
	}
	dsn := func(addr, user string) string {
		return fmt.Sprintf("postgres://%s:%s@%s/mesh?sslmode=disable", user, user, addr)
	}
	loadAvg := loadAverage()
	queries, err := workload(ctx, dsn(*demoAddr, "admin"), dsn(*demoAddr, "analyst"), dsn(*tpchAddr, "analyst"), *tpchQueries)
	if err != nil {
		return err
	}
	cfg := loadtest.Config{
		Queries: queries, Clients: *clients, Duration: *duration,
		ChurnClients: *churnClients, ChurnDuration: *churnDuration, ChurnDSN: dsn(*demoAddr, "analyst"),
		MetricsURLs: metricURLs, MaxRSS: *maxRSS << 20,
	}
	rep, err := loadtest.Run(ctx, cfg, out)
	if err != nil {
		return err
	}
	setup := fmt.Sprintf("Measured %s on %d CPUs (%s/%s), load average %s at the start: `meshql-loadtest --clients %d --duration %s --churn-clients %d --churn-duration %s --demo-scale %s --memory-limit %s`; "+
		"server 1 serves the demo mesh, server 2 TPC-H SF0.01 (testdata/mesh-tpch), each started with `--memory-limit %s`.",
		time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, loadAvg,
		*clients, *duration, *churnClients, *churnDuration, *demoScale, *memLimit, *memLimit)
	md := rep.Markdown(cfg, setup)
	fmt.Fprintln(out)
	fmt.Fprint(out, md)
	if *results != "" {
		if err := writeSection(*results, md); err != nil {
			return err
		}
	}
	if !rep.Passed(cfg) {
		return errors.New("the load test missed a bound (errors, leaks or RSS; see above)")
	}
	return nil
}

// loadAverage is /proc/loadavg's 1, 5 and 15 minute figures: the machine
// may be shared, and the latencies mean little without it.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// workload is the query mix: point lookups, the cross-sell query and
// TPC-H Q1, Q3 and Q6.
func workload(ctx context.Context, demoAdmin, demoAnalyst, tpchAnalyst, queryDir string) ([]loadtest.Query, error) {
	maxID := func(sql string) (int64, error) {
		c, err := pgx.Connect(ctx, demoAdmin)
		if err != nil {
			return 0, err
		}
		defer c.Close(context.Background())
		var n int64
		return n, c.QueryRow(ctx, sql).Scan(&n)
	}
	customers, err := maxID("SELECT max(customer_id) FROM sales.customers_v1")
	if err != nil {
		return nil, err
	}
	products, err := maxID("SELECT max(product_id) FROM catalog.products_v2")
	if err != nil {
		return nil, err
	}
	qs := []loadtest.Query{
		{Name: "customer by id", DSN: demoAdmin, Weight: 35,
			SQL:  "SELECT customer_id, name, country, region, segment FROM sales.customers_v1 WHERE customer_id = $1",
			Args: func(r *rand.Rand) []any { return []any{1 + r.Int64N(customers)} }},
		{Name: "product by id", DSN: demoAnalyst, Weight: 35,
			SQL:  "SELECT product_id, name, category, price FROM catalog.products_v2 WHERE product_id = $1",
			Args: func(r *rand.Rand) []any { return []any{1 + r.Int64N(products)} }},
		{Name: "cross-sell", DSN: demoAnalyst, Weight: 10, SQL: crossSell},
	}
	for _, q := range []struct {
		n      string
		weight int
	}{{"q01", 7}, {"q03", 6}, {"q06", 7}} {
		sql, err := os.ReadFile(filepath.Join(queryDir, q.n+".sql"))
		if err != nil {
			return nil, err
		}
		qs = append(qs, loadtest.Query{Name: "TPC-H " + q.n, DSN: tpchAnalyst, Weight: q.weight,
			SQL: strings.TrimSuffix(strings.TrimSpace(string(sql)), ";")})
	}
	return qs, nil
}

// server is a `meshql serve` child process.
type server struct {
	cmd          *exec.Cmd
	pg, metrics  string
	stdoutClosed <-chan struct{}
}

// startServer starts meshql serve on free ports and waits until it is
// ready. Its log goes to stderr.
func startServer(ctx context.Context, bin string, args ...string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	httpAddr := ln.Addr().String()
	ln.Close()
	args = append([]string{"serve", "--pg-listen", "127.0.0.1:0", "--http-listen", httpAddr, "--flight-listen", "off",
		"--log-level", "warn", "--max-connections", "1000"}, args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w (run make build first)", bin, err)
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "@"); ok && strings.Contains(lines.Text(), "ready") {
			pg, _, _ := strings.Cut(rest, "/")
			done := make(chan struct{})
			go func() { io.Copy(io.Discard, stdout); close(done) }()
			return &server{cmd: cmd, pg: pg, metrics: "http://" + httpAddr + "/metrics", stdoutClosed: done}, nil
		}
	}
	_ = cmd.Wait()
	return nil, fmt.Errorf("%s %s ended before it was ready", bin, strings.Join(args, " "))
}

// stop sends SIGTERM (a drain) and waits for the exit.
func (s *server) stop(out io.Writer) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.stdoutClosed
	if err := s.cmd.Wait(); err != nil {
		fmt.Fprintf(out, "server %s: %v\n", s.pg, err)
	}
}

// Markers of the load-test section in bench/RESULTS.md; the rest of the
// file belongs to make bench and to hand-written analysis.
const (
	beginMarker = "<!-- generated by make loadtest: begin -->"
	endMarker   = "<!-- generated by make loadtest: end -->"
)

// writeSection replaces the text between the markers (appending a "Load
// test" section with them when the file has none).
func writeSection(path, md string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(data)
	block := beginMarker + "\n\n" + md + "\n" + endMarker
	before, rest, found := strings.Cut(s, beginMarker)
	if found {
		_, after, ok := strings.Cut(rest, endMarker)
		if !ok {
			return fmt.Errorf("%s: %q without %q", path, beginMarker, endMarker)
		}
		s = before + block + after
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n## Load test (issue 10)\n\n`make loadtest` (not part of `make test`) writes this section.\n\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
