package federation

import (
	"strings"
	"testing"
)

// TestPostgresCharColumns serves a PostgreSQL table's character(n) column
// declared char(n) in the mesh: values, lengths, concatenation, filters,
// grouping and a join on it answer as PostgreSQL answers the same query
// over the table itself.
func TestPostgresCharColumns(t *testing.T) {
	conn, uri := pgTables(t, "pgbpchar",
		`CREATE TABLE codes (id int4, code char(4), name varchar(10))`,
		`INSERT INTO codes VALUES (1, 'ab', 'ab'), (2, 'ab  ', 'ab  '), (3, 'x', 'x '), (4, NULL, NULL), (5, '', '')`)
	t.Setenv("MESHQL_BPCHAR_PG", uri)
	sess := domainSession(t, "st", map[string]string{"codes_v1.yaml": `product: codes
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
`,
		// The same column declared text reads as PostgreSQL's code::text.
		"codes_text_v1.yaml": `product: codes_text
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
`})
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
		pq := strings.ReplaceAll(q, "st.codes_v1", "codes")
		if strings.Contains(q, "st.codes_text_v1") {
			pq = strings.ReplaceAll(q, "st.codes_text_v1", "(SELECT id, code::text AS code FROM codes) c")
		}
		sameAsPostgres(t, sess, conn, q, pq)
	}
}
