package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/planner/logical"
)

// TestTPCHStaticScales: the TPC-H queries keep their fixed-scale columns
// on the static fast path: no aggregate, join, filter, window or scan
// below their final projection computes with per-value numeric scales
// (sqltypes.VarNumericType), except Q8's and Q14's sums of a CASE whose
// results were written with scales 4 and 0 (PostgreSQL sums those with
// each value's scale: a sum of only the ELSE's zeros is 0) and Q22's
// one average, which its filter compares exactly. Q17's comparison with
// 0.2 * avg stays static.
func TestTPCHStaticScales(t *testing.T) {
	root := filepath.Join("..", "testdata")
	mesh, err := catalog.Load(filepath.Join(root, "mesh-tpch"), catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	e, err := New(Config{Mesh: mesh, Mem: mem, Workers: 1, Connectors: []connectors.Connector{parquet.New()}})
	if err != nil {
		t.Fatal(err)
	}
	s := session(t, e, "admin")
	ctx := context.Background()
	if _, err := s.Query(ctx, "SET search_path = tpch"); err != nil {
		t.Fatal(err)
	}
	var widened []int
	for q := 1; q <= 22; q++ {
		sql, err := os.ReadFile(filepath.Join(root, "tpch", "queries", fmt.Sprintf("q%02d.sql", q)))
		if err != nil {
			t.Fatal(err)
		}
		sts, err := s.Prepare(ctx, strings.TrimSpace(string(sql)))
		if err != nil {
			t.Fatalf("Q%d: %v", q, err)
		}
		st := sts[len(sts)-1]
		if st.st == nil || st.st.Query == nil {
			t.Fatalf("Q%d: not a bound query (%v)", q, st.err)
		}
		if where := varScaleBelowOutput(st.st.Query.Plan, st.st.Query.Meta); where != "" {
			t.Logf("Q%d: %s", q, where)
			widened = append(widened, q)
		}
	}
	if want := []int{8, 14, 22}; !slices.Equal(widened, want) {
		t.Errorf("queries computing with per-value scales below their output: %v, want %v", widened, want)
	}
}

// varScaleBelowOutput names the first node under n's top projection (and
// the sorts and limits above it) that reads or produces a variable-scale
// numeric, or returns "".
func varScaleBelowOutput(n logical.Node, meta *logical.Metadata) string {
	for {
		switch x := n.(type) {
		case *logical.Sort:
			n = x.Input
			continue
		case *logical.Limit:
			n = x.Input
			continue
		case *logical.Project:
			n = x.Input
		}
		break
	}
	var found string
	var walk func(n logical.Node)
	walk = func(n logical.Node) {
		if found != "" {
			return
		}
		for _, c := range n.Output() {
			if meta.Column(c).Type.HasVarScale() {
				found = fmt.Sprintf("%T outputs %s", n, meta.Column(c).Name)
				return
			}
		}
		logical.MapExprs(n, func(e logical.Expr) logical.Expr {
			logical.Walk(e, func(x logical.Expr) bool {
				if found == "" && x.Type().HasVarScale() {
					found = fmt.Sprintf("%T computes %s", n, x)
				}
				return found == ""
			})
			return e
		})
		for _, c := range n.Children() {
			walk(c)
		}
	}
	walk(n)
	return found
}
