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
		_, isCatalog := pgCatalogRelations[st.name]
		if st.schema == "pg_catalog" && (!isCatalog || isSuperuserCatalog(st.name)) || st.schema != "pg_catalog" && st.schema != "information_schema" {
			continue
		}
		for i, c := range st.cols {
			row := columnRowOf(st.schema, st.name, i, c.name, c.t, catalogColumnNotNull(st.name, c.name))
			if systemColumnCollatedC(st, c) {
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

// catalogUncollatedStandIns are the text and text[] columns of meshql's
// catalogs that stand in for PostgreSQL types without a collation
// (aclitem[], pg_lsn, anyarray, and oidvector and regproc, which meshql
// shows as their text).
var catalogUncollatedStandIns = map[string]string{
	"pg_attribute":            "attacl attmissingval",
	"pg_class":                "relacl",
	"pg_database":             "datacl",
	"pg_default_acl":          "defaclacl",
	"pg_foreign_data_wrapper": "fdwacl",
	"pg_foreign_server":       "srvacl",
	"pg_init_privs":           "initprivs",
	"pg_language":             "lanacl",
	"pg_largeobject_metadata": "lomacl",
	"pg_namespace":            "nspacl",
	"pg_proc":                 "proacl proargtypes",
	"pg_range":                "rngcanonical rngsubdiff",
	"pg_replication_slots":    "restart_lsn confirmed_flush_lsn",
	"pg_stat_replication":     "sent_lsn write_lsn flush_lsn replay_lsn",
	"pg_statistic":            "stavalues1 stavalues2 stavalues3 stavalues4 stavalues5",
	"pg_stats":                "most_common_vals histogram_bounds most_common_elems",
	"pg_subscription":         "subskiplsn",
	"pg_tablespace":           "spcacl",
	"pg_type":                 "typacl",
}

// systemColumnCollatedC reports whether column c of the system relation
// st has the C collation: a name, a character column of a catalog table
// or of information_schema (its domains are COLLATE "C"), or a view's
// column showing one.
func systemColumnCollatedC(st sysTable, c sysColumn) bool {
	leaf := c.t.Leaf()
	if leaf.Kind == sqltypes.Name {
		return true
	}
	if !leaf.IsString() || st.schema == "pg_catalog" && slices.Contains(strings.Fields(catalogUncollatedStandIns[st.name]), c.name) {
		return false
	}
	return st.schema == "information_schema" || pgCatalogRelations[st.name].kind == 'r' ||
		slices.Contains(strings.Fields(catalogViewCollatedColumns[st.name]), c.name)
}

// attributeCollation is pg_attribute.attcollation of a column of type t:
// C (950) for a name or where systemColumnCollatedC says so, else the
// type's (100, the database's default, for character types).
func attributeCollation(t sqltypes.Type, collatedC bool) int32 {
	if collatedC || t.Leaf().Kind == sqltypes.Name {
		return 950
	}
	return collationOf(t.Leaf())
}

// systemColumnCollation is pg_attribute.attcollation of column c of the
// system relation st: none for a stand-in of a type without one.
func systemColumnCollation(st sysTable, c sysColumn) int32 {
	if st.schema == "pg_catalog" && slices.Contains(strings.Fields(catalogUncollatedStandIns[st.name]), c.name) {
		return 0
	}
	return attributeCollation(c.t, systemColumnCollatedC(st, c))
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
