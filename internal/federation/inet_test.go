package federation

import (
	"context"
	"strings"
	"testing"

	"github.com/meshql/meshql/internal/tpch"
)

// TestPostgresInetColumns serves a PostgreSQL table's inet, cidr and
// macaddr columns declared so in the mesh: values, containment,
// comparisons pushed to the source, grouping by subnet, ORDER BY … LIMIT
// and min/max answer as PostgreSQL answers the same query over the table.
func TestPostgresInetColumns(t *testing.T) {
	conn, uri := pgTables(t, "pginet",
		`CREATE TABLE access_log (id int4, client_ip inet, net cidr, mac macaddr)`,
		`INSERT INTO access_log VALUES (1, '10.1.2.3', '10.0.0.0/8', '08:00:2b:01:02:03'), (2, '10.1.2.3/16', '10.1/16', '08:00:2b:ff:00:01'),
		  (3, '192.168.7.9', '192.168.7/24', '00:1b:63:84:45:e6'), (4, '2001:db8::7', '2001:db8::/32', NULL), (5, NULL, NULL, 'ff:ff:ff:ff:ff:ff'),
		  (6, '::ffff:10.1.2.3', '::ffff:10.0.0.0/104', '08:00:2b:01:02:03'), (7, '10.200.0.1', '10.0.0.0/8', '00:00:00:00:00:00')`)
	t.Setenv("MESHQL_INET_PG", uri)
	sess := domainSession(t, "sec", map[string]string{"access_log_v1.yaml": `product: access_log
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
`})
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
		sameAsPostgres(t, sess, conn, q, strings.ReplaceAll(q, "sec.access_log_v1", "access_log"))
	}
	res, err := tpch.Run(context.Background(), sess, `EXPLAIN SELECT id FROM sec.access_log_v1 WHERE client_ip >= '10.0.0.0' AND net = '10/8' AND mac <> '08:00:2b:01:02:03'`)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for _, r := range res.Rows {
		plan = append(plan, strings.Join(r, " "))
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, `pushed_filters=[client_ip >= '10.0.0.0', net = '10.0.0.0/8', mac <> '08:00:2b:01:02:03']`) {
		t.Errorf("comparisons on inet, cidr and macaddr are not pushed:\n%s", p)
	}
}
