// Package lineage is the product graph of a mesh: which products each
// product is derived from (its inputs) and which are derived from it. It
// draws the graph as an indented tree, Graphviz dot or Mermaid, for
// `meshql lineage`.
//
// Edges come from the descriptors' inputs, resolved like SQL names (a
// bare domain.product is its current version). lineage imports only
// catalog.
package lineage

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshql/meshql/catalog"
)

// Graph is the product graph of one mesh. Node names are qualified
// product names ("sales.orders_v1").
type Graph struct {
	Nodes []string            // every product version, sorted
	Up    map[string][]string // product -> its inputs, sorted
	Down  map[string][]string // product -> products derived from it, sorted
}

// Build resolves every product's inputs into edges. Inputs that do not
// resolve are left out (catalog.Load rejects them anyway).
func Build(m *catalog.Mesh) *Graph {
	g := &Graph{Up: map[string][]string{}, Down: map[string][]string{}}
	for _, p := range m.Products {
		q := p.QualifiedName()
		g.Nodes = append(g.Nodes, q)
		for _, in := range p.Inputs {
			domain, name, _ := strings.Cut(in, ".")
			src, ok := m.Lookup(domain, name)
			if !ok {
				continue
			}
			g.Up[q] = append(g.Up[q], src.QualifiedName())
			g.Down[src.QualifiedName()] = append(g.Down[src.QualifiedName()], q)
		}
	}
	sort.Strings(g.Nodes)
	for _, m := range []map[string][]string{g.Up, g.Down} {
		for k := range m {
			sort.Strings(m[k])
		}
	}
	return g
}

// Has reports whether the graph holds product q.
func (g *Graph) Has(q string) bool {
	i := sort.SearchStrings(g.Nodes, q)
	return i < len(g.Nodes) && g.Nodes[i] == q
}

// WriteTree writes product q with its upstream products (what it is
// derived from, recursively) and its downstream ones (what derives from
// it), as two indented trees.
func (g *Graph) WriteTree(w io.Writer, q string) error {
	var b strings.Builder
	b.WriteString(q + "\n")
	section := func(title string, edges map[string][]string) {
		b.WriteString(title + ":\n")
		if len(edges[q]) == 0 {
			b.WriteString("  (none)\n")
			return
		}
		g.tree(&b, edges, q, "  ", map[string]bool{q: true})
	}
	section("upstream (derived from)", g.Up)
	section("downstream (feeds)", g.Down)
	_, err := io.WriteString(w, b.String())
	return err
}

// tree writes the children of q under edges, guarding against cycles.
func (g *Graph) tree(b *strings.Builder, edges map[string][]string, q, indent string, path map[string]bool) {
	kids := edges[q]
	for i, k := range kids {
		branch, next := "├── ", "│   "
		if i == len(kids)-1 {
			branch, next = "└── ", "    "
		}
		if path[k] {
			fmt.Fprintf(b, "%s%s%s (cycle)\n", indent, branch, k)
			continue
		}
		fmt.Fprintf(b, "%s%s%s\n", indent, branch, k)
		path[k] = true
		g.tree(b, edges, k, indent+next, path)
		delete(path, k)
	}
}

// Reachable returns q and every product upstream or downstream of it,
// sorted; with q == "" it returns every node.
func (g *Graph) Reachable(q string) []string {
	if q == "" {
		return g.Nodes
	}
	seen := map[string]bool{q: true}
	var walk func(n string, edges map[string][]string)
	walk = func(n string, edges map[string][]string) {
		for _, k := range edges[n] {
			if !seen[k] {
				seen[k] = true
				walk(k, edges)
			}
		}
	}
	walk(q, g.Up)
	walk(q, g.Down)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// edges returns the edges among nodes as (input, product) pairs, sorted.
func (g *Graph) edges(nodes []string) [][2]string {
	in := map[string]bool{}
	for _, n := range nodes {
		in[n] = true
	}
	var out [][2]string
	for _, n := range nodes {
		for _, up := range g.Up[n] {
			if in[up] {
				out = append(out, [2]string{up, n})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

// WriteDot writes the subgraph of nodes as Graphviz dot, edges pointing
// from an input to the product derived from it.
func (g *Graph) WriteDot(w io.Writer, nodes []string) error {
	var b strings.Builder
	b.WriteString("digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %q;\n", n)
	}
	for _, e := range g.edges(nodes) {
		fmt.Fprintf(&b, "  %q -> %q;\n", e[0], e[1])
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMermaid writes the subgraph of nodes as a Mermaid flowchart. Node
// ids replace the dot, which Mermaid does not allow in ids.
func (g *Graph) WriteMermaid(w io.Writer, nodes []string) error {
	id := func(n string) string { return strings.ReplaceAll(n, ".", "__") }
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", id(n), n)
	}
	for _, e := range g.edges(nodes) {
		fmt.Fprintf(&b, "  %s --> %s\n", id(e[0]), id(e[1]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
