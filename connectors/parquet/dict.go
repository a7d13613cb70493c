package parquet

import (
	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// Dictionary reads: a string column whose every data page is
// dictionary-encoded can be handed to the executor as Arrow dictionary
// arrays (decoded by pages.go, or pqarrow's read-dictionary mode when a
// chunk uses an encoding pages.go leaves alone), so that filters run once
// per distinct value instead of once per row and only surviving rows are
// materialized as strings. A column that falls back to plain pages in
// some row group is not offered: pqarrow would then build the dictionary
// itself, value by value, which costs more than reading plain strings.

var _ connectors.DictionaryReader = (*Table)(nil)

// DictionaryColumns implements connectors.DictionaryReader.
func (t *Table) DictionaryColumns() []bool { return t.dictCols }

// initDictColumns marks the file columns that may be read as
// dictionaries: top-level, non-dictionary utf8 columns. loadRowGroups
// then clears the columns with a chunk that is not fully
// dictionary-encoded.
func (t *Table) initDictColumns(first *fileInfo) {
	t.dictCols = make([]bool, t.schema.NumFields())
	for i := range t.nFile {
		_, isString := t.schema.Field(i).Type.(*arrow.StringType)
		t.dictCols[i] = isString && first.flatLeaf[i] >= 0
	}
}

// dictEncoded reports whether every data page of the chunk is
// dictionary-encoded and the dictionary page is small (maxDictPageBytes):
// pqarrow re-inserts the whole dictionary into a hash table for every
// batch it reads, so a dictionary of thousands of values costs more than
// plain strings (BenchmarkScanDictionary; pages.go shares one dictionary
// array per chunk, but the executor's dictionary paths are tuned for
// small ones). Encodings come from the page
// encoding statistics when the writer recorded them, else from the
// chunk's encodings (without statistics a dictionary page is listed as
// PLAIN_DICTIONARY, so any PLAIN means plain data pages).
func dictEncoded(cc *metadata.ColumnChunkMetaData) bool {
	if !cc.HasDictionaryPage() {
		return false
	}
	if dictBytes := cc.DataPageOffset() - cc.DictionaryPageOffset(); dictBytes <= 0 || dictBytes > maxDictPageBytes {
		return false
	}
	isDict := func(e pq.Encoding) bool { return e == pq.Encodings.RLEDict || e == pq.Encodings.PlainDict }
	st := cc.EncodingStats()
	if len(st) == 0 {
		dict := false
		for _, e := range cc.Encodings() {
			switch {
			case isDict(e):
				dict = true
			case e == pq.Encodings.Plain, e == pq.Encodings.DeltaLengthByteArray, e == pq.Encodings.DeltaByteArray, e == pq.Encodings.ByteStreamSplit:
				return false
			}
		}
		return dict
	}
	data := 0
	for _, s := range st {
		switch s.PageType {
		case pqDataPage, pqDataPageV2:
			data++
			if !isDict(s.Encoding) {
				return false
			}
		}
	}
	return data > 0
}

// maxDictPageBytes bounds the stored size of a dictionary page read as an
// Arrow dictionary: a few hundred short strings (TPC-H's largest, p_type,
// has 150 values in about 2 kB).
const maxDictPageBytes = 8 << 10

// Page types of the Parquet format (its Thrift enum, which arrow-go
// keeps in an internal package).
const (
	pqDataPage   = 0
	pqDataPageV2 = 3
)

// dictType is the Arrow type of a column read as a dictionary.
func dictType(value arrow.DataType) arrow.DataType {
	return &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: value}
}

// dictSchema returns the scan's output schema with the columns
// req.Dictionary marks turned into dictionaries. Only top-level utf8
// columns of the files can be: anything else is XX000 (a planner bug).
// A column requested twice is read once, so both copies must agree.
func (t *Table) dictSchema(schema *arrow.Schema, req connectors.ScanRequest) (*arrow.Schema, error) {
	if len(req.Dictionary) == 0 {
		return schema, nil
	}
	if len(req.Dictionary) != len(req.Columns) {
		return nil, sqltypes.New(sqltypes.CodeInternal, "scan asks for %d dictionary flags for %d columns", len(req.Dictionary), len(req.Columns))
	}
	fields := schema.Fields()
	asDict := map[int]bool{}
	for i, c := range req.Columns {
		d := req.Dictionary[i]
		if prev, seen := asDict[c]; seen && prev != d {
			return nil, sqltypes.New(sqltypes.CodeInternal, "column %q asked for both as a dictionary and not", fields[i].Name)
		}
		asDict[c] = d
		if !d {
			continue
		}
		_, isString := fields[i].Type.(*arrow.StringType)
		if c >= t.nFile || !isString || (len(t.files) > 0 && t.files[0].flatLeaf[c] < 0) {
			return nil, sqltypes.New(sqltypes.CodeInternal, "column %q cannot be read as a dictionary", fields[i].Name)
		}
		fields[i].Type = dictType(fields[i].Type)
	}
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md), nil
}
