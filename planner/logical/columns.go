package logical

import (
	"sort"

	"github.com/meshql/meshql/sqltypes"
)

// ColumnID identifies a column within one query plan.
type ColumnID int32

// ColumnMeta describes a column.
type ColumnMeta struct {
	ID    ColumnID
	Name  string // the name a user sees in results
	Table string // qualifier it was bound under, for EXPLAIN ("o", "orders_v1")
	Type  sqltypes.Type
}

// Metadata is the registry of every column of one query.
type Metadata struct {
	cols []ColumnMeta
}

// NewColumn registers a column and returns its ID.
func (m *Metadata) NewColumn(name, table string, t sqltypes.Type) ColumnID {
	id := ColumnID(len(m.cols) + 1)
	m.cols = append(m.cols, ColumnMeta{ID: id, Name: name, Table: table, Type: t})
	return id
}

// Clone returns a copy that registers new columns without changing m: a
// bound query's metadata is shared by every plan built from it.
func (m *Metadata) Clone() *Metadata {
	return &Metadata{cols: append([]ColumnMeta(nil), m.cols...)}
}

// Len returns the number of columns registered.
func (m *Metadata) Len() int { return len(m.cols) }

// Column returns the metadata of id.
func (m *Metadata) Column(id ColumnID) ColumnMeta { return m.cols[id-1] }

// ColSet is a set of column IDs.
type ColSet map[ColumnID]struct{}

// NewColSet returns a set holding ids.
func NewColSet(ids ...ColumnID) ColSet {
	s := make(ColSet, len(ids))
	for _, id := range ids {
		s[id] = struct{}{}
	}
	return s
}

// Has reports whether id is in s.
func (s ColSet) Has(id ColumnID) bool { _, ok := s[id]; return ok }

// Add adds ids to s.
func (s ColSet) Add(ids ...ColumnID) {
	for _, id := range ids {
		s[id] = struct{}{}
	}
}

// AddSet adds every member of o to s.
func (s ColSet) AddSet(o ColSet) {
	for id := range o {
		s[id] = struct{}{}
	}
}

// SubsetOf reports whether every member of s is in o.
func (s ColSet) SubsetOf(o ColSet) bool {
	for id := range s {
		if !o.Has(id) {
			return false
		}
	}
	return true
}

// Sorted returns the members in ascending order.
func (s ColSet) Sorted() []ColumnID {
	out := make([]ColumnID, 0, len(s))
	for id := range s {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
