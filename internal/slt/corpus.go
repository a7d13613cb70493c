package slt

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RepoRoot returns the root of the module that contains the working
// directory (the nearest ancestor holding go.mod). Tests run in their
// package's directory, so this finds the meshql checkout.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("slt: no go.mod above the working directory")
		}
		dir = parent
	}
}

// CorpusFiles returns the .slt files of testdata/sql, sorted by name.
func CorpusFiles() ([]string, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(root, "testdata", "sql", "*.slt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("slt: no .slt files in testdata/sql")
	}
	return files, nil // Glob sorts
}

// RunCorpus runs every file of testdata/sql against conn as engine, one
// subtest per file (named after the file without .slt), in order, on the
// one conn: files must not depend on state left by other files. This is
// the hook for every engine: PostgreSQL here, meshql in the engine's tests
// (engine EngineMeshQL, conn an adapter over an engine session whose
// errors expose SQLState()).
func RunCorpus(t *testing.T, conn Conn, engine string) {
	t.Helper()
	files, err := CorpusFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".slt")
		t.Run(name, func(t *testing.T) { RunFile(t, path, conn, engine) })
	}
}
