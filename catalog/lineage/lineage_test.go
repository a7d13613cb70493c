package lineage

import (
	"bytes"
	"testing"

	"github.com/meshql/meshql/catalog"
)

func demo(t *testing.T) *Graph {
	t.Helper()
	m, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return Build(m)
}

// The demo's one derived product, marketing.cross_sell_v1, reads
// sales.orders_v1 and catalog.products_v2 (its descriptor's inputs).
func TestTree(t *testing.T) {
	g := demo(t)
	var b bytes.Buffer
	if err := g.WriteTree(&b, "marketing.cross_sell_v1"); err != nil {
		t.Fatal(err)
	}
	want := `marketing.cross_sell_v1
upstream (derived from):
  ├── catalog.products_v2
  └── sales.orders_v1
downstream (feeds):
  (none)
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := g.WriteTree(&b, "sales.orders_v1"); err != nil {
		t.Fatal(err)
	}
	want = `sales.orders_v1
upstream (derived from):
  (none)
downstream (feeds):
  └── marketing.cross_sell_v1
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestDotAndMermaid(t *testing.T) {
	g := demo(t)
	// products_v2 feeds the same product but is neither upstream nor
	// downstream of orders_v1, so it is not part of orders_v1's lineage.
	nodes := g.Reachable("sales.orders_v1")
	var b bytes.Buffer
	if err := g.WriteDot(&b, nodes); err != nil {
		t.Fatal(err)
	}
	want := `digraph lineage {
  rankdir=LR;
  node [shape=box];
  "marketing.cross_sell_v1";
  "sales.orders_v1";
  "sales.orders_v1" -> "marketing.cross_sell_v1";
}
`
	if b.String() != want {
		t.Errorf("dot:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := g.WriteMermaid(&b, []string{"sales.orders_v1", "marketing.cross_sell_v1"}); err != nil {
		t.Fatal(err)
	}
	want = "flowchart LR\n  sales__orders_v1[\"sales.orders_v1\"]\n  marketing__cross_sell_v1[\"marketing.cross_sell_v1\"]\n  sales__orders_v1 --> marketing__cross_sell_v1\n"
	if b.String() != want {
		t.Errorf("mermaid:\n%s\nwant:\n%s", b.String(), want)
	}
	if len(g.Reachable("")) != 5 || !g.Has("catalog.products_v1") || g.Has("catalog.products_v9") {
		t.Errorf("nodes = %v", g.Nodes)
	}
}
