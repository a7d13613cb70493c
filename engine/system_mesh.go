package engine

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

var (
	tText  = sqltypes.TypeText
	tInt4  = sqltypes.TypeInt4
	tInt8  = sqltypes.TypeInt8
	tBool  = sqltypes.TypeBool
	tDate  = sqltypes.TypeDate
	tTexts = sqltypes.ListOf(sqltypes.TypeText)
)

func texts(ss []string) any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func dateOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return arrow.Date32FromTime(t)
}

// meshTables are the discovery tables of schema mesh: the catalog as SQL.
func meshTables() []sysTable {
	return []sysTable{
		{schema: "mesh", name: "domains", cols: []sysColumn{
			{"domain", tText}, {"description", tText}, {"owner_team", tText}, {"owner_contact", tText}, {"products", tInt8},
		}, rows: func(s *Session) [][]any {
			count := map[string]int64{}
			for _, p := range s.visibleProducts() {
				count[p.Domain]++
			}
			var out [][]any
			for _, d := range s.engine.Mesh().Domains {
				out = append(out, []any{d.Name, orNull(d.Description), orNull(d.Owner.Team), orNull(d.Owner.Contact), count[d.Name]})
			}
			return out
		}},
		{schema: "mesh", name: "data_products", cols: []sysColumn{
			{"domain", tText}, {"product", tText}, {"version", tInt4}, {"name", tText}, {"status", tText},
			{"sunset", tDate}, {"is_current", tBool}, {"description", tText}, {"owner_team", tText}, {"owner_contact", tText},
			{"freshness", tText}, {"availability", tText}, {"schema_stability", tText}, {"connector", tText}, {"inputs", tTexts},
		}, rows: func(s *Session) [][]any {
			mesh := s.engine.Mesh()
			var out [][]any
			for _, p := range s.visibleProducts() {
				cur, _ := mesh.Lookup(p.Domain, p.Name)
				fresh := ""
				if p.SLA.Freshness > 0 {
					fresh = p.SLA.Freshness.String()
				}
				out = append(out, []any{p.Domain, p.Name, int32(p.Version), p.QualifiedName(), string(p.Status),
					dateOrNull(p.Sunset), cur == p, orNull(p.Description), orNull(p.Owner.Team), orNull(p.Owner.Contact),
					orNull(fresh), orNull(p.SLA.Availability), orNull(p.SLA.SchemaStability), p.Source.Connector, texts(p.Inputs)})
			}
			return out
		}},
		{schema: "mesh", name: "columns", cols: []sysColumn{
			{"product", tText}, {"column_name", tText}, {"ordinal", tInt4}, {"data_type", tText},
			{"description", tText}, {"tags", tTexts}, {"constraints", tTexts},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, p := range s.visibleProducts() {
				for i, c := range p.Columns {
					out = append(out, []any{p.QualifiedName(), c.Name, int32(i + 1), c.Type.String(), orNull(c.Description), texts(c.Tags), texts(c.Constraints)})
				}
			}
			return out
		}},
		{schema: "mesh", name: "lineage", cols: []sysColumn{
			{"product", tText}, {"input", tText}, {"kind", tText},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, p := range s.visibleProducts() {
				kind := "input"
				if p.Source.Connector == "sql" {
					kind = "derived_from"
				}
				for _, in := range p.Inputs {
					out = append(out, []any{p.QualifiedName(), in, kind})
				}
			}
			return out
		}},
	}
}

// isView reports whether a product is served as a view (defined by SQL).
func isView(p *catalog.Product) bool { return p.Source.Connector == "sql" }
