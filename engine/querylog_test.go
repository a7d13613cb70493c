package engine

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/internal/logbuf"
)

// auditedEngine serves the demo mesh over small data, logging to log.
func auditedEngine(t *testing.T, logSize int) (*Engine, *logbuf.Buffer, *memory.CheckedAllocator) {
	t.Helper()
	dir := demoDataDir(t)
	mesh, err := catalog.Load("../testdata/mesh", catalog.LoadOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	log := &logbuf.Buffer{}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	e, err := New(Config{Mesh: mesh, Mem: mem, Workers: 2, Connectors: []connectors.Connector{parquet.New()},
		Logger: slog.New(slog.NewTextHandler(log, nil)), QueryLogSize: logSize})
	if err != nil {
		t.Fatal(err)
	}
	return e, log, mem
}

// TestQueryLogRecordsReadsMasksAndDenials runs queries as the demo users
// and reads them back from mesh.query_log. The expected columns, masks
// and denials follow from testdata/mesh's policies: analyst sees
// orders.customer_id hashed and amount raw; marketing sees
// customers.email partial and is denied signup_date; sales_eu reads
// customers raw through the region row filter and may not read
// marketing.cross_sell_v1.
func TestQueryLogRecordsReadsMasksAndDenials(t *testing.T) {
	e, log, mem := auditedEngine(t, 0)
	defer mem.AssertSize(t, 0)
	run := func(user, sql string) {
		t.Helper()
		_, _ = queryErr(t, e, user, sql)
	}
	run("analyst", "SELECT customer_id, amount FROM sales.orders_v1 ORDER BY order_id LIMIT 5")
	run("marketing", "SELECT c.email FROM sales.customers_v1 c LIMIT 3")
	run("marketing", "SELECT email, signup_date FROM sales.customers_v1")
	run("sales_eu", "SELECT name, region FROM sales.customers_v1 WHERE segment = 'enterprise' LIMIT 2")
	run("sales_eu", "SELECT * FROM marketing.cross_sell_v1")

	const q = "SELECT user_name, status, rows, products, columns, masks, row_filters, denied, query FROM mesh.query_log WHERE query NOT LIKE '%query_log%' ORDER BY query_id"
	want := map[string][]string{
		"analyst": {"analyst|00000|5|{sales.orders_v1}|{sales.orders_v1.amount,sales.orders_v1.customer_id,sales.orders_v1.order_id}|{sales.orders_v1.customer_id:hash}|{}|{}|SELECT customer_id, amount FROM sales.orders_v1 ORDER BY order_id LIMIT 5"},
		"marketing": {
			"marketing|00000|3|{sales.customers_v1}|{sales.customers_v1.email}|{sales.customers_v1.email:partial}|{}|{}|SELECT c.email FROM sales.customers_v1 c LIMIT 3",
			"marketing|42501|0|{sales.customers_v1}|{sales.customers_v1.email}|{sales.customers_v1.email:partial}|{}|{sales.customers_v1.signup_date}|SELECT email, signup_date FROM sales.customers_v1",
		},
		"sales_eu": {
			"sales_eu|00000|2|{sales.customers_v1}|{sales.customers_v1.name,sales.customers_v1.region,sales.customers_v1.segment}|{}|{sales.customers_v1}|{}|SELECT name, region FROM sales.customers_v1 WHERE segment = 'enterprise' LIMIT 2",
			"sales_eu|42501|0|{}|{}|{}|{}|{marketing.cross_sell_v1}|SELECT * FROM marketing.cross_sell_v1",
		},
	}
	for _, user := range []string{"analyst", "marketing", "sales_eu"} {
		got := rows(t, e, user, q)
		if strings.Join(got, "\n") != strings.Join(want[user], "\n") {
			t.Errorf("query_log as %s:\ngot  %q\nwant %q", user, got, want[user])
		}
	}
	// admin sees everyone's entries.
	all := rows(t, e, "admin", "SELECT user_name FROM mesh.query_log WHERE query NOT LIKE '%query_log%' ORDER BY query_id")
	if strings.Join(all, ",") != "analyst,marketing,marketing,sales_eu,sales_eu" {
		t.Errorf("admin sees %v", all)
	}
	if got := rows(t, e, "admin", "SELECT count(*) FROM mesh.query_log WHERE roles = ARRAY['sales'] AND query NOT LIKE '%query_log%' AND started_at <= now() AND duration_ms >= 0"); strings.Join(got, ",") != "2" {
		t.Errorf("sales_eu's entries should carry role sales and a start time: %v", got)
	}
	text := log.String()
	for _, want := range []string{"sales.customers_v1.signup_date", "marketing.cross_sell_v1"} {
		if !strings.Contains(text, "level=WARN msg=\"access denied\"") || !strings.Contains(text, want) {
			t.Errorf("denial of %s not logged at WARN:\n%s", want, text)
		}
	}
}

func TestQueryLogIsBounded(t *testing.T) {
	e, _, mem := auditedEngine(t, 3)
	defer mem.AssertSize(t, 0)
	for _, v := range []string{"1", "2", "3", "4", "5"} {
		rows(t, e, "analyst", "SELECT "+v)
	}
	got := rows(t, e, "analyst", "SELECT query FROM mesh.query_log ORDER BY query_id")
	if strings.Join(got, ",") != "SELECT 3,SELECT 4,SELECT 5" {
		t.Errorf("the log keeps %v, want the 3 latest", got)
	}
}
