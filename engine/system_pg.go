package engine

import (
	"sort"
	"sync"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

const (
	pgCatalogOID  = 11
	infoSchemaOID = 13000
	meshSchemaOID = 13100
	ownerOID      = 10
	ownerName     = "meshql" // the owner of every object (pg_get_userbyid)
	databaseOID   = 16384
	databaseName  = "mesh" // current_database(): the one database meshql serves
	classRelKind  = "r"
	viewRelKind   = "v"
	typeNamespace = pgCatalogOID
)

var tInt2 = sqltypes.TypeInt2
var tFloat4 = sqltypes.TypeFloat4

// namespaces lists the schemas a session sees: the system ones, then
// every domain with a product it may read.
func (s *Session) namespaces() []struct {
	name string
	oid  int32
} {
	out := []struct {
		name string
		oid  int32
	}{{"pg_catalog", pgCatalogOID}, {"information_schema", infoSchemaOID}, {"mesh", meshSchemaOID}}
	seen := map[string]bool{}
	for _, p := range s.visibleProducts() {
		if !seen[p.Domain] {
			seen[p.Domain] = true
			out = append(out, struct {
				name string
				oid  int32
			}{p.Domain, int32(stableOID("namespace", p.Domain))})
		}
	}
	return out
}

// typeRows are pg_type's rows: every scalar type and its array type.
func typeRows() [][]any {
	kinds := []sqltypes.Type{sqltypes.TypeBool, sqltypes.TypeBytea, sqltypes.TypeInt8, sqltypes.TypeInt2, sqltypes.TypeInt4,
		sqltypes.TypeText, sqltypes.TypeJSON, sqltypes.TypeJSONB, sqltypes.TypeFloat4, sqltypes.TypeFloat8, {Kind: sqltypes.Varchar}, {Kind: sqltypes.Bpchar},
		sqltypes.TypeDate, sqltypes.TypeTimestamp, sqltypes.TypeTimestampTZ, sqltypes.TypeTime, sqltypes.TypeInterval, sqltypes.NumericType(0, 0), sqltypes.TypeUUID, sqltypes.TypeJSONPath,
		{Kind: sqltypes.Int4Range}, {Kind: sqltypes.Int8Range}, {Kind: sqltypes.NumRange}, {Kind: sqltypes.DateRange}, {Kind: sqltypes.TsRange}, {Kind: sqltypes.TstzRange},
		sqltypes.TypeInet, sqltypes.TypeCidr, sqltypes.TypeMacaddr}
	names := map[uint32]string{16: "bool", 17: "bytea", 20: "int8", 21: "int2", 23: "int4", 25: "text", 114: "json", 3802: "jsonb", 700: "float4",
		701: "float8", 1043: "varchar", 1042: "bpchar", 1082: "date", 1114: "timestamp", 1184: "timestamptz", 1083: "time", 1186: "interval", 1700: "numeric", 2950: "uuid", 4072: "jsonpath",
		3904: "int4range", 3926: "int8range", 3906: "numrange", 3912: "daterange", 3908: "tsrange", 3910: "tstzrange",
		869: "inet", 650: "cidr", 829: "macaddr"}
	category := map[sqltypes.Kind]string{sqltypes.Bool: "B", sqltypes.Int2: "N", sqltypes.Int4: "N", sqltypes.Int8: "N", sqltypes.Float4: "N",
		sqltypes.Float8: "N", sqltypes.Numeric: "N", sqltypes.Text: "S", sqltypes.Varchar: "S", sqltypes.Bpchar: "S", sqltypes.Date: "D", sqltypes.Timestamp: "D",
		sqltypes.TimestampTZ: "D", sqltypes.Time: "D", sqltypes.Interval: "T", sqltypes.Bytea: "U", sqltypes.UUID: "U", sqltypes.JSON: "U", sqltypes.JSONB: "U", sqltypes.JSONPath: "U",
		sqltypes.Inet: "I", sqltypes.Cidr: "I", sqltypes.Macaddr: "U"}
	var out [][]any
	for _, t := range kinds {
		oid := t.OID()
		arr := sqltypes.ListOf(t).OID()
		name := names[oid]
		byVal := t.Size() > 0 && t.Size() <= 8 && t.Kind != sqltypes.Macaddr // a pointer to its 6 bytes
		align, storage := typeAlign(t.Size()), "p"
		switch {
		case t.Size() > 0:
		case t.Kind == sqltypes.Inet || t.Kind == sqltypes.Cidr:
			storage = "m" // PostgreSQL stores them inline
		case t.Size() < 0:
			storage = "x"
		}
		typtype, cat, io := "b", category[t.Kind], name
		if t.IsRange() {
			// One set of I/O functions serves every range type.
			typtype, cat, io = "r", "R", "range_"
			if sqltypes.RangeSubtype(t).Size() == 8 {
				align = "d"
			}
		}
		out = append(out, []any{int32(oid), name, int32(typeNamespace), int32(ownerOID), t.Size(), typtype, cat, int32(0), int32(arr), int32(0), int32(-1), false, ",", collationOf(t),
			int32(0), byVal, true, align, storage, int32(0), nil, procOID(io + "in"), procOID(io + "out"), procOID(io + "recv"), procOID(io + "send"), int32(0), int32(0), int32(0), int32(0), nil, nil})
		out = append(out, []any{int32(arr), "_" + name, int32(typeNamespace), int32(ownerOID), int16(-1), "b", "A", int32(oid), int32(0), int32(0), int32(-1), false, ",", collationOf(t),
			int32(0), false, true, align, "x", int32(0), nil, procOID("array_in"), procOID("array_out"), procOID("array_recv"), procOID("array_send"), int32(0), int32(0), procOID("array_typanalyze"), procOID("array_subscript_handler"), nil, nil})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0].(int32) < out[j][0].(int32) })
	return out
}

