package engine

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/memtable"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/sqltypes"
)

// System tables (mesh.*, information_schema.*, pg_catalog.*) are built
// from the catalog for the session that reads them, at bind time, as small
// in-memory tables. They show only what the session may read, so they
// cannot leak the existence or the shape of a product a user may not see.

// sysColumn is a column of a system table.
type sysColumn struct {
	name string
	t    sqltypes.Type
}

// sysTable is a system table: its columns and a function that lists its
// rows (sqltypes.Datum values) for a session.
type sysTable struct {
	schema, name string
	cols         []sysColumn
	rows         func(s *Session) [][]any
	// live tables (what runs now) are listed when scanned, not at bind
	// time: a prepared statement executed again must see the present.
	live bool
}

// systemSchemas are the schemas meshql itself serves.
var systemSchemas = map[string]bool{"mesh": true, "pg_catalog": true, "information_schema": true}

// systemTables lists every system table. It is built per call: the list
// is small and holds no state.
func systemTables() []sysTable {
	var out []sysTable
	out = append(out, meshTables()...)
	out = append(out, queryLogTable(), usageTable())
	out = append(out, privilegeTables()...)
	out = append(out, opsTables()...)
	out = append(out, infoSchemaTables()...)
	out = append(out, roleTables()...)
	out = append(out, emptyInfoSchemaViews()...)
	out = append(out, constraintTables()...)
	out = append(out, statTables()...)
	out = append(out, pgCatalogTables()...)
	out = append(out, emptyCatalogTables()...)
	out = append(out, jdbcTables()...)
	out = append(out, pgViewTables()...)
	out = append(out, moreCatalogViews()...)
	out = append(out, indexStatTables()...)
	out = append(out, superuserCatalogs()...)
	out = append(out, showAllSettingsTable(out)...)
	for i, st := range out {
		out[i] = withInfoSchemaTypes(withOIDColumns(st))
	}
	return out
}

// lookupSystem finds a system table. An unqualified name is looked up in
// pg_catalog only, which PostgreSQL searches before the search_path.
// unknownSystemTable is the 42P01 for schema.name, a system schema's
// relation that does not exist, with a hint: the schema's nearest
// relation to a typo, or, for the mesh schema (a dozen views users are
// told about rather than tools), the views there are.
func unknownSystemTable(schema, name string) *sqltypes.Error {
	err := sqltypes.New(sqltypes.CodeUndefinedTable, "relation %q does not exist", schema+"."+name)
	var names []string
	for _, t := range systemTables() {
		if t.schema == schema {
			names = append(names, t.name)
		}
	}
	if c := catalog.Closest(name, names); c != "" {
		return err.WithHint("Perhaps you meant %q?", schema+"."+c)
	}
	if schema == "mesh" {
		slices.Sort(names)
		return err.WithHint("The mesh schema has: %s.", strings.Join(names, ", "))
	}
	return err
}

func lookupSystem(schema, name string) (sysTable, bool) {
	if schema == "" {
		schema = "pg_catalog"
	}
	if !systemSchemas[schema] {
		return sysTable{}, false
	}
	for _, t := range systemTables() {
		if t.schema == schema && t.name == name {
			if t.isCatalogTable() {
				t = withXmin(t)
			}
			return t, true
		}
	}
	return sysTable{}, false
}

// bindSystem describes a system table for the binder; its rows are
// listed at once, or at each scan for live tables.
func (s *Session) bindSystem(ctx context.Context, st sysTable) (*bind.Table, error) {
	if err := st.checkColumns(); err != nil {
		return nil, err
	}
	if err := readSuperuserCatalog(st); err != nil {
		return nil, err
	}
	var src connectors.Table
	if st.live {
		src = liveTable{schema: st.arrowSchema(), list: func() (*memtable.Table, error) { return s.materialize(st) }}
	} else {
		tbl, err := s.materialize(st)
		if err != nil {
			return nil, err
		}
		src = tbl
	}
	t := &bind.Table{Name: st.schema + "." + st.name, Source: src}
	for i, c := range st.cols {
		t.Columns = append(t.Columns, bind.TableColumn{Name: c.name, Type: c.t, SourceIndex: i, SourceType: c.t,
			System: st.isCatalogTable() && c.name == xminColumn})
	}
	if st.isCatalogTable() {
		t.Columns = append(t.Columns, bind.TableColumn{Name: "tableoid", Type: tInt4, SourceIndex: len(st.cols), SourceType: tInt4, System: true})
	}
	return t, nil
}

