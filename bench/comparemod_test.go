package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareModuleKeepsRootReplaces: bench/compare (make bench's DuckDB
// side, its own module so DuckDB's cgo stays out of the root) builds the
// root module as a dependency, and a dependency's replace directives do
// not carry over. When the root replaced psql-wire with its own copy and
// compare did not, make bench stopped compiling (pgwire uses what the
// copy adds) with nothing in make test to notice.
func TestCompareModuleKeepsRootReplaces(t *testing.T) {
	root := localReplaces(t, filepath.Join("..", "go.mod"))
	compare := localReplaces(t, filepath.Join("compare", "go.mod"))
	for mod, dir := range root {
		want := filepath.ToSlash(filepath.Join("../..", dir))
		if got, ok := compare[mod]; !ok || got != want {
			t.Errorf("bench/compare/go.mod: want replace %s => %s (as the root's => %s), have %q", mod, want, dir, got)
		}
	}
}

// localReplaces reads the replace directives of a go.mod that point to
// a folder, module path to folder.
func localReplaces(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "replace "))
		if !strings.HasPrefix(strings.TrimSpace(line), "replace ") || len(f) != 3 || f[1] != "=>" {
			continue
		}
		if strings.HasPrefix(f[2], "./") || strings.HasPrefix(f[2], "../") {
			out[f[0]] = f[2]
		}
	}
	return out
}
