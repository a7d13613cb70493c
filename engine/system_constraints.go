package engine

import (
	"fmt"
	"strings"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// What BI tools read besides pg_class and information_schema.columns when
// they sync a database: its constraints through information_schema
// (table_constraints and key_column_usage, joined with
// referential_constraints and constraint_column_usage for foreign keys),
// and a table's activity counters (Metabase's table list joins
// pg_stat_user_tables for an estimated row count). meshql's only
// constraints are the descriptors' primary keys and NOT NULL columns,
// which PostgreSQL 15 lists as CHECK constraints named
// <namespace oid>_<table oid>_<column number>_not_null; it keeps no
// activity counters, so they are 0.

// constraintTables are information_schema's views of constraints.
func constraintTables() []sysTable {
	return []sysTable{
		{schema: "information_schema", name: "table_constraints", cols: []sysColumn{
			{"constraint_catalog", tText}, {"constraint_schema", tText}, {"constraint_name", tText},
			{"table_catalog", tText}, {"table_schema", tText}, {"table_name", tText}, {"constraint_type", tText},
			{"is_deferrable", tText}, {"initially_deferred", tText}, {"enforced", tText}, {"nulls_distinct", tText},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, p := range s.tableProducts() {
				if keys := primaryKey(p); keys != nil {
					out = append(out, []any{"mesh", p.Domain, pkeyName(p), "mesh", p.Domain, p.TableName(), "PRIMARY KEY", "NO", "NO", "YES", nil})
				}
				for i, c := range p.Columns {
					if c.NotNull() {
						out = append(out, []any{"mesh", p.Domain, notNullName(p, i), "mesh", p.Domain, p.TableName(), "CHECK", "NO", "NO", "YES", nil})
					}
				}
			}
			return out
		}},
		{schema: "information_schema", name: "key_column_usage", cols: []sysColumn{
			{"constraint_catalog", tText}, {"constraint_schema", tText}, {"constraint_name", tText},
			{"table_catalog", tText}, {"table_schema", tText}, {"table_name", tText}, {"column_name", tText},
			{"ordinal_position", tInt4}, {"position_in_unique_constraint", tInt4},
		}, rows: func(s *Session) [][]any {
			return keyColumnRows(s, func(p *catalog.Product, col string, pos int) []any {
				return []any{"mesh", p.Domain, pkeyName(p), "mesh", p.Domain, p.TableName(), col, int32(pos), nil}
			})
		}},
		{schema: "information_schema", name: "constraint_column_usage", cols: []sysColumn{
			{"table_catalog", tText}, {"table_schema", tText}, {"table_name", tText}, {"column_name", tText},
			{"constraint_catalog", tText}, {"constraint_schema", tText}, {"constraint_name", tText},
		}, rows: func(s *Session) [][]any {
			return keyColumnRows(s, func(p *catalog.Product, col string, _ int) []any {
				return []any{"mesh", p.Domain, p.TableName(), col, "mesh", p.Domain, pkeyName(p)}
			})
		}},
		// A descriptor declares no foreign keys: always empty.
		{schema: "information_schema", name: "referential_constraints", cols: []sysColumn{
			{"constraint_catalog", tText}, {"constraint_schema", tText}, {"constraint_name", tText},
			{"unique_constraint_catalog", tText}, {"unique_constraint_schema", tText}, {"unique_constraint_name", tText},
			{"match_option", tText}, {"update_rule", tText}, {"delete_rule", tText},
		}, rows: func(*Session) [][]any { return nil }},
	}
}

// statTables are pg_catalog's activity views of tables: the products
// that are tables (not SQL-defined ones, which are views), every counter
// 0 and every time NULL; index counters NULL for a product without a
// primary key, as for a PostgreSQL table without an index.
func statTables() []sysTable {
	tTimes := sqltypes.TypeTimestampTZ
	stat := []sysColumn{
		{"relid", tInt4}, {"schemaname", tText}, {"relname", tText}, {"seq_scan", tInt8}, {"seq_tup_read", tInt8},
		{"idx_scan", tInt8}, {"idx_tup_fetch", tInt8}, {"n_tup_ins", tInt8}, {"n_tup_upd", tInt8}, {"n_tup_del", tInt8},
		{"n_tup_hot_upd", tInt8}, {"n_live_tup", tInt8}, {"n_dead_tup", tInt8}, {"n_mod_since_analyze", tInt8},
		{"n_ins_since_vacuum", tInt8}, {"last_vacuum", tTimes}, {"last_autovacuum", tTimes}, {"last_analyze", tTimes},
		{"last_autoanalyze", tTimes}, {"vacuum_count", tInt8}, {"autovacuum_count", tInt8}, {"analyze_count", tInt8},
		{"autoanalyze_count", tInt8},
	}
	statRows := func(s *Session) [][]any {
		var out [][]any
		for _, p := range s.tableProducts() {
			r := []any{classOID(p), p.Domain, p.TableName()}
			for _, c := range stat[3:] {
				var v any
				if c.t.Kind == sqltypes.Int8 && (primaryKey(p) != nil || !strings.HasPrefix(c.name, "idx_")) {
					v = int64(0)
				}
				r = append(r, v)
			}
			out = append(out, r)
		}
		return out
	}
	statio := []sysColumn{
		{"relid", tInt4}, {"schemaname", tText}, {"relname", tText}, {"heap_blks_read", tInt8}, {"heap_blks_hit", tInt8},
		{"idx_blks_read", tInt8}, {"idx_blks_hit", tInt8}, {"toast_blks_read", tInt8}, {"toast_blks_hit", tInt8},
		{"tidx_blks_read", tInt8}, {"tidx_blks_hit", tInt8},
	}
	statioRows := func(s *Session) [][]any {
		var out [][]any
		for _, p := range s.tableProducts() {
			var idx any // NULL without an index, and meshql has no TOAST tables
			if primaryKey(p) != nil {
				idx = int64(0)
			}
			out = append(out, []any{classOID(p), p.Domain, p.TableName(), int64(0), int64(0), idx, idx, nil, nil, nil, nil})
		}
		return out
	}
	out := []sysTable{statDatabaseTable()}
	for _, scope := range []string{"all", "user"} {
		out = append(out,
			sysTable{schema: "pg_catalog", name: "pg_stat_" + scope + "_tables", cols: stat, rows: statRows},
			sysTable{schema: "pg_catalog", name: "pg_statio_" + scope + "_tables", cols: statio, rows: statioRows})
	}
	return out
}

// tableProducts are the visible products that pg_class lists as tables.
func (s *Session) tableProducts() []*catalog.Product {
	var out []*catalog.Product
	for _, p := range s.visibleProducts() {
		if !isView(p) {
			out = append(out, p)
		}
	}
	return out
}

// keyColumnRows lists row(p, column, position in the key) for each
// primary key column of the tables the session can see.
func keyColumnRows(s *Session, row func(p *catalog.Product, col string, pos int) []any) [][]any {
	var out [][]any
	for _, p := range s.tableProducts() {
		for i, k := range primaryKey(p) {
			out = append(out, row(p, p.Columns[k-1].Name, i+1))
		}
	}
	return out
}

// classOID is a product's pg_class id.
func classOID(p *catalog.Product) int32 { return int32(stableOID("class", p.QualifiedName())) }

// notNullName is PostgreSQL 15's name of the NOT NULL "constraint" of
// column i (0-based) of p in information_schema.table_constraints.
func notNullName(p *catalog.Product, i int) string {
	return fmt.Sprintf("%d_%d_%d_not_null", stableOID("namespace", p.Domain), classOID(p), i+1)
}

// constraintDefs are pg_get_constraintdef's texts of the primary key
// constraints, and indexDefs pg_get_indexdef's of their indexes, by oid.
func (s *Session) constraintDefs() map[int64]sqltypes.Datum {
	defs := map[int64]sqltypes.Datum{}
	for _, p := range s.visibleProducts() {
		if keys := primaryKey(p); keys != nil {
			defs[int64(pkeyConOID(p))] = "PRIMARY KEY (" + keyColumns(p, keys) + ")"
		}
	}
	return defs
}

// indexDefs are pg_get_indexdef's texts by index oid, or with columns by
// oid<<16 | column number: 0 the whole definition, n the n-th key
// column's name.
func (s *Session) indexDefs(columns bool) map[int64]sqltypes.Datum {
	defs := map[int64]sqltypes.Datum{}
	for _, p := range s.visibleProducts() {
		keys := primaryKey(p)
		if keys == nil {
			continue
		}
		def := fmt.Sprintf("CREATE UNIQUE INDEX %s ON %s.%s USING btree (%s)",
			expr.QuoteIdent(pkeyName(p)), expr.QuoteIdent(p.Domain), expr.QuoteIdent(p.TableName()), keyColumns(p, keys))
		oid := int64(pkeyIndexOID(p))
		if !columns {
			defs[oid] = def
			continue
		}
		defs[oid<<16] = def
		for i, k := range keys {
			defs[oid<<16|int64(i+1)] = expr.QuoteIdent(p.Columns[k-1].Name)
		}
	}
	return defs
}

// keyColumns is the quoted, comma-separated list of p's columns keys.
func keyColumns(p *catalog.Product, keys []int16) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = expr.QuoteIdent(p.Columns[k-1].Name)
	}
	return strings.Join(names, ", ")
}

