package slt

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshql/meshql/internal/pgtest"
)

// catalogShapeQuery lists the columns of the system schemas' relations:
// each one's relation, name and type, in order. A column of a domain (all
// of information_schema's) is shown as its base type, which is what
// PostgreSQL's RowDescription sends and what meshql types it as.
const catalogShapeQuery = `SELECT n.nspname || '.' || c.relname, a.attname,
  format_type(coalesce(nullif(t.typbasetype, 0), a.atttypid), CASE WHEN t.typbasetype <> 0 THEN t.typtypmod ELSE a.atttypmod END)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE n.nspname IN ('pg_catalog', 'information_schema') AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, a.attnum`

// catalogStandIns are the types meshql gives the catalog columns of
// PostgreSQL types it does not have.
var catalogStandIns = map[string]string{
	"pg_node_tree": "text",       // expression trees: meshql has none to show
	"aclitem[]":    "text[]",     // aclitem's text form
	"xid":          "bigint",     // transaction ids, as xmin
	"pg_lsn":       "text",       // WAL positions: meshql has no WAL
	"int2vector":   "smallint[]", // column numbers
	"oidvector":    "integer[]",
	"oid[]":        "integer[]",
	"name[]":       "text[]",
	"anyarray":     "text", // pg_stats' values and attmissingval: meshql has no pseudo-typed columns
}

// catalogShapeDifferences are the columns of meshql's system relations
// whose shape still differs from PostgreSQL 15's beyond catalogStandIns,
// as "relation column: postgres type → meshql type" ("missing" when
// meshql lacks the column, "extra" when PostgreSQL does). The test fails
// when one is fixed, so this list stays the truth.
var catalogShapeDifferences = []string{
	// information_schema's time_stamp is timestamp(2): meshql's
	// timestamptz has no precision (its values are empty here).
	"information_schema.routines created: timestamp(2) with time zone → timestamp with time zone",
	"information_schema.routines last_altered: timestamp(2) with time zone → timestamp with time zone",
	"information_schema.triggers created: timestamp(2) with time zone → timestamp with time zone",
	// oidvector's text is its ids separated by blanks ("23 25"), which
	// pgjdbc and psql split; meshql's integer[] would print {23,25}.
	"pg_catalog.pg_proc proargtypes: oidvector → text",
	// The names of the range types' functions, not all of which meshql's
	// pg_proc lists.
	"pg_catalog.pg_range rngcanonical: regproc → text",
	"pg_catalog.pg_range rngsubdiff: regproc → text",
}

// TestCatalogShapes compares the columns of every relation of pg_catalog
// and information_schema that meshql has with PostgreSQL 15's: names,
// order and types, as pg_attribute lists them. Clients read these
// columns by name and type OID; a column meshql lacks is a client's 42703.
func TestCatalogShapes(t *testing.T) {
	ctx := t.Context()
	mesh, err := GenerateFixture(ctx, filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	mq := newMeshQLConn(t, mesh, nil)
	pg, err := ConnectPG(ctx, pgtest.NewDatabase(t, "shapes"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	columns := func(c Conn) map[string][][2]string {
		rows, err := c.Query(ctx, catalogShapeQuery)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][][2]string{}
		for _, r := range rows.Values {
			out[*r[0]] = append(out[*r[0]], [2]string{*r[1], *r[2]})
		}
		return out
	}
	want, got := columns(pg), columns(mq)
	var diffs []string
	for rel, cols := range got {
		pgCols, ok := want[rel]
		if !ok {
			t.Errorf("%s is not a relation of PostgreSQL 15", rel)
			continue
		}
		diffs = append(diffs, shapeDiff(rel, pgCols, cols)...)
	}
	slices.Sort(diffs)
	for _, d := range diffs {
		if !slices.Contains(catalogShapeDifferences, d) {
			t.Errorf("%s", d)
		}
	}
	for _, d := range catalogShapeDifferences {
		if !slices.Contains(diffs, d) {
			t.Errorf("no longer a difference (remove it from catalogShapeDifferences): %s", d)
		}
	}
	if t.Failed() {
		t.Logf("all differences:\n%s", strings.Join(diffs, "\n"))
	}
}

// shapeDiff lists the differences of a relation's columns in meshql from
// PostgreSQL's: a column at another position is one difference.
func shapeDiff(rel string, want, got [][2]string) []string {
	var out []string
	types := map[string]string{}
	for _, c := range want {
		types[c[0]] = c[1]
	}
	for i, c := range got {
		pgType, ok := types[c[0]]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s %s: extra", rel, c[0]))
			continue
		case pgType != c[1] && catalogStandIns[pgType] != c[1]:
			out = append(out, fmt.Sprintf("%s %s: %s → %s", rel, c[0], pgType, c[1]))
		}
		if i >= len(want) || want[i][0] != c[0] {
			out = append(out, fmt.Sprintf("%s %s: position %d, PostgreSQL's %d", rel, c[0], i+1,
				slices.IndexFunc(want, func(w [2]string) bool { return w[0] == c[0] })+1))
		}
	}
	for _, c := range want {
		if !slices.ContainsFunc(got, func(g [2]string) bool { return g[0] == c[0] }) {
			out = append(out, fmt.Sprintf("%s %s: missing", rel, c[0]))
		}
	}
	return out
}
