package slt

import (
	"flag"
	"strings"
	"testing"

	"github.com/meshql/meshql/internal/pgtest"
)

var update = flag.Bool("update", false, "rewrite the expected results of testdata/sql/*.slt from PostgreSQL")

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestSLTAgainstPostgres runs the corpus against PostgreSQL itself, loaded
// with the fixture data: this proves the committed expectations are
// PostgreSQL's. With -update it first rewrites them from PostgreSQL.
func TestSLTAgainstPostgres(t *testing.T) {
	conn := PostgresFixture(t)
	if *update {
		files, err := CorpusFiles()
		if err != nil {
			t.Fatal(err)
		}
		if err := CompleteFiles(t.Context(), files, conn); err != nil {
			t.Error(err)
		}
	}
	RunCorpus(t, conn, EnginePostgres)
}

// TestPGConn checks that PGConn returns PostgreSQL's text output verbatim
// and exposes SQLSTATEs.
func TestPGConn(t *testing.T) {
	conn, err := ConnectPG(t.Context(), pgtest.NewDatabase(t, "pgconn"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	rows, err := conn.Query(t.Context(),
		`SELECT 1.50::numeric(5,2) AS n, NULL::int AS z, ''::text AS e, ARRAY['a b', NULL] AS a, 0.1::float8 + 0.2 AS f, true AS b`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows.Columns, ","), "n,z,e,a,f,b"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	if got, want := strings.Join(renderRows(rows, NoSort), "\n"), `1.50 | NULL | (empty) | {"a b",NULL} | 0.30000000000000004 | t`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	_, err = conn.Query(t.Context(), "SELECT 1/0")
	if code := SQLState(err); code != "22012" {
		t.Errorf("SQLState = %q (%v), want 22012", code, err)
	}
	rows, err = conn.Query(t.Context(), "SET TimeZone = 'UTC'")
	if err != nil || len(rows.Columns) != 0 || len(rows.Values) != 0 {
		t.Errorf("SET returned %+v, %v; want empty rows", rows, err)
	}
}
