package sqltypes

import (
	"encoding/binary"
	"strings"
)

// jsonb's btree order is PostgreSQL's compareJsonbContainers: a walk of
// both values' tokens in storage order, stopping at the first that
// differs. Kinds order as Null < String < Number < Boolean < Array <
// Object (the jbv type codes); an array (object) with more elements
// (pairs) sorts after one with fewer, whatever they hold; then elements
// one by one, an object's pairs in key storage order (length, then bytes)
// key before value; numbers by value (1.0 = 1), strings by their bytes
// (varstr_cmp under the C collation meshql's text order follows),
// false < true. A top-level scalar is stored as a one-element "raw
// scalar" array, so it sorts among the arrays: after an empty array,
// before every one-element array, before longer ones.
//
// AppendJSONBSortKey writes that walk as bytes whose bytewise order is
// that order and whose equality is jsonb's =, so sort, hash and equality
// code for bytes serves jsonb unchanged: one byte of kind per value, an
// array's element count (and whether it is a raw scalar) or an object's
// pair count before what it holds, every token prefix-free.

// Kind bytes in jsonb's type order. Arrays and objects keep
// PostgreSQL's gap (jbvArray is 0x10) out of habit, not need.
const (
	jsonbKeyNull   = 0x01
	jsonbKeyString = 0x02
	jsonbKeyNumber = 0x03
	jsonbKeyBool   = 0x04
	jsonbKeyArray  = 0x10
	jsonbKeyObject = 0x11
)

// AppendJSONBSortKey appends the sort key of the jsonb text doc (22P02 if
// doc is not JSON).
func AppendJSONBSortKey(dst []byte, doc string) ([]byte, error) {
	// jsonb text is normalized (keys sorted and unique, no exponents), so
	// its key is written in one pass over it; anything else (or an error)
	// takes the parse into a tree, which sorts keys and reports errors.
	if out, ok := appendNormalSortKey(dst, doc); ok {
		return out, nil
	}
	v, err := ParseJSONB(doc)
	if err != nil {
		return dst, err
	}
	return appendTreeSortKey(dst, &v), nil
}

// appendTreeSortKey appends the sort key of the top-level value v.
func appendTreeSortKey(dst []byte, v *JSONBValue) []byte {
	if v.Kind != JSONBArray && v.Kind != JSONBObject {
		// The raw scalar pseudo-array: one element, flagged 0 so that it
		// sorts before a real one-element array.
		dst = append(dst, jsonbKeyArray)
		dst = binary.BigEndian.AppendUint32(dst, 1)
		dst = append(dst, 0)
	}
	return v.appendSortKey(dst)
}

// CompareJSONB orders two jsonb texts as jsonb's btree does.
func CompareJSONB(a, b string) (int, error) {
	ka, err := AppendJSONBSortKey(nil, a)
	if err != nil {
		return 0, err
	}
	kb, err := AppendJSONBSortKey(nil, b)
	if err != nil {
		return 0, err
	}
	return strings.Compare(string(ka), string(kb)), nil
}

func (v *JSONBValue) appendSortKey(dst []byte) []byte {
	switch v.Kind {
	case JSONBNull:
		return append(dst, jsonbKeyNull)
	case JSONBString:
		return appendStringKey(append(dst, jsonbKeyString), v.Scalar)
	case JSONBNumber:
		return appendNumberKey(append(dst, jsonbKeyNumber), v.Scalar)
	case JSONBBool:
		b := byte(0)
		if v.Scalar == "true" {
			b = 1
		}
		return append(dst, jsonbKeyBool, b)
	case JSONBArray:
		dst = append(dst, jsonbKeyArray)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v.Elems)))
		dst = append(dst, 1) // not a raw scalar
		for i := range v.Elems {
			dst = v.Elems[i].appendSortKey(dst)
		}
		return dst
	}
	dst = append(dst, jsonbKeyObject)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(v.Keys)))
	for i, k := range v.Keys {
		dst = appendStringKey(dst, k)
		dst = v.Elems[i].appendSortKey(dst)
	}
	return dst
}

// appendStringKey writes s's bytes with 0x00 escaped as 0x00 0xFF and a
// 0x00 0x00 terminator, so that a proper prefix sorts first and the key
// ends unambiguously. (jsonb strings cannot hold \u0000; the escape only
// keeps the encoding total.)
func appendStringKey(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, 0, 0xFF)
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, 0, 0)
}

