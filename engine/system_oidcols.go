package engine

import (
	"slices"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// catalogOIDColumns lists, by relation, the columns of pg_catalog that
// are of type oid in PostgreSQL 15 (its pg_attribute) and that meshql's
// table definitions declare as int4: withOIDColumns serves them as oid,
// so that RowDescription names type 26 and clients that read them as
// unsigned (Npgsql's uint) get what PostgreSQL sends. The rows keep
// listing int4 ids, whose bits are the oids (expr.AppendDatum converts).
var catalogOIDColumns = map[string]string{
	"pg_aggregate":             "aggmtranstype aggsortop aggtranstype",
	"pg_am":                    "oid",
	"pg_amop":                  "amopfamily amoplefttype amopmethod amopopr amoprighttype amopsortfamily oid",
	"pg_amproc":                "amprocfamily amproclefttype amprocrighttype oid",
	"pg_attrdef":               "adrelid oid",
	"pg_attribute":             "attcollation attrelid atttypid",
	"pg_auth_members":          "grantor member roleid",
	"pg_cast":                  "castfunc castsource casttarget oid",
	"pg_class":                 "oid relam relfilenode relnamespace reloftype relowner relrewrite reltablespace reltoastrelid reltype",
	"pg_collation":             "collnamespace collowner oid",
	"pg_constraint":            "confrelid conindid connamespace conparentid conrelid contypid oid",
	"pg_conversion":            "connamespace conowner oid",
	"pg_database":              "datdba dattablespace oid",
	"pg_db_role_setting":       "setdatabase setrole",
	"pg_default_acl":           "defaclnamespace defaclrole oid",
	"pg_depend":                "classid objid refclassid refobjid",
	"pg_description":           "classoid objoid",
	"pg_enum":                  "enumtypid oid",
	"pg_event_trigger":         "evtfoid evtowner oid",
	"pg_extension":             "extnamespace extowner oid",
	"pg_foreign_data_wrapper":  "fdwhandler fdwowner fdwvalidator oid",
	"pg_foreign_server":        "oid srvfdw srvowner",
	"pg_foreign_table":         "ftrelid ftserver",
	"pg_index":                 "indexrelid indrelid",
	"pg_inherits":              "inhparent inhrelid",
	"pg_init_privs":            "classoid objoid",
	"pg_language":              "laninline lanowner lanplcallfoid lanvalidator oid",
	"pg_largeobject":           "loid",
	"pg_largeobject_metadata":  "lomowner oid",
	"pg_locks":                 "classid database objid relation",
	"pg_namespace":             "nspowner oid",
	"pg_opclass":               "oid opcfamily opcintype opckeytype opcmethod opcnamespace opcowner",
	"pg_operator":              "oid oprcom oprleft oprnamespace oprnegate oprowner oprresult oprright",
	"pg_opfamily":              "oid opfmethod opfnamespace opfowner",
	"pg_partitioned_table":     "partdefid partrelid",
	"pg_policy":                "oid polrelid",
	"pg_proc":                  "oid prolang pronamespace proowner prorettype provariadic",
	"pg_publication":           "oid pubowner",
	"pg_publication_namespace": "oid pnnspid pnpubid",
	"pg_publication_rel":       "oid prpubid prrelid",
	"pg_range":                 "rngcollation rngmultitypid rngsubopc rngsubtype rngtypid",
	"pg_rewrite":               "ev_class oid",
	"pg_roles":                 "oid",
	"pg_seclabel":              "classoid objoid",
	"pg_sequence":              "seqrelid seqtypid",
	"pg_shdescription":         "classoid objoid",
	"pg_shseclabel":            "classoid objoid",
	"pg_stat_activity":         "datid usesysid",
	"pg_stat_all_tables":       "relid",
	"pg_stat_user_tables":      "relid",
	"pg_statio_all_tables":     "relid",
	"pg_statio_user_tables":    "relid",
	"pg_statistic_ext":         "oid stxnamespace stxrelid",
	"pg_subscription":          "oid subdbid subowner",
	"pg_tablespace":            "oid spcowner",
	"pg_transform":             "oid trflang trftype",
	"pg_trigger":               "oid tgrelid",
	"pg_ts_config":             "cfgnamespace cfgowner cfgparser oid",
	"pg_ts_config_map":         "mapcfg mapdict",
	"pg_ts_dict":               "dictnamespace dictowner dicttemplate oid",
	"pg_ts_parser":             "oid prsnamespace",
	"pg_ts_template":           "oid tmplnamespace",
	"pg_type":                  "oid typarray typbasetype typcollation typelem typnamespace typowner typrelid",
	"pg_user":                  "usesysid",
	"pg_user_mapping":          "oid umserver umuser",
	"pg_user_mappings":         "srvid umid umuser",
}

// catalogRegprocColumns are, likewise, pg_catalog's columns of type
// regproc (pg_type.typinput prints int4in).
var catalogRegprocColumns = map[string]string{
	"pg_aggregate":   "aggcombinefn aggdeserialfn aggfinalfn aggfnoid aggmfinalfn aggminvtransfn aggmtransfn aggserialfn aggtransfn",
	"pg_am":          "amhandler",
	"pg_amproc":      "amproc",
	"pg_conversion":  "conproc",
	"pg_operator":    "oprcode oprjoin oprrest",
	"pg_proc":        "prosupport",
	"pg_transform":   "trffromsql trftosql",
	"pg_ts_parser":   "prsend prsheadline prslextype prsstart prstoken",
	"pg_ts_template": "tmplinit tmpllexize",
	"pg_type":        "typanalyze typinput typmodin typmodout typoutput typreceive typsend typsubscript",
}

// catalogNameColumns lists, by relation, the columns of pg_catalog that
// are of type name in PostgreSQL 15 (its pg_attribute) and that meshql's
// table definitions declare as text: withOIDColumns serves them as name,
// so RowDescription names type 19 and comparisons, casts and || resolve
// as PostgreSQL's do (relname || 'x' is text, relname = 'x' compares
// names).
var catalogNameColumns = map[string]string{
	"pg_am":                           "amname",
	"pg_attribute":                    "attname",
	"pg_authid":                       "rolname",
	"pg_available_extension_versions": "name schema",
	"pg_available_extensions":         "name",
	"pg_class":                        "relname",
	"pg_collation":                    "collname",
	"pg_constraint":                   "conname",
	"pg_conversion":                   "conname",
	"pg_database":                     "datname",
	"pg_enum":                         "enumlabel",
	"pg_event_trigger":                "evtevent evtname",
	"pg_extension":                    "extname",
	"pg_foreign_data_wrapper":         "fdwname",
	"pg_foreign_server":               "srvname",
	"pg_group":                        "groname",
	"pg_indexes":                      "indexname schemaname tablename tablespace",
	"pg_language":                     "lanname",
	"pg_matviews":                     "matviewname matviewowner schemaname tablespace",
	"pg_namespace":                    "nspname",
	"pg_opclass":                      "opcname",
	"pg_operator":                     "oprname",
	"pg_opfamily":                     "opfname",
	"pg_policies":                     "policyname schemaname tablename",
	"pg_policy":                       "polname",
	"pg_prepared_xacts":               "database owner",
	"pg_proc":                         "proname",
	"pg_publication":                  "pubname",
	"pg_publication_tables":           "pubname schemaname tablename",
	"pg_replication_slots":            "database plugin slot_name",
	"pg_rewrite":                      "rulename",
	"pg_roles":                        "rolname",
	"pg_rules":                        "rulename schemaname tablename",
	"pg_sequences":                    "schemaname sequencename sequenceowner",
	"pg_shadow":                       "usename",
	"pg_stat_activity":                "datname usename",
	"pg_stat_all_indexes":             "indexrelname relname schemaname",
	"pg_stat_all_tables":              "relname schemaname",
	"pg_stat_database":                "datname",
	"pg_stat_database_conflicts":      "datname",
	"pg_stat_progress_analyze":        "datname",
	"pg_stat_progress_cluster":        "datname",
	"pg_stat_progress_copy":           "datname",
	"pg_stat_progress_create_index":   "datname",
	"pg_stat_progress_vacuum":         "datname",
	"pg_stat_replication":             "usename",
	"pg_stat_subscription":            "subname",
	"pg_stat_subscription_stats":      "subname",
	"pg_stat_sys_indexes":             "indexrelname relname schemaname",
	"pg_stat_sys_tables":              "relname schemaname",
	"pg_stat_user_functions":          "funcname schemaname",
	"pg_stat_user_indexes":            "indexrelname relname schemaname",
	"pg_stat_user_tables":             "relname schemaname",
	"pg_stat_xact_all_tables":         "relname schemaname",
	"pg_stat_xact_sys_tables":         "relname schemaname",
	"pg_stat_xact_user_functions":     "funcname schemaname",
	"pg_stat_xact_user_tables":        "relname schemaname",
	"pg_statio_all_indexes":           "indexrelname relname schemaname",
	"pg_statio_all_sequences":         "relname schemaname",
	"pg_statio_all_tables":            "relname schemaname",
	"pg_statio_sys_indexes":           "indexrelname relname schemaname",
	"pg_statio_sys_sequences":         "relname schemaname",
	"pg_statio_sys_tables":            "relname schemaname",
	"pg_statio_user_indexes":          "indexrelname relname schemaname",
	"pg_statio_user_sequences":        "relname schemaname",
	"pg_statio_user_tables":           "relname schemaname",
	"pg_statistic_ext":                "stxname",
	"pg_stats":                        "attname schemaname tablename",
	"pg_stats_ext":                    "schemaname statistics_name statistics_owner statistics_schemaname tablename",
	"pg_stats_ext_exprs":              "schemaname statistics_name statistics_owner statistics_schemaname tablename",
	"pg_subscription":                 "subname subslotname",
	"pg_tables":                       "schemaname tablename tableowner tablespace",
	"pg_tablespace":                   "spcname",
	"pg_trigger":                      "tgname tgnewtable tgoldtable",
	"pg_ts_config":                    "cfgname",
	"pg_ts_dict":                      "dictname",
	"pg_ts_parser":                    "prsname",
	"pg_ts_template":                  "tmplname",
	"pg_type":                         "typname",
	"pg_user":                         "usename",
	"pg_user_mappings":                "srvname usename",
	"pg_views":                        "schemaname viewname viewowner",
}

// catalogCharColumns lists, by relation, the columns of pg_catalog that
// are of type "char" (or "char"[]: proargmodes) in PostgreSQL 15 and that
// meshql's table definitions declare as text: withOIDColumns serves them
// as "char", so RowDescription names type 18 (1002 for the array) and
// relkind = 'r' compares "char" values, as psql's \d and pgjdbc's
// getTables queries expect.
var catalogCharColumns = map[string]string{
	"pg_aggregate":         "aggkind aggfinalmodify aggmfinalmodify",
	"pg_am":                "amtype",
	"pg_amop":              "amoppurpose",
	"pg_attribute":         "attalign attstorage attcompression attidentity attgenerated",
	"pg_cast":              "castcontext castmethod",
	"pg_class":             "relpersistence relkind relreplident",
	"pg_collation":         "collprovider",
	"pg_constraint":        "contype confupdtype confdeltype confmatchtype",
	"pg_database":          "datlocprovider",
	"pg_default_acl":       "defaclobjtype",
	"pg_depend":            "deptype",
	"pg_event_trigger":     "evtenabled",
	"pg_init_privs":        "privtype",
	"pg_operator":          "oprkind",
	"pg_partitioned_table": "partstrat",
	"pg_policy":            "polcmd",
	"pg_proc":              "prokind provolatile proparallel proargmodes",
	"pg_rewrite":           "ev_type ev_enabled",
	"pg_statistic_ext":     "stxkind",
	"pg_subscription":      "subtwophasestate",
	"pg_trigger":           "tgenabled",
	"pg_type":              "typtype typcategory typdelim typalign typstorage",
}

// withOIDColumns returns st with its catalogOIDColumns typed oid, its
// catalogRegprocColumns regproc, its catalogNameColumns name and its
// catalogCharColumns "char".
func withOIDColumns(st sysTable) sysTable {
	if st.schema != "pg_catalog" {
		return st
	}
	oids, procs := strings.Fields(catalogOIDColumns[st.name]), strings.Fields(catalogRegprocColumns[st.name])
	names, chars := strings.Fields(catalogNameColumns[st.name]), strings.Fields(catalogCharColumns[st.name])
	if len(oids) == 0 && len(procs) == 0 && len(names) == 0 && len(chars) == 0 {
		return st
	}
	cols := slices.Clone(st.cols)
	for i, c := range cols {
		switch {
		case c.t.Kind == sqltypes.Text && slices.Contains(names, c.name):
			cols[i].t = sqltypes.TypeName
		case c.t.Kind == sqltypes.Text && slices.Contains(chars, c.name):
			cols[i].t = sqltypes.TypeChar
		case c.t.Kind == sqltypes.List && c.t.Elem.Kind == sqltypes.Text && slices.Contains(chars, c.name):
			cols[i].t = sqltypes.ListOf(sqltypes.TypeChar)
		case c.t.Kind != sqltypes.Int4:
		case slices.Contains(oids, c.name):
			cols[i].t = sqltypes.TypeOid
		case slices.Contains(procs, c.name):
			cols[i].t = sqltypes.Type{Kind: sqltypes.RegProc}
		}
	}
	st.cols = cols
	return st
}
