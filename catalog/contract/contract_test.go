package contract

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshql/meshql/catalog"
)

const demoDir = "../../testdata/mesh"

func loadDemo(t *testing.T, dir string) *catalog.Mesh {
	t.Helper()
	m, err := catalog.Load(dir, catalog.LoadOptions{DataDir: "/data"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// comparable clears what legitimately differs between two loads of the
// same product: where it was read from.
func comparable(p *catalog.Product) catalog.Product {
	c := *p
	c.File, c.Line = "", 0
	var cols []*catalog.Column
	for _, col := range p.Columns {
		cc := *col
		cc.Line = 0
		cols = append(cols, &cc)
	}
	c.Columns = cols
	c.Quality, c.Examples = noLines(p.Quality), noLines(p.Examples)
	return c
}

func noLines(qs []catalog.NamedQuery) []catalog.NamedQuery {
	var out []catalog.NamedQuery
	for _, q := range qs {
		q.Line = 0
		out = append(out, q)
	}
	return out
}

// roundTrip converts every demo product with conv, writes the results over
// a copy of the demo mesh, and checks that the copy loads into the same
// products.
func roundTrip(t *testing.T, conv func(p *catalog.Product) ([]byte, string)) {
	orig := loadDemo(t, demoDir)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(demoDir)); err != nil {
		t.Fatal(err)
	}
	for _, p := range orig.Products {
		data, rel := conv(p)
		if rel != filepath.ToSlash(filepath.Join(p.Domain, p.TableName()+".yaml")) {
			t.Fatalf("%s: written to %s", p.QualifiedName(), rel)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	back := loadDemo(t, dir)
	if len(back.Products) != len(orig.Products) {
		t.Fatalf("%d products back, want %d", len(back.Products), len(orig.Products))
	}
	for i, p := range orig.Products {
		if got, want := comparable(back.Products[i]), comparable(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs after the round trip:\n got %+v\nwant %+v", p.QualifiedName(), got, want)
		}
	}
}

func TestODCSRoundTrip(t *testing.T) {
	roundTrip(t, func(p *catalog.Product) ([]byte, string) {
		doc, err := Export(p)
		if err != nil {
			t.Fatal(err)
		}
		desc, rel, err := Import(doc)
		if err != nil {
			t.Fatalf("%s: %v\n%s", p.QualifiedName(), err, doc)
		}
		return desc, rel
	})
}

func TestWriteDescriptorRoundTrip(t *testing.T) {
	roundTrip(t, func(p *catalog.Product) ([]byte, string) {
		data, err := WriteDescriptor(p)
		if err != nil {
			t.Fatal(err)
		}
		return data, p.Domain + "/" + p.TableName() + ".yaml"
	})
}

// TestExportFields checks the ODCS fields of sales.orders_v1 against its
// descriptor (testdata/mesh/sales/orders_v1.yaml), read as plain YAML.
func TestExportFields(t *testing.T) {
	m := loadDemo(t, demoDir)
	p, _ := m.Lookup("sales", "orders_v1")
	doc, err := Export(p)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := yaml.Unmarshal(doc, &c); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"apiVersion": "v3.0.2", "kind": "DataContract", "id": "sales.orders_v1",
		"version": "1.0.0", "status": "active", "domain": "sales", "dataProduct": "orders"} {
		if c[k] != want {
			t.Errorf("%s = %v, want %v", k, c[k], want)
		}
	}
	schema := c["schema"].([]any)[0].(map[string]any)
	props := schema["properties"].([]any)
	first := props[0].(map[string]any)
	if first["name"] != "order_id" || first["physicalType"] != "bigint" || first["logicalType"] != "integer" || first["required"] != true || first["unique"] != true {
		t.Errorf("order_id property = %v", first)
	}
	amount := props[5].(map[string]any)
	if amount["physicalType"] != "numeric(12,2)" || amount["logicalType"] != "number" {
		t.Errorf("amount property = %v", amount)
	}
	status := props[6].(map[string]any)["customProperties"].([]any)[0].(map[string]any)
	if status["property"] != "meshql.accepted_values" || len(status["value"].([]any)) != 5 {
		t.Errorf("status custom properties = %v", status)
	}
	if q := schema["quality"].([]any); len(q) != 1 || q[0].(map[string]any)["type"] != "sql" || q[0].(map[string]any)["mustBe"] != 0 {
		t.Errorf("quality = %v", q)
	}
	sla := c["slaProperties"].([]any)[0].(map[string]any)
	if sla["property"] != "latency" || sla["value"] != "24h" || sla["element"] != "orders_v1.order_date" {
		t.Errorf("latency = %v", sla)
	}
	if team := c["team"].([]any)[0].(map[string]any); team["username"] != "orders-team@example.com" || team["role"] != "owner" {
		t.Errorf("team = %v", team)
	}
}

func TestImportErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not yaml":    "{",
		"not odcs":    "kind: Table\napiVersion: v3.0.2\n",
		"two schemas": "kind: DataContract\napiVersion: v3.0.2\nid: x\nversion: 1.0.0\nschema: [{name: a, logicalType: object}, {name: b, logicalType: object}]\n",
		"bad version": "kind: DataContract\napiVersion: v3.0.2\nid: x\nversion: beta\nschema: [{name: a, logicalType: object}]\n",
		"no domain":   "kind: DataContract\napiVersion: v3.0.2\nid: x\nversion: 2.1.0\nschema: [{name: a, logicalType: object}]\n",
	} {
		if _, _, err := Import([]byte(doc)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	desc, rel, err := Import([]byte("kind: DataContract\napiVersion: v3.1.0\nid: sales.leads_v2\nversion: 2.3.1\nschema:\n  - name: leads\n    logicalType: object\n    properties:\n      - {name: id, logicalType: integer, required: true}\n"))
	if err != nil || rel != "sales/leads_v2.yaml" || !strings.Contains(string(desc), "type: bigint") || !strings.Contains(string(desc), "status: draft") {
		t.Errorf("import by id: %v, %s\n%s", err, rel, desc)
	}
}
