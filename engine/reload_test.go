package engine

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/internal/logbuf"
	"github.com/meshql/meshql/sqltypes"
)

func reloadableEngine(t *testing.T) (e *Engine, meshDir string, log *logbuf.Buffer, mem *memory.CheckedAllocator) {
	t.Helper()
	return reloadableEngineAt(t, nil)
}

// reloadableEngineAt is reloadableEngine with the engine's clock (nil:
// time.Now).
func reloadableEngineAt(t *testing.T, clock func() time.Time) (e *Engine, meshDir string, log *logbuf.Buffer, mem *memory.CheckedAllocator) {
	t.Helper()
	root := t.TempDir()
	// Its own copy of the data: tests of reloading rewrite the files.
	data := filepath.Join(root, "data")
	if err := os.CopyFS(data, os.DirFS(demoDataDir(t))); err != nil {
		t.Fatal(err)
	}
	meshDir = filepath.Join(root, "mesh")
	if err := os.CopyFS(meshDir, os.DirFS("../testdata/mesh")); err != nil {
		t.Fatal(err)
	}
	load := func(context.Context) (*catalog.Mesh, error) {
		return catalog.Load(meshDir, catalog.LoadOptions{DataDir: data, MaskKey: "test-install-key-0123456789"})
	}
	mesh, err := load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	log = &logbuf.Buffer{}
	mem = memory.NewCheckedAllocator(memory.NewGoAllocator())
	e, err = New(Config{Mesh: mesh, Mem: mem, Workers: 2, Connectors: []connectors.Connector{parquet.New()},
		Logger: slog.New(slog.NewTextHandler(log, nil)), Reload: load, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return e, meshDir, log, mem
}

// editFile replaces old by new in a mesh file, failing when old is absent.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sessionRows runs sql in an existing session.
func sessionRows(t *testing.T, s *Session, sql string) ([]string, error) {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		return nil, err
	}
	return drainRows(t, res)
}

func TestReloadChangesGrantsMasksAndRowFilters(t *testing.T) {
	e, dir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	customers := filepath.Join(dir, "sales", "customers_v1.yaml")
	ctx := context.Background()

	mkt, err := e.NewSession("marketing", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mkt.Close()
	eu, err := e.NewSession("sales_eu", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer eu.Close()

	// Before: the descriptor denies signup_date to marketing, shows it
	// partial e-mails, and keeps sales_eu to region EU.
	if _, err := sessionRows(t, mkt, "SELECT signup_date FROM sales.customers_v1"); sqltypes.Code(err) != "42501" {
		t.Fatalf("before reload: got %v, want 42501", err)
	}
	emails, err := sessionRows(t, mkt, "SELECT email FROM sales.customers_v1 ORDER BY customer_id LIMIT 3")
	if err != nil || len(emails) != 3 || !strings.HasPrefix(emails[0], "***@") {
		t.Fatalf("before reload: emails %v, %v", emails, err)
	}
	if got, err := sessionRows(t, eu, "SELECT DISTINCT region FROM sales.customers_v1"); err != nil || strings.Join(got, ",") != "EU" {
		t.Fatalf("before reload: sales_eu regions %v, %v", got, err)
	}
	probe, err := eu.Prepare(ctx, "SELECT count(*) > 0 FROM sales.customers_v1 WHERE region = 'NA'")
	if err != nil {
		t.Fatal(err)
	}
	if got := executeRows(t, probe[0]); strings.Join(got, ",") != "f" {
		t.Fatalf("before reload: prepared NA probe %v", got)
	}
	if _, err := sessionRows(t, eu, "SELECT count(*) FROM marketing.cross_sell_v1"); sqltypes.Code(err) != "42501" {
		t.Fatalf("before reload: sales_eu reads marketing.cross_sell_v1: %v, want 42501", err)
	}
	// A query running across the reload keeps the catalog it started with.
	running, err := mkt.Query(ctx, "SELECT email FROM sales.customers_v1")
	if err != nil {
		t.Fatal(err)
	}

	editFile(t, customers, "signup_date: {deny: true, except: [analyst, sales]}", "signup_date: {deny: true, except: [analyst, sales, marketing]}")
	editFile(t, customers, "email: {mask: partial, except: [sales]}", "email: {mask: redact, except: [sales]}")
	editFile(t, customers, "predicate: region = current_user_attr('region')", "predicate: region = 'NA'")
	editFile(t, filepath.Join(dir, "marketing", "cross_sell_v1.yaml"), "read: [marketing, analyst]", "read: [marketing, analyst, sales]")
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}

	old, err := drainRows(t, running)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range old {
		if !strings.HasPrefix(v, "***@") {
			t.Fatalf("the running query changed catalog mid-way: %q", v)
		}
	}
	// After, in the same sessions: the new grant, mask and row filter.
	if got, err := sessionRows(t, mkt, "SELECT count(signup_date) > 0 FROM sales.customers_v1"); err != nil || strings.Join(got, ",") != "t" {
		t.Errorf("after reload: signup_date as marketing: %v, %v", got, err)
	}
	if got, err := sessionRows(t, mkt, "SELECT DISTINCT email FROM sales.customers_v1"); err != nil || strings.Join(got, ",") != "***" {
		t.Errorf("after reload: e-mails should all be redacted for marketing: %v, %v", got, err)
	}
	if got, err := sessionRows(t, eu, "SELECT DISTINCT region FROM sales.customers_v1"); err != nil || strings.Join(got, ",") != "NA" {
		t.Errorf("after reload: sales_eu regions %v, %v", got, err)
	}
	if got, err := sessionRows(t, eu, "SELECT count(*) >= 0 FROM marketing.cross_sell_v1"); err != nil || strings.Join(got, ",") != "t" {
		t.Errorf("after reload: the new read grant on marketing.cross_sell_v1 for sales: %v, %v", got, err)
	}
	if got := executeRows(t, probe[0]); strings.Join(got, ",") != "t" {
		t.Errorf("after reload: the prepared statement kept the old row filter: %v", got)
	}
}

func TestReloadOfBrokenDescriptorKeepsCatalog(t *testing.T) {
	e, dir, log, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	before := e.Mesh()
	orders := filepath.Join(dir, "sales", "orders_v1.yaml")
	editFile(t, orders, "policies:", "polices:")
	err := e.Reload(context.Background())
	if err == nil {
		t.Fatal("a broken descriptor reloaded")
	}
	if e.Mesh() != before {
		t.Fatal("a failed reload replaced the catalog")
	}
	if got := rows(t, e, "marketing", "SELECT count(*) > 0 FROM sales.orders_v1"); strings.Join(got, ",") != "t" {
		t.Errorf("the old catalog stopped serving: %v", got)
	}
	text := log.String()
	if !strings.Contains(text, "orders_v1.yaml") || !strings.Contains(text, "line=") || !strings.Contains(text, "polices") {
		t.Errorf("the reload error is not logged with its file and line:\n%s", text)
	}
	// Fixing the file reloads.
	editFile(t, orders, "polices:", "policies:")
	if err := e.Reload(context.Background()); err != nil || e.Mesh() == before {
		t.Fatalf("fixed descriptor: %v", err)
	}
	var m strings.Builder
	e.WriteMetrics(&m)
	for _, want := range []string{`meshql_catalog_reloads_total{result="error"} 1`, `meshql_catalog_reloads_total{result="ok"} 1`} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestWatchCatalogReloadsOnChange(t *testing.T) {
	e, dir, log, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	wait := e.WatchCatalog(ctx, 10*time.Millisecond)
	defer func() { cancel(); wait() }()

	if _, err := queryErr(t, e, "marketing", "SELECT signup_date FROM sales.customers_v1 LIMIT 1"); sqltypes.Code(err) != "42501" {
		t.Fatalf("before: %v", err)
	}
	editFile(t, filepath.Join(dir, "sales", "customers_v1.yaml"), "except: [analyst, sales]}", "except: [analyst, sales, marketing]}")
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := queryErr(t, e, "marketing", "SELECT signup_date FROM sales.customers_v1 LIMIT 1")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watcher did not pick up the change: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReloadUnderConcurrentQueriesLosesNone reloads the catalog over and
// over while sessions keep querying: every query succeeds (none fails
// for a catalog swapped under it), and the race detector watches the swap.
func TestReloadUnderConcurrentQueriesLosesNone(t *testing.T) {
	e, dir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	orders := filepath.Join(dir, "sales", "orders_v1.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, user := range []string{"analyst", "marketing", "sales_eu", "admin"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := e.NewSession(user, nil)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			for ctx.Err() == nil {
				res, err := s.Query(context.Background(), "SELECT count(*), count(DISTINCT amount) > 0 FROM sales.orders_v1")
				if err == nil {
					_, err = drainRows(t, res)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	policies := []string{"amount: {mask: round, except: [sales, analyst]}", "amount: {mask: round, except: [sales, analyst, marketing]}"}
	for i := 0; i < 8; i++ {
		editFile(t, orders, policies[i%2], policies[(i+1)%2])
		if err := e.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a query failed during reloads: %v", err)
	}
}
