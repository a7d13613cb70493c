package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/lineage"
	collineage "github.com/meshql/meshql/planner/lineage"
)

// runLineage implements `meshql lineage [flags] [PRODUCT]`: the product
// graph from the descriptors' inputs, as a tree around PRODUCT, or as
// Graphviz dot or Mermaid (of PRODUCT's lineage, or of the whole mesh).
func runLineage(_ context.Context, args []string, stdout, stderr io.Writer) error {
	o := &options{}
	fs, config, specs := newFlags("lineage", o, false, stderr)
	format := fs.String("format", "tree", "output format: tree, dot (Graphviz) or mermaid")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: meshql lineage [flags] [PRODUCT]\n\nPrints what PRODUCT (domain.product or domain.product_vN) is derived from and what derives\nfrom it; with dot or mermaid and no PRODUCT, the whole mesh's product graph.\n\nFlags:")
		fs.PrintDefaults()
	}
	product, err := parseInterspersed(fs, args)
	if err != nil {
		return errUsage
	}
	if err := resolve(fs, *config, specs); err != nil {
		return err
	}
	if *format != "tree" && *format != "dot" && *format != "mermaid" {
		fmt.Fprintf(stderr, "meshql lineage: --format %q is not one of tree, dot, mermaid\n", *format)
		return errUsage
	}
	if *format == "tree" && product == "" {
		fmt.Fprintln(stderr, "meshql lineage: --format tree needs a PRODUCT")
		return errUsage
	}
	m, err := loadDescriptors(o)
	if err != nil {
		return err
	}
	g := lineage.Build(m)
	q := ""
	if product != "" {
		domain, name, _ := strings.Cut(strings.ToLower(product), ".")
		p, err := m.Resolve(domain, name)
		if err != nil {
			return err
		}
		q = p.QualifiedName()
	}
	switch *format {
	case "dot":
		return g.WriteDot(stdout, g.Reachable(q))
	case "mermaid":
		return g.WriteMermaid(stdout, g.Reachable(q))
	}
	if err := g.WriteTree(stdout, q); err != nil {
		return err
	}
	return writeColumnLineage(stdout, m, q)
}

// writeColumnLineage prints, for a derived product, which input columns
// each of its columns is derived from (planner/lineage).
func writeColumnLineage(w io.Writer, m *catalog.Mesh, q string) error {
	domain, name, _ := strings.Cut(q, ".")
	p, _ := m.Lookup(domain, name)
	if p == nil || p.Source.Connector != "sql" {
		return nil
	}
	edges, err := collineage.Columns(context.Background(), m, p)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("columns (derived from):\n")
	for _, c := range p.Columns {
		found := false
		for _, e := range edges {
			if e.Column == c.Name {
				fmt.Fprintf(&b, "  %s ← %s.%s (%s)\n", c.Name, e.Input, e.InputColumn, e.Transformation)
				found = true
			}
		}
		if !found {
			fmt.Fprintf(&b, "  %s ← (no input column)\n", c.Name)
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// loadDescriptors loads the mesh's descriptors only (no data is needed):
// --mesh, else the demo mesh's copy built into the binary.
func loadDescriptors(o *options) (*catalog.Mesh, error) {
	if o.Mesh != "" {
		return catalog.Load(o.Mesh, catalog.LoadOptions{})
	}
	if o.DataDir == "" {
		o.DataDir = defaultDataDir()
	}
	dir := filepath.Join(o.DataDir, "demo", "mesh")
	if err := writeDemoMesh(dir); err != nil {
		return nil, err
	}
	return catalog.Load(dir, catalog.LoadOptions{})
}
