package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshql/meshql/internal/pgload/pgloadtest"
	"github.com/meshql/meshql/sqltypes"
)

// regionSignups is a derived product of the sales domain over
// sales.customers_v1, a column of which (signup_date) marketing may not
// read and another (email) analyst and marketing read masked. Its own
// policy denies month to marketing and keeps sales to its region.
const regionSignups = `product: region_signups
version: 1
domain: sales
owner: {team: orders, contact: orders-team@example.com}
status: active
description: Customers by region and signup month.
sla: {freshness: 24h, availability: 99%}
source:
  connector: sql
  security: definer
  query: >-
    SELECT region, date_trunc('month', signup_date)::date AS month,
    count(*) AS customers, count(DISTINCT email) AS emails
    FROM sales.customers_v1 GROUP BY 1, 2
columns:
  - {name: region, type: text, description: Sales region.}
  - {name: month, type: date, description: Signup month.}
  - {name: customers, type: bigint, description: Customers who signed up.}
  - {name: emails, type: bigint, description: Distinct e-mail addresses among them.}
inputs: [sales.customers_v1]
policies:
  read: [analyst, marketing, sales]
  columns:
    month: {deny: true, except: [analyst, sales]}
  row_filters:
    - roles: [sales]
      except: [admin]
      predicate: region = current_user_attr('region')
`

// TestDerivedProductSecurity runs one derived product as the demo users
// with security: definer (inputs read as the sales domain's owner) and
// then invoker (inputs read with the consumer's rights). Expected rows
// come from PostgreSQL over the same customers, with each mode's policy
// written out in SQL: the definer counts raw e-mails for everyone; the
// invoker counts what the consumer sees of them (analyst: partial masks,
// so one address per domain) and fails for marketing, which may not read
// signup_date. The product's own policy (month denied to marketing, sales
// kept to its region) applies in both modes.
func TestDerivedProductSecurity(t *testing.T) {
	e, dir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	path := filepath.Join(dir, "sales", "region_signups_v1.yaml")
	if err := os.WriteFile(path, []byte(regionSignups), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}

	pg := pgloadtest.NewDatabase(t, "definer", e.Mesh())
	pgRows := func(sql string) []string {
		t.Helper()
		rs, err := pg.Query(ctx, sql)
		if err != nil {
			t.Fatalf("PostgreSQL: %s: %v", sql, err)
		}
		defer rs.Close()
		var out []string
		for rs.Next() {
			var a, b, c string
			if err := rs.Scan(&a, &b, &c); err != nil {
				t.Fatal(err)
			}
			out = append(out, a+"|"+b+"|"+c)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// Per region: customers and the sum over months of distinct e-mails,
	// as the product computes them from e-mails seen as emailExpr.
	want := func(emailExpr, where string) []string {
		return pgRows(`SELECT region, sum(c)::text, sum(d)::text FROM (
			SELECT region, date_trunc('month', signup_date) AS m, count(*) AS c, count(DISTINCT ` + emailExpr + `) AS d
			FROM sales.customers_v1 ` + where + ` GROUP BY 1, 2) x GROUP BY 1 ORDER BY 1`)
	}
	const query = "SELECT region, sum(customers), sum(emails) FROM sales.region_signups_v1 GROUP BY 1 ORDER BY 1"
	raw, partial := "email", "'***@' || split_part(email, '@', 2)"
	check := func(mode, user string, want []string, wantCode string) {
		t.Helper()
		got, err := queryErr(t, e, user, query)
		if wantCode != "" {
			if sqltypes.Code(err) != wantCode {
				t.Errorf("%s, %s: got %v, %v; want SQLSTATE %s", mode, user, got, err, wantCode)
			}
			return
		}
		if err != nil || len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s, %s: %v\ngot  %q\nwant %q (PostgreSQL)", mode, user, err, got, want)
		}
	}

	all, eu := want(raw, ""), want(raw, "WHERE region = 'EU'")
	check("definer", "marketing", all, "")
	check("definer", "analyst", all, "")
	check("definer", "sales_eu", eu, "")
	check("definer", "admin", all, "")
	// The consumer's policy on the product itself still applies.
	if _, err := queryErr(t, e, "marketing", "SELECT month FROM sales.region_signups_v1"); sqltypes.Code(err) != "42501" {
		t.Errorf("definer, marketing naming the denied month: %v, want 42501", err)
	}
	// The definer's rights do not leak into the consumer's own queries.
	if _, err := queryErr(t, e, "marketing", "SELECT signup_date FROM sales.customers_v1"); sqltypes.Code(err) != "42501" {
		t.Errorf("marketing reads signup_date directly: %v, want 42501", err)
	}
	// EXPLAIN shows the plan over the inputs, not what their statistics
	// say about rows the consumer may not read.
	plan, err := queryErr(t, e, "marketing", "EXPLAIN "+query)
	if text := strings.Join(plan, "\n"); err != nil || !strings.Contains(text, "Scan sales.customers_v1") ||
		!strings.Contains(text, "statistics=hidden") || strings.Contains(text, "row_groups=") {
		t.Errorf("definer EXPLAIN as marketing: %v\n%s", err, text)
	}

	// EXPLAIN ANALYZE counts only the result's rows: the operators inside
	// read customers marketing may not (signup_date) and, for sales_eu,
	// rows of other regions.
	for _, user := range []string{"marketing", "sales_eu"} {
		plan, err := queryErr(t, e, user, "EXPLAIN ANALYZE "+query)
		if err != nil || len(plan) < 3 || !strings.Contains(plan[0], "actual rows=") || strings.Contains(strings.Join(plan[1:], "\n"), "actual rows=") ||
			!strings.Contains(strings.Join(plan, "\n"), "Inner row counts: hidden") {
			t.Errorf("definer EXPLAIN ANALYZE as %s: %v\n%s", user, err, strings.Join(plan, "\n"))
		}
	}
	if plan := rows(t, e, "admin", "EXPLAIN ANALYZE "+query); strings.Count(strings.Join(plan, "\n"), "actual rows=") < 3 {
		t.Errorf("admin reads everything and sees every count:\n%s", strings.Join(plan, "\n"))
	}

	editFile(t, path, "security: definer", "security: invoker")
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	check("invoker", "marketing", nil, "42501")
	check("invoker", "analyst", want(partial, ""), "")
	check("invoker", "sales_eu", eu, "")
	check("invoker", "admin", all, "")
	if a, p := all, want(partial, ""); strings.Join(a, "") == strings.Join(p, "") {
		t.Fatalf("the data cannot tell the modes apart: raw and masked e-mail counts agree (%v)", a)
	}
}
