package flightsql

import (
	"strings"
	"testing"
)

// TestPoliciesOverFlightSQL reads protected columns through the Flight
// SQL endpoint: the masks, denials and row filters of every other front
// apply, and no raw value (read in-process as admin) comes back.
func TestPoliciesOverFlightSQL(t *testing.T) {
	eng, mem := demoEngine(t)
	_, addr := startServer(t, eng, mem)
	raw := map[string]bool{}
	for _, r := range inProcess(t, eng, "admin", "SELECT email, name, customer_id::text FROM sales.customers_v1") {
		for _, v := range r {
			raw[v] = true
		}
	}
	query := func(user, sql string) ([][]string, error) {
		t.Helper()
		cl, ctx, err := dial(t, addr, user, user)
		if err != nil {
			t.Fatal(err)
		}
		info, err := cl.Execute(ctx, sql)
		if err != nil {
			return nil, err
		}
		_, rows, err := fetch(ctx, cl, info)
		return rows, err
	}
	for _, c := range []struct{ user, sql string }{
		{"marketing", "SELECT * FROM sales.customers_v1"},
		{"marketing", "SELECT e, n FROM sales.customers_v1 AS c(i, n, e)"},
		{"analyst", "SELECT customer_id::text, name, email FROM sales.customers_v1 WHERE email LIKE '%@%'"},
		{"analyst", "SELECT customer_id::text FROM sales.orders_v1"},
	} {
		rows, err := query(c.user, c.sql)
		if err != nil {
			t.Fatalf("%s as %s: %v", c.sql, c.user, err)
		}
		if len(rows) == 0 {
			t.Fatalf("%s as %s: no rows", c.sql, c.user)
		}
		for _, r := range rows {
			for _, v := range r {
				if raw[v] {
					t.Fatalf("%s as %s: raw value %q came back", c.sql, c.user, v)
				}
			}
		}
	}
	if _, err := query("marketing", "SELECT signup_date FROM sales.customers_v1"); err == nil || !strings.Contains(err.Error(), "42501") {
		t.Errorf("denied column over Flight SQL: %v", err)
	}
	rows, err := query("sales_eu", "SELECT DISTINCT region FROM sales.customers_v1")
	if err != nil || len(rows) != 1 || rows[0][0] != "EU" {
		t.Errorf("sales_eu's row filter over Flight SQL: %v, %v", rows, err)
	}
}