// isCatalogTable reports whether st is one of pg_catalog's tables, which
// alone have the system columns tableoid and xmin (PostgreSQL's views
// have none).
func (st sysTable) isCatalogTable() bool {
	r, ok := pgCatalogRelations[st.name]
	return ok && st.schema == "pg_catalog" && r.kind == 'r'
}

// arrowSchema is the table's columns and last its tableoid, the system
// column PostgreSQL gives every row of a table: the id of the catalog it
// is in (psql's \dd and \dL join pg_description's classoid with it).
// Views list it too but do not bind it (isCatalogTable).
func (st sysTable) arrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(st.cols), len(st.cols)+1)
	for i, c := range st.cols {
		fields[i] = c.t.Field(c.name)
	}
	fields = append(fields, arrow.Field{Name: "tableoid", Type: tInt4.Arrow(), Nullable: false})
	return arrow.NewSchema(fields, nil)
}

// materialize lists a system table's rows for the session as an
// in-memory table. Its buffers come from a Go allocator (garbage
// collected), not the query's, because the table is owned by no query.
func (s *Session) materialize(st sysTable) (*memtable.Table, error) {
	mem := memory.NewGoAllocator()
	schema := st.arrowSchema()
	builders := make([]array.Builder, len(schema.Fields()))
	for i, f := range schema.Fields() {
		builders[i] = array.NewBuilder(mem, f.Type)
	}
	rows := st.rows(s)
	tableOID := builders[len(st.cols)].(*array.Int32Builder)
	for _, r := range rows {
		for i, c := range st.cols {
			if err := expr.AppendDatum(builders[i], c.t, r[i]); err != nil {
				return nil, sqltypes.Wrap(err, sqltypes.CodeInternal, "system table %s.%s: %v", st.schema, st.name, err)
			}
		}
		tableOID.Append(systemClassOID(st.schema, st.name))
	}
	arrs := make([]arrow.Array, len(builders))
	for i, b := range builders {
		arrs[i] = b.NewArray()
		b.Release()
	}
	batch := array.NewRecordBatch(schema, arrs, int64(len(rows)))
	for _, a := range arrs {
		a.Release()
	}
	tbl := memtable.New(batch.Schema(), batch)
	batch.Release()
	return tbl, nil
}

// liveTable is a system table listed anew by each scan.
type liveTable struct {
	schema *arrow.Schema
	list   func() (*memtable.Table, error)
}

func (t liveTable) Schema() *arrow.Schema   { return t.schema }
func (t liveTable) Stats() connectors.Stats { return connectors.Stats{} }
func (t liveTable) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}

func (t liveTable) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	tbl, err := t.list()
	if err != nil {
		return nil, err
	}
	return tbl.Partitions(ctx, req)
}

// stableOID derives an object id from a name (catalog.StableOID).
func stableOID(kind, name string) int64 { return catalog.StableOID(kind, name) }

// visibleProducts returns the product versions the session may read,
// sorted by qualified name.
func (s *Session) visibleProducts() []*catalog.Product { return s.current().visibleProducts() }

// visibleProducts are the products v's principal may read, by name.
func (v catalogSnapshot) visibleProducts() []*catalog.Product {
	var out []*catalog.Product
	for _, p := range v.mesh.Products {
		if policy.Decide(v.mesh, v.who, p).CanRead {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].QualifiedName() < out[j].QualifiedName() })
	return out
}
