package ops

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// jsonb keys. A jsonb value is text, but it orders, groups and joins as
// PostgreSQL's jsonb does (1, 1.0 and 1.00 are one key; objects sort after
// arrays, ...), through its sort key (sqltypes.AppendJSONBSortKey). Keys
// that are compared but not returned (sort, window, join keys) are
// replaced by that key (expr.SortKeyOf); keys that are returned (groups,
// DISTINCT, set operations) are declared to the hash table as
// jsonbKeyType, whose key store hashes and compares the sort key and
// keeps the first value seen, as PostgreSQL's grouping returns it.

// jsonbKeyType stands for a jsonb (jsonb[]) column, of Arrow type
// DataType, among the key types handed to newHashTable and newRowHasher;
// it never types an array.
// A range column is keyed the same way, by its range sort key
// (sqltypes.AppendRangeSortKey), so that numrange bounds 1.0 and 1.00
// group together; rng is then its range type.
type jsonbKeyType struct {
	arrow.DataType
	rng sqltypes.Type
}

// keyArrowType is the type by which hash tables key values of type t.
func keyArrowType(t sqltypes.Type) arrow.DataType {
	if t.HasKind(sqltypes.JSONB) || t.Leaf().IsRange() {
		return &jsonbKeyType{DataType: t.Arrow(), rng: t.Leaf()}
	}
	return t.Arrow()
}

// keyArrowTypes is keyArrowType of each expression's type.
func keyArrowTypes(es []expr.Expr) []arrow.DataType {
	out := make([]arrow.DataType, len(es))
	for i, e := range es {
		out[i] = keyArrowType(e.Type())
	}
	return out
}

// columnKeyTypes is keyArrowType of each column: types, where given (the
// SQL types of the columns), else the schema's Arrow types.
func columnKeyTypes(s *arrow.Schema, types []sqltypes.Type) []arrow.DataType {
	out := make([]arrow.DataType, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Type
		if i < len(types) {
			out[i] = keyArrowType(types[i])
		}
	}
	return out
}

// keyExprs returns es with every jsonb expression replaced by its sort
// key, for keys that are compared and not returned.
func keyExprs(es []expr.Expr) []expr.Expr {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		out[i] = expr.SortKeyOf(e)
	}
	return out
}

// encodeJSONBKeys is keyEncoding for a jsonb column: every row's sort key
// (NULL rows: empty); for a jsonb[] column, the array encoding of its
// elements' keys. A jsonb column's encoding reuses reuse's buffers, an
// encoding no longer read.
func encodeJSONBKeys(arr arrow.Array, reuse listEncoding) (listEncoding, error) {
	return encodeSortKeys(arr, reuse, expr.JSONBSortKeys, sqltypes.AppendJSONBSortKey)
}

// encodeRangeKeys is keyEncoding for a range column of range type t:
// every row's range sort key (NULL rows: empty); for an array of ranges,
// the array encoding of its elements' keys.
func encodeRangeKeys(t sqltypes.Type, arr arrow.Array, reuse listEncoding) (listEncoding, error) {
	return encodeSortKeys(arr, reuse,
		func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) { return expr.RangeSortKeys(mem, t, a) },
		func(dst []byte, s string) ([]byte, error) {
			r, err := sqltypes.ReadRange(t, s)
			if err != nil {
				return nil, err
			}
			return sqltypes.AppendRangeSortKey(dst, r), nil
		})
}

// encodeSortKeys is keyEncoding by sort keys: appendKey's of every row
// of a text column, in reuse's buffers, or of an array column the array
// encoding of listKeys' keys of its elements.
func encodeSortKeys(arr arrow.Array, reuse listEncoding, listKeys func(memory.Allocator, arrow.Array) (arrow.Array, error),
	appendKey func(dst []byte, text string) ([]byte, error)) (listEncoding, error) {
	if isList(arr.DataType()) {
		keys, err := listKeys(memory.DefaultAllocator, arr)
		if err != nil {
			return listEncoding{}, err
		}
		defer keys.Release()
		return encodeLists(keys)
	}
	offs := append(reuse.offs[:0], make([]int64, arr.Len()+1)...)
	buf := reuse.buf[:0]
	if want := 2 * len(dataBytes(arr)); cap(buf) < want {
		buf = make([]byte, 0, want)
	}
	var err error
	switch arr.DataType().ID() {
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		buf, err = appendSortKeys(buf, offs, arr, offsetsOf[int64](arr), appendKey)
	default:
		buf, err = appendSortKeys(buf, offs, arr, offsetsOf[int32](arr), appendKey)
	}
	if err != nil {
		return listEncoding{}, err
	}
	return listEncoding{buf: buf, offs: offs}, nil
}

// appendSortKeys appends appendKey's key of every row of arr, a string
// array with offsets in, to buf, setting offs[i+1] to where row i's ends.
func appendSortKeys[O int32 | int64](buf []byte, offs []int64, arr arrow.Array, in []O, appendKey func([]byte, string) ([]byte, error)) ([]byte, error) {
	data := dataBytes(arr)
	for i := range arr.Len() {
		if arr.IsValid(i) {
			var err error
			// The text is only read during the call: no copy.
			t := data[in[i]:in[i+1]]
			if buf, err = appendKey(buf, unsafe.String(unsafe.SliceData(t), len(t))); err != nil {
				return nil, err
			}
		}
		offs[i+1] = int64(len(buf))
	}
	return buf, nil
}
