package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const badMesh = "../../testdata/mesh-bad"

// runCLI runs meshql with args and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestLintBadMeshText: the text output is catalog/lint's golden, with file
// names as given on the command line, and errors exit 1 with nothing on
// stderr.
func TestLintBadMeshText(t *testing.T) {
	code, out, errOut := runCLI(t, "lint", badMesh, "--now", "2026-06-01")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing", code, errOut)
	}
	want, err := os.ReadFile(filepath.Join(badMesh, "lint.golden.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(out, badMesh+string(filepath.Separator), "")
	if got != string(want) {
		t.Errorf("output differs from lint.golden.txt:\n%s", out)
	}
}

func TestLintBadMeshJSON(t *testing.T) {
	code, out, _ := runCLI(t, "lint", "--format", "json", "--now", "2026-06-01", badMesh)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var fs []map[string]any
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	if len(fs) != 13 {
		t.Errorf("%d findings, want 13", len(fs))
	}
}

func TestLintJUnit(t *testing.T) {
	_, out, _ := runCLI(t, "lint", "--format=junit", "--now=2026-06-01", badMesh)
	var s struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(out), &s); err != nil || s.Tests == 0 || s.Failures != 11 {
		t.Errorf("junit: tests=%d failures=%d err=%v\n%s", s.Tests, s.Failures, err, out)
	}
}

// TestLintDemoMeshDefault: with no DIR (and no testdata/mesh in the working
// directory) lint checks the built-in demo mesh, which is clean.
func TestLintDemoMeshDefault(t *testing.T) {
	t.Setenv("MESHQL_MESH", "")
	code, out, errOut := runCLI(t, "lint", "--now", "2026-06-01")
	if code != 0 || out != "no findings\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and no findings", code, out, errOut)
	}
}

func TestLintLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mesh.yaml"), []byte("name: x\ncolour: blue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "lint", dir)
	if code != 1 || !strings.Contains(out, "mesh.yaml:2: error load: ") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestLintUsage(t *testing.T) {
	for _, args := range [][]string{
		{"lint", "--format", "xml"},
		{"lint", "--now", "tomorrow"},
		{"lint", "a", "b"},
		{"lint", "--bogus"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}
