package federation

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/internal/tpch"
)

// TestPostgresCharColumns serves a PostgreSQL table's character(n) column
// declared char(n) in the mesh: values, lengths, concatenation, filters,
// grouping and a join on it answer as PostgreSQL answers the same query
// over the table itself.
func TestPostgresCharColumns(t *testing.T) {
	ctx := context.Background()
	uri := pgtest.NewDatabase(t, "pgbpchar")
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		`CREATE TABLE codes (id int4, code char(4), name varchar(10))`,
		`INSERT INTO codes VALUES (1, 'ab', 'ab'), (2, 'ab  ', 'ab  '), (3, 'x', 'x '), (4, NULL, NULL), (5, '', '')`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	t.Setenv("MESHQL_BPCHAR_PG", uri)
	dir := t.TempDir()
	meshYAML := strings.Replace(readFile(t, filepath.Join(tpchMesh, "mesh.yaml")), "\ndomains:\n",
		"\ndomains:\n  st: {description: char(n) test tables, owner: {team: t, contact: t@example.com}}\n", 1)
	writeFile(t, filepath.Join(dir, "mesh.yaml"), meshYAML)
	writeFile(t, filepath.Join(dir, "st", "codes_v1.yaml"), `product: codes
version: 1
domain: st
owner: {team: t, contact: t@example.com}
status: active
description: A char(4) column.
sla: {availability: 99.0%, schema_stability: stable}
source: {connector: postgres, table: public.codes, options: {url_env: MESHQL_BPCHAR_PG}}
columns:
  - {name: id, type: integer, description: Key.}
  - {name: code, type: char(4), description: Padded code.}
  - {name: name, type: text, description: Unpadded name.}
inputs: []
policies:
  read: [analyst]
`)
	// The same column declared text reads as PostgreSQL's code::text.
	writeFile(t, filepath.Join(dir, "st", "codes_text_v1.yaml"), `product: codes_text
version: 1
domain: st
owner: {team: t, contact: t@example.com}
status: active
description: The char(4) column as text.
sla: {availability: 99.0%, schema_stability: stable}
source: {connector: postgres, table: public.codes, options: {url_env: MESHQL_BPCHAR_PG}}
columns:
  - {name: id, type: integer, description: Key.}
  - {name: code, type: text, description: Code without padding.}
inputs: []
policies:
  read: [analyst]
`)
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // registered first: runs last
	pc := postgres.New()
	t.Cleanup(pc.Close)
	sess := newAdminSession(t, engine.Config{Mesh: mesh, Mem: mem, Workers: 2, Connectors: []connectors.Connector{pc}})
	for _, q := range []string{
		`SELECT id, code, code || '|', length(code), octet_length(code), pg_typeof(code)::text FROM st.codes_v1 ORDER BY id`,
		`SELECT id FROM st.codes_v1 WHERE code = 'ab' ORDER BY id`,
		`SELECT id FROM st.codes_v1 WHERE code = name::varchar ORDER BY id`,
		`SELECT id FROM st.codes_v1 WHERE code = name::text ORDER BY id`,
		`SELECT id FROM st.codes_v1 WHERE code LIKE 'ab' OR code LIKE 'x%' ORDER BY id`,
		`SELECT code || '|', count(*) FROM st.codes_v1 GROUP BY code ORDER BY code`,
		`SELECT a.id, b.id FROM st.codes_v1 a JOIN st.codes_v1 b ON a.code = b.code ORDER BY 1, 2`,
		`SELECT id, code || '|', length(code), octet_length(code) FROM st.codes_text_v1 WHERE code = 'ab' OR code LIKE 'x' ORDER BY id`,
	} {
		res, err := tpch.Run(ctx, sess, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		var got []string
		for _, r := range res.Rows {
			got = append(got, strings.Join(r, "|"))
		}
		pq := strings.ReplaceAll(q, "st.codes_v1", "codes")
		if strings.Contains(q, "st.codes_text_v1") {
			pq = strings.ReplaceAll(q, "st.codes_text_v1", "(SELECT id, code::text AS code FROM codes) c")
		}
		results, err := conn.PgConn().Exec(ctx, pq).ReadAll()
		if err != nil || len(results) != 1 {
			t.Fatalf("%s on PostgreSQL: %v", q, err)
		}
		var want []string
		for _, r := range results[0].Rows {
			vals := make([]string, len(r))
			for i, v := range r {
				if v == nil {
					vals[i] = "NULL"
				} else {
					vals[i] = string(v)
				}
			}
			want = append(want, strings.Join(vals, "|"))
		}
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("%s:\nmeshql\n%s\npostgres\n%s", q, g, w)
		}
	}
}
