package expr

import (
	"encoding/json"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// A small validating JSON scanner over the text form of json values. It
// finds the byte span of an object field or array element without
// building a tree, so -> returns the value's original text as PostgreSQL
// does for json.

// errBadJSON is 22P02, PostgreSQL's error for malformed json input.
func errBadJSON() error {
	return sqltypes.New(sqltypes.CodeInvalidTextRepr, "invalid input syntax for type json")
}

func jsonWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// jsonString returns the end (after the closing quote) of the string
// starting at s[i] == '"', and whether it contains escapes.
func jsonString(s string, i int) (int, bool, error) {
	esc := false
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			esc = true
			j++
		case '"':
			return j + 1, esc, nil
		default:
			if s[j] < 0x20 {
				return 0, false, errBadJSON()
			}
		}
	}
	return 0, false, errBadJSON()
}

// jsonValue returns the end of the value starting at s[i] (no leading
// whitespace). visit, when not nil, is called for each member of a
// top-level object (key span) or array (key -1) with the member's value
// span.
func jsonValue(s string, i int, visit func(kStart, kEnd int, kEsc bool, vStart, vEnd int)) (int, error) {
	if i >= len(s) {
		return 0, errBadJSON()
	}
	switch c := s[i]; {
	case c == '"':
		end, _, err := jsonString(s, i)
		return end, err
	case c == '{' || c == '[':
		obj := c == '{'
		close := byte(']')
		if obj {
			close = '}'
		}
		j := jsonWS(s, i+1)
		if j < len(s) && s[j] == close {
			return j + 1, nil
		}
		for {
			ks, ke, kesc := -1, -1, false
			if obj {
				if j >= len(s) || s[j] != '"' {
					return 0, errBadJSON()
				}
				end, esc, err := jsonString(s, j)
				if err != nil {
					return 0, err
				}
				ks, ke, kesc = j, end, esc
				j = jsonWS(s, end)
				if j >= len(s) || s[j] != ':' {
					return 0, errBadJSON()
				}
				j = jsonWS(s, j+1)
			}
			vs := j
			end, err := jsonValue(s, j, nil)
			if err != nil {
				return 0, err
			}
			if visit != nil {
				visit(ks, ke, kesc, vs, end)
			}
			j = jsonWS(s, end)
			if j >= len(s) {
				return 0, errBadJSON()
			}
			if s[j] == close {
				return j + 1, nil
			}
			if s[j] != ',' {
				return 0, errBadJSON()
			}
			j = jsonWS(s, j+1)
		}
	case c == '-' || c >= '0' && c <= '9':
		j := i
		for j < len(s) && strings.IndexByte("+-0123456789.eE", s[j]) >= 0 {
			j++
		}
		if !json.Valid([]byte(s[i:j])) {
			return 0, errBadJSON()
		}
		return j, nil
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(s[i:], lit) {
				return i + len(lit), nil
			}
		}
	}
	return 0, errBadJSON()
}

// jsonKind is the first byte of a value span: '{', '[', '"', 'n' (null)…
func jsonKind(v string) byte {
	if v == "" {
		return 0
	}
	return v[0]
}

// jsonStep selects field key (isIndex false) or element idx of doc and
// returns the member's text. found is false when doc is not an object
// (array) or has no such member; the whole of doc is validated.
func jsonStep(doc string, key string, idx int, isIndex bool) (string, bool, error) {
	start := jsonWS(doc, 0)
	kind := byte(0)
	if start < len(doc) {
		kind = doc[start]
	}
	var out string
	found := false
	var elems [][2]int
	var decErr error
	visit := func(ks, ke int, kesc bool, vs, ve int) {
		switch {
		case isIndex && kind == '[':
			elems = append(elems, [2]int{vs, ve})
		case !isIndex && kind == '{':
			k, err := jsonKey(doc, ks, ke, kesc)
			if err != nil {
				decErr = err
				return
			}
			if k == key { // the last duplicate wins, as in PostgreSQL
				out, found = doc[vs:ve], true
			}
		}
	}
	end, err := jsonValue(doc, start, visit)
	if err != nil {
		return "", false, err
	}
	if decErr != nil {
		return "", false, decErr
	}
	if jsonWS(doc, end) != len(doc) {
		return "", false, errBadJSON()
	}
	if isIndex && kind == '[' {
		if idx < 0 {
			idx += len(elems)
		}
		if idx < 0 || idx >= len(elems) {
			return "", false, nil
		}
		return doc[elems[idx][0]:elems[idx][1]], true, nil
	}
	return out, found, nil
}

// jsonKey is the member name doc[ks:ke] (a JSON string, with escapes
// when kesc) decoded.
func jsonKey(doc string, ks, ke int, kesc bool) (string, error) {
	if !kesc {
		return doc[ks+1 : ke-1], nil
	}
	return sqltypes.UnquoteJSON(doc[ks:ke])
}

// jsonText is ->>'s rendering of a member: strings unquoted, null is SQL
// NULL, anything else its JSON text.
func jsonText(dst []byte, v string) ([]byte, bool, error) {
	switch jsonKind(v) {
	case 'n':
		return dst, true, nil
	case '"':
		if !strings.ContainsRune(v, '\\') {
			return append(dst, v[1:len(v)-1]...), false, nil
		}
		s, err := sqltypes.UnquoteJSON(v)
		if err != nil {
			return nil, false, err
		}
		return append(dst, s...), false, nil
	}
	return append(dst, v...), false, nil
}
