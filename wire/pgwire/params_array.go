package pgwire

import (
	"encoding/binary"
	"strconv"

	"github.com/meshql/meshql/sqltypes"
)

// decodeBinaryArray decodes array_send's format for a one-dimensional
// array of t's element type (pgjdbc sends setArray values this way):
// ndim, has-null flag, element OID, then per dimension length and lower
// bound, then each element as a length (-1 = NULL) and its send format.
// The datum is a []any of element datums.
// errMultidimParam: a parameter's type, and so its number of dimensions,
// is fixed when the statement is planned, as a one-dimensional array.
func errMultidimParam() error {
	return sqltypes.New(sqltypes.CodeFeatureNotSupported, "multidimensional arrays as parameters are not supported").
		WithHint("Send the array as text in the query, or one row per element.")
}

func decodeBinaryArray(raw []byte, t sqltypes.Type, in sqltypes.InputContext) (sqltypes.Datum, error) {
	u32 := func() (uint32, error) {
		if len(raw) < 4 {
			return 0, binaryFormatError("array data ends early")
		}
		v := binary.BigEndian.Uint32(raw)
		raw = raw[4:]
		return v, nil
	}
	ndim, err := u32()
	if err != nil {
		return nil, err
	}
	if _, err := u32(); err != nil { // has-null flag: the lengths say it
		return nil, err
	}
	elemOID, err := u32()
	if err != nil {
		return nil, err
	}
	elem := *t.Elem
	if src, ok := sqltypes.FromOID(elemOID); !ok || (src.Kind != elem.Kind && !(src.IsString() && elem.IsString())) {
		return nil, binaryFormatError("array element type OID " + strconv.FormatUint(uint64(elemOID), 10) + " does not match " + t.String())
	}
	out := []any{}
	switch ndim {
	case 0:
		return out, nil
	case 1:
	default:
		return nil, errMultidimParam()
	}
	n, err := u32()
	if err != nil {
		return nil, err
	}
	if _, err := u32(); err != nil { // lower bound
		return nil, err
	}
	for i := uint32(0); i < n; i++ {
		size, err := u32()
		if err != nil {
			return nil, err
		}
		if int32(size) == -1 {
			out = append(out, nil)
			continue
		}
		if uint32(len(raw)) < size {
			return nil, binaryFormatError("array element ends early")
		}
		v, text, err := decodeBinary(raw[:size], elem)
		if err != nil {
			return nil, err
		}
		raw = raw[size:]
		if text != "" {
			if v, err = parseText(text, elem, in); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	if len(raw) != 0 {
		return nil, binaryFormatError("trailing bytes after the array")
	}
	return out, nil
}
