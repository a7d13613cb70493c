package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const baseMesh = `name: t
roles:
  analyst: {}
  sales: {inherits: [analyst]}
users:
  ann: {password: ann, roles: [analyst]}
domains:
  sales: {description: Sales}
`

// baseOrders is a valid descriptor; tests replace single lines of it, so
// line numbers in expectations refer to this layout.
const baseOrders = `product: orders
version: 1
domain: sales
status: active
sla: {freshness: 24h, availability: 99.5%}
source: {connector: parquet, path: orders/*.parquet}
columns:
  - {name: order_id, type: bigint}
  - {name: customer_id, type: bigint}
  - {name: amount, type: "numeric(12,2)"}
policies:
  read: [analyst]
  columns: {customer_id: {mask: hash, except: [sales]}}
`

// withLine returns baseOrders with 1-based line n replaced by s.
func withLine(n int, s string) string {
	lines := strings.Split(baseOrders, "\n")
	lines[n-1] = s
	return strings.Join(lines, "\n")
}

func writeMesh(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadBaseMeshIsValid(t *testing.T) {
	dir := writeMesh(t, map[string]string{"mesh.yaml": baseMesh, "sales/orders_v1.yaml": baseOrders})
	if _, err := Load(dir, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrors(t *testing.T) {
	orders := "sales/orders_v1.yaml"
	tests := []struct {
		name  string
		files map[string]string // overrides of the base mesh; "" deletes
		want  []string          // "file:line: field: message" fragments, file relative to the mesh dir
	}{
		{"bad type", map[string]string{orders: withLine(10, "  - {name: amount, type: bigintt}")},
			[]string{`sales/orders_v1.yaml:10: columns[2].type: type "bigintt" does not exist`}},
		{"unknown field", map[string]string{orders: withLine(4, "colour: red")},
			[]string{`sales/orders_v1.yaml:4: colour: unknown field "colour"`}},
		{"unknown nested field with suggestion", map[string]string{orders: withLine(8, "  - {name: order_id, tpye: bigint}")},
			[]string{`sales/orders_v1.yaml:8: columns[0].tpye: unknown field "tpye" (did you mean "type"?)`,
				`sales/orders_v1.yaml:8: columns[0].type: is required`}},
		{"missing product", map[string]string{orders: withLine(1, "")},
			[]string{`sales/orders_v1.yaml:2: product: is required`}},
		{"missing source and columns", map[string]string{orders: "product: orders\nversion: 1\ndomain: sales\n"},
			[]string{`sales/orders_v1.yaml:1: source: is required`, `sales/orders_v1.yaml:1: columns: is required`}},
		{"empty columns", map[string]string{orders: "product: orders\nversion: 1\ndomain: sales\nsource: {connector: memory}\ncolumns: []\n"},
			[]string{`sales/orders_v1.yaml:5: columns: must list at least one column`}},
		{"bad version", map[string]string{orders: withLine(2, "version: one")},
			[]string{`sales/orders_v1.yaml:2: version: must be an integer, not "one"`}},
		{"domain differs from folder", map[string]string{orders: withLine(3, "domain: sale")},
			[]string{`sales/orders_v1.yaml:3: domain: is "sale" but the file is in folder "sales"`}},
		{"file name differs", map[string]string{orders: "", "sales/orders.yaml": baseOrders},
			[]string{`sales/orders.yaml:1: product: file name must be "orders_v1.yaml"`}},
		{"duplicate column", map[string]string{orders: withLine(9, "  - {name: order_id, type: bigint}")},
			[]string{`sales/orders_v1.yaml:9: columns[1].name: duplicate column "order_id" (also columns[0])`}},
		{"bad status", map[string]string{orders: withLine(4, "status: retired")},
			[]string{`sales/orders_v1.yaml:4: status: "retired" is not one of draft, active, deprecated`}},
		{"deprecated without sunset", map[string]string{orders: withLine(4, "status: deprecated")},
			[]string{`sales/orders_v1.yaml:4: sunset: is required when status is deprecated`}},
		{"bad sunset", map[string]string{orders: withLine(4, "sunset: 2025-13-01")},
			[]string{`sales/orders_v1.yaml:4: sunset: "2025-13-01" is not a date in the form YYYY-MM-DD`}},
		{"bad connector", map[string]string{orders: withLine(6, "source: {connector: parkett, path: x}")},
			[]string{`sales/orders_v1.yaml:6: source.connector: "parkett" is not one of parquet, postgres, csv, flightsql, sql, memory`}},
		{"sql without query", map[string]string{orders: withLine(6, "source: {connector: sql}")},
			[]string{`sales/orders_v1.yaml:6: source.query: is required for connector sql`}},
		{"bad security", map[string]string{orders: withLine(6, "source: {connector: sql, query: SELECT 1 AS order_id, security: owner}")},
			[]string{`sales/orders_v1.yaml:6: source.security: "owner" is not one of invoker, definer`}},
		{"security of a stored product", map[string]string{orders: withLine(6, "source: {connector: parquet, path: x, security: definer}")},
			[]string{`sales/orders_v1.yaml:6: source.security: applies only to derived products (connector sql), not to connector parquet`}},
		{"definer without a domain role", map[string]string{"mesh.yaml": strings.Replace(baseMesh, "  sales: {inherits: [analyst]}\n", "", 1),
			orders: strings.Replace(withLine(6, "source: {connector: sql, query: SELECT 1 AS order_id, security: definer}"), "except: [sales]", "except: [analyst]", 1)},
			[]string{`sales/orders_v1.yaml:6: source.security: definer reads the inputs with the rights of role "sales", the owning domain's, which is not defined in mesh.yaml`}},
		{"parquet without path", map[string]string{orders: withLine(6, "source: {connector: parquet}")},
			[]string{`sales/orders_v1.yaml:6: source.path: is required for connector parquet`}},
		{"bad freshness", map[string]string{orders: withLine(5, "sla: {freshness: soon}")},
			[]string{`sales/orders_v1.yaml:5: sla.freshness: "soon" is not a duration`}},
		{"bad availability", map[string]string{orders: withLine(5, "sla: {availability: high}")},
			[]string{`sales/orders_v1.yaml:5: sla.availability: "high" is not a percentage`}},
		{"policy on unknown column", map[string]string{orders: withLine(13, "  columns: {customer: {mask: hash}}")},
			[]string{`sales/orders_v1.yaml:13: policies.columns.customer: column "customer" is not declared in columns (did you mean "customer_id"?)`}},
		{"policy with unknown mask", map[string]string{orders: withLine(13, "  columns: {amount: {mask: blur}}")},
			[]string{`sales/orders_v1.yaml:13: policies.columns.amount.mask: "blur" is not one of null, redact, hash, partial, round`}},
		{"policy without rule", map[string]string{orders: withLine(13, "  columns: {amount: {except: [sales]}}")},
			[]string{`sales/orders_v1.yaml:13: policies.columns.amount: needs allow, deny: true or a mask`}},
		{"allow with a mask", map[string]string{orders: withLine(13, "  columns: {amount: {allow: [sales], mask: hash}}")},
			[]string{`sales/orders_v1.yaml:13: policies.columns.amount.allow: allow names the roles that read the column; it excludes deny, mask and except`}},
		{"allow names unknown role", map[string]string{orders: withLine(13, "  columns: {amount: {allow: [saels]}}")},
			[]string{`sales/orders_v1.yaml:13: policies.columns.amount.allow[0]: role "saels" is not defined in mesh.yaml (did you mean "sales"?)`}},
		{"policy names unknown role", map[string]string{orders: withLine(12, "  read: [analyts]")},
			[]string{`sales/orders_v1.yaml:12: policies.read[0]: role "analyts" is not defined in mesh.yaml (did you mean "analyst"?)`}},
		{"policies file: unknown key and bad severity", map[string]string{"policies.yaml": "rules:\n  draft: maybe\nusers: {}\n"},
			[]string{`policies.yaml:2: rules.draft: "maybe" is not one of error, warning, off`, `policies.yaml:3: users: unknown field "users"`}},
		{"rule set in mesh.yaml and policies.yaml", map[string]string{"mesh.yaml": baseMesh + "rules: {draft: off}\n", "policies.yaml": "rules:\n  sla: warning\n  draft: error\n"},
			[]string{`policies.yaml:3: rules.draft: is also set in`}},
		{"quality check without sql", map[string]string{orders: baseOrders + "quality:\n  - {name: positive}\n"},
			[]string{`sales/orders_v1.yaml:15: quality[0].sql: is required`}},
		{"duplicate quality check", map[string]string{orders: baseOrders + "quality:\n  - {name: a, sql: SELECT 1}\n  - {name: a, sql: SELECT 2}\n"},
			[]string{`sales/orders_v1.yaml:16: quality[1].name: duplicate quality check "a"`}},
		{"bad deprecated_since", map[string]string{orders: withLine(4, "deprecated_since: soon")},
			[]string{`sales/orders_v1.yaml:4: deprecated_since: "soon" is not a date in the form YYYY-MM-DD`}},
		{"accepted value of the wrong type", map[string]string{orders: withLine(8, "  - {name: order_id, type: bigint, accepted_values: [1, two]}")},
			[]string{`sales/orders_v1.yaml:8: columns[0].accepted_values[1]: "two" is not a value of type bigint`}},
		{"empty range", map[string]string{orders: withLine(8, "  - {name: order_id, type: bigint, range: {}}")},
			[]string{`sales/orders_v1.yaml:8: columns[0].range: needs min, max or both`}},
		{"range bound of the wrong type", map[string]string{orders: withLine(10, `  - {name: amount, type: "numeric(12,2)", range: {min: zero}}`)},
			[]string{`sales/orders_v1.yaml:10: columns[2].range.min: "zero" is not a value of type numeric(12,2)`}},
		{"bad rule severity", map[string]string{"mesh.yaml": baseMesh + "rules:\n  draft: fatal\n"},
			[]string{`mesh.yaml:10: rules.draft: "fatal" is not one of error, warning, off`}},
		{"duplicate version", map[string]string{"sales/orders_v1.yml": baseOrders},
			[]string{`sales/orders_v1.yml:2: version: sales.orders_v1 is also defined in`}},
		{"unknown input", map[string]string{orders: baseOrders + "inputs: [sales.orderz_v1]\n"},
			[]string{`sales/orders_v1.yaml:14: inputs[0]: product "sales.orderz_v1" does not exist in this mesh (did you mean "sales.orders_v1"?)`}},
		{"malformed input", map[string]string{orders: baseOrders + "inputs: [orders]\n"},
			[]string{`sales/orders_v1.yaml:14: inputs[0]: "orders" is not a qualified product name`}},
		{"invalid yaml", map[string]string{orders: withLine(5, "sla: {freshness: 24h")},
			[]string{`sales/orders_v1.yaml:`, `invalid YAML`}},
		{"undeclared domain folder", map[string]string{"crm/leads_v1.yaml": strings.Replace(baseOrders, "domain: sales", "domain: crm", 1)},
			[]string{`crm: folder holds descriptors but domain "crm" is not declared`, `crm/leads_v1.yaml:1: product: file name must be "orders_v1.yaml"`}},
		{"mesh without name", map[string]string{"mesh.yaml": strings.Replace(baseMesh, "name: t\n", "", 1)},
			[]string{`mesh.yaml:1: name: is required`}},
		{"mesh user with unknown role", map[string]string{"mesh.yaml": strings.Replace(baseMesh, "roles: [analyst]}", "roles: [admin]}", 1)},
			[]string{`mesh.yaml:6: users.ann.roles: role "admin" is not defined in mesh.yaml`}},
		{"mesh role cycle", map[string]string{"mesh.yaml": strings.Replace(baseMesh, "analyst: {}", "analyst: {inherits: [sales]}", 1)},
			[]string{`mesh.yaml:4: roles.sales.inherits: inheritance cycle sales -> analyst -> sales`}},
		{"mesh reserved domain", map[string]string{"mesh.yaml": baseMesh + "  pg_catalog: {}\n"},
			[]string{`mesh.yaml:9: domains.pg_catalog: "pg_catalog" is reserved`}},
		{"mesh unknown field", map[string]string{"mesh.yaml": baseMesh + "policy: {}\n"},
			[]string{`mesh.yaml:9: policy: unknown field "policy"`}},
		{"mesh missing", map[string]string{"mesh.yaml": ""},
			[]string{`mesh.yaml: is missing`}},
		{"several errors at once", map[string]string{
			orders:                  withLine(10, "  - {name: amount, type: bigintt}"),
			"sales/refunds_v1.yaml": strings.NewReplacer("product: orders", "product: refunds", "status: active", "status: gone").Replace(baseOrders)},
			[]string{`sales/orders_v1.yaml:10: columns[2].type`, `sales/refunds_v1.yaml:4: status: "gone"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"mesh.yaml": baseMesh, "sales/orders_v1.yaml": baseOrders}
			for k, v := range tc.files {
				files[k] = v
			}
			for k, v := range files {
				if v == "" {
					delete(files, k)
				}
			}
			dir := writeMesh(t, files)
			m, err := Load(dir, LoadOptions{})
			if err == nil {
				t.Fatalf("Load succeeded: %+v", m)
			}
			var le *LoadError
			if !errors.As(err, &le) || m != nil {
				t.Fatalf("Load = %v, %T; want nil and *LoadError", m, err)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, filepath.Join(dir, filepath.FromSlash(w))) && !strings.Contains(msg, w) {
					t.Errorf("error does not contain %q:\n%s", w, msg)
				}
				if strings.Contains(w, ".yaml:") || strings.Contains(w, ".yml:") {
					if !strings.Contains(msg, dir+string(filepath.Separator)+filepath.FromSlash(w)) {
						t.Errorf("error does not locate %q under the mesh dir:\n%s", w, msg)
					}
				}
			}
			if len(le.Problems) < len(tc.want)-1 {
				t.Errorf("got %d problems, want at least %d", len(le.Problems), len(tc.want)-1)
			}
		})
	}
}

func TestLoadNotADirectory(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"), LoadOptions{})
	var le *LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "is not a mesh folder") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseFreshness(t *testing.T) {
	tests := []struct {
		in   string
		want string // time.Duration.String(), "" = error
	}{
		{"24h", "24h0m0s"}, {"90m", "1h30m0s"}, {"7d", "168h0m0s"}, {"1d12h", "36h0m0s"},
		{"0s", ""}, {"-1h", ""}, {"soon", ""}, {"", ""}, {"d", ""}, {"7dd", ""},
	}
	for _, tc := range tests {
		d, err := ParseFreshness(tc.in)
		got := ""
		if err == nil {
			got = d.String()
		}
		if got != tc.want {
			t.Errorf("ParseFreshness(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestLoadFlowCommaHint(t *testing.T) {
	dir := writeMesh(t, map[string]string{"mesh.yaml": baseMesh,
		"sales/orders_v1.yaml": withLine(10, "  - {name: amount, type: numeric(12,2)}")})
	_, err := Load(dir, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `columns[2].type: invalid type "numeric(12": unbalanced parentheses (inside {...} a comma ends the value`) {
		t.Fatalf("err = %v", err)
	}
}

func TestFormatFreshnessRoundTrips(t *testing.T) {
	for in, want := range map[string]string{"24h": "24h", "7d": "7d", "48h": "2d", "90m": "1h30m", "1h0m30s": "1h0m30s", "45s": "45s"} {
		d, err := ParseFreshness(in)
		if err != nil {
			t.Fatal(err)
		}
		got := FormatFreshness(d)
		if got != want {
			t.Errorf("FormatFreshness(%s) = %q, want %q", in, got, want)
		}
		if back, err := ParseFreshness(got); err != nil || back != d {
			t.Errorf("%q reads back as %v, %v; want %v", got, back, err, d)
		}
	}
}

// TestLoadColumnAllow: allow: [roles] grants a column to those roles
// only, which is deny for everybody else.
func TestLoadColumnAllow(t *testing.T) {
	dir := writeMesh(t, map[string]string{"mesh.yaml": baseMesh, "sales/orders_v1.yaml": withLine(13, "  columns: {amount: {allow: [sales]}}")})
	m, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := m.Lookup("sales", "orders_v1")
	if !ok {
		t.Fatal("sales.orders_v1 not loaded")
	}
	if got := p.Policies.Columns["amount"]; !got.Deny || got.Mask != "" || strings.Join(got.Except, ",") != "sales" {
		t.Errorf("amount's policy = %+v, want deny except [sales]", got)
	}
}
