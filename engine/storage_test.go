package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
)

// writeTestFile writes body to path, creating its directory.
func writeTestFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// storageMesh writes a mesh with one product per kind of source: CSV
// files on disk (two files of known sizes), a PostgreSQL table, Parquet on
// an object store, and a product defined by SQL.
func storageMesh(t *testing.T) (dir string, csvBytes int) {
	t.Helper()
	dir = t.TempDir()
	write := func(path, body string) { writeTestFile(t, path, body) }
	write(filepath.Join(dir, "mesh.yaml"), `name: sizes
roles:
  analyst: {}
users:
  analyst: {password: analyst, roles: [analyst]}
domains:
  ops: {owner: {team: ops, contact: ops@example.com}}
connections:
  lake: {kind: s3, endpoint: "http://127.0.0.1:1", region: us-east-1}
`)
	files := map[string]string{"a.csv": "x\n1\n2\n", "b.csv": "x\n30\n"}
	for name, body := range files {
		write(filepath.Join(dir, "data", name), body)
		csvBytes += len(body)
	}
	for name, source := range map[string]string{
		"files":  `{connector: csv, path: data/*.csv}`,
		"remote": `{connector: postgres, table: t, options: {url: "postgres://127.0.0.1:1/none"}}`,
		"lake":   `{connector: parquet, path: "s3://bucket/x/*.parquet", connection: lake}`,
		"view":   `{connector: sql, query: "SELECT x FROM ops.files_v1"}`,
	} {
		write(filepath.Join(dir, "ops", name+"_v1.yaml"), `product: `+name+`
version: 1
domain: ops
owner: {team: ops, contact: ops@example.com}
status: active
sla: {freshness: 24h, availability: 99%, schema_stability: stable}
source: `+source+`
columns:
  - {name: x, type: bigint}
policies:
  read: [analyst]
`)
	}
	return dir, csvBytes
}

// TestStorageSizes: a product in local files has their total size in
// mesh.storage and from pg_total_relation_size and its kin; one in a
// database, on an object store or defined by SQL has NULL, as has a
// relation meshql does not know.
func TestStorageSizes(t *testing.T) {
	dir, csvBytes := storageMesh(t)
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	e, err := New(Config{Mesh: mesh, Mem: mem, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := strconv.Itoa(csvBytes)
	got := rows(t, e, "analyst", "SELECT name, connector, files, bytes FROM mesh.storage ORDER BY name")
	want := []string{"ops.files_v1|csv|2|" + n, "ops.lake_v1|parquet|NULL|NULL", "ops.remote_v1|postgres|NULL|NULL", "ops.view_v1|sql|NULL|NULL"}
	if !slices.Equal(got, want) {
		t.Errorf("mesh.storage:\ngot  %q\nwant %q", got, want)
	}
	got = rows(t, e, "analyst", `SELECT pg_total_relation_size('ops.files_v1'), pg_relation_size('ops.files_v1', 'main'), pg_table_size('ops.files_v1'::regclass),
		pg_indexes_size('ops.files_v1'), pg_total_relation_size('ops.remote_v1'), pg_indexes_size('ops.lake_v1'), pg_total_relation_size(0), pg_database_size('sizes')`)
	if want := []string{n + "|" + n + "|" + n + "|0|NULL|NULL|NULL|" + n}; !slices.Equal(got, want) {
		t.Errorf("size functions:\ngot  %q\nwant %q", got, want)
	}
	got = rows(t, e, "analyst", "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_catalog.pg_class c WHERE c.relnamespace NOT IN (11, 13000) ORDER BY 1")
	if want := []string{"files_v1|" + n, "lake_v1|NULL", "remote_v1|NULL", "view_v1|NULL"}; !slices.Equal(got, want) {
		t.Errorf("sizes per row of pg_class:\ngot  %q\nwant %q", got, want)
	}
}