// appendNumberKey writes a normalized jsonb number (digits, an optional
// fraction, an optional leading '-', no exponent) by value: a sign class
// (0x40 negative, 0x80 zero, 0xC0 positive), then for non-zero values the
// decimal exponent E of 0.d1d2…dk × 10^E biased by 2^31 (four bytes) and
// the significant digits d+1 closed by 0x00, trailing zeros dropped so
// that 1.0 and 1 write the same; a negative value inverts the exponent
// and writes the digits as 10-d closed by 0xFF, so that a larger
// magnitude sorts first.
func appendNumberKey(dst []byte, s string) []byte {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	exp := strings.IndexByte(s, '.') // digits before the point
	if exp < 0 {
		exp = len(s)
	}
	// The significant digits are s[i:j] without its point: no leading or
	// trailing zeros (read in place, the hash keys' hot path).
	i, j := 0, len(s)
	for i < j && (s[i] == '0' || s[i] == '.') {
		if s[i] == '0' {
			exp--
		}
		i++
	}
	for j > i && (s[j-1] == '0' || s[j-1] == '.') {
		j--
	}
	if i == j {
		return append(dst, 0x80)
	}
	e := uint32(int64(exp) + 1<<31)
	sign, end := byte(0xC0), byte(0x00)
	if neg {
		sign, end, e = 0x40, 0xFF, ^e
	}
	dst = append(dst, sign)
	dst = binary.BigEndian.AppendUint32(dst, e)
	for ; i < j; i++ {
		switch d := s[i] - '0'; {
		case s[i] == '.':
		case neg:
			dst = append(dst, 10-d)
		default:
			dst = append(dst, d+1)
		}
	}
	return append(dst, end)
}

// appendNormalSortKey is AppendJSONBSortKey in one pass over normalized
// jsonb text; ok is false, and dst's new bytes are to be dropped, when doc
// is not JSON or not normalized (object keys out of jsonb's order, a
// number with an exponent).
func appendNormalSortKey(dst []byte, doc string) ([]byte, bool) {
	p := jsonbParser{s: doc}
	p.ws()
	if p.i < len(doc) && doc[p.i] != '[' && doc[p.i] != '{' {
		dst = append(dst, jsonbKeyArray, 0, 0, 0, 1, 0) // the raw scalar pseudo-array
	}
	dst, ok := p.normalSortKey(dst, 0)
	p.ws()
	return dst, ok && p.i == len(doc)
}

// errNotNormal stops members() in normalSortKey: the slow path decides.
var errNotNormal = errJSONSyntax("not normalized jsonb")

func (p *jsonbParser) normalSortKey(dst []byte, depth int) ([]byte, bool) {
	if depth > maxJSONBDepth || p.i >= len(p.s) {
		return dst, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		dst = append(dst, jsonbKeyObject, 0, 0, 0, 0)
		at, n, prev := len(dst)-4, 0, ""
		err := p.members('}', func() error {
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				return errNotNormal
			}
			k, err := p.str()
			if err != nil || n > 0 && compareJSONBKeys(prev, k) >= 0 {
				return errNotNormal
			}
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return errNotNormal
			}
			p.i++
			p.ws()
			dst = appendStringKey(dst, k)
			var ok bool
			if dst, ok = p.normalSortKey(dst, depth+1); !ok {
				return errNotNormal
			}
			prev = k
			n++
			return nil
		})
		binary.BigEndian.PutUint32(dst[at:], uint32(n))
		return dst, err == nil
	case c == '[':
		dst = append(dst, jsonbKeyArray, 0, 0, 0, 0, 1)
		at, n := len(dst)-5, 0
		err := p.members(']', func() error {
			var ok bool
			if dst, ok = p.normalSortKey(dst, depth+1); !ok {
				return errNotNormal
			}
			n++
			return nil
		})
		binary.BigEndian.PutUint32(dst[at:], uint32(n))
		return dst, err == nil
	case c == '"':
		str, err := p.str()
		return appendStringKey(append(dst, jsonbKeyString), str), err == nil
	case c == '-' || c >= '0' && c <= '9':
		num, ok := p.plainNumber()
		return appendNumberKey(append(dst, jsonbKeyNumber), num), ok
	case p.literal("true"):
		return append(dst, jsonbKeyBool, 1), true
	case p.literal("false"):
		return append(dst, jsonbKeyBool, 0), true
	case p.literal("null"):
		return append(dst, jsonbKeyNull), true
	}
	return dst, false
}

// plainNumber reads a number without an exponent: -?(0|[1-9][0-9]*)(\.[0-9]+)?.
func (p *jsonbParser) plainNumber() (string, bool) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	ds := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == ds || p.i-ds > 1 && p.s[ds] == '0' {
		return "", false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		fs := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == fs {
			return "", false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		return "", false
	}
	return p.s[start:p.i], true
}