// typeAlign is pg_type.typalign of a type of length size: a fixed-width
// type aligns on its width, a variable-width one on int4.
func typeAlign(size int16) string {
	switch size {
	case 8:
		return "d"
	case 2:
		return "s"
	case 1:
		return "c"
	}
	return "i"
}

func infoSchemaTables() []sysTable {
	return []sysTable{
		// The database's one character set, UTF8 (server_encoding):
		// Power BI reads it when it connects and takes SQL_ASCII if the
		// view is missing.
		{schema: "information_schema", name: "character_sets", cols: []sysColumn{
			{"character_set_catalog", tText}, {"character_set_schema", tText}, {"character_set_name", tText}, {"character_repertoire", tText},
			{"form_of_use", tText}, {"default_collate_catalog", tText}, {"default_collate_schema", tText}, {"default_collate_name", tText},
		}, rows: func(*Session) [][]any {
			return [][]any{{nil, nil, "UTF8", "UCS", "UTF8", databaseName, nil, nil}}
		}},
		{schema: "information_schema", name: "schemata", cols: infoSchemaCols("schemata"), rows: func(s *Session) [][]any {
			var out [][]any
			for _, n := range s.namespaces() {
				out = append(out, []any{"mesh", n.name, "meshql", nil, nil, nil, nil})
			}
			return out
		}},
		{schema: "information_schema", name: "tables", cols: infoSchemaCols("tables"), rows: func(s *Session) [][]any {
			// The relations of the system schemas, as pg_class lists
			// them, then the products the session may read. meshql
			// writes nothing: no relation is insertable into.
			var out [][]any
			add := func(schema, name, kind string) {
				out = append(out, []any{databaseName, schema, name, kind, nil, nil, nil, nil, nil, "NO", "NO", nil})
			}
			for _, r := range systemTableRows() {
				add(r[1].(string), r[2].(string), r[3].(string))
			}
			for _, p := range s.visibleProducts() {
				kind := "BASE TABLE"
				if isView(p) {
					kind = "VIEW"
				}
				add(p.Domain, p.TableName(), kind)
			}
			return out
		}},
		{schema: "information_schema", name: "views", cols: infoSchemaCols("views"), rows: func(s *Session) [][]any {
			// The system schemas' views, whose definitions PostgreSQL
			// shows only to their owner, then the views the session may
			// read; none is updatable.
			var out [][]any
			add := func(schema, name string, def any) {
				out = append(out, []any{databaseName, schema, name, def, "NONE", "NO", "NO", "NO", "NO", "NO"})
			}
			for _, r := range systemTableRows() {
				if r[3] == "VIEW" {
					add(r[1].(string), r[2].(string), nil)
				}
			}
			for _, p := range s.visibleProducts() {
				if isView(p) {
					add(p.Domain, p.TableName(), p.Source.Query)
				}
			}
			return out
		}},
		infoSchemaColumns(),
	}
}

