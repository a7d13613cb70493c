package engine

import (
	"fmt"
	"slices"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

// More of PostgreSQL 15's system views that SQL editors and admin tools
// read when they connect or open a table: the per-index activity views
// (pgAdmin's and DBeaver's table statistics), pg_policies (row security
// in pgAdmin and DataGrip), and views of objects meshql has none of,
// present with PostgreSQL's columns so that reading them finds no rows
// rather than 42P01: planner statistics (pg_stats: meshql keeps no
// per-column histograms), rules, cursors, publications, replication
// slots, function statistics, security labels, extension versions.
func moreCatalogViews() []sysTable {
	return []sysTable{
		catalogTable("pg_stats", `schemaname:name tablename:name attname:name inherited:boolean null_frac:real avg_width:integer
			n_distinct:real most_common_vals:anyarray most_common_freqs:real[] histogram_bounds:anyarray correlation:real
			most_common_elems:anyarray most_common_elem_freqs:real[] elem_count_histogram:real[]`),
		catalogTable("pg_rules", `schemaname:name tablename:name rulename:name definition:text`),
		catalogTable("pg_cursors", `name:text statement:text is_holdable:boolean is_binary:boolean is_scrollable:boolean
			creation_time:timestamptz`),
		catalogTable("pg_publication_tables", `pubname:name schemaname:name tablename:name attnames:name[] rowfilter:text`),
		catalogTable("pg_replication_slots", `slot_name:name plugin:name slot_type:text datoid:oid database:name temporary:boolean
			active:boolean active_pid:integer xmin:xid catalog_xmin:xid restart_lsn:pg_lsn confirmed_flush_lsn:pg_lsn
			wal_status:text safe_wal_size:bigint two_phase:boolean`),
		catalogTable("pg_stat_user_functions", `funcid:oid schemaname:name funcname:name calls:bigint total_time:float8
			self_time:float8`),
		catalogTable("pg_seclabels", `objoid:oid classoid:oid objsubid:integer objtype:text objnamespace:oid objname:text
			provider:text label:text`),
		catalogTable("pg_available_extension_versions", `name:name version:text installed:boolean superuser:boolean
			trusted:boolean relocatable:boolean schema:name requires:name[] comment:text`),
		pgPolicies(),
	}
}

// indexStatTables are pg_stat_{all,user}_indexes and
// pg_statio_{all,user}_indexes: a row for each primary key index, every
// counter 0 (meshql's indexes are declared, not scanned).
func indexStatTables() []sysTable {
	var out []sysTable
	for _, scope := range []string{"all", "user"} {
		out = append(out,
			sysTable{schema: "pg_catalog", name: "pg_stat_" + scope + "_indexes", cols: catalogColumns(`relid:oid indexrelid:oid
				schemaname:name relname:name indexrelname:name idx_scan:bigint idx_tup_read:bigint idx_tup_fetch:bigint`),
				rows: func(s *Session) [][]any {
					return primaryKeyRows(s, func(p *catalog.Product, _ []int16) []any {
						return []any{classOID(p), pkeyIndexOID(p), p.Domain, p.TableName(), pkeyName(p), int64(0), int64(0), int64(0)}
					})
				}},
			sysTable{schema: "pg_catalog", name: "pg_statio_" + scope + "_indexes", cols: catalogColumns(`relid:oid indexrelid:oid
				schemaname:name relname:name indexrelname:name idx_blks_read:bigint idx_blks_hit:bigint`),
				rows: func(s *Session) [][]any {
					return primaryKeyRows(s, func(p *catalog.Product, _ []int16) []any {
						return []any{classOID(p), pkeyIndexOID(p), p.Domain, p.TableName(), pkeyName(p), int64(0), int64(0)}
					})
				}})
	}
	return out
}

// pgPolicies is pg_policies, the readable form of pg_policy: a product's
// row filters, each a restrictive SELECT policy of the roles it names
// (public when it names none), its predicate the policy's qual.
func pgPolicies() sysTable {
	return sysTable{schema: "pg_catalog", name: "pg_policies", cols: catalogColumns(`schemaname:name tablename:name
		policyname:name permissive:text roles:name[] cmd:text qual:text with_check:text`),
		rows: func(s *Session) [][]any {
			var out [][]any
			for _, p := range s.tableProducts() {
				for i, f := range p.Policies.RowFilters {
					roles := []any{"public"}
					if len(f.Roles) > 0 {
						roles = roles[:0]
						for _, r := range f.Roles {
							roles = append(roles, r)
						}
					}
					out = append(out, []any{p.Domain, p.TableName(), fmt.Sprintf("row_filter_%d", i+1), "RESTRICTIVE", roles,
						"SELECT", f.Predicate, nil})
				}
			}
			return out
		}}
}

// superuserCatalogs are the catalogs PostgreSQL lets only superusers
// read: the roles' passwords (pg_authid, pg_shadow) and the planner's
// per-column statistics (pg_statistic). pg_class and pg_attribute list
// them, as PostgreSQL's do for everyone, but reading one is 42501
// (readSuperuserCatalog): no meshql user is a superuser.
func superuserCatalogs() []sysTable {
	return []sysTable{
		catalogTable("pg_authid", `oid:oid rolname:name rolsuper:boolean rolinherit:boolean rolcreaterole:boolean
			rolcreatedb:boolean rolcanlogin:boolean rolreplication:boolean rolbypassrls:boolean rolconnlimit:integer
			rolpassword:text rolvaliduntil:timestamptz`),
		catalogTable("pg_shadow", `usename:name usesysid:oid usecreatedb:boolean usesuper:boolean userepl:boolean
			usebypassrls:boolean passwd:text valuntil:timestamptz useconfig:text[]`),
		catalogTable("pg_statistic", `starelid:oid staattnum:smallint stainherit:boolean stanullfrac:real stawidth:integer
			stadistinct:real stakind1:smallint stakind2:smallint stakind3:smallint stakind4:smallint stakind5:smallint
			staop1:oid staop2:oid staop3:oid staop4:oid staop5:oid stacoll1:oid stacoll2:oid stacoll3:oid stacoll4:oid
			stacoll5:oid stanumbers1:real[] stanumbers2:real[] stanumbers3:real[] stanumbers4:real[] stanumbers5:real[]
			stavalues1:anyarray stavalues2:anyarray stavalues3:anyarray stavalues4:anyarray stavalues5:anyarray`),
	}
}

// readSuperuserCatalog is PostgreSQL's error for reading one of the
// superuserCatalogs, nil for any other relation.
func readSuperuserCatalog(st sysTable) error {
	if st.schema != "pg_catalog" || !isSuperuserCatalog(st.name) {
		return nil
	}
	kind := "table"
	if pgCatalogRelations[st.name].kind == 'v' {
		kind = "view"
	}
	return sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied for %s %s", kind, st.name)
}

// isSuperuserCatalog reports whether pg_catalog's relation name is one of
// the superuserCatalogs.
func isSuperuserCatalog(name string) bool {
	return slices.ContainsFunc(superuserCatalogs(), func(c sysTable) bool { return c.name == name })
}
