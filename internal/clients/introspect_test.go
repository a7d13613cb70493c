package clients

import (
	"slices"
	"strings"
	"testing"
)

// checkIntrospection checks what a client's metadata calls listed against
// the mesh's descriptors: the admin user must see every domain, every
// product version and every column.
func checkIntrospection(t *testing.T, f *fixture, section string, lines []string) {
	t.Helper()
	var want []string
	switch section {
	case "schemas":
		for _, d := range f.mesh.Domains {
			want = append(want, d.Name)
		}
	case "tables":
		for _, p := range f.mesh.Products {
			want = append(want, p.Domain+"."+p.TableName())
		}
	case "columns":
		for _, p := range f.mesh.Products {
			for _, c := range p.Columns {
				want = append(want, p.Domain+"."+p.TableName()+"."+c.Name)
			}
		}
	case "catalog":
		// psql -A -t: \dt *.* and \dv print schema|name|type|owner;
		// \conninfo must name an SSL connection.
		for _, p := range f.mesh.Products {
			kind := "table"
			if p.Source.Connector == "sql" {
				kind = "view"
			}
			want = append(want, p.Domain+"|"+p.TableName()+"|"+kind+"|meshql")
		}
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "SSL connection") }) {
			t.Errorf("psql's \\conninfo does not report SSL:\n%s", strings.Join(lines, "\n"))
		}
	case "typeinfo":
		want = []string{"bool", "int2", "int4", "int8", "float4", "float8", "numeric", "text", "varchar", "date",
			"timestamp", "timestamptz", "interval", "bytea", "uuid", "json"}
	case "comments":
		// SQLAlchemy's get_table_comment of every product: its
		// description, whitespace collapsed.
		for _, p := range f.mesh.Products {
			want = append(want, p.Domain+"."+p.TableName()+"|"+strings.Join(strings.Fields(p.Description), " "))
		}
	case "pkeys":
		// Every product's primary key columns from its descriptor, and
		// nothing else.
		var pk []string
		for _, p := range f.mesh.Products {
			for _, c := range p.Columns {
				if slices.Contains(c.Constraints, "primary_key") {
					pk = append(pk, p.Domain+"."+p.TableName()+"."+c.Name)
				}
			}
		}
		if len(pk) == 0 {
			t.Fatal("the demo mesh declares no primary key: getPrimaryKeys is not tested")
		}
		got := slices.Sorted(slices.Values(lines))
		slices.Sort(pk)
		if !slices.Equal(got, pk) {
			t.Errorf("getPrimaryKeys listed %q, the descriptors declare %q", got, pk)
		}
		return
	default:
		t.Fatalf("unknown section %q", section)
	}
	for _, w := range want {
		if !slices.Contains(lines, w) {
			t.Errorf("%s: %q is missing from what the client listed:\n%q", section, w, lines)
		}
	}
}
