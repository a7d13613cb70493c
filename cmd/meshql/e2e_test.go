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
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/demodata"
	"github.com/meshql/meshql/internal/pgload/pgloadtest"
	"github.com/meshql/meshql/internal/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		main() // a child process of startServeProcess
	}
	root, err := os.MkdirTemp("", "meshql-cmd-demo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	demoTemplates.root = root
	code := pgtest.Run(m)
	if err := os.RemoveAll(root); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

const crossSell = demodata.CrossSell

// server is a `meshql serve` running in-process on a free port.
type server struct {
	addr    string
	dataDir string
}

// startServer runs `meshql serve` on the demo mesh (at a tenth of its
// size, to keep the test quick) and waits until it accepts connections.
func startServer(t *testing.T, extra ...string) *server {
	t.Helper()
	dataDir := demoDataDir(t, "0.1")
	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--pg-listen", "127.0.0.1:0", "--http-listen", "off", "--flight-listen", "off",
			"--data-dir", dataDir, "--demo-scale", "0.1", "--log-level", "warn"}, extra...), stdout, io.Discard)
		stdout.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("meshql serve exited with %d", code)
			}
		case <-time.After(30 * time.Second):
			t.Error("meshql serve did not stop after its context ended")
		}
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "@"); ok && strings.Contains(lines.Text(), "ready") {
			addr, _, _ := strings.Cut(rest, "/")
			go io.Copy(io.Discard, out)
			return &server{addr: addr, dataDir: dataDir}
		}
	}
	t.Fatal("meshql serve ended before it was ready")
	return nil
}

func (s *server) url(user string) string {
	return fmt.Sprintf("postgres://%s:%s@%s/mesh?sslmode=disable", user, user, s.addr)
}

// row is one cross-sell result row.
type row struct {
	customer int64
	category string
	count    int64
}

// postgresAnswer loads the rows the server generated into a real
// PostgreSQL and returns its complete (un-limited) cross-sell result.
func postgresAnswer(t *testing.T, s *server) []row {
	t.Helper()
	mesh, err := catalog.Load(filepath.Join(s.dataDir, "demo", "mesh"), catalog.LoadOptions{DataDir: filepath.Join(s.dataDir, "demo", "data")})
	if err != nil {
		t.Fatal(err)
	}
	conn := pgloadtest.NewDatabase(t, "crosssell", mesh)
	all := strings.TrimSuffix(crossSell, " LIMIT 50")
	return queryRows(t, conn, all)
}

func queryRows(t *testing.T, conn *pgx.Conn, sql string) []row {
	t.Helper()
	rows, err := conn.Query(t.Context(), sql)
	if err != nil {
		t.Fatal(err)
	}
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.customer, &r.category, &r.count); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTop50 compares meshql's 50 rows with PostgreSQL's full answer:
// the counts must be PostgreSQL's 50 largest, in order, and every row must
// be a real (customer, category, count) of the answer. Rows tied at the
// 50th count may legitimately differ between engines.
func checkTop50(t *testing.T, via string, got, all []row) {
	t.Helper()
	checkTop50As(t, via, got, all, false)
}

// checkTop50As is checkTop50; with masked, customer ids must be hashed
// (none of them a real id), and the rows are checked by category and count.
func checkTop50As(t *testing.T, via string, got, all []row, masked bool) {
	t.Helper()
	if len(all) < 50 {
		t.Fatalf("PostgreSQL's answer has only %d rows; the demo data should give more", len(all))
	}
	if len(got) != 50 {
		t.Fatalf("%s: got %d rows, want 50", via, len(got))
	}
	counts := make([]int64, len(all))
	truth := map[[2]string]int64{}
	raw := map[int64]bool{}
	for i, r := range all {
		counts[i] = r.count
		truth[[2]string{strconv.FormatInt(r.customer, 10), r.category}] = r.count
		raw[r.customer] = true
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i] > counts[j] })
	seen := map[[2]string]bool{}
	for i, r := range got {
		if r.count != counts[i] {
			t.Errorf("%s: row %d has count %d, PostgreSQL's %d-th largest count is %d", via, i+1, r.count, i+1, counts[i])
		}
		k := [2]string{strconv.FormatInt(r.customer, 10), r.category}
		if masked {
			if raw[r.customer] {
				t.Errorf("%s: customer id %d is a raw id; the policy masks it for this user", via, r.customer)
			}
			continue
		}
		if want, ok := truth[k]; !ok || want != r.count {
			t.Errorf("%s: row %v is not in PostgreSQL's answer (want count %d, present %v)", via, r, want, ok)
		}
		if seen[k] {
			t.Errorf("%s: row %v appears twice", via, r)
		}
		seen[k] = true
	}
}

