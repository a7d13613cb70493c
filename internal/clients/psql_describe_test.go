package clients

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// runPsql runs one psql command (-X -A -c) against tg and returns what
// it printed; psql fails (exit status 1) where the server answers an
// error.
func runPsql(t *testing.T, tg target, command string) (stdout, stderr string, err error) {
	t.Helper()
	psql, lookErr := exec.LookPath("psql")
	if lookErr != nil {
		missing(t, "psql is not installed")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-A", "-v", "ON_ERROR_STOP=1", "-c", command)
	cmd.Env = append(cmd.Environ(), "PGHOST="+tg.host, "PGPORT="+tg.port, "PGDATABASE="+tg.db, "PGUSER="+tg.user,
		"PGPASSWORD="+tg.pw, "PGSSLMODE="+tg.sslmode)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// checkPsqlDescribe checks psql's \d and \d+ of sales.orders_v1: every
// column with its type, and with \d+ its description from the descriptor.
func checkPsqlDescribe(t *testing.T, f *fixture) {
	p, err := f.mesh.Resolve("sales", "orders_v1")
	if err != nil {
		t.Fatal(err)
	}
	for _, meta := range []string{`\d sales.orders_v1`, `\d+ sales.orders_v1`} {
		out, errOut, err := runPsql(t, f.meshql, meta)
		if err != nil {
			t.Fatalf("psql %s: %v\n%s", meta, err, errOut)
		}
		if !strings.Contains(out, `Table "sales.orders_v1"`) {
			t.Errorf("%s: no table header:\n%s", meta, out)
		}
		for _, c := range p.Columns {
			line := c.Name + "|" + pgTypeName(c.Type.String()) + "|"
			if !strings.Contains(out, "\n"+line) {
				t.Errorf("%s: no line for column %s (%q):\n%s", meta, c.Name, line, out)
			}
			if meta[2] == '+' && c.Description != "" && !strings.Contains(out, "|"+c.Description) {
				t.Errorf("%s: column %s lacks its description %q:\n%s", meta, c.Name, c.Description, out)
			}
		}
	}
}

// checkDescriptions reads the descriptors' descriptions the way psql's \d+
// and SQLAlchemy do, through col_description and obj_description.
func checkDescriptions(t *testing.T, f *fixture) {
	conn := connectTarget(t, f.meshql)
	for _, p := range f.mesh.Products {
		name := p.Domain + "." + p.TableName()
		// A literal, not a parameter: meshql types $1::regclass as an
		// integer parameter, where PostgreSQL takes the name.
		rel := "'" + name + "'::regclass"
		var desc *string
		if err := conn.QueryRow(t.Context(), "SELECT obj_description("+rel+", 'pg_class')").Scan(&desc); err != nil {
			t.Fatalf("obj_description of %s: %v", name, err)
		}
		if got := deref(desc); got != p.Description {
			t.Errorf("obj_description of %s: %q, want %q", name, got, p.Description)
		}
		rows, err := conn.Query(t.Context(), `SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum)
			FROM pg_catalog.pg_attribute a WHERE a.attrelid = `+rel+` AND a.attnum > 0 ORDER BY a.attnum`)
		if err != nil {
			t.Fatalf("col_description of %s: %v", name, err)
		}
		i := 0
		for rows.Next() {
			var col string
			var d *string
			if err := rows.Scan(&col, &d); err != nil {
				t.Fatal(err)
			}
			if i >= len(p.Columns) || col != p.Columns[i].Name || deref(d) != p.Columns[i].Description {
				t.Errorf("%s column %d: %s %q, descriptor has %+v", name, i+1, col, deref(d), p.Columns[min(i, len(p.Columns)-1)])
			}
			i++
		}
		if err := rows.Err(); err != nil || i != len(p.Columns) {
			t.Errorf("%s: %d columns, descriptor has %d (%v)", name, i, len(p.Columns), err)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pgTypeName is format_type's spelling of a descriptor type.
func pgTypeName(t string) string {
	switch t {
	case "int8":
		return "bigint"
	case "int4":
		return "integer"
	case "int2":
		return "smallint"
	case "float8":
		return "double precision"
	case "bool":
		return "boolean"
	}
	return t
}

// checkExpandArray runs pgjdbc 42.5's getPrimaryKeys query (record-valued
// information_schema._pg_expandarray in a select list, (result.keys).x
// outside) through pgx, so the rewrite is tested without a JVM: it must
// list catalog.products_v2's primary key from its descriptor.
func checkExpandArray(t *testing.T, f *fixture) {
	const q = `SELECT result.TABLE_CAT, result.TABLE_SCHEM, result.TABLE_NAME, result.COLUMN_NAME, result.KEY_SEQ, result.PK_NAME FROM (
SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, ct.relname AS TABLE_NAME, a.attname AS COLUMN_NAME,
  (information_schema._pg_expandarray(i.indkey)).n AS KEY_SEQ, ci.relname AS PK_NAME,
  information_schema._pg_expandarray(i.indkey) AS KEYS, a.attnum AS A_ATTNUM
FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_attribute a ON (ct.oid = a.attrelid)
  JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid) JOIN pg_catalog.pg_index i ON ( a.attrelid = i.indrelid)
  JOIN pg_catalog.pg_class ci ON (ci.oid = i.indexrelid)
WHERE true AND n.nspname = E'catalog' AND ct.relname = E'products_v2' AND i.indisprimary
) result where result.A_ATTNUM = (result.KEYS).x ORDER BY result.table_name, result.pk_name, result.key_seq`
	rows, err := simpleText(t.Context(), connectTarget(t, f.meshql), q)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"NULL|catalog|products_v2|product_id|1|products_v2_pkey"}; len(rows) != 1 || !slices.Equal(rows[0], want) {
		t.Errorf("getPrimaryKeys query: %q, want %q", rows, want)
	}
}
