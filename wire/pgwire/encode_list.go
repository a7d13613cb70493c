package pgwire

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// listEnc writes one-dimensional arrays: text as array_out does
// ({1,2,NULL}, elements quoted when needed), binary as array_send does
// (ndim, has-null flag, element OID, dimension and lower bound 1, then each
// element length-prefixed, -1 for NULL).
type listEnc struct {
	nulls
	a       array.ListLike
	elem    colEncoder
	elemOID uint32
	scratch []byte
}

func (e *listEnc) text(buf []byte, i int) []byte {
	start, end := e.a.ValueOffsets(i)
	buf = append(buf, '{')
	for j := start; j < end; j++ {
		if j > start {
			buf = append(buf, ',')
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
	start, end := e.a.ValueOffsets(i)
	n := end - start
	hasNull := uint32(0)
	for j := start; j < end; j++ {
		if e.elem.isNull(int(j)) {
			hasNull = 1
			break
		}
	}
	if n == 0 {
		buf = binary.BigEndian.AppendUint32(buf, 0)
		buf = binary.BigEndian.AppendUint32(buf, 0)
		return binary.BigEndian.AppendUint32(buf, e.elemOID)
	}
	buf = binary.BigEndian.AppendUint32(buf, 1)
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, e.elemOID)
	buf = binary.BigEndian.AppendUint32(buf, uint32(n))
	buf = binary.BigEndian.AppendUint32(buf, 1)
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
