package meshql

import (
	"os/exec"
	"strings"
	"testing"
)

// layers ranks meshql's packages from the bottom (sqltypes) to the top
// (cmd); DESIGN.md's rule is that imports only go down. Longest prefix wins.
var layers = []struct {
	prefix string
	rank   int
}{
	{"sqltypes", 0},
	{"catalog", 1},
	{"connectors", 2},
	{"internal/gendir", 0}, {"internal/cputime", 0}, {"internal/demodata", 2}, {"internal/tpchgen", 2}, {"internal/pgtest", 2}, {"internal/pgload", 2},
	{"executor", 3},
	{"planner", 4},
	{"engine", 5},
	{"wire", 6},
	{"internal/slt", 6}, {"internal/tpch", 6}, {"internal/loadtest", 6}, {"internal/clients", 7}, {"bench", 6},
	{"internal/meshcheck", 6}, {"internal/openlineage", 6},
	{"cmd", 7},
}

func rankOf(pkg string) (int, bool) {
	rel, ok := strings.CutPrefix(pkg, "github.com/meshql/meshql/")
	if !ok {
		return 0, false
	}
	best, rank := -1, 0
	for _, l := range layers {
		if (rel == l.prefix || strings.HasPrefix(rel, l.prefix+"/")) && len(l.prefix) > best {
			best, rank = len(l.prefix), l.rank
		}
	}
	return rank, best >= 0
}

// TestImportsGoDown fails when a package imports one from a higher layer.
func TestImportsGoDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		from, ok := rankOf(f[0])
		if !ok {
			continue
		}
		for _, imp := range f[1:] {
			if to, ok := rankOf(imp); ok && to > from {
				t.Errorf("%s imports %s, which is in a higher layer", f[0], imp)
			}
		}
	}
}

func TestRankOf(t *testing.T) {
	for pkg, want := range map[string]int{
		"github.com/meshql/meshql/planner/bind": 4, "github.com/meshql/meshql/executor/ops": 3,
		"github.com/meshql/meshql/internal/slt": 6, "github.com/meshql/meshql/catalog/policy": 1,
	} {
		if got, ok := rankOf(pkg); !ok || got != want {
			t.Errorf("rankOf(%s) = %d, %v; want %d", pkg, got, ok, want)
		}
	}
	if _, ok := rankOf("github.com/apache/arrow-go/v18/arrow"); ok {
		t.Error("third-party packages have no layer")
	}
}