// readACL is a product's pg_class.relacl: SELECT ("r") for each role its
// policy lets read it, granted by meshql, the owner of every relation
// (psql's \dp prints it as "Access privileges").
func readACL(p *catalog.Product) []any {
	var acl []any
	for _, r := range p.Policies.Read {
		acl = append(acl, r+"=r/meshql")
	}
	return acl
}

// policyTable is pg_policy: a product's row filters as restrictive SELECT
// policies (PostgreSQL's row-level security) for the roles they apply to
// (0, PUBLIC, when they name none), with the predicate as written;
// pg_get_expr(polqual, polrelid) returns it. Roles a filter exempts are
// not expressible in pg_policy and are not shown.
func policyTable() sysTable {
	return sysTable{schema: "pg_catalog", name: "pg_policy", cols: []sysColumn{{"oid", tInt4}, {"polname", tText}, {"polrelid", tInt4},
		{"polcmd", tText}, {"polpermissive", tBool}, {"polroles", sqltypes.ListOf(tInt4)}, {"polqual", tText}, {"polwithcheck", tText}},
		rows: func(s *Session) [][]any {
			var out [][]any
			for _, p := range s.tableProducts() {
				for i, f := range p.Policies.RowFilters {
					roles := []any{int32(0)}
					if len(f.Roles) > 0 {
						roles = roles[:0]
						for _, r := range f.Roles {
							roles = append(roles, int32(stableOID("role", r)))
						}
					}
					name := fmt.Sprintf("row_filter_%d", i+1)
					out = append(out, []any{int32(stableOID("policy", p.QualifiedName()+"."+name)), name, classOID(p), "r", false, roles, f.Predicate, nil})
				}
			}
			return out
		}}
}
