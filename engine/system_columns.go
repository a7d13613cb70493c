package engine

import (
	"slices"
	"strconv"
	"strings"

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
		// The columns of the system schemas' relations, then, as in
		// PostgreSQL, only the products' columns the user holds a
		// privilege on.
		v := s.current()
		out := systemColumnRows()
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

// catalogViewCollatedColumns are the text columns of pg_catalog's views
// that keep the C collation of the catalog column they show (a view's
// other text columns have the database's default).
var catalogViewCollatedColumns = map[string]string{
	"pg_available_extension_versions": "requires",
	"pg_available_extensions":         "installed_version",
	"pg_policies":                     "roles qual with_check",
	"pg_publication_tables":           "attnames",
	"pg_roles":                        "rolconfig",
	"pg_seclabels":                    "objname provider label",
	"pg_user":                         "useconfig",
	"pg_user_mappings":                "umoptions",
}

// systemColumnRows are information_schema.columns' rows of the columns
// of pg_catalog's relations and information_schema's views, with
// PostgreSQL's nullability, collations (C for the catalog tables'
// character columns and for names; a view's text has the database's
// default, left blank, unless it shows a catalog's column) and, for
// information_schema,
// the domains of the columns (their types are the domains' base types).
func systemColumnRows() [][]any {
	var out [][]any
	for _, st := range systemTables() {
		r, isCatalog := pgCatalogRelations[st.name]
		if st.schema == "pg_catalog" && !isCatalog || st.schema != "pg_catalog" && st.schema != "information_schema" {
			continue
		}
		for i, c := range st.cols {
			row := columnRowOf(st.schema, st.name, i, c.name, c.t, catalogColumnNotNull(st.name, c.name))
			collatable := c.t.Kind == sqltypes.Name || c.t.Leaf().IsString()
			if collatable && (c.t.Kind == sqltypes.Name || st.schema == "information_schema" || r.kind == 'r' ||
				slices.Contains(strings.Fields(catalogViewCollatedColumns[st.name]), c.name)) {
				row[19], row[20], row[21] = databaseName, "pg_catalog", "C"
			}
			if d := infoSchemaDomain(st.name, c.name); st.schema == "information_schema" && d != "" {
				row[22], row[23], row[24] = databaseName, "information_schema", d
			}
			out = append(out, row)
		}
	}
	return out
}

// columnRow is column i of p as information_schema.columns shows it.
func columnRow(p *catalog.Product, i int, c *catalog.Column) []any {
	return columnRowOf(p.Domain, p.TableName(), i, c.Name, c.Type, c.NotNull())
}

// columnRowOf is column i of schema.table, named name, of type t, as
// information_schema.columns shows it.
func columnRowOf(schema, table string, i int, name string, t sqltypes.Type, notNull bool) []any {
	nullable := "YES"
	if notNull {
		nullable = "NO"
	}
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
	return []any{databaseName, schema, table, name, int32(i + 1), nil, nullable, dataType,
		charLen, octetLen, prec, radix, scale, dtPrec,
		nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
		"mesh", "pg_catalog", udtName(t),
		nil, nil, nil, nil,
		strconv.Itoa(i + 1), "NO", "NO", nil, nil, nil, nil, nil, "NO", "NEVER", nil, updatable}
}
