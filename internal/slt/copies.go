package slt

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshql/meshql/catalog"
)

// CopyProductFiles points each named product of mesh (qualified names,
// "sales.customers_v1") at copies copies of its files, written under dir:
// a Parquet scan then has at least that many partitions, which is how
// tests get results that split across parallel streams or endpoints from
// small fixtures. Every row appears copies times.
func CopyProductFiles(mesh *catalog.Mesh, dir string, copies int, names ...string) error {
	for _, p := range mesh.Products {
		if !slices.Contains(names, p.QualifiedName()) {
			continue
		}
		glob := p.Source.Path
		if !filepath.IsAbs(glob) {
			glob = filepath.Join(p.Source.BaseDir, glob)
		}
		files, err := filepath.Glob(glob)
		if err != nil || len(files) == 0 {
			return fmt.Errorf("slt: no files match %s (%v)", glob, err)
		}
		out := filepath.Join(dir, p.QualifiedName())
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			for i := range copies {
				name := filepath.Join(out, strings.Repeat("c", i+1)+"-"+filepath.Base(f))
				if err := os.WriteFile(name, b, 0o644); err != nil {
					return err
				}
			}
		}
		p.Source.Path = filepath.Join(out, "*"+filepath.Ext(files[0]))
		names = slices.DeleteFunc(names, func(n string) bool { return n == p.QualifiedName() })
	}
	if len(names) > 0 {
		return fmt.Errorf("slt: no products %v", names)
	}
	return nil
}
