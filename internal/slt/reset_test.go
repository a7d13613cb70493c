package slt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshql/meshql/internal/pgtest"
)

// leakyFile changes session state and does not undo it, as a file that
// stopped at an unexpected error leaves it.
const leakyFile = `statement ok
SET TimeZone = 'America/New_York'

statement ok
SET DateStyle = 'German'

statement ok
PREPARE leaky AS SELECT 1

onlyif meshql
statement ok
SET mesh.pushdown = off
`

// cleanFile expects the corpus defaults and a free statement name.
const cleanFile = `query T
SHOW TimeZone
----
UTC

query T
SHOW DateStyle
----
ISO, MDY

statement ok
PREPARE leaky AS SELECT 2

onlyif meshql
query T
SHOW mesh.pushdown
----
on
`

func writeFiles(t *testing.T, contents ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i, c := range contents {
		path := filepath.Join(dir, string(rune('a'+i))+".slt")
		if err := os.WriteFile(path, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	return files
}

// TestRunFilesFreshSession checks that what one file SETs or PREPAREs does
// not reach the next file, on both engines.
func TestRunFilesFreshSession(t *testing.T) {
	files := writeFiles(t, leakyFile, cleanFile)
	t.Run("postgres", func(t *testing.T) {
		conn := connectFixture(t, pgtest.NewDatabase(t, "reset"), pgSettings())
		RunFiles(t, files, conn, EnginePostgres)
	})
	t.Run("meshql", func(t *testing.T) {
		mesh, err := TPCHMesh()
		if err != nil {
			t.Fatal(err)
		}
		RunFiles(t, files, newMeshQLConn(t, mesh, nil), EngineMeshQL)
	})
}

// TestCompleteFilesFreshSession checks that a file Complete stopped at an
// error before it could undo its SET does not change the expectations
// written into the next file.
func TestCompleteFilesFreshSession(t *testing.T) {
	files := writeFiles(t, "statement ok\nSET TimeZone = 'Asia/Tokyo'\n\nstatement ok\nSELECT 1/0\n\nstatement ok\nRESET TimeZone\n",
		"query T\nSHOW TimeZone\n----\n")
	conn := connectFixture(t, pgtest.NewDatabase(t, "complete_reset"), pgSettings())
	err := CompleteFiles(t.Context(), files, conn)
	if err == nil || !strings.Contains(err.Error(), "a.slt:4: unexpected error") {
		t.Errorf("CompleteFiles error = %v; want a.slt:4's division by zero", err)
	}
	got, err := os.ReadFile(files[1])
	if err != nil {
		t.Fatal(err)
	}
	if want := "query T\nSHOW TimeZone\n----\nUTC\n"; string(got) != want {
		t.Errorf("b.slt completed as\n%s\nwant\n%s", got, want)
	}
}
