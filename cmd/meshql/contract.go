package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshql/meshql/catalog/contract"
)

// runContract implements `meshql contract export|import`: data products
// as Open Data Contract Standard (ODCS v3) documents and back.
func runContract(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		fmt.Fprintln(stderr, "usage: meshql contract export [flags] [PRODUCT]\n       meshql contract import [flags] FILE")
		return errUsage
	}
	verb := args[0]
	o := &options{}
	fs, config, specs := newFlags("contract "+verb, o, false, stderr)
	out := fs.String("out", "", "folder to write to (default: standard output; export without PRODUCT needs it)")
	fs.Usage = func() {
		if verb == "export" {
			fmt.Fprintln(stderr, "usage: meshql contract export [flags] [PRODUCT]\n\nWrites PRODUCT (or, with --out, every product) of --mesh as an ODCS v3 data contract.\n\nFlags:")
		} else {
			fmt.Fprintln(stderr, "usage: meshql contract import [flags] FILE\n\nWrites the meshql descriptor of an ODCS v3 data contract, to standard output or to\nDIR/<domain>/<product>_v<N>.yaml with --out DIR.\n\nFlags:")
		}
		fs.PrintDefaults()
	}
	arg, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return errUsage
	}
	if err := resolve(fs, *config, specs); err != nil {
		return err
	}
	if verb == "import" {
		if arg == "" {
			fs.Usage()
			return errUsage
		}
		data, err := os.ReadFile(arg)
		if err != nil {
			return err
		}
		desc, rel, err := contract.Import(data)
		if err != nil {
			return fmt.Errorf("%s: %w", arg, err)
		}
		return writeOut(stdout, *out, rel, desc)
	}
	if arg == "" && *out == "" {
		fmt.Fprintln(stderr, "meshql contract export: give a PRODUCT, or --out DIR for every product")
		return errUsage
	}
	m, err := loadDescriptors(o)
	if err != nil {
		return err
	}
	products := m.Products
	if arg != "" {
		domain, name, _ := strings.Cut(strings.ToLower(arg), ".")
		p, err := m.Resolve(domain, name)
		if err != nil {
			return err
		}
		products = products[:0:0]
		products = append(products, p)
	}
	for _, p := range products {
		doc, err := contract.Export(p)
		if err != nil {
			return err
		}
		if err := writeOut(stdout, *out, p.QualifiedName()+".odcs.yaml", doc); err != nil {
			return err
		}
	}
	return nil
}

// writeOut writes data to dir/rel, or to w when dir is "".
func writeOut(w io.Writer, dir, rel string, data []byte) error {
	if dir == "" {
		_, err := w.Write(data)
		return err
	}
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
