package sqltypes

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonb values are stored as text in PostgreSQL's jsonb output form, so
// that printing, -> and equality need no tree: object keys sorted by
// length and then bytes with the last of duplicate keys kept, ", " and
// ": " between members, strings with their escapes decoded and re-escaped
// as escape_json does, numbers as numeric prints them (1e2 is 100, 1.50
// keeps its zero). ParseJSONB builds the tree for containment.

// JSONBKind is the kind of a jsonb value, in PostgreSQL's jsonb type names.
type JSONBKind byte

const (
	JSONBNull JSONBKind = iota
	JSONBString
	JSONBNumber
	JSONBBool
	JSONBArray
	JSONBObject
)

// JSONBValue is a parsed jsonb value. Scalar holds a string's decoded
// text, a number's normalized text, or "true"/"false". An object's Keys
// are sorted and unique, Elems holding the value of each key.
type JSONBValue struct {
	Kind   JSONBKind
	Scalar string
	Keys   []string
	Elems  []JSONBValue
}

// maxJSONBDepth bounds nesting, where PostgreSQL stops at its stack depth.
const maxJSONBDepth = 10000

// maxJSONBExponent is numeric_in's limit on an exponent.
const maxJSONBExponent = 1000

func errJSONSyntax(detail string) error {
	return New(CodeInvalidTextRepr, "invalid input syntax for type json").WithDetail("%s", detail)
}

// NormalizeJSONB returns s in jsonb's output form, or 22P02 if s is not
// JSON, 22P05 for \u0000 (jsonb cannot store it), 22003 for a number
// beyond numeric's range, 54001 for nesting deeper than 10000.
func NormalizeJSONB(s string) (string, error) {
	v, err := ParseJSONB(s)
	if err != nil {
		return "", err
	}
	return string(v.Append(make([]byte, 0, len(s)))), nil
}

// ParseJSONB parses JSON text into a jsonb value.
func ParseJSONB(s string) (JSONBValue, error) {
	p := jsonbParser{s: s}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return v, err
	}
	if p.ws(); p.i != len(s) {
		return v, errJSONSyntax("Expected end of input.")
	}
	return v, nil
}

type jsonbParser struct {
	s string
	i int
}

func (p *jsonbParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonbParser) literal(word string) bool {
	if strings.HasPrefix(p.s[p.i:], word) {
		p.i += len(word)
		return true
	}
	return false
}

func (p *jsonbParser) value(depth int) (JSONBValue, error) {
	if depth > maxJSONBDepth {
		return JSONBValue{}, New(CodeStackDepthExceeded, "stack depth limit exceeded").WithHint("jsonb values nest at most %d levels deep.", maxJSONBDepth)
	}
	if p.i >= len(p.s) {
		return JSONBValue{}, errJSONSyntax("The input string ended unexpectedly.")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		str, err := p.str()
		return JSONBValue{Kind: JSONBString, Scalar: str}, err
	case c == '-' || c >= '0' && c <= '9':
		num, err := p.number()
		return JSONBValue{Kind: JSONBNumber, Scalar: num}, err
	case p.literal("true"):
		return JSONBValue{Kind: JSONBBool, Scalar: "true"}, nil
	case p.literal("false"):
		return JSONBValue{Kind: JSONBBool, Scalar: "false"}, nil
	case p.literal("null"):
		return JSONBValue{Kind: JSONBNull}, nil
	}
	return JSONBValue{}, errJSONSyntax("Token is invalid.")
}

func (p *jsonbParser) object(depth int) (JSONBValue, error) {
	v := JSONBValue{Kind: JSONBObject}
	err := p.members('}', func() error {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return errJSONSyntax("Expected string.")
		}
		k, err := p.str()
		if err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return errJSONSyntax(`Expected ":".`)
		}
		p.i++
		p.ws()
		e, err := p.value(depth + 1)
		v.Keys = append(v.Keys, k)
		v.Elems = append(v.Elems, e)
		return err
	})
	v.sortKeys()
	return v, err
}

func (p *jsonbParser) array(depth int) (JSONBValue, error) {
	v := JSONBValue{Kind: JSONBArray}
	err := p.members(']', func() error {
		e, err := p.value(depth + 1)
		v.Elems = append(v.Elems, e)
		return err
	})
	return v, err
}

// members reads the comma-separated members of the object or array whose
// opening bracket is at p.i, through its closing bracket end.
func (p *jsonbParser) members(end byte, member func() error) error {
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == end {
		p.i++
		return nil
	}
	for {
		p.ws()
		if err := member(); err != nil {
			return err
		}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			return nil
		}
		return errJSONSyntax(`Expected "," or "` + string(end) + `".`)
	}
}

