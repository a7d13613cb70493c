package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/meshql/meshql/catalog"
)

// TestWriteDemoMeshConcurrently: processes sharing a data dir refresh the
// demo descriptors at once (a server and `meshql query`, or scripts side
// by side); none may fail or see half a folder. Two such runs failed with
// "unlinkat …/demo/mesh: directory not empty" when the folder was removed
// and rewritten in place.
func TestWriteDemoMeshConcurrently(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo", "mesh")
	// A stale copy: an edited descriptor and a file the binary does not have.
	if err := replaceDemoMesh(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, catalog.MeshFile), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "extra.yaml"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if demoMeshCurrent(dir) {
		t.Fatal("a stale copy counts as current")
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = writeDemoMesh(dir) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if !demoMeshCurrent(dir) {
		t.Fatal("the folder is not the binary's demo mesh after the writers")
	}
	if _, err := catalog.Load(dir, catalog.LoadOptions{}); err != nil {
		t.Fatalf("the refreshed demo mesh does not load: %v", err)
	}
	// Nothing is left beside it, and a current folder is not rewritten
	// (a server's folder watch would reload on every query otherwise).
	if ents, _ := os.ReadDir(filepath.Dir(dir)); len(ents) != 1 {
		t.Errorf("left beside the mesh folder: %v", ents)
	}
	before, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeDemoMesh(dir); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("a current demo mesh folder was replaced")
	}
}
