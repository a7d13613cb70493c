package ops

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Array-valued keys (GROUP BY, DISTINCT, joins, ORDER BY and PARTITION BY
// over arrays). Every operation works on one order-preserving byte
// encoding of each array value: its elements' normalized sort keys one
// after another, each starting with a flag byte (1 for a value, 2 for a
// NULL element). Bytewise order is then PostgreSQL's array order —
// element by element, NULL elements after values, a proper prefix before
// the longer array — and bytewise equality is array equality for grouping
// (NULL elements equal each other, floats normalized). A
// multidimensional array (nested lists) encodes its elements in row-major
// order followed by its dimensions.

// listEncoding is the encoding of every row of a list array: row i is
// buf[offs[i]:offs[i+1]] (empty for NULL rows).
type listEncoding struct {
	buf  []byte
	offs []int64
}

func isList(dt arrow.DataType) bool {
	id := dt.ID()
	return id == arrow.LIST || id == arrow.LARGE_LIST
}

func encodeLists(arr arrow.Array) (listEncoding, error) {
	nd := 0
	for dt := arr.DataType(); isList(dt); nd++ {
		dt = dt.(arrow.ListLikeType).Elem()
	}
	levels, ok := sqltypes.ArrayLevels(arr, nd)
	if !ok {
		return listEncoding{}, errKeyType("hashing", arr.DataType())
	}
	child := levels[nd-1].ListValues()
	enc, err := newKeyEncoder(child, SortKey{})
	if err != nil {
		return listEncoding{}, err
	}
	sizes := make([]int, child.Len())
	enc.addSizes(sizes)
	elemOffs := make([]int, child.Len()+1)
	for i, s := range sizes {
		elemOffs[i+1] = elemOffs[i] + s
	}
	buf := make([]byte, elemOffs[len(sizes)])
	copy(sizes, elemOffs[:len(sizes)]) // now the write cursors
	enc.encode(buf, sizes)
	n := arr.Len()
	offs := make([]int64, n+1)
	if nd == 1 {
		for i := 0; i < n; i++ {
			start, end := levels[0].ValueOffsets(i)
			offs[i] = int64(elemOffs[start])
			offs[i+1] = int64(elemOffs[end])
		}
		return listEncoding{buf: buf, offs: offs}, nil
	}
	// A multidimensional array: its elements in row-major order, then a 0
	// byte (so that fewer elements sort first) and its dimensions, which
	// order arrays of equal elements as PostgreSQL's array_cmp does.
	out := make([]byte, 0, len(buf)+n*(1+4*nd))
	var dims []int32
	for i := 0; i < n; i++ {
		var start, end int64
		start, end, dims = sqltypes.ArrayElements(levels, i, dims[:0])
		out = append(out, buf[elemOffs[start]:elemOffs[end]]...)
		out = append(out, 0)
		for _, d := range dims {
			out = binary.BigEndian.AppendUint32(out, uint32(d))
		}
		offs[i+1] = int64(len(out))
	}
	return listEncoding{buf: out, offs: offs}, nil
}

func (e listEncoding) row(i int) []byte { return e.buf[e.offs[i]:e.offs[i+1]] }

// listKeys stores array-valued (and variable-scale numeric) group keys:
// their encodings for hashing and equality, and Go-heap copies of the
// values for build (key stores have no release step, so they hold no
// allocator memory).
type listKeys struct {
	enc    bytesKeys
	dt     arrow.DataType
	pieces []arrow.Array
	jsonb  bool // keyed by encodeJSONBKeys, or encodeRangeKeys when rng is a range
	rng    sqltypes.Type
	// The encoding of the last jsonb array seen, which hash, equal and add
	// each get in turn: parsing every document once per batch, not three
	// times. Holding the ArrayData keeps its address from being reused. A
	// jsonb key store is used by one goroutine (joins key jsonb by its
	// sort key instead), so the cache needs no lock.
	lastData arrow.ArrayData
	lastEnc  listEncoding
}

// keyEncoding returns the byte encoding of every row of arr that
// array-valued and variable-scale numeric keys compare and hash.
func keyEncoding(arr arrow.Array) (listEncoding, error) {
	if isVarNumeric(arr.DataType()) {
		return encodeVarNumerics(arr), nil
	}
	return encodeLists(arr)
}

// encodedKey reports whether values of dt are keyed by keyEncoding.
func encodedKey(dt arrow.DataType) bool {
	return isList(dt) || isVarNumeric(dt)
}

func (k *listKeys) hash(arr arrow.Array, h []uint64, first bool) {
	e, v := k.encode(arr)
	k.enc.hashRows(e.row, v, h, first)
}

func (k *listKeys) add(arr arrow.Array, rows []int32) {
	e, v := k.encode(arr)
	k.enc.addRows(e.row, v, rows)
	piece, err := takeArray(memory.DefaultAllocator, arr, rows)
	if err != nil {
		panic(errInternal("copying array keys: %v", err)) // lists always take
	}
	k.pieces = append(k.pieces, piece)
}

func (k *listKeys) equal(arr arrow.Array, rows, gids []int32, eq []bool) {
	e, v := k.encode(arr)
	k.enc.equalRows(e.row, v, rows, gids, eq)
}

func (k *listKeys) build(mem memory.Allocator) arrow.Array {
	if len(k.pieces) == 0 {
		b := array.NewBuilder(mem, k.dt)
		defer b.Release()
		return b.NewArray()
	}
	out, err := array.Concatenate(k.pieces, mem)
	if err != nil {
		panic(errInternal("concatenating array keys: %v", err))
	}
	return out
}

func (k *listKeys) encode(arr arrow.Array) (listEncoding, validity) {
	var e listEncoding
	var err error
	if k.jsonb {
		if arr.Data() == k.lastData {
			return k.lastEnc, validityOf(arr)
		}
		// The last batch's keys are no longer read (the key store copies
		// those it keeps): its buffers take this batch's.
		if k.rng.IsRange() {
			e, err = encodeRangeKeys(k.rng, arr, k.lastEnc)
		} else {
			e, err = encodeJSONBKeys(arr, k.lastEnc)
		}
		k.lastData, k.lastEnc = arr.Data(), e
	} else {
		e, err = keyEncoding(arr)
	}
	if err != nil {
		// newKeyColumn checked the element type, and jsonb values are
		// JSON, so this cannot happen.
		panic(errInternal("encoding keys: %v", err))
	}
	return e, validityOf(arr)
}
