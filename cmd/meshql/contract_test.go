package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshql/meshql/catalog"
)

// TestContractCLI exports every demo product, imports each contract into a
// copy of the demo mesh, and expects the copy to load and lint as before.
func TestContractCLI(t *testing.T) {
	t.Setenv("MESHQL_MESH", "../../testdata/mesh")
	contracts := t.TempDir()
	if code, _, errOut := runCLI(t, "contract", "export", "--out", contracts); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(contracts, "*.odcs.yaml"))
	if len(files) != 5 {
		t.Fatalf("%d contracts, want one per demo product (5)", len(files))
	}
	mesh := t.TempDir()
	if err := os.CopyFS(mesh, os.DirFS("../../testdata/mesh")); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if code, _, errOut := runCLI(t, "contract", "import", f, "--out", mesh); code != 0 {
			t.Fatalf("import %s: exit %d: %s", f, code, errOut)
		}
	}
	if _, err := catalog.Load(mesh, catalog.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "lint", mesh, "--now", "2026-06-01"); code != 0 {
		t.Errorf("imported mesh lints with findings:\n%s", out)
	}
	code, out, _ := runCLI(t, "contract", "export", "sales.orders")
	if code != 0 || !strings.Contains(out, "id: sales.orders_v1\n") {
		t.Errorf("export sales.orders: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "contract", "export"); code != 2 {
		t.Errorf("export without product or --out: exit %d, want 2", code)
	}
}
