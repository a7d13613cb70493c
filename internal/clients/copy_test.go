package clients

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// copyQueries run as COPY (...) TO STDOUT on meshql and PostgreSQL; the
// bytes must be equal. The values cover quoting and escaping in each
// format, NULLs, and the types whose text and binary forms differ most.
var copyQueries = []string{
	`COPY (SELECT order_id, customer_id, order_date, amount FROM sales.orders_v1 ORDER BY order_id LIMIT 200) TO STDOUT`,
	`COPY (SELECT order_id, customer_id, order_date, amount FROM sales.orders_v1 ORDER BY order_id LIMIT 200) TO STDOUT (FORMAT csv, HEADER)`,
	`COPY (SELECT order_id, customer_id, order_date, amount FROM sales.orders_v1 ORDER BY order_id LIMIT 200) TO STDOUT (FORMAT binary)`,
	`COPY (SELECT 1 AS a, 'x,y' AS b, NULL::int AS c, E'tab\there\nnew \\ line' AS d, ''::text AS e, 'q"t' AS f) TO STDOUT`,
	`COPY (SELECT 1 AS a, 'x,y' AS b, NULL::int AS c, E'tab\there\nnew \\ line' AS d, ''::text AS e, 'q"t' AS f) TO STDOUT WITH CSV HEADER`,
	`COPY (SELECT 1 AS a, 'x|y' AS b, NULL::int AS c) TO STDOUT (DELIMITER '|', NULL 'nil')`,
	`COPY (SELECT 2.5::float8 AS f, true AS b, TIMESTAMP '2024-02-29 12:34:56.789' AS ts, INTERVAL '1 day 2 hours' AS iv, ARRAY[1,2] AS arr) TO STDOUT (FORMAT binary)`,
	`COPY sales.customers_v1 (customer_id, region) TO STDOUT (FORMAT csv)`,
}

func copyOut(t *testing.T, tg target, sql string) []byte {
	t.Helper()
	ctx := t.Context()
	dsn := fmt.Sprintf("host=%s port=%s dbname=%s user=%s password=%s sslmode=%s", tg.host, tg.port, tg.db, tg.user, tg.pw, tg.sslmode)
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var buf bytes.Buffer
	tag, err := conn.CopyTo(ctx, &buf, sql)
	if err != nil {
		t.Fatalf("%s on %s: %v", sql, tg.name, err)
	}
	return append(buf.Bytes(), "\n-- "+tag.String()...)
}

func TestCopyToStdout(t *testing.T) {
	f := startFixture(t)
	for _, q := range copyQueries {
		got, want := copyOut(t, f.meshql, q), copyOut(t, f.postgres, q)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\nmeshql:\n%q\npostgres:\n%q", q, got, want)
		}
	}
	t.Run("policies", func(t *testing.T) { checkCopyPolicies(t, f) })
}

// checkCopyPolicies: COPY goes through the normal query path, so a masked
// column is masked and a denied one refused, as in a SELECT.
func checkCopyPolicies(t *testing.T, f *fixture) {
	const q = `COPY (SELECT customer_id FROM sales.orders_v1 ORDER BY order_id LIMIT 50) TO STDOUT`
	raw := copyOut(t, f.postgres, q)
	analyst := f.meshql
	analyst.user, analyst.pw = "analyst", "analyst"
	masked := copyOut(t, analyst, q)
	rawIDs := map[string]bool{}
	for _, id := range bytes.Split(raw, []byte("\n")) {
		rawIDs[string(id)] = true
	}
	lines := bytes.Split(masked, []byte("\n"))
	if len(lines) != 52 { // 50 ids, an empty line, the tag
		t.Fatalf("analyst's COPY returned %q", masked)
	}
	for _, id := range lines[:50] {
		if rawIDs[string(id)] {
			t.Errorf("analyst's COPY shows raw customer id %s; the policy hashes it", id)
		}
	}
	marketing := f.meshql
	marketing.user, marketing.pw = "marketing", "marketing"
	dsn := fmt.Sprintf("host=%s port=%s dbname=%s user=%s password=%s sslmode=%s", marketing.host, marketing.port, marketing.db, marketing.user, marketing.pw, marketing.sslmode)
	conn, err := pgconn.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, err = conn.CopyTo(t.Context(), &bytes.Buffer{}, `COPY sales.customers_v1 (signup_date) TO STDOUT`)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Errorf("marketing copying a denied column: got %v, want SQLSTATE 42501", err)
	}
}
