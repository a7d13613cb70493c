package engine

import (
	"strings"

	"github.com/meshql/meshql/catalog"
)

// PostgreSQL's system views over the relations (pg_tables, pg_views,
// pg_indexes, pg_matviews, pg_sequences), which IDEs and admin tools read
// instead of pg_class, and the catalogs of objects meshql has none of
// (materialized views, sequences, partitioning, initial privileges,
// security labels, transforms; aggregates, which are built in and, like
// its functions in pg_proc, not listed), with PostgreSQL 15's columns so
// that a tool's introspection finds them empty rather than failing (more
// such catalogs: system_psql.go). Like pg_class, the views list the
// relations of pg_catalog and the products the session may read.

func pgViewTables() []sysTable {
	return []sysTable{
		{schema: "pg_catalog", name: "pg_tables", cols: []sysColumn{{"schemaname", tText}, {"tablename", tText}, {"tableowner", tText},
			{"tablespace", tText}, {"hasindexes", tBool}, {"hasrules", tBool}, {"hastriggers", tBool}, {"rowsecurity", tBool}},
			rows: func(s *Session) [][]any {
				out := catalogRelationRows('r', func(name string) []any { return []any{"pg_catalog", name, ownerName, nil, false, false, false, false} })
				return append(out, productRows(s, false, func(p *catalog.Product) []any {
					return []any{p.Domain, p.TableName(), ownerName, nil, primaryKey(p) != nil, false, false, len(p.Policies.RowFilters) > 0}
				})...)
			}},
		{schema: "pg_catalog", name: "pg_views", cols: []sysColumn{{"schemaname", tText}, {"viewname", tText}, {"viewowner", tText}, {"definition", tText}},
			rows: func(s *Session) [][]any {
				// meshql computes its catalog views: they have no SQL.
				out := catalogRelationRows('v', func(name string) []any { return []any{"pg_catalog", name, ownerName, nil} })
				return append(out, productRows(s, true, func(p *catalog.Product) []any {
					return []any{p.Domain, p.TableName(), ownerName, strings.TrimSpace(p.Source.Query)}
				})...)
			}},
		{schema: "pg_catalog", name: "pg_indexes", cols: []sysColumn{{"schemaname", tText}, {"tablename", tText}, {"indexname", tText},
			{"tablespace", tText}, {"indexdef", tText}},
			rows: func(s *Session) [][]any {
				defs := s.indexDefs(false)
				return primaryKeyRows(s, func(p *catalog.Product, _ []int16) []any {
					return []any{p.Domain, p.TableName(), pkeyName(p), nil, defs[int64(pkeyIndexOID(p))]}
				})
			}},
		catalogTable("pg_matviews", `schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:boolean
			ispopulated:boolean definition:text`),
		catalogTable("pg_sequences", `schemaname:name sequencename:name sequenceowner:name data_type:regtype start_value:bigint
			min_value:bigint max_value:bigint increment_by:bigint cycle:boolean cache_size:bigint last_value:bigint`),
		catalogTable("pg_partitioned_table", `partrelid:oid partstrat:"char" partnatts:smallint partdefid:oid partattrs:smallint[]
			partclass:oid[] partcollation:oid[] partexprs:pg_node_tree`),
		catalogTable("pg_init_privs", `objoid:oid classoid:oid objsubid:integer privtype:"char" initprivs:aclitem[]`),
		catalogTable("pg_seclabel", `objoid:oid classoid:oid objsubid:integer provider:text label:text`),
		catalogTable("pg_shseclabel", `objoid:oid classoid:oid provider:text label:text`),
		catalogTable("pg_transform", `oid:oid trftype:oid trflang:oid trffromsql:regproc trftosql:regproc`),
		catalogTable("pg_aggregate", `aggfnoid:regproc aggkind:"char" aggnumdirectargs:smallint aggtransfn:regproc aggfinalfn:regproc
			aggcombinefn:regproc aggserialfn:regproc aggdeserialfn:regproc aggmtransfn:regproc aggminvtransfn:regproc aggmfinalfn:regproc
			aggfinalextra:boolean aggmfinalextra:boolean aggfinalmodify:"char" aggmfinalmodify:"char" aggsortop:oid aggtranstype:oid
			aggtransspace:integer aggmtranstype:oid aggmtransspace:integer agginitval:text aggminitval:text`),
	}
}

// catalogTable is a pg_catalog table of the given columns (catalogColumns'
// spelling) without rows.
func catalogTable(name, columns string) sysTable {
	return sysTable{schema: "pg_catalog", name: name, cols: catalogColumns(columns), rows: func(*Session) [][]any { return nil }}
}

// productRows lists row(p) for each product the session may read that is
// a view (views) or a table (!views).
func productRows(s *Session, views bool, row func(p *catalog.Product) []any) [][]any {
	var out [][]any
	for _, p := range s.visibleProducts() {
		if isView(p) == views {
			out = append(out, row(p))
		}
	}
	return out
}