// udtName is pg_type.typname of t (information_schema's udt_name).
func udtName(t sqltypes.Type) string {
	if n, ok := builtinTypeNames()[t.OID()]; ok {
		return n
	}
	return t.String()
}

// builtinTypeNames are the names of pg_type's built-in types by id: a
// constant table, built once (information_schema.columns looks up each
// of its thousand rows' types).
var builtinTypeNames = sync.OnceValue(func() map[uint32]string {
	out := map[uint32]string{}
	for _, r := range append(typeRows(), jdbcTypeRows()...) {
		if oid := uint32(r[0].(int32)); out[oid] == "" {
			out[oid] = r[1].(string)
		}
	}
	return out
})

func pgCatalogTables() []sysTable {
	return []sysTable{
		{schema: "pg_catalog", name: "pg_namespace", cols: []sysColumn{
			{"oid", tInt4}, {"nspname", tText}, {"nspowner", tInt4}, {"nspacl", tTexts},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, n := range s.namespaces() {
				out = append(out, []any{n.oid, n.name, int32(ownerOID), nil})
			}
			return out
		}},
		inPostgresOrder(sysTable{schema: "pg_catalog", name: "pg_class", cols: []sysColumn{
			{"oid", tInt4}, {"relname", tText}, {"relnamespace", tInt4}, {"reltype", tInt4}, {"relkind", tText}, {"relowner", tInt4},
			{"relam", tInt4}, {"reltuples", tFloat4}, {"relhasindex", tBool}, {"relpersistence", tText},
			{"relispartition", tBool}, {"reltablespace", tInt4}, {"relnatts", tInt2}, {"relhasrules", tBool},
			{"relhastriggers", tBool}, {"relrowsecurity", tBool}, {"relforcerowsecurity", tBool}, {"relacl", tTexts}, {"reloptions", tTexts},
			{"reltoastrelid", tInt4}, {"reloftype", tInt4}, {"relreplident", tText}, {"relpartbound", tText}, {"relchecks", tInt2},
			{"relpages", tInt4}, {"relfilenode", tInt4}, {"relisshared", tBool}, {"relhassubclass", tBool},
		}, rows: classRows},
			`oid relname relnamespace reltype reloftype relowner relam relfilenode reltablespace relpages reltuples
			relallvisible reltoastrelid relhasindex relisshared relpersistence relkind relnatts relchecks relhasrules
			relhastriggers relhassubclass relrowsecurity relforcerowsecurity relispopulated relreplident relispartition
			relrewrite relfrozenxid relminmxid relacl reloptions relpartbound`,
			catalogConstant{sysColumn{"relallvisible", tInt4}, int32(0)}, catalogConstant{sysColumn{"relispopulated", tBool}, true},
			catalogConstant{sysColumn{"relrewrite", tInt4}, int32(0)},
			// meshql writes no rows: no transaction id is frozen.
			catalogConstant{sysColumn{"relfrozenxid", tInt8}, int64(0)}, catalogConstant{sysColumn{"relminmxid", tInt8}, int64(0)}),
		{schema: "pg_catalog", name: "pg_attribute", cols: catalogColumns(`attrelid:oid attname:name atttypid:oid attstattarget:integer
			attlen:smallint attnum:smallint attndims:integer attcacheoff:integer atttypmod:integer attbyval:boolean
			attalign:"char" attstorage:"char" attcompression:"char" attnotnull:boolean atthasdef:boolean atthasmissing:boolean
			attidentity:"char" attgenerated:"char" attisdropped:boolean attislocal:boolean attinhcount:integer
			attcollation:oid attacl:aclitem[] attoptions:text[] attfdwoptions:text[] attmissingval:anyarray`),
			rows: func(s *Session) [][]any {
				var out [][]any
				row := func(rel int32, c *catalog.Column, num int, notNull bool, collation int32) {
					dims := int32(0)
					if c.Type.Kind == sqltypes.List {
						dims = 1
					}
					size := c.Type.Size()
					byVal, align, storage := size == 1 || size == 2 || size == 4 || size == 8, typeAlign(size), "p"
					if size < 0 {
						storage = "x"
					}
					out = append(out, []any{rel, c.Name, int32(c.Type.OID()), int32(-1), size, int16(num), dims, int32(-1), c.Type.TypeModifier(),
						byVal, align, storage, "", notNull, false, false, "", "", false, true, int32(0), collation, nil, nil, nil, nil})
				}
				// The columns of pg_catalog's relations (psql's \dS pg_class), as
				// meshql types them.
				for _, st := range systemTables() {
					if r, ok := pgCatalogRelations[st.name]; ok && st.schema == "pg_catalog" {
						for i, c := range st.cols {
							row(r.oid, &catalog.Column{Name: c.name, Type: c.t}, i+1, catalogColumnNotNull(st.name, c.name),
								systemColumnCollation(st, c))
						}
					}
				}
				for _, v := range infoSchemaViews() {
					for i, c := range v.st.cols {
						row(v.oid, &catalog.Column{Name: c.name, Type: c.t}, i+1, false, systemColumnCollation(v.st, c))
					}
				}
				for _, p := range s.visibleProducts() {
					for i, c := range p.Columns {
						row(classOID(p), c, i+1, c.NotNull(), attributeCollation(c.Type, false))
					}
					// A primary key index's columns (psql's \d of the index).
					for i, k := range primaryKey(p) {
						row(pkeyIndexOID(p), p.Columns[k-1], i+1, false, attributeCollation(p.Columns[k-1].Type, false))
					}
				}
				return out
			}},
		inPostgresOrder(sysTable{schema: "pg_catalog", name: "pg_type", cols: []sysColumn{
			{"oid", tInt4}, {"typname", tText}, {"typnamespace", tInt4}, {"typowner", tInt4}, {"typlen", tInt2},
			{"typtype", tText}, {"typcategory", tText}, {"typelem", tInt4}, {"typarray", tInt4}, {"typbasetype", tInt4},
			{"typtypmod", tInt4}, {"typnotnull", tBool}, {"typdelim", tText}, {"typcollation", tInt4},
			{"typrelid", tInt4}, {"typbyval", tBool}, {"typisdefined", tBool}, {"typalign", tText}, {"typstorage", tText},
			{"typndims", tInt4}, {"typdefault", tText}, {"typinput", tInt4}, {"typoutput", tInt4}, {"typreceive", tInt4},
			{"typsend", tInt4}, {"typmodin", tInt4}, {"typmodout", tInt4}, {"typanalyze", tInt4}, {"typsubscript", tInt4},
			{"typacl", tTexts}, {"typdefaultbin", tText},
		}, rows: func(s *Session) [][]any { return append(append(typeRows(), jdbcTypeRows()...), s.rowTypeRows()...) }},
			`oid typname typnamespace typowner typlen typbyval typtype typcategory typispreferred typisdefined typdelim
			typrelid typsubscript typelem typarray typinput typoutput typreceive typsend typmodin typmodout typanalyze
			typalign typstorage typnotnull typbasetype typtypmod typndims typcollation typdefaultbin typdefault typacl`,
			// Operator resolution in meshql does not read it.
			catalogConstant{sysColumn{"typispreferred", tBool}, false}),
		{schema: "pg_catalog", name: "pg_range", cols: []sysColumn{{"rngtypid", tInt4}, {"rngsubtype", tInt4}, {"rngmultitypid", tInt4},
			{"rngcollation", tInt4}, {"rngsubopc", tInt4}, {"rngcanonical", tText}, {"rngsubdiff", tText}},
			rows: func(*Session) [][]any { return rangeRows() }},
		{schema: "pg_catalog", name: "pg_stat_activity", live: true, cols: catalogColumns(`datid:oid datname:name pid:integer
			leader_pid:integer usesysid:oid usename:name application_name:text client_addr:inet client_hostname:text
			client_port:integer backend_start:timestamptz xact_start:timestamptz query_start:timestamptz
			state_change:timestamptz wait_event_type:text wait_event:text state:text backend_xid:bigint backend_xmin:bigint
			query_id:bigint query:text backend_type:text`),
			rows: statActivityRows},
		{schema: "pg_catalog", name: "pg_sequence", cols: []sysColumn{{"seqrelid", tInt4}, {"seqtypid", tInt4}, {"seqstart", tInt8},
			{"seqincrement", tInt8}, {"seqmax", tInt8}, {"seqmin", tInt8}, {"seqcache", tInt8}, {"seqcycle", tBool}},
			rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_enum", cols: []sysColumn{{"oid", tInt4}, {"enumtypid", tInt4}, {"enumsortorder", tFloat4}, {"enumlabel", tText}},
			rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_attrdef", cols: []sysColumn{{"oid", tInt4}, {"adrelid", tInt4}, {"adnum", tInt2}, {"adbin", tText}},
			rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_collation", cols: catalogColumns(`oid:oid collname:name collnamespace:oid collowner:oid
			collprovider:"char" collisdeterministic:boolean collencoding:integer collcollate:text collctype:text colliculocale:text collversion:text`),
			rows: func(*Session) [][]any {
				return [][]any{{int32(100), "default", int32(pgCatalogOID), int32(ownerOID), "d", true, int32(-1), nil, nil, nil, nil},
					{int32(950), "C", int32(pgCatalogOID), int32(ownerOID), "c", true, int32(-1), "C", "C", nil, nil}}
			}},
		pgIndexTable(),
		pgConstraintTable(),
		keywordsTable(),
		catalogTable("pg_statistic_ext", `oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:integer
			stxkeys:int2vector stxkind:"char"[] stxexprs:pg_node_tree`),
		{schema: "pg_catalog", name: "pg_publication", cols: catalogColumns(`oid:oid pubname:name pubowner:oid puballtables:boolean
			pubinsert:boolean pubupdate:boolean pubdelete:boolean pubtruncate:boolean pubviaroot:boolean`),
			rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_publication_rel", cols: []sysColumn{{"oid", tInt4}, {"prpubid", tInt4}, {"prrelid", tInt4}, {"prqual", tText}, {"prattrs", tInt2s}},
			rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_publication_namespace", cols: []sysColumn{{"oid", tInt4}, {"pnpubid", tInt4}, {"pnnspid", tInt4}},
			rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_foreign_table", cols: []sysColumn{{"ftrelid", tInt4}, {"ftserver", tInt4}, {"ftoptions", tTexts}},
			rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_inherits", cols: []sysColumn{{"inhrelid", tInt4}, {"inhparent", tInt4}, {"inhseqno", tInt4}, {"inhdetachpending", tBool}},
			rows: func(*Session) [][]any { return nil }},
		policyTable(),
		{schema: "pg_catalog", name: "pg_database", cols: catalogColumns(`oid:oid datname:name datdba:oid encoding:integer
			datlocprovider:"char" datistemplate:boolean datallowconn:boolean datconnlimit:integer datfrozenxid:xid datminmxid:xid
			dattablespace:oid datcollate:text datctype:text daticulocale:text datcollversion:text datacl:aclitem[]`),
			rows: func(*Session) [][]any {
				// No transaction has frozen anything: the ids are initdb's.
				return [][]any{{int32(databaseOID), databaseName, int32(ownerOID), int32(6), "c", false, true, int32(-1), int64(716), int64(1),
					int32(1663), "C", "C", nil, nil, nil}}
			}},
		{schema: "pg_catalog", name: "pg_roles", cols: roleCols(), rows: roleRows},
		authMembers(),
		{schema: "pg_catalog", name: "pg_user", cols: []sysColumn{
			{"usename", tText}, {"usesysid", tInt4}, {"usecreatedb", tBool}, {"usesuper", tBool}, {"userepl", tBool},
			{"usebypassrls", tBool}, {"passwd", tText}, {"valuntil", tTSTZ}, {"useconfig", tTexts},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, u := range s.engine.Mesh().Users {
				// The password is shown masked, as PostgreSQL's view does.
				out = append(out, []any{u.Name, int32(stableOID("role", u.Name)), false, false, false, false, "********", nil, nil})
			}
			return out
		}},
		{schema: "pg_catalog", name: "pg_settings", cols: []sysColumn{
			{"name", tText}, {"setting", tText}, {"unit", tText}, {"category", tText}, {"short_desc", tText}, {"extra_desc", tText},
			{"context", tText}, {"vartype", tText}, {"source", tText}, {"min_val", tText}, {"max_val", tText}, {"enumvals", tTexts},
			{"boot_val", tText}, {"reset_val", tText}, {"sourcefile", tText}, {"sourceline", tInt4}, {"pending_restart", tBool},
		}, rows: func(s *Session) [][]any {
			s.mu.Lock()
			defer s.mu.Unlock()
			var names []string
			for n := range s.values {
				names = append(names, n)
			}
			sort.Strings(names)
			var out [][]any
			for _, n := range names {
				if hiddenSettings[n] {
					continue
				}
				v := s.values[n]
				// RESET gives the default; a custom setting (a.b) has
				// none, RESET removes it.
				reset, source := v, "session"
				if st, ok := s.defs[n]; ok {
					reset = st.def
				}
				if v == reset {
					source = "default"
				}
				out = append(out, settingRow(n, v, reset, source))
			}
			return out
		}},
		{schema: "pg_catalog", name: "pg_depend", cols: []sysColumn{
			{"classid", tInt4}, {"objid", tInt4}, {"objsubid", tInt4}, {"refclassid", tInt4}, {"refobjid", tInt4}, {"refobjsubid", tInt4}, {"deptype", tText},
		}, rows: func(*Session) [][]any { return nil }},
		// No conversion procedures: the wire converts the single-byte client
		// encodings itself, with no catalog entry.
		{schema: "pg_catalog", name: "pg_conversion", cols: []sysColumn{
			{"oid", tInt4}, {"conname", tText}, {"connamespace", tInt4}, {"conowner", tInt4}, {"conforencoding", tInt4},
			{"contoencoding", tInt4}, {"conproc", tInt4}, {"condefault", tBool},
		}, rows: func(*Session) [][]any { return nil }},
		// The languages of built-in functions, with PostgreSQL's ids;
		// meshql runs no procedural language.
		{schema: "pg_catalog", name: "pg_language", cols: []sysColumn{
			{"oid", tInt4}, {"lanname", tText}, {"lanowner", tInt4}, {"lanispl", tBool}, {"lanpltrusted", tBool},
			{"lanplcallfoid", tInt4}, {"laninline", tInt4}, {"lanvalidator", tInt4}, {"lanacl", tTexts},
		}, rows: func(*Session) [][]any {
			lang := func(oid int32, name string, trusted bool) []any {
				return []any{oid, name, int32(ownerOID), false, trusted, int32(0), int32(0), int32(0), nil}
			}
			return [][]any{lang(12, "internal", false), lang(13, "c", false), lang(14, "sql", true)}
		}},
		{schema: "pg_catalog", name: "pg_available_extensions", cols: []sysColumn{
			{"name", tText}, {"default_version", tText}, {"installed_version", tText}, {"comment", tText},
		}, rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_description", cols: []sysColumn{
			{"objoid", tInt4}, {"classoid", tInt4}, {"objsubid", tInt4}, {"description", tText},
		}, rows: func(s *Session) [][]any {
			const pgClassOID, pgNamespaceOID = 1259, 2615
			// Schemas: pg_catalog's as PostgreSQL describes it, each
			// domain's from mesh.yaml (DBeaver shows them by its schemas).
			out := [][]any{{int32(pgCatalogOID), int32(pgNamespaceOID), int32(0), "system catalog schema"}}
			for _, n := range s.namespaces() {
				if d, ok := s.engine.Mesh().Domain(n.name); ok && d.Description != "" {
					out = append(out, []any{n.oid, int32(pgNamespaceOID), int32(0), d.Description})
				}
			}
			for _, p := range builtinProcs() {
				if p.description != nil {
					out = append(out, []any{p.oid, int32(systemClassOID("pg_catalog", "pg_proc")), int32(0), p.description})
				}
			}
			for _, p := range s.visibleProducts() {
				rel := classOID(p)
				if p.Description != "" {
					out = append(out, []any{rel, int32(pgClassOID), int32(0), p.Description})
				}
				for i, c := range p.Columns {
					if c.Description != "" {
						out = append(out, []any{rel, int32(pgClassOID), int32(i + 1), c.Description})
					}
				}
			}
			return out
		}},
		{schema: "pg_catalog", name: "pg_am", cols: catalogColumns(`oid:oid amname:name amhandler:regproc amtype:"char"`),
			rows: func(*Session) [][]any {
				return [][]any{{int32(2), "heap", procOID("heap_tableam_handler"), "t"}, {int32(btreeAMOID), "btree", procOID("bthandler"), "i"}}
			}},
		// pg_global is where PostgreSQL keeps the shared catalogs.
		{schema: "pg_catalog", name: "pg_tablespace", cols: catalogColumns(`oid:oid spcname:name spcowner:oid spcacl:aclitem[] spcoptions:text[]`),
			rows: func(*Session) [][]any {
				return [][]any{{int32(1663), "pg_default", int32(ownerOID), nil, nil}, {int32(1664), "pg_global", int32(ownerOID), nil, nil}}
			}},
		{schema: "pg_catalog", name: "pg_extension", cols: []sysColumn{{"oid", tInt4}, {"extname", tText}, {"extowner", tInt4},
			{"extnamespace", tInt4}, {"extrelocatable", tBool}, {"extversion", tText}, {"extconfig", sqltypes.ListOf(tInt4)}, {"extcondition", tTexts}},
			rows: func(*Session) [][]any { return nil }},
	}
}

// roleCols are pg_roles's columns, in PostgreSQL 15's order.
func roleCols() []sysColumn {
	return catalogColumns(`rolname:name rolsuper:boolean rolinherit:boolean rolcreaterole:boolean rolcreatedb:boolean
		rolcanlogin:boolean rolreplication:boolean rolconnlimit:integer rolpassword:text rolvaliduntil:timestamptz
		rolbypassrls:boolean rolconfig:text[] oid:oid`)
}

// pgRole is one row of pg_roles: a mesh user (who can log in), a role, or
// the role that owns every object (relowner, nspowner, the grantor of every
// ACL item, pg_get_userbyid's answer; pgjdbc's getTablePrivileges joins
// pg_class to pg_roles on relowner): as PostgreSQL's bootstrap superuser,
// it cannot log in to meshql.
type pgRole struct {
	oid          int32
	name         string
	owner, login bool
}

// pgRoles lists the mesh's users, then the roles that are not also users
// (one namespace in PostgreSQL: the login role stands for both), after
// the owner.
func pgRoles(s *Session) []pgRole {
	mesh := s.engine.Mesh()
	out := []pgRole{{oid: ownerOID, name: ownerName, owner: true}}
	users := map[string]bool{}
	for _, u := range mesh.Users {
		out = append(out, pgRole{oid: int32(stableOID("role", u.Name)), name: u.Name, login: true})
		users[u.Name] = true
	}
	for _, r := range mesh.Roles {
		if !users[r.Name] {
			out = append(out, pgRole{oid: int32(stableOID("role", r.Name)), name: r.Name})
		}
	}
	return out
}

// authMembers is pg_auth_members: each user's membership of the roles
// it holds and each role's of the roles it inherits (psql's \du lists
// them as "Member of").
func authMembers() sysTable {
	return sysTable{schema: "pg_catalog", name: "pg_auth_members", cols: []sysColumn{
		{"roleid", tInt4}, {"member", tInt4}, {"grantor", tInt4}, {"admin_option", tBool},
	}, rows: func(s *Session) [][]any {
		mesh := s.engine.Mesh()
		var out [][]any
		member := func(of []string, who string) {
			for _, r := range of {
				if r == who {
					continue // a user and its role of the same name are one role
				}
				out = append(out, []any{int32(stableOID("role", r)), int32(stableOID("role", who)), int32(ownerOID), false})
			}
		}
		for _, u := range mesh.Users {
			member(u.Roles, u.Name)
		}
		for _, r := range mesh.Roles {
			member(r.Inherits, r.Name)
		}
		return out
	}}
}

// roleRows are pg_roles's rows: the owner is a superuser that cannot log
// in (it bypasses row security, creates roles and databases).
func roleRows(s *Session) [][]any {
	var out [][]any
	for _, r := range pgRoles(s) {
		out = append(out, []any{r.name, r.owner, true, r.owner, r.owner, r.login, false, int32(-1), "********", nil, r.owner, nil, r.oid})
	}
	return out
}

// collationOf is pg_type.typcollation: the default collation for text types.
func collationOf(t sqltypes.Type) int32 {
	if t.IsString() || t.Kind == sqltypes.Bpchar {
		return 100
	}
	return 0
}

// rangeRows are pg_range's rows: each range type's subtype, multirange
// type (which meshql does not have, but PostgreSQL 15 names) and
// canonical and subtype-difference functions.
func rangeRows() [][]any {
	var out [][]any
	for _, r := range []struct {
		t              sqltypes.Kind
		multi          int32
		canonical, sub string
	}{
		{sqltypes.Int4Range, 4451, "int4range_canonical", "int4range_subdiff"},
		{sqltypes.NumRange, 4532, "-", "numrange_subdiff"},
		{sqltypes.TsRange, 4533, "-", "tsrange_subdiff"},
		{sqltypes.TstzRange, 4534, "-", "tstzrange_subdiff"},
		{sqltypes.DateRange, 4535, "daterange_canonical", "daterange_subdiff"},
		{sqltypes.Int8Range, 4536, "int8range_canonical", "int8range_subdiff"},
	} {
		t := sqltypes.Type{Kind: r.t}
		out = append(out, []any{int32(t.OID()), int32(sqltypes.RangeSubtype(t).OID()), r.multi, int32(0), int32(0), r.canonical, r.sub})
	}
	return out
}
