package slt

import (
	"context"
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
// subtest per file (named after the file without .slt), in order, each in
// a fresh session of conn (see SessionConn). This is the hook for every
// engine: PostgreSQL here, meshql in the engine's tests (engine
// EngineMeshQL, conn an adapter over engine sessions whose errors expose
// SQLState()).
func RunCorpus(t *testing.T, conn SessionConn, engine string) {
	t.Helper()
	files, err := CorpusFiles()
	if err != nil {
		t.Fatal(err)
	}
	RunFiles(t, files, conn, engine)
}

// RunFiles runs files with RunFile, one subtest per file (named after the
// file without .slt), each in a fresh session of conn.
func RunFiles(t *testing.T, files []string, conn SessionConn, engine string) {
	t.Helper()
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".slt")
		t.Run(name, func(t *testing.T) {
			if err := conn.ResetSession(t.Context()); err != nil {
				t.Fatal(err)
			}
			RunFile(t, path, conn, engine)
		})
	}
}

// CompleteFiles runs Complete on each file that is not pg-divergent, each
// in a fresh session of conn, so a file Complete stopped at an error
// leaves none of its settings to the next. It goes on after a failed file
// and returns the errors of all.
func CompleteFiles(ctx context.Context, files []string, conn SessionConn) error {
	var errs []error
	for _, path := range files {
		f, err := ParseFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if f.PGDivergent {
			continue
		}
		if err := conn.ResetSession(ctx); err != nil {
			return errors.Join(append(errs, err)...)
		}
		if err := Complete(ctx, path, conn); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
