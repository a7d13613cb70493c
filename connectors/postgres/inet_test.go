package postgres

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/sqltypes"
)

// TestInet: inet and cidr columns are read as meshql's inet and cidr (the
// schema says so in its field metadata), comparison filters on them run
// remotely and select what PostgreSQL selects, and they may order a
// pushed ORDER BY … LIMIT.
func TestInet(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	uri := pgtest.NewDatabase(t, "pginet")
	exec(t, uri, `CREATE TABLE hosts (id int8, ip inet, net cidr);
INSERT INTO hosts VALUES (1, '10.1.2.3/8', '10.0.0.0/8'), (2, '10.1.2.3', '10.1/16'), (3, '::ffff:1.2.3.4', '::/0'),
  (4, '2001:db8::1/64', '2001:db8::/32'), (5, NULL, NULL), (6, '0.0.0.0/0', '192.168.1'), (7, '10.0.0.255', '10.0.0.0/24');`)
	tbl := open(t, catalog.Source{Connector: "postgres", Table: "hosts", Options: map[string]string{"url": uri}})
	for i, want := range []string{"bigint", "inet", "cidr"} {
		got, err := sqltypes.FieldType(tbl.Schema().Field(i))
		if err != nil || got.String() != want {
			t.Errorf("column %d: %v %v, want %s", i, got, err, want)
		}
	}
	lit := func(kind sqltypes.Type, s string) connectors.Literal {
		v, err := sqltypes.ParseValue(kind, s)
		if err != nil {
			t.Fatal(err)
		}
		return connectors.Literal{Type: kind, Value: v}
	}
	ids := func(f connectors.Filter, where string) {
		t.Helper()
		if s := tbl.SupportsFilters([]connectors.Filter{f}); s[0] != connectors.Exact {
			t.Fatalf("%s: not pushed", f)
		}
		var got []string
		for _, r := range scanAll(t, tbl, connectors.ScanRequest{Columns: []int{0, 1, 2}, Filters: []connectors.Filter{f}, Limit: -1}, mem) {
			got = append(got, r[0])
		}
		slices.Sort(got)
		ctx := context.Background()
		c, err := pgx.Connect(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		var want []string
		var s string
		if err := c.QueryRow(ctx, "SELECT coalesce(string_agg(id::text, ',' ORDER BY id::text), '') FROM hosts WHERE "+where).Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s != "" {
			want = strings.Split(s, ",")
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got ids %v, PostgreSQL %v", where, got, want)
		}
	}
	ids(connectors.Compare{Column: "ip", Op: connectors.OpEq, Value: lit(sqltypes.TypeInet, "10.1.2.3/32")}, "ip = '10.1.2.3'")
	ids(connectors.Compare{Column: "ip", Op: connectors.OpLt, Value: lit(sqltypes.TypeInet, "10.1.2.3")}, "ip < '10.1.2.3'")
	ids(connectors.Compare{Column: "ip", Op: connectors.OpGe, Value: lit(sqltypes.TypeInet, "::")}, "ip >= '::'")
	ids(connectors.Compare{Column: "net", Op: connectors.OpGt, Value: lit(sqltypes.TypeCidr, "10/8")}, "net > '10/8'")
	ids(connectors.InList{Column: "net", Values: []connectors.Literal{lit(sqltypes.TypeCidr, "10.1/16"), lit(sqltypes.TypeCidr, "::/0")}}, "net IN ('10.1/16', '::/0')")

	if !tbl.SupportsOrder([]connectors.SortKey{{Column: 1}, {Column: 2}}) {
		t.Error("ORDER BY inet, cidr is not pushed")
	}
	rows := scanAll(t, tbl, connectors.ScanRequest{Columns: []int{1, 2}, Limit: -1}, mem)
	text := func(typ sqltypes.Type, s string) string {
		if s == "NULL" {
			return s
		}
		b, err := base64.StdEncoding.DecodeString(s) // ValueStr of a binary column
		if err != nil {
			t.Fatal(err)
		}
		return sqltypes.FormatValue(typ, b)
	}
	var got []string
	for _, r := range rows {
		got = append(got, text(sqltypes.TypeInet, r[0])+" "+text(sqltypes.TypeCidr, r[1]))
	}
	slices.Sort(got)
	want := []string{"0.0.0.0/0 192.168.1.0/24", "10.0.0.255 10.0.0.0/24", "10.1.2.3 10.1.0.0/16", "10.1.2.3/8 10.0.0.0/8", "2001:db8::1/64 2001:db8::/32", "::ffff:1.2.3.4 ::/0", "NULL NULL"}
	if !slices.Equal(got, want) {
		t.Errorf("values: got %q\nwant %q", got, want)
	}
}
