package jsonpath

import (
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// base is a container a path's items live in: the document, the vars or
// an object keyvalue() made. PostgreSQL numbers an object in .keyvalue()
// by its byte offset inside its container's binary jsonb, so offset
// replays that layout (convertJsonbValue in jsonb_util.c): a container
// is int-aligned and holds a 4-byte header, a 4-byte JEntry per element
// (two per object member), then the keys, then the values; strings are
// raw bytes, numbers int-aligned numerics, booleans and nulls nothing.
type base struct {
	id   int64
	root *jv
	offs map[*jv]int64 // container → offset, filled on first use
}

func (b *base) offset(v *jv) int64 {
	if b.offs == nil {
		b.offs = map[*jv]int64{}
		if b.root != nil {
			layout(b.root, 0, b.offs)
		}
	}
	return b.offs[v]
}

func align4(n int64) int64 { return (n + 3) &^ 3 }

// layout places container v at pos (already aligned) and returns the end
// of its data.
func layout(v *jv, pos int64, offs map[*jv]int64) int64 {
	offs[v] = pos
	n := int64(len(v.Elems))
	if v.Kind == sqltypes.JSONBObject {
		n *= 2
	}
	end := pos + 4 + 4*n
	for _, k := range v.Keys {
		end += int64(len(k))
	}
	for i := range v.Elems {
		e := &v.Elems[i]
		switch e.Kind {
		case sqltypes.JSONBString:
			end += int64(len(e.Scalar))
		case sqltypes.JSONBNumber:
			end = align4(end) + numericSize(e.Scalar)
		case sqltypes.JSONBArray, sqltypes.JSONBObject:
			end = layout(e, align4(end), offs)
		}
	}
	return end
}

// numericSize is the size of numeric_in's value for a normalized number:
// a 4-byte varlena header, a 2-byte header (4 bytes when the weight or
// the display scale does not fit the short form) and 2 bytes per
// base-10000 digit between the first and last nonzero ones.
func numericSize(s string) int64 {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	// Group the digits in fours around the decimal point.
	if r := len(intPart) % 4; r != 0 {
		intPart = strings.Repeat("0", 4-r) + intPart
	}
	fracPadded := frac
	if r := len(frac) % 4; r != 0 {
		fracPadded += strings.Repeat("0", 4-r)
	}
	var groups []string
	for i := 0; i < len(intPart); i += 4 {
		groups = append(groups, intPart[i:i+4])
	}
	intGroups := len(groups)
	for i := 0; i < len(fracPadded); i += 4 {
		groups = append(groups, fracPadded[i:i+4])
	}
	first, last := -1, -1
	for i, g := range groups {
		if g != "0000" {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	ndigits := 0
	weight := 0
	if first >= 0 {
		ndigits = last - first + 1
		weight = intGroups - 1 - first
	}
	header := int64(2)
	if len(frac) > 63 || weight > 63 || weight < -64 {
		header = 4
	}
	return 4 + header + 2*int64(ndigits)
}
