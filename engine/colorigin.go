package engine

import (
	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// columnOrigin is the product column a result column is a plain reference
// to: RowDescription's table OID and attribute number, which pgjdbc's
// ResultSetMetaData (getTableName, isNullable, isAutoIncrement) and
// DataGrip's editable results look the column up by.
type columnOrigin struct {
	table  uint32
	attnum int16
}

// columnOrigins maps the plan's columns that carry a product's column
// unchanged (scanned, or passed on by a projection of a bare column
// reference) to that column. As PostgreSQL, it stops at expressions,
// aggregates and set operations; unlike PostgreSQL, a derived product's
// columns are traced to the products it reads, and only to products the
// session sees, so that no id of a product it may not read is shown. A
// product's whole row (of the product's row type) comes from the product,
// with attribute number 0, as PostgreSQL marks a whole-row Var.
func (s *Session) columnOrigins(q *bind.Query) map[logical.ColumnID]columnOrigin {
	visible := map[*catalog.Product]bool{}
	rowTypes := map[uint32]uint32{} // row type OID → the product's pg_class OID
	for _, p := range s.visibleProducts() {
		visible[p] = true
		rowTypes[uint32(p.RowTypeOID())] = uint32(classOID(p))
	}
	out := map[logical.ColumnID]columnOrigin{}
	var seen logical.NodeSet
	var walk func(n logical.Node)
	walk = func(n logical.Node) {
		if logical.Revisits(&seen, n) {
			return
		}
		for _, c := range n.Children() {
			walk(c)
		}
		switch n := n.(type) {
		case *logical.Scan:
			if n.Product == nil || !visible[n.Product] {
				return
			}
			for _, id := range n.Cols {
				name := q.Meta.Column(id).Name
				for i, c := range n.Product.Columns {
					if c.Name == name {
						out[id] = columnOrigin{table: uint32(classOID(n.Product)), attnum: int16(i + 1)}
					}
				}
			}
		case *logical.Project:
			for i, e := range n.Exprs {
				if ref, ok := e.(*logical.ColRef); ok {
					if o, ok := out[ref.ID]; ok {
						out[n.Cols[i]] = o
					}
				} else if t := e.Type(); t.Kind == sqltypes.Record && t.Row != nil && rowTypes[t.Row.OID] != 0 {
					out[n.Cols[i]] = columnOrigin{table: rowTypes[t.Row.OID]}
				}
			}
		}
	}
	if q.Plan != nil {
		walk(q.Plan)
	}
	return out
}
