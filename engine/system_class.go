package engine

import (
	"sort"

	"github.com/meshql/meshql/catalog"
)

// classRow is a pg_class row (its columns in system_pg.go's order). Every
// relation has a row type (reltype), as in PostgreSQL, but an index,
// whose reltype is 0.
type classRow struct {
	oid, ns, rowType int32
	name, kind       string
	am               int32
	natts            int16
	hasIndex, rls    bool
	acl              any
}

func (c classRow) values() []any {
	return []any{c.oid, c.name, c.ns, c.rowType, c.kind, int32(ownerOID), c.am, float32(-1), c.hasIndex, "p", false, int32(0), c.natts, false,
		false, c.rls, false, c.acl, nil, int32(0), int32(0), "d", nil, int16(0), int32(0), int32(0), false, false}
}

// classRows are pg_class's rows: the relations of pg_catalog meshql
// implements (relnamespace 11, as psql's \dS and DBeaver's system schema
// tree read them), the views of information_schema (pgAdmin tells the
// catalogs by them), then the products the session may read and their
// primary key indexes.
func classRows(s *Session) [][]any {
	var out [][]any
	for _, st := range systemTables() {
		r, ok := pgCatalogRelations[st.name]
		if !ok || st.schema != "pg_catalog" {
			continue
		}
		c := classRow{oid: r.oid, name: st.name, ns: pgCatalogOID, rowType: r.rowType, kind: string(r.kind), natts: int16(len(st.cols))}
		if r.kind == 'r' {
			c.am = 2 // heap
		}
		out = append(out, c.values())
	}
	for _, v := range infoSchemaViews() {
		out = append(out, classRow{oid: v.oid, name: v.st.name, ns: infoSchemaOID, rowType: v.rowType, kind: viewRelKind, natts: int16(len(v.st.cols))}.values())
	}
	for _, p := range s.visibleProducts() {
		c := classRow{oid: classOID(p), name: p.TableName(), ns: int32(stableOID("namespace", p.Domain)), rowType: p.RowTypeOID(),
			kind: classRelKind, am: 2, natts: int16(len(p.Columns)), rls: len(p.Policies.RowFilters) > 0, acl: readACL(p)}
		if isView(p) {
			c.kind, c.am = viewRelKind, 0
		}
		c.hasIndex = c.kind == classRelKind && primaryKey(p) != nil
		out = append(out, c.values())
	}
	return append(out, primaryKeyRows(s, func(p *catalog.Product, keys []int16) []any {
		return classRow{oid: pkeyIndexOID(p), name: pkeyName(p), ns: int32(stableOID("namespace", p.Domain)), kind: indexRelKind,
			am: btreeAMOID, natts: int16(len(keys))}.values()
	})...)
}

// catalogRelationRows lists row(name) for each relation of pg_catalog of
// the given kind (r or v), by name.
func catalogRelationRows(kind byte, row func(name string) []any) [][]any {
	var names []string
	for _, st := range systemTables() {
		if r, ok := pgCatalogRelations[st.name]; ok && st.schema == "pg_catalog" && r.kind == kind {
			names = append(names, st.name)
		}
	}
	sort.Strings(names)
	out := make([][]any, len(names))
	for i, n := range names {
		out[i] = row(n)
	}
	return out
}

// systemTableRows are information_schema.tables' rows of the system
// schemas' relations that pg_class lists: pg_catalog's tables and views,
// and information_schema's views, as PostgreSQL lists its own.
func systemTableRows() [][]any {
	row := func(kind string) func(name string) []any {
		return func(name string) []any { return []any{databaseName, "pg_catalog", name, kind} }
	}
	var out [][]any
	for _, r := range append(catalogRelationRows('r', row("BASE TABLE")), catalogRelationRows('v', row("VIEW"))...) {
		// information_schema lists only what the user holds a privilege
		// on: a superuser's catalog is not listed (no meshql user is one).
		if !isSuperuserCatalog(r[2].(string)) {
			out = append(out, r)
		}
	}
	for _, v := range infoSchemaViews() {
		out = append(out, []any{databaseName, "information_schema", v.st.name, "VIEW"})
	}
	return out
}

// infoSchemaView is a view of information_schema as pg_class, pg_type and
// pg_attribute list it: PostgreSQL creates them at initdb with ids of no
// fixed value, so meshql's are stable hashes of their names.
type infoSchemaView struct {
	st                  sysTable
	oid, rowType, array int32
}

func infoSchemaViews() []infoSchemaView {
	var out []infoSchemaView
	for _, st := range systemTables() {
		if st.schema == "information_schema" {
			out = append(out, infoSchemaView{st: st, oid: systemClassOID(st.schema, st.name),
				rowType: int32(stableOID("type", st.schema+"."+st.name)), array: int32(stableOID("type", "_"+st.schema+"."+st.name))})
		}
	}
	return out
}
