package demodata

import (
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
)

// TestMatchesDemoMesh checks the contract with testdata/mesh: every Parquet
// product's path matches generated files, whose columns have the declared
// names, Arrow types and, for not_null columns, no nullability.
func TestMatchesDemoMesh(t *testing.T) {
	dir := generate(t, Options{Scale: 0.001})
	m, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	checked := 0
	for _, p := range m.Products {
		if p.Source.Connector != "parquet" {
			continue
		}
		checked++
		files, err := filepath.Glob(filepath.Join(p.Source.BaseDir, filepath.FromSlash(p.Source.Path)))
		if err != nil || len(files) == 0 {
			t.Errorf("%s: path %s matches no generated file", p.QualifiedName(), p.Source.Path)
			continue
		}
		tbl := readFile(t, mem, files[0])
		fields := tbl.Schema().Fields()
		if len(fields) != len(p.Columns) {
			t.Errorf("%s: file has %d columns, descriptor %d", p.QualifiedName(), len(fields), len(p.Columns))
		}
		for i, c := range p.Columns {
			if i >= len(fields) {
				break
			}
			f := fields[i]
			if f.Name != c.Name || !arrow.TypeEqual(f.Type, c.Type.Arrow()) {
				t.Errorf("%s column %d: file has %s %s, descriptor %s %s", p.QualifiedName(), i, f.Name, f.Type, c.Name, c.Type.Arrow())
			}
			notNull := false
			for _, k := range c.Constraints {
				notNull = notNull || k == "not_null"
			}
			if notNull == f.Nullable {
				t.Errorf("%s.%s: nullable=%v in the file, not_null=%v in the descriptor", p.QualifiedName(), c.Name, f.Nullable, notNull)
			}
		}
		tbl.Release()
	}
	if checked != 4 {
		t.Errorf("checked %d Parquet products, want 4", checked)
	}
}