// sortKeys orders the members as jsonb does (shorter keys first, then by
// bytes) and keeps the last value of a duplicate key.
func (v *JSONBValue) sortKeys() {
	sorted := true
	for i := 1; i < len(v.Keys) && sorted; i++ {
		sorted = compareJSONBKeys(v.Keys[i-1], v.Keys[i]) < 0
	}
	if sorted {
		// Already jsonb's order without duplicates: the common case of
		// parsing a stored jsonb value again.
		return
	}
	idx := make([]int, len(v.Keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return compareJSONBKeys(v.Keys[a], v.Keys[b]) })
	keys := make([]string, 0, len(idx))
	elems := make([]JSONBValue, 0, len(idx))
	for _, i := range idx {
		if n := len(keys); n > 0 && keys[n-1] == v.Keys[i] {
			elems[n-1] = v.Elems[i] // stable sort: a later duplicate comes later
			continue
		}
		keys = append(keys, v.Keys[i])
		elems = append(elems, v.Elems[i])
	}
	v.Keys, v.Elems = keys, elems
}

func compareJSONBKeys(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// Lookup returns the value of key in an object.
func (v *JSONBValue) Lookup(key string) (JSONBValue, bool) {
	i, ok := slices.BinarySearchFunc(v.Keys, key, compareJSONBKeys)
	if !ok {
		return JSONBValue{}, false
	}
	return v.Elems[i], true
}

// SetKey gives an object's key the value val, adding the key in its
// place in jsonb's key order when it is new.
func (v *JSONBValue) SetKey(key string, val JSONBValue) {
	i, ok := slices.BinarySearchFunc(v.Keys, key, compareJSONBKeys)
	if ok {
		v.Elems[i] = val
		return
	}
	v.Keys = slices.Insert(v.Keys, i, key)
	v.Elems = slices.Insert(v.Elems, i, val)
}

// UnquoteJSON decodes s, one JSON string with its quotes, as PostgreSQL
// de-escapes a json value it returns as text (->>, json_object_keys,
// json_each_text): a lone or reversed surrogate is 22P02 and \u0000
// 22P05, which json input itself lets through.
func UnquoteJSON(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' {
		return "", errJSONSyntax("The input string ended unexpectedly.")
	}
	p := jsonbParser{s: s}
	v, err := p.str()
	if err == nil && p.i != len(s) {
		err = errJSONSyntax("Expected end of input, but found more.")
	}
	return v, err
}

// str decodes the string at p.s[p.i] == '"'.
func (p *jsonbParser) str() (string, error) {
	p.i++
	start := p.i
	var b []byte // nil while the string has no escapes
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			if b == nil {
				return p.s[start : p.i-1], nil
			}
			return string(b), nil
		case c < 0x20:
			return "", errJSONSyntax("Character with value 0x" + strconv.FormatInt(int64(c), 16) + " must be escaped.")
		case c == '\\':
			if b == nil {
				b = append([]byte(nil), p.s[start:p.i]...)
			}
			var err error
			if b, err = p.escape(b); err != nil {
				return "", err
			}
		default:
			if b != nil {
				b = append(b, c)
			}
			p.i++
		}
	}
	return "", errJSONSyntax("The input string ended unexpectedly.")
}

// escape appends the character of the escape at p.s[p.i] == '\\'.
func (p *jsonbParser) escape(b []byte) ([]byte, error) {
	if p.i+1 >= len(p.s) {
		return b, errJSONSyntax("The input string ended unexpectedly.")
	}
	c := p.s[p.i+1]
	p.i += 2
	switch c {
	case '"', '\\', '/':
		return append(b, c), nil
	case 'b':
		return append(b, '\b'), nil
	case 'f':
		return append(b, '\f'), nil
	case 'n':
		return append(b, '\n'), nil
	case 'r':
		return append(b, '\r'), nil
	case 't':
		return append(b, '\t'), nil
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return b, err
		}
		if utf16.IsSurrogate(r) {
			if r >= 0xdc00 || !strings.HasPrefix(p.s[p.i:], `\u`) {
				return b, errJSONSyntax("Unicode low surrogate must follow a high surrogate.")
			}
			p.i += 2
			lo, err := p.hex4()
			if err != nil {
				return b, err
			}
			if r = utf16.DecodeRune(r, lo); r == utf8.RuneError {
				return b, errJSONSyntax("Unicode low surrogate must follow a high surrogate.")
			}
		}
		if r == 0 {
			return b, New("22P05", "unsupported Unicode escape sequence").WithDetail(`\u0000 cannot be converted to text.`)
		}
		return utf8.AppendRune(b, r), nil
	}
	return b, errJSONSyntax(`Escape sequence "\` + string(c) + `" is invalid.`)
}

func (p *jsonbParser) hex4() (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, errJSONSyntax(`"\u" must be followed by four hexadecimal digits.`)
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, errJSONSyntax(`"\u" must be followed by four hexadecimal digits.`)
	}
	p.i += 4
	return rune(n), nil
}

