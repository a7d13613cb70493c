package engine

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/csv"
	"github.com/meshql/meshql/sqltypes"
)

// TestInetFromText: a product declaring inet and cidr columns over a
// source that keeps them as text (CSV here, as Parquet would) reads them
// through the types' input functions, filters and groups by them, and
// fails the query with 22P02 at a value that is no address.
func TestInetFromText(t *testing.T) {
	dir := t.TempDir()
	write := func(path, body string) { writeTestFile(t, path, body) }
	write(filepath.Join(dir, "mesh.yaml"), `name: net
roles:
  analyst: {}
users:
  analyst: {password: analyst, roles: [analyst]}
domains:
  sec: {owner: {team: sec, contact: sec@example.com}}
`)
	write(filepath.Join(dir, "logs", "a.csv"), "id,ip,net\n1,10.1.2.3,10.0.0.0/8\n2,192.168.0.9/24,192.168.0.0/24\n3,2001:db8::1,2001:db8::/32\n4,,\n")
	write(filepath.Join(dir, "bad", "a.csv"), "id,ip,net\n1,10.1.2.3,10.0.0.0/8\n2,not-an-ip,10.0.0.0/8\n")
	for name, path := range map[string]string{"logs": "logs/*.csv", "bad": "bad/*.csv",
		"typed": `logs/*.csv, options: {columns: "id text, ip inet, net cidr"}`} {
		write(filepath.Join(dir, "sec", name+"_v1.yaml"), `product: `+name+`
version: 1
domain: sec
owner: {team: sec, contact: sec@example.com}
status: active
sla: {freshness: 24h, availability: 99%, schema_stability: stable}
source: {connector: csv, path: `+path+`}
columns:
  - {name: id, type: text}
  - {name: ip, type: inet}
  - {name: net, type: cidr}
policies:
  read: [analyst]
`)
	}
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	e, err := New(Config{Mesh: mesh, Mem: mem, Workers: 1, Connectors: []connectors.Connector{csv.New()}})
	if err != nil {
		t.Fatal(err)
	}
	got := rows(t, e, "analyst", "SELECT id, ip, net, pg_typeof(ip)::text FROM sec.logs_v1 WHERE ip << '10/8' OR family(ip) = 6 OR ip IS NULL ORDER BY ip")
	if want := []string{"1|10.1.2.3|10.0.0.0/8|inet", "3|2001:db8::1|2001:db8::/32|inet", "4|NULL|NULL|inet"}; !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Parsed by the connector itself, as its columns option declares.
	got = rows(t, e, "analyst", "SELECT ip, net FROM sec.typed_v1 WHERE net >> ip ORDER BY ip DESC")
	if want := []string{"2001:db8::1|2001:db8::/32", "10.1.2.3|10.0.0.0/8"}; !slices.Equal(got, want) {
		t.Errorf("typed: got  %q\nwant %q", got, want)
	}
	got = rows(t, e, "analyst", "SELECT network(set_masklen(ip, 16)), count(*) FROM sec.logs_v1 WHERE ip IS NOT NULL GROUP BY 1 ORDER BY 1")
	if want := []string{"10.1.0.0/16|1", "192.168.0.0/16|1", "2001::/16|1"}; !slices.Equal(got, want) {
		t.Errorf("grouped: got  %q\nwant %q", got, want)
	}
	if _, err := queryErr(t, e, "analyst", "SELECT count(*) FROM sec.bad_v1 WHERE ip IS NOT NULL"); sqltypes.Code(err) != "22P02" {
		t.Errorf("a bad address: %v, want 22P02", err)
	}
}
