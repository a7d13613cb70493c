package pgwire

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// listEnc writes arrays of any dimensions, stored as one nested list per
// dimension (see sqltypes' array.go): text as array_out does
// ({{1,2},{3,NULL}}, elements quoted when needed), binary as array_send
// does (ndim, has-null flag, element OID, each dimension's length and lower
// bound 1, then the elements in row-major order, length-prefixed, -1 for
// NULL; an empty array has ndim 0).
type listEnc struct {
	nulls
	levels  []array.ListLike // levels[0] is the column; levels[k+1] its values' lists
	elem    colEncoder       // the innermost values
	elemOID uint32
	scratch []byte
	dims    []int32
}

func newListEncoder(nb nulls, t sqltypes.Type, a array.ListLike, env encEnv) (colEncoder, error) {
	levels, ok := sqltypes.ArrayLevels(a, t.Ndims())
	if !ok {
		return nil, sqltypes.New(sqltypes.CodeInternal, "array of type %s holds Arrow %s", t, a.DataType())
	}
	elem, err := newEncoder(t.Leaf(), levels[len(levels)-1].ListValues(), env)
	if err != nil {
		return nil, err
	}
	return &listEnc{nulls: nb, levels: levels, elem: elem, elemOID: t.Leaf().OID()}, nil
}

func (e *listEnc) text(buf []byte, i int) []byte {
	return e.appendText(buf, 0, i)
}

func (e *listEnc) appendText(buf []byte, level, i int) []byte {
	start, end := e.levels[level].ValueOffsets(i)
	buf = append(buf, '{')
	for j := start; j < end; j++ {
		if j > start {
			buf = append(buf, ',')
		}
		if level+1 < len(e.levels) {
			buf = e.appendText(buf, level+1, int(j))
			continue
		}
		if e.elem.isNull(int(j)) {
			buf = append(buf, "NULL"...)
			continue
		}
		at := len(buf)
		buf = e.elem.text(buf, int(j))
		if needsArrayQuote(buf[at:]) {
			e.scratch = append(e.scratch[:0], buf[at:]...)
			buf = append(buf[:at], '"')
			for _, c := range e.scratch {
				if c == '"' || c == '\\' {
					buf = append(buf, '\\')
				}
				buf = append(buf, c)
			}
			buf = append(buf, '"')
		}
	}
	return append(buf, '}')
}

// needsArrayQuote reports whether array_out would quote the element: empty,
// NULL in any case, or containing braces, comma, quote, backslash or space.
func needsArrayQuote(s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(s) == 4 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'u' && (s[2]|0x20) == 'l' && (s[3]|0x20) == 'l' {
		return true
	}
	for _, c := range s {
		switch c {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}

func (e *listEnc) binary(buf []byte, i int) []byte {
	var start, end int64
	start, end, e.dims = sqltypes.ArrayElements(e.levels, i, e.dims[:0])
	hasNull := uint32(0)
	for j := start; j < end; j++ {
		if e.elem.isNull(int(j)) {
			hasNull = 1
			break
		}
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(e.dims)))
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, e.elemOID)
	for _, d := range e.dims {
		buf = binary.BigEndian.AppendUint32(buf, uint32(d))
		buf = binary.BigEndian.AppendUint32(buf, 1)
	}
	for j := start; j < end; j++ {
		if e.elem.isNull(int(j)) {
			buf = binary.BigEndian.AppendUint32(buf, 0xFFFFFFFF)
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		buf = e.elem.binary(buf, int(j))
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf
}