func TestCrossSellEndToEnd(t *testing.T) {
	s := startServer(t)
	all := postgresAnswer(t, s)

	// sales_eu holds role sales, which the orders_v1 policy lets see raw
	// customer ids; analyst and marketing see them hashed.
	t.Run("pgx", func(t *testing.T) {
		conn, err := pgx.Connect(t.Context(), s.url("sales_eu"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		checkTop50(t, "pgx", queryRows(t, conn, crossSell), all)
	})

	t.Run("psql", func(t *testing.T) {
		psql, err := exec.LookPath("psql")
		if err != nil {
			t.Fatal("psql is not installed: run scripts/ensure-deps.sh (make test does)")
		}
		out, err := exec.CommandContext(t.Context(), psql, "-X", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", s.url("sales_eu"), "-c", crossSell).CombinedOutput()
		if err != nil {
			t.Fatalf("psql: %v\n%s", err, out)
		}
		var got []row
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Split(line, "|")
			if len(f) != 3 {
				t.Fatalf("psql printed %q", line)
			}
			c, err1 := strconv.ParseInt(f[0], 10, 64)
			n, err2 := strconv.ParseInt(f[2], 10, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("psql printed %q", line)
			}
			got = append(got, row{c, f[1], n})
		}
		checkTop50(t, "psql", got, all)
	})

	t.Run("derived product", func(t *testing.T) {
		conn, err := pgx.Connect(t.Context(), s.url("marketing"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		checkTop50As(t, "marketing.cross_sell_v1", queryRows(t, conn, "SELECT customer_id, category, occurences FROM marketing.cross_sell_v1"), all, true)
	})

	t.Run("analyst sees hashed customers", func(t *testing.T) {
		conn, err := pgx.Connect(t.Context(), s.url("analyst"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		checkTop50As(t, "analyst", queryRows(t, conn, crossSell), all, true)
	})
}

func TestSeedSyntaxErrorHasPositionAndHint(t *testing.T) {
	s := startServer(t)
	conn, err := pgx.Connect(t.Context(), s.url("analyst"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	seed := strings.Replace(crossSell, "CROSS JOIN UNNEST(o.bought) AS u(product_id)", "JOIN UNNEST(o.bought) AS product_id", 1)
	_, err = conn.Exec(t.Context(), seed)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("want a PostgreSQL error, got %v", err)
	}
	if pgErr.Code != "42601" || pgErr.Position == 0 || !strings.Contains(pgErr.Hint, "CROSS JOIN UNNEST(o.bought) AS u(product_id)") {
		t.Fatalf("got code %s position %d hint %q", pgErr.Code, pgErr.Position, pgErr.Hint)
	}
}

func TestExplainShowsPushdown(t *testing.T) {
	s := startServer(t)
	conn, err := pgx.Connect(t.Context(), s.url("analyst"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), "EXPLAIN "+crossSell)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	cutoff := time.Now().AddDate(0, 0, -30).Format("2006-01-02")
	for _, want := range []string{
		"Scan sales.orders_v1 (columns=[customer_id, product_id, order_date] pushed_filters=[order_date > DATE '" + cutoff + "']",
		"Scan catalog.products_v2 (columns=[product_id, category]",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, text)
		}
	}
}

// TestDemoPostgres serves sales.customers_v1 from a real PostgreSQL and
// joins it with the Parquet orders: the federated answer must equal the
// one PostgreSQL computes over the same rows, and EXPLAIN must show the
// SQL sent to PostgreSQL.
func TestDemoPostgres(t *testing.T) {
	uri := pgtest.NewDatabase(t, "demo")
	s := startServer(t, "--demo-postgres", uri)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, s.url("admin"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n, eu int64
	if err := conn.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE region = 'EU') FROM sales.customers_v1").Scan(&n, &eu); err != nil {
		t.Fatal(err)
	}
	pg, err := pgx.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(context.Background())
	var wantN, wantEU int64
	if err := pg.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE region = 'EU') FROM sales.customers_v1").Scan(&wantN, &wantEU); err != nil {
		t.Fatal(err)
	}
	if n != wantN || eu != wantEU || n == 0 {
		t.Fatalf("meshql counts %d customers (%d EU), PostgreSQL %d (%d)", n, eu, wantN, wantEU)
	}
	rows, err := conn.Query(ctx, "EXPLAIN SELECT c.region, count(*) FROM sales.orders_v1 o JOIN sales.customers_v1 c USING (customer_id) WHERE c.region = 'EU' GROUP BY 1")
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "remote_sql=") || !strings.Contains(text, "WHERE") {
		t.Fatalf("EXPLAIN does not show the SQL sent to PostgreSQL:\n%s", text)
	}
}

// TestThreeUsersThroughPsql runs one query through psql as analyst,
// marketing and sales_eu and checks each answer against what its
// policies make of PostgreSQL's answer over the same rows: analyst sees
// every region with emails partially masked, marketing may not read
// signup_date at all (42501), sales_eu sees only the EU, unmasked.
func TestThreeUsersThroughPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is not installed: run scripts/ensure-deps.sh (make test does)")
	}
	s := startServer(t)
	ctx := t.Context()
	mesh, err := catalog.Load(filepath.Join(s.dataDir, "demo", "mesh"), catalog.LoadOptions{DataDir: filepath.Join(s.dataDir, "demo", "data")})
	if err != nil {
		t.Fatal(err)
	}
	pg := pgloadtest.NewDatabase(t, "threeusers", mesh)
	pgLines := func(sql string) string {
		rows, err := pg.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			var region, email, signup string
			var n int64
			if err := rows.Scan(&region, &n, &email, &signup); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s|%d|%s|%s", region, n, email, signup))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, "\n")
	}
	const query = "SELECT region, count(*), min(email), max(signup_date) FROM sales.customers_v1 GROUP BY region ORDER BY region"
	viaPsql := func(user string) (string, error) {
		out, err := exec.CommandContext(ctx, psql, "-X", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", s.url(user), "-c", query).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}

	// analyst: every region; the partial mask keeps only the domain.
	want := pgLines("SELECT region, count(*), '***@' || min(split_part(email, '@', 2)), max(signup_date)::text FROM sales.customers_v1 GROUP BY region ORDER BY region")
	if got, err := viaPsql("analyst"); err != nil || got != want {
		t.Errorf("analyst through psql: %v\n%s\nwant (from PostgreSQL, masked by the policy)\n%s", err, got, want)
	}
	// marketing: signup_date is denied.
	if got, err := viaPsql("marketing"); err == nil || !strings.Contains(got, "permission denied for column signup_date") {
		t.Errorf("marketing through psql: %v\n%s\nwant permission denied for column signup_date", err, got)
	}
	// sales_eu: its region only, unmasked.
	want = pgLines("SELECT region, count(*), min(email), max(signup_date)::text FROM sales.customers_v1 WHERE region = 'EU' GROUP BY region ORDER BY region")
	if got, err := viaPsql("sales_eu"); err != nil || got != want {
		t.Errorf("sales_eu through psql: %v\n%s\nwant (from PostgreSQL, EU rows only)\n%s", err, got, want)
	}
}
