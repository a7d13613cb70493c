package connectors

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Which sources may name a column's SQL type in its Arrow field metadata
// (sqltypes.FieldTypeKey): the PostgreSQL and CSV connectors set it on
// values they converted themselves (from PostgreSQL's binary values, or
// through the type's input function), so their batches are meshql's own.
// A Parquet file or a Flight SQL stream carries whatever its writer put
// there: their connectors wrap their batches in CheckTagged, so a value
// that is not of the named type fails the scan (22P02, naming the
// column) instead of printing as 0.0.0.0/0 or "empty".

// CheckTagged wraps src, whose batches have schema, so that the columns
// whose metadata names an address or a range type (sqltypes.TaggedType)
// are checked batch by batch (sqltypes.CheckTagged; ranges in
// non-canonical text are rewritten, from mem). It returns src itself when
// no column is tagged.
func CheckTagged(schema *arrow.Schema, src BatchSource, mem memory.Allocator) BatchSource {
	s := &taggedSource{src: src, mem: mem}
	for i, f := range schema.Fields() {
		if t, ok := sqltypes.TaggedType(f); ok {
			s.cols = append(s.cols, taggedColumn{index: i, name: f.Name, t: t})
		}
	}
	if len(s.cols) == 0 {
		return src
	}
	if s.mem == nil {
		s.mem = memory.DefaultAllocator
	}
	return s
}

type taggedColumn struct {
	index int
	name  string
	t     sqltypes.Type
}

type taggedSource struct {
	src  BatchSource
	mem  memory.Allocator
	cols []taggedColumn
}

func (s *taggedSource) NextBatch() (arrow.RecordBatch, error) {
	b, err := s.src.NextBatch()
	if err != nil || b == nil {
		return b, err
	}
	var cols []arrow.Array // b's columns, once one is replaced
	var owned []arrow.Array
	defer func() {
		for _, a := range owned {
			a.Release()
		}
	}()
	for _, c := range s.cols {
		a, err := sqltypes.CheckTagged(s.mem, c.t, c.name, b.Column(c.index))
		if err != nil {
			b.Release()
			return nil, err
		}
		owned = append(owned, a)
		if a == b.Column(c.index) {
			continue
		}
		if cols == nil {
			cols = append([]arrow.Array(nil), b.Columns()...)
		}
		cols[c.index] = a
	}
	if cols == nil {
		return b, nil
	}
	defer b.Release()
	return array.NewRecordBatch(b.Schema(), cols, b.NumRows()), nil
}

func (s *taggedSource) Close() { s.src.Close() }

// SourceBytes passes the wrapped source's count through.
func (s *taggedSource) SourceBytes() (int64, bool) {
	if bc, ok := s.src.(ByteCounter); ok {
		return bc.SourceBytes()
	}
	return 0, false
}
