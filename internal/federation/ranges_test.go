package federation

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/internal/tpch"
)

// TestPostgresRangeColumns serves a PostgreSQL table with range columns
// (a price list with validity periods, a slowly changing dimension) as a
// data product: values, containment and overlap filters (kept in meshql
// on the range columns, pushed as bound comparisons for a constant range
// over a date column), ordering, grouping and a join on ranges answer as
// PostgreSQL answers the same query over the table itself.
func TestPostgresRangeColumns(t *testing.T) {
	conn, uri := pgTables(t, "pgranges",
		`CREATE TABLE prices (product_id int4, price numeric(10,2), valid_during daterange, qty_band int4range, changed_on date, promo tstzrange)`,
		`INSERT INTO prices VALUES
		  (1, 10.00, '[2024-01-01,2024-02-01)', '[1,10)', '2023-12-20', '[2024-01-05 08:00+01,2024-01-06)'),
		  (1, 12.50, '[2024-02-01,)', '[1,10)', '2024-01-25', NULL),
		  (2, 5.25, '[2024-01-15,2024-03-01]', '[10,)', '2024-01-10', 'empty'),
		  (2, 6.00, '(2024-03-01,)', '(,10]', '2024-02-28', '(,2024-04-01 00:00+00)'),
		  (3, 7.00, 'empty', NULL, NULL, NULL),
		  (4, 1.00, NULL, '[1,10)', '2024-01-31', NULL)`)
	t.Setenv("MESHQL_RANGE_PG", uri)
	// The range column declared text, as products declared it before
	// meshql had ranges, reads the range's text.
	sess := domainSession(t, "st", map[string]string{"prices_v1.yaml": `product: prices
version: 1
domain: st
owner: {team: t, contact: t@example.com}
status: active
description: Prices with validity periods.
sla: {availability: 99.0%, schema_stability: stable}
source: {connector: postgres, table: public.prices, options: {url_env: MESHQL_RANGE_PG}}
columns:
  - {name: product_id, type: integer, description: Product.}
  - {name: price, type: "numeric(10,2)", description: Price.}
  - {name: valid_during, type: daterange, description: When the price applies.}
  - {name: qty_band, type: int4range, description: Quantities the price applies to.}
  - {name: changed_on, type: date, description: When the row was entered.}
  - {name: promo, type: tstzrange, description: Promotion window.}
inputs: []
policies:
  read: [analyst]
`,
		"prices_text_v1.yaml": `product: prices_text
version: 1
domain: st
owner: {team: t, contact: t@example.com}
status: active
description: Validity periods as text.
sla: {availability: 99.0%, schema_stability: stable}
source: {connector: postgres, table: public.prices, options: {url_env: MESHQL_RANGE_PG}}
columns:
  - {name: product_id, type: integer, description: Product.}
  - {name: valid_during, type: text, description: When the price applies.}
inputs: []
policies:
  read: [analyst]
`})
	for _, q := range []string{
		`SELECT product_id, price, valid_during, qty_band, promo, pg_typeof(valid_during)::text FROM st.prices_v1 ORDER BY valid_during, product_id, price`,
		`SELECT product_id, price FROM st.prices_v1 WHERE valid_during @> DATE '2024-02-15' ORDER BY 1`,
		`SELECT product_id, price FROM st.prices_v1 WHERE valid_during && daterange('2024-01-01', '2024-02-01') AND qty_band @> 5 ORDER BY 1, 2`,
		`SELECT product_id FROM st.prices_v1 WHERE daterange('2024-01-01', '2024-02-01') @> changed_on ORDER BY 1`,
		`SELECT product_id FROM st.prices_v1 WHERE changed_on <@ daterange(NULL, '2024-01-31', '[]') AND NOT isempty(valid_during) ORDER BY 1`,
		`SELECT valid_during, count(*), sum(price) FROM st.prices_v1 GROUP BY valid_during ORDER BY valid_during DESC`,
		`SELECT a.product_id, b.product_id, a.valid_during * b.valid_during FROM st.prices_v1 a JOIN st.prices_v1 b ON a.valid_during && b.valid_during AND a.product_id < b.product_id ORDER BY 1, 2, 3`,
		`SELECT a.product_id, b.product_id FROM st.prices_v1 a JOIN st.prices_v1 b ON a.qty_band = b.qty_band AND a.product_id < b.product_id ORDER BY 1, 2`,
		`SELECT product_id, range_intersect_agg(valid_during), daterange(min(lower(valid_during)), max(upper(valid_during)), '[]') FROM st.prices_v1 WHERE NOT isempty(valid_during) GROUP BY product_id ORDER BY 1`,
		`SELECT product_id, valid_during, pg_typeof(valid_during)::text, valid_during || '!' FROM st.prices_text_v1 ORDER BY valid_during, product_id`,
	} {
		pq := strings.ReplaceAll(q, "st.prices_v1", "prices")
		pq = strings.ReplaceAll(pq, "st.prices_text_v1", "(SELECT product_id, valid_during::text AS valid_during FROM prices) p")
		sameAsPostgres(t, sess, conn, q, pq)
	}
	// The range columns' filters stay in meshql; containment of the date
	// column in a constant range goes to PostgreSQL as bound comparisons.
	res, err := tpch.Run(t.Context(), sess, `EXPLAIN SELECT product_id FROM st.prices_v1 WHERE valid_during @> DATE '2024-02-15' AND daterange('2024-01-01', '2024-02-01') @> changed_on`)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for _, r := range res.Rows {
		plan = append(plan, strings.Join(r, " "))
	}
	p := strings.Join(plan, "\n")
	if !strings.Contains(p, `changed_on >= DATE '2024-01-01'`) || strings.Contains(p, "pushed_filters=[valid_during") {
		t.Errorf("plan:\n%s", p)
	}
}
