package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestContractsAtQueryTimeThroughPgx: what a consumer's driver sees when
// it reads a deprecated version and a product outside its freshness SLA
// (NOTICEs through pgx's handler, and the error mesh.max_staleness turns
// the latter into), and the usage KPIs those reads leave in mesh.usage.
func TestContractsAtQueryTimeThroughPgx(t *testing.T) {
	mesh := demoMeshWithData(t)
	// A sunset far away keeps the test independent of today's date.
	v1 := filepath.Join(mesh, "catalog", "products_v1.yaml")
	data, err := os.ReadFile(v1)
	if err != nil {
		t.Fatal(err)
	}
	far := regexp.MustCompile(`(?m)^sunset: .*$`).ReplaceAll(data, []byte("sunset: 2999-12-31"))
	if bytes.Equal(far, data) {
		t.Fatal("the demo's catalog.products_v1 declares no sunset")
	}
	if err := os.WriteFile(v1, far, 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(mesh, "catalog", "products_v2", "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	old := time.Now().Add(-30 * time.Hour) // the SLA promises 24h
	for _, f := range files {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	s := startServer(t, "--mesh", mesh)
	ctx := context.Background()
	var mu sync.Mutex
	var notices []*pgconn.Notice
	connect := func(user string) *pgx.Conn {
		cfg, err := pgx.ParseConfig(s.url(user))
		if err != nil {
			t.Fatal(err)
		}
		cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
			mu.Lock()
			notices = append(notices, n)
			mu.Unlock()
		}
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(ctx) })
		return conn
	}
	// run runs sql and returns the notices it got, as "SEVERITY CODE message".
	run := func(conn *pgx.Conn, sql string) ([]string, error) {
		mu.Lock()
		notices = nil
		mu.Unlock()
		var n int64
		err := conn.QueryRow(ctx, sql).Scan(&n)
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, x := range notices {
			out = append(out, x.Severity+" "+x.Code+" "+x.Message)
		}
		return out, err
	}
	analyst := connect("analyst")

	got, err := run(analyst, "SELECT count(*) FROM catalog.products_v1")
	want := []string{"NOTICE 01P01 data product catalog.products_v1 is deprecated and will be retired on 2999-12-31; use catalog.products_v2 instead"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("deprecated version: %q, %v\nwant %q", got, err, want)
	}
	// The bare name is the active v2: no deprecation, but v2 is stale.
	got, err = run(analyst, "SELECT count(brand) FROM catalog.products")
	if err != nil || len(got) != 1 || !strings.HasPrefix(got[0], "NOTICE 01000 data product catalog.products_v2 is 30h") || !strings.HasSuffix(got[0], "old, outside its freshness SLA of 24h") {
		t.Errorf("stale product: %q, %v", got, err)
	}
	if got, err := run(analyst, "SELECT count(*) FROM sales.customers_v1"); err != nil || len(got) != 0 {
		t.Errorf("fresh product: %q, %v", got, err)
	}
	if _, err := analyst.Exec(ctx, "SET mesh.max_staleness = '15m'"); err != nil {
		t.Fatal(err)
	}
	_, err = run(analyst, "SELECT count(*) FROM catalog.products_v2")
	if pe := sqlstate(t, err); pe.Code != "55000" || !strings.Contains(pe.Message, "older than mesh.max_staleness = 15m") {
		t.Errorf("with max_staleness: %s %q", pe.Code, pe.Message)
	}
	if _, err := run(analyst, "SELECT count(*) FROM sales.customers_v1"); err != nil {
		t.Errorf("fresh product with max_staleness: %v", err)
	}
	marketing := connect("marketing")
	if _, err := run(marketing, "SELECT count(*) FROM catalog.products_v2"); err != nil {
		t.Fatal(err)
	}

	// The discovery tables through the server. Expected rows come from
	// the descriptors (folders, inputs, cross_sell_v1's SQL) and from what
	// this test did.
	admin := connect("admin")
	for _, c := range []struct {
		conn *pgx.Conn
		sql  string
		want []string
	}{
		// The queries above, per product: those that read it, those that
		// failed, and distinct users.
		{admin, `SELECT product, sum(queries)::bigint, sum(failed_queries)::bigint, max(consumers) FROM mesh.usage GROUP BY product ORDER BY product`,
			[]string{"catalog.products_v1|1|0|1", "catalog.products_v2|3|1|2", "sales.customers_v1|2|0|1"}},
		{analyst, "SELECT * FROM mesh.lineage ORDER BY input",
			[]string{"marketing.cross_sell_v1|catalog.products_v2|derived_from", "marketing.cross_sell_v1|sales.orders_v1|derived_from"}},
		{analyst, "SELECT column_name, input || '.' || input_column, transformation FROM mesh.column_lineage ORDER BY 1",
			[]string{"category|catalog.products_v2.category|identity", "customer_id|sales.orders_v1.customer_id|identity"}},
		{admin, "SELECT domain, products FROM mesh.domains ORDER BY 1", []string{"catalog|2", "marketing|1", "sales|2"}},
		{admin, "SELECT name, status, is_current FROM mesh.data_products WHERE domain = 'catalog' ORDER BY 1",
			[]string{"catalog.products_v1|deprecated|false", "catalog.products_v2|active|true"}},
		{admin, "SELECT count(*) FROM mesh.columns WHERE product = 'sales.orders_v1'", []string{"7"}},
		{admin, "SELECT freshness_status FROM mesh.sla_status WHERE product = 'catalog.products_v2'", []string{"violated"}},
		{admin, "SELECT count(*) FROM mesh.quality_results", []string{"0"}}, // no check ran
		{admin, "SELECT status FROM mesh.query_log WHERE user_name = 'analyst' AND query LIKE '%FROM catalog.products_v2' ORDER BY query_id",
			[]string{"55000"}},
	} {
		if got := textRows(t, c.conn, c.sql); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", c.sql, got, c.want)
		}
	}
}

// textRows runs sql and renders each row as "a|b".
func textRows(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}
