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

// TestPostgresInetColumns serves a PostgreSQL table's inet, cidr and
// macaddr columns declared so in the mesh: values, containment,
// comparisons pushed to the source, grouping by subnet, ORDER BY … LIMIT
// and min/max answer as PostgreSQL answers the same query over the table.
func TestPostgresInetColumns(t *testing.T) {
	ctx := context.Background()
	uri := pgtest.NewDatabase(t, "pginet")
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		`CREATE TABLE access_log (id int4, client_ip inet, net cidr, mac macaddr)`,
		`INSERT INTO access_log VALUES (1, '10.1.2.3', '10.0.0.0/8', '08:00:2b:01:02:03'), (2, '10.1.2.3/16', '10.1/16', '08:00:2b:ff:00:01'),
		  (3, '192.168.7.9', '192.168.7/24', '00:1b:63:84:45:e6'), (4, '2001:db8::7', '2001:db8::/32', NULL), (5, NULL, NULL, 'ff:ff:ff:ff:ff:ff'),
		  (6, '::ffff:10.1.2.3', '::ffff:10.0.0.0/104', '08:00:2b:01:02:03'), (7, '10.200.0.1', '10.0.0.0/8', '00:00:00:00:00:00')`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	t.Setenv("MESHQL_INET_PG", uri)
	dir := t.TempDir()
	meshYAML := strings.Replace(readFile(t, filepath.Join(tpchMesh, "mesh.yaml")), "\ndomains:\n",
		"\ndomains:\n  sec: {description: inet test tables, owner: {team: t, contact: t@example.com}}\n", 1)
	writeFile(t, filepath.Join(dir, "mesh.yaml"), meshYAML)
	writeFile(t, filepath.Join(dir, "sec", "access_log_v1.yaml"), `product: access_log
version: 1
domain: sec
owner: {team: t, contact: t@example.com}
status: active
description: Addresses.
sla: {availability: 99.0%, schema_stability: stable}
source: {connector: postgres, table: public.access_log, options: {url_env: MESHQL_INET_PG}}
columns:
  - {name: id, type: integer, description: Key.}
  - {name: client_ip, type: inet, description: Client.}
  - {name: net, type: cidr, description: Its network.}
  - {name: mac, type: macaddr, description: Its MAC address.}
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
		`SELECT id, client_ip, net, host(client_ip), masklen(net), pg_typeof(net)::text FROM sec.access_log_v1 ORDER BY id`,
		`SELECT id FROM sec.access_log_v1 WHERE client_ip << '10.0.0.0/8' ORDER BY id`,
		`SELECT id FROM sec.access_log_v1 WHERE client_ip = '10.1.2.3' OR client_ip > '::' ORDER BY id`,
		`SELECT id FROM sec.access_log_v1 WHERE net = '10/8' ORDER BY id`,
		`SELECT id FROM sec.access_log_v1 WHERE client_ip <<= net ORDER BY id`,
		`SELECT network(set_masklen(client_ip, 8)), count(*) FROM sec.access_log_v1 GROUP BY 1 ORDER BY 1`,
		`SELECT net, count(*), min(client_ip), max(client_ip) FROM sec.access_log_v1 GROUP BY net ORDER BY net`,
		`SELECT min(net), max(net), min(client_ip), max(client_ip) FROM sec.access_log_v1`,
		`SELECT id, client_ip FROM sec.access_log_v1 ORDER BY client_ip DESC NULLS LAST, id LIMIT 3`,
		`SELECT id, mac, trunc(mac) FROM sec.access_log_v1 WHERE mac > '00:00:00:00:00:00' ORDER BY mac, id`,
		`SELECT trunc(mac), count(*) FROM sec.access_log_v1 GROUP BY 1 ORDER BY 1`,
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
		results, err := conn.PgConn().Exec(ctx, strings.ReplaceAll(q, "sec.access_log_v1", "access_log")).ReadAll()
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
	res, err := tpch.Run(ctx, sess, `EXPLAIN SELECT id FROM sec.access_log_v1 WHERE client_ip >= '10.0.0.0' AND net = '10/8' AND mac <> '08:00:2b:01:02:03'`)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for _, r := range res.Rows {
		plan = append(plan, strings.Join(r, " "))
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, `pushed_filters=[client_ip >= '10.0.0.0', net = '10.0.0.0/8', mac <> '08:00:2b:01:02:03']`) {
		t.Errorf("comparisons on inet and cidr are not pushed:\n%s", p)
	}
}