// number reads a JSON number and returns it as numeric_out prints the
// numeric numeric_in makes of it: no exponent, scale max(0, fraction
// digits - exponent), no negative zero.
func (p *jsonbParser) number() (string, error) {
	start := p.i
	neg := p.s[p.i] == '-'
	if neg {
		p.i++
	}
	intStart := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	intDigits := p.s[intStart:p.i]
	if intDigits == "" || len(intDigits) > 1 && intDigits[0] == '0' {
		return "", errJSONSyntax("Token \"" + p.s[start:p.i] + "\" is invalid.")
	}
	var frac string
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		fs := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if frac = p.s[fs:p.i]; frac == "" {
			return "", errJSONSyntax("Token \"" + p.s[start:p.i] + "\" is invalid.")
		}
	}
	exp := 0
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		es := p.i
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		ds := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == ds {
			return "", errJSONSyntax("Token \"" + p.s[start:p.i] + "\" is invalid.")
		}
		e, err := strconv.Atoi(p.s[es:p.i])
		if err != nil || e > maxJSONBExponent || e < -maxJSONBExponent {
			return "", New(CodeNumericOutOfRange, "value overflows numeric format")
		}
		exp = e
	}
	return formatJSONBNumber(neg, intDigits+frac, len(frac)-exp), nil
}

// formatJSONBNumber prints digits × 10^-scale (scale may be negative).
func formatJSONBNumber(neg bool, digits string, scale int) string {
	if scale < 0 {
		digits += strings.Repeat("0", -scale)
		scale = 0
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	intPart, frac := strings.TrimLeft(digits[:len(digits)-scale], "0"), digits[len(digits)-scale:]
	if intPart == "" {
		intPart = "0"
	}
	var b strings.Builder
	if neg && strings.Trim(intPart+frac, "0") != "" {
		b.WriteByte('-')
	}
	b.WriteString(intPart)
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Append appends v in jsonb's output form.
func (v *JSONBValue) Append(dst []byte) []byte {
	switch v.Kind {
	case JSONBNull:
		return append(dst, "null"...)
	case JSONBString:
		return AppendJSONString(dst, v.Scalar)
	case JSONBNumber, JSONBBool:
		return append(dst, v.Scalar...)
	case JSONBArray:
		dst = append(dst, '[')
		for i := range v.Elems {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = v.Elems[i].Append(dst)
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	for i, k := range v.Keys {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = AppendJSONString(dst, k)
		dst = append(dst, ": "...)
		dst = v.Elems[i].Append(dst)
	}
	return append(dst, '}')
}

// AppendJSONString appends s as a JSON string the way PostgreSQL's
// escape_json writes it.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		case '\b':
			dst = append(dst, `\b`...)
		case '\f':
			dst = append(dst, `\f`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// Equal reports whether two jsonb values are equal as jsonb's = says:
// numbers by value (1.0 = 1), everything else exactly.
func (v *JSONBValue) Equal(w *JSONBValue) bool {
	if v.Kind != w.Kind || len(v.Elems) != len(w.Elems) {
		return false
	}
	switch v.Kind {
	case JSONBNumber:
		return numberKey(v.Scalar) == numberKey(w.Scalar)
	case JSONBObject:
		if !slices.Equal(v.Keys, w.Keys) {
			return false
		}
	case JSONBArray:
	default:
		return v.Scalar == w.Scalar
	}
	for i := range v.Elems {
		if !v.Elems[i].Equal(&w.Elems[i]) {
			return false
		}
	}
	return true
}

// numberKey drops the trailing fraction zeros of a normalized number.
func numberKey(s string) string {
	if strings.IndexByte(s, '.') < 0 {
		return s
	}
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// Contains reports v @> w: jsonb's containment. An object contains an
// object whose every key it has with a contained value; an array contains
// an array whose every element equals (scalars) or is contained in (the
// same kind of container) one of its elements; a top-level array also
// contains a scalar among its elements; scalars contain equal scalars.
func (v *JSONBValue) Contains(w *JSONBValue, top bool) bool {
	if top && v.Kind == JSONBArray && w.Kind != JSONBArray && w.Kind != JSONBObject {
		return v.Contains(&JSONBValue{Kind: JSONBArray, Elems: []JSONBValue{*w}}, false)
	}
	if v.Kind != w.Kind {
		return false
	}
	switch v.Kind {
	case JSONBObject:
		for i, k := range w.Keys {
			have, ok := v.Lookup(k)
			if !ok || !have.Contains(&w.Elems[i], false) {
				return false
			}
		}
		return true
	case JSONBArray:
		for i := range w.Elems {
			found := false
			for j := range v.Elems {
				if v.Elems[j].Contains(&w.Elems[i], false) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return v.Equal(w)
}

// HasKey reports v ? key: a key of an object, or a string element of an
// array, or the string itself.
func (v *JSONBValue) HasKey(key string) bool {
	switch v.Kind {
	case JSONBObject:
		_, ok := v.Lookup(key)
		return ok
	case JSONBArray:
		for i := range v.Elems {
			if v.Elems[i].Kind == JSONBString && v.Elems[i].Scalar == key {
				return true
			}
		}
	case JSONBString:
		return v.Scalar == key
	}
	return false
}
