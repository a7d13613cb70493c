package engine

import (
	"slices"
	"strings"
)

// catalogNullableColumns lists, by relation, the columns of pg_catalog's
// tables that PostgreSQL 15 allows to be null (pg_attribute.attnotnull
// false); every other column of a catalog table is NOT NULL, as in
// PostgreSQL. Clients read this in pg_attribute (attnotnull) and
// information_schema.columns (is_nullable). Views' columns are nullable.
var catalogNullableColumns = map[string]string{
	"pg_aggregate":            "agginitval aggminitval",
	"pg_attribute":            "attacl attoptions attfdwoptions attmissingval",
	"pg_authid":               "rolpassword rolvaliduntil",
	"pg_statistic":            "stanumbers1 stanumbers2 stanumbers3 stanumbers4 stanumbers5 stavalues1 stavalues2 stavalues3 stavalues4 stavalues5",
	"pg_class":                "relacl reloptions relpartbound",
	"pg_collation":            "collcollate collctype colliculocale collversion",
	"pg_constraint":           "conkey confkey conpfeqop conppeqop conffeqop confdelsetcols conexclop conbin",
	"pg_database":             "daticulocale datcollversion datacl",
	"pg_db_role_setting":      "setconfig",
	"pg_event_trigger":        "evttags",
	"pg_extension":            "extconfig extcondition",
	"pg_foreign_data_wrapper": "fdwacl fdwoptions",
	"pg_foreign_server":       "srvtype srvversion srvacl srvoptions",
	"pg_foreign_table":        "ftoptions",
	"pg_index":                "indexprs indpred",
	"pg_language":             "lanacl",
	"pg_largeobject_metadata": "lomacl",
	"pg_namespace":            "nspacl",
	"pg_partitioned_table":    "partexprs",
	"pg_policy":               "polqual polwithcheck",
	"pg_proc":                 "proallargtypes proargmodes proargnames proargdefaults protrftypes probin prosqlbody proconfig proacl",
	"pg_publication_rel":      "prqual prattrs",
	"pg_statistic_ext":        "stxexprs",
	"pg_subscription":         "subslotname",
	"pg_tablespace":           "spcacl spcoptions",
	"pg_trigger":              "tgqual tgoldtable tgnewtable",
	"pg_ts_dict":              "dictinitoption",
	"pg_type":                 "typdefaultbin typdefault typacl",
	"pg_user_mapping":         "umoptions",
}

// catalogColumnNotNull reports whether column col of pg_catalog's
// relation rel is NOT NULL.
func catalogColumnNotNull(rel, col string) bool {
	r, ok := pgCatalogRelations[rel]
	return ok && r.kind == 'r' && !slices.Contains(strings.Fields(catalogNullableColumns[rel]), col)
}
