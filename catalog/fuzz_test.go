package catalog

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDescriptor decodes arbitrary bytes as a product descriptor: it must
// never panic, and a rejected descriptor must come with located problems.
func FuzzDescriptor(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(demoDir, "*", "*.yaml"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(baseOrders))
	f.Add([]byte("product: [\n"))
	f.Add([]byte("columns: &a [*a]\n"))
	roles := map[string]bool{"analyst": true, "sales": true, "marketing": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps := &problems{}
		y := &yamlFile{file: "sales/orders_v1.yaml", ps: ps}
		root := y.parse(data)
		if root == nil {
			if len(ps.list) == 0 {
				t.Fatal("unparsable input without a problem")
			}
			return
		}
		lp := y.product(root, descriptorContext{folder: "sales", base: "orders_v1.yaml", baseDir: "/data", roles: roles})
		if lp == nil && len(ps.list) == 0 {
			t.Fatal("rejected descriptor without a problem")
		}
		for _, p := range ps.list {
			if p.Msg == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
		}
	})
}
