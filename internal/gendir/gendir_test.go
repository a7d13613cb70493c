package gendir

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestReplaceConcurrently: processes regenerating the same folder at once
// may lose the race (an error they retry on), but the folder always ends
// as one writer's complete copy and nothing is left beside it. A writer
// whose old folder could not be restored because another had swapped its
// own in left ".old-" folders behind.
func TestReplaceConcurrently(t *testing.T) {
	for round := range 30 {
		parent := t.TempDir()
		dir := filepath.Join(parent, "data")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				tmp, err := os.MkdirTemp(parent, ".data.tmp-")
				if err != nil {
					t.Error(err)
					return
				}
				defer os.RemoveAll(tmp)
				name := fmt.Sprintf("writer-%d", w)
				if err := os.WriteFile(filepath.Join(tmp, name), nil, 0o644); err != nil {
					t.Error(err)
					return
				}
				_ = Replace(tmp, dir) // losing the race is allowed; litter is not
			})
		}
		wg.Wait()
		ents, err := os.ReadDir(parent)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 1 || ents[0].Name() != "data" {
			t.Fatalf("round %d: left in the parent: %v", round, ents)
		}
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 1 {
			t.Fatalf("round %d: the folder is not one writer's copy: %v", round, files)
		}
	}
}
