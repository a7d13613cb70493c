package engine

import (
	"strconv"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/sqltypes"
)

// infoSchemaColumns is information_schema.columns with PostgreSQL 15's
// columns in its order: tools read more than the name and type (Metabase
// tells required and auto-increment columns by is_nullable,
// column_default and is_identity). A product's columns have no defaults,
// identities or generation expressions, and meshql writes nothing, so
// none is updatable.
func infoSchemaColumns() sysTable {
	return sysTable{schema: "information_schema", name: "columns", cols: []sysColumn{
		{"table_catalog", tText}, {"table_schema", tText}, {"table_name", tText}, {"column_name", tText},
		{"ordinal_position", tInt4}, {"column_default", tText}, {"is_nullable", tText}, {"data_type", tText},
		{"character_maximum_length", tInt4}, {"character_octet_length", tInt4}, {"numeric_precision", tInt4},
		{"numeric_precision_radix", tInt4}, {"numeric_scale", tInt4}, {"datetime_precision", tInt4},
		{"interval_type", tText}, {"interval_precision", tInt4}, {"character_set_catalog", tText},
		{"character_set_schema", tText}, {"character_set_name", tText}, {"collation_catalog", tText},
		{"collation_schema", tText}, {"collation_name", tText}, {"domain_catalog", tText}, {"domain_schema", tText},
		{"domain_name", tText}, {"udt_catalog", tText}, {"udt_schema", tText}, {"udt_name", tText},
		{"scope_catalog", tText}, {"scope_schema", tText}, {"scope_name", tText}, {"maximum_cardinality", tInt4},
		{"dtd_identifier", tText}, {"is_self_referencing", tText}, {"is_identity", tText}, {"identity_generation", tText},
		{"identity_start", tText}, {"identity_increment", tText}, {"identity_maximum", tText}, {"identity_minimum", tText},
		{"identity_cycle", tText}, {"is_generated", tText}, {"generation_expression", tText}, {"is_updatable", tText},
	}, rows: func(s *Session) [][]any {
		// As in PostgreSQL, only columns the user holds a privilege on.
		v := s.current()
		var out [][]any
		for _, p := range s.visibleProducts() {
			denied := policy.Decide(v.mesh, v.who, p).Denied
			for i, c := range p.Columns {
				if !denied[c.Name] {
					out = append(out, columnRow(p, i, c))
				}
			}
		}
		return out
	}}
}

// columnRow is column i of p as information_schema.columns shows it.
func columnRow(p *catalog.Product, i int, c *catalog.Column) []any {
	nullable := "YES"
	if c.NotNull() {
		nullable = "NO"
	}
	t := c.Type
	var charLen, octetLen, prec, radix, scale, dtPrec any
	switch t.Kind {
	case sqltypes.Varchar, sqltypes.Bpchar, sqltypes.Text:
		// UTF8 takes up to 4 bytes a character; unbounded text 1GB.
		octetLen = int32(1 << 30)
		if t.Kind != sqltypes.Text && t.Precision > 0 {
			charLen, octetLen = t.Precision, t.Precision*4
		}
	case sqltypes.Numeric:
		radix = int32(10)
		if t.Precision > 0 {
			prec, scale = t.Precision, t.Scale
		}
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		prec, radix, scale = int32(8*t.Size()), int32(2), int32(0)
	case sqltypes.Float4:
		prec, radix = int32(24), int32(2)
	case sqltypes.Float8:
		prec, radix = int32(53), int32(2)
	case sqltypes.Date:
		dtPrec = int32(0)
	case sqltypes.Time, sqltypes.Timestamp, sqltypes.TimestampTZ, sqltypes.Interval:
		dtPrec = int32(6)
	}
	dataType := t.String()
	switch t.Kind {
	case sqltypes.Numeric:
		dataType = "numeric"
	case sqltypes.Varchar:
		dataType = "character varying"
	case sqltypes.Bpchar:
		dataType = "character"
	case sqltypes.List:
		dataType = "ARRAY"
	}
	updatable := "NO" // meshql serves reads only
	return []any{"mesh", p.Domain, p.TableName(), c.Name, int32(i + 1), nil, nullable, dataType,
		charLen, octetLen, prec, radix, scale, dtPrec,
		nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
		"mesh", "pg_catalog", udtName(t),
		nil, nil, nil, nil,
		strconv.Itoa(i + 1), "NO", "NO", nil, nil, nil, nil, nil, "NO", "NEVER", nil, updatable}
}
