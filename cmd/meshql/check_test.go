package main

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/demodata"
)

// demoMeshWithData copies the demo mesh into a temp folder with freshly
// generated data beside the descriptors, where a real mesh keeps it.
func demoMeshWithData(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	mesh := filepath.Join(root, "mesh")
	if err := os.CopyFS(mesh, os.DirFS("../../testdata/mesh")); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(root, "data")
	if err := demodata.Generate(context.Background(), data, demodata.Options{Scale: 0.01}); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"sales", "catalog"} {
		if err := os.CopyFS(filepath.Join(mesh, sub), os.DirFS(filepath.Join(data, sub))); err != nil {
			t.Fatal(err)
		}
	}
	return mesh
}

func TestCheckCLI(t *testing.T) {
	mesh := demoMeshWithData(t)
	if code, out, errOut := runCLI(t, "check", mesh); code != 0 || out != "no findings\n" {
		t.Fatalf("clean mesh: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	rs, err := catalog.ReadCheckResults(mesh)
	if err != nil || len(rs) == 0 {
		t.Fatalf("no results recorded in the mesh folder: %v", err)
	}
	for _, r := range rs {
		if !r.OK {
			t.Errorf("recorded failure on a clean mesh: %+v", r)
		}
	}
	// A quality check that lists every product fails.
	desc := filepath.Join(mesh, "catalog", "products_v2.yaml")
	data, err := os.ReadFile(desc)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "  - {name: no_products, sql: SELECT product_id FROM catalog.products_v2}\n"...)
	if err := os.WriteFile(desc, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "check", "--format", "junit", mesh)
	var s struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(out), &s); err != nil || code != 1 || s.Failures != 1 || !strings.Contains(out, "quality check no_products of catalog.products_v2 returns 50 rows") {
		t.Errorf("exit %d, failures %d (%v):\n%s", code, s.Failures, err, out)
	}
}

func TestCheckUsage(t *testing.T) {
	for _, args := range [][]string{{"check", "--format", "xml"}, {"check", "--now", "2026-06-01"}, {"check", "a", "b"}} {
		if code, _, errOut := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

// TestCheckLoadErrors: a mesh that does not load is reported like lint
// reports it, rule load with file and line, exit 1.
func TestCheckLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mesh.yaml"), []byte("name: x\ncolour: blue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "check", dir)
	if code != 1 || !strings.Contains(out, "mesh.yaml:2: error load: ") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}
