package engine

import (
	"context"
	"hash/fnv"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
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
}

// systemSchemas are the schemas meshql itself serves.
var systemSchemas = map[string]bool{"mesh": true, "pg_catalog": true, "information_schema": true}

// systemTables lists every system table. It is built per call: the list
// is small and holds no state.
func systemTables() []sysTable {
	var out []sysTable
	out = append(out, meshTables()...)
	out = append(out, opsTables()...)
	out = append(out, infoSchemaTables()...)
	out = append(out, pgCatalogTables()...)
	return out
}

// lookupSystem finds a system table. An unqualified name is looked up in
// pg_catalog only, which PostgreSQL searches before the search_path.
func lookupSystem(schema, name string) (sysTable, bool) {
	if schema == "" {
		schema = "pg_catalog"
	}
	if !systemSchemas[schema] {
		return sysTable{}, false
	}
	for _, t := range systemTables() {
		if t.schema == schema && t.name == name {
			return t, true
		}
	}
	return sysTable{}, false
}

// bindSystem materializes a system table for the session. Its buffers come
// from a Go allocator (garbage collected), not the query's, because the
// table outlives no query but is owned by none.
func (s *Session) bindSystem(ctx context.Context, st sysTable) (*bind.Table, error) {
	mem := memory.NewGoAllocator()
	fields := make([]arrow.Field, len(st.cols))
	builders := make([]array.Builder, len(st.cols))
	for i, c := range st.cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.t.Arrow(), Nullable: true}
		builders[i] = array.NewBuilder(mem, c.t.Arrow())
	}
	rows := st.rows(s)
	for _, r := range rows {
		for i, c := range st.cols {
			if err := expr.AppendDatum(builders[i], c.t, r[i]); err != nil {
				return nil, sqltypes.Wrap(err, sqltypes.CodeInternal, "system table %s.%s: %v", st.schema, st.name, err)
			}
		}
	}
	arrs := make([]arrow.Array, len(builders))
	for i, b := range builders {
		arrs[i] = b.NewArray()
		b.Release()
	}
	schema := arrow.NewSchema(fields, nil)
	batch := array.NewRecordBatch(schema, arrs, int64(len(rows)))
	for _, a := range arrs {
		a.Release()
	}
	tbl := memtable.New(schema, batch)
	batch.Release()
	t := &bind.Table{Name: st.schema + "." + st.name, Source: tbl}
	for i, c := range st.cols {
		t.Columns = append(t.Columns, bind.TableColumn{Name: c.name, Type: c.t, SourceIndex: i, SourceType: c.t})
	}
	return t, nil
}

// stableOID derives an object id from a name, the same in every process,
// so that clients caching OIDs across connections stay right.
func stableOID(kind, name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return 100000 + int64(h.Sum32()%1_000_000_000)
}

// visibleProducts returns the product versions the session may read,
// sorted by qualified name.
func (s *Session) visibleProducts() []*catalog.Product {
	mesh := s.engine.Mesh()
	var out []*catalog.Product
	for _, p := range mesh.Products {
		if policy.Decide(mesh, s.who, p).CanRead {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].QualifiedName() < out[j].QualifiedName() })
	return out
}
