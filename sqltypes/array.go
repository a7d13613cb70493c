package sqltypes

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Arrays. PostgreSQL has one array type per element type (int4[] whatever
// the number of dimensions) and keeps each value's dimensions with it.
// meshql stores an n-dimensional array as n nested Arrow lists (a 2-D
// int4[] is list<list<int32>>), so the element type of the outermost List
// is itself a List: ListOf(ListOf(TypeInt4)). The name, OID and binary
// format are those of the element type's one array type; only the Arrow
// shape tells the dimensions apart. Every value of such a type is either
// empty (PostgreSQL's zero-dimensional '{}') or rectangular, with no NULL
// sub-array and no empty one: constructors, casts and aggregates enforce
// it, so the kernels may read a value's dimensions off its first
// sub-list at each level.

// MaxArrayDims is PostgreSQL's limit on an array's dimensions (MAXDIM).
const MaxArrayDims = 6

// ErrTooManyDims is PostgreSQL's error for an array of more than
// MaxArrayDims dimensions.
func ErrTooManyDims(n int) *Error {
	return New(CodeProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", n, MaxArrayDims)
}

// ErrNoArrayType is PostgreSQL's 42704 for an array of a type that has
// none (void).
func ErrNoArrayType(t Type) *Error {
	return New(CodeUndefinedObject, "could not find array type for data type %s", t)
}

// Ndims is the number of dimensions of an array type (0 for a scalar).
func (t Type) Ndims() int {
	n := 0
	for t.Kind == List && t.Elem != nil {
		n, t = n+1, *t.Elem
	}
	return n
}

// Leaf is the element type of an array type of any dimensions (t itself
// for a scalar).
func (t Type) Leaf() Type {
	for t.Kind == List && t.Elem != nil {
		t = *t.Elem
	}
	return t
}

// ArrayOf returns the n-dimensional array type of leaf (leaf when n <= 0).
func ArrayOf(leaf Type, n int) Type {
	for ; n > 0; n-- {
		leaf = ListOf(leaf)
	}
	return leaf
}

// ArrayTextNdims counts the dimensions an array literal spells by its
// leading braces ('{{1,2},{3,4}}' has 2; '{}' 1), so that a constant cast
// to int[] gets the Arrow shape of its value.
func ArrayTextNdims(s string) int {
	if _, rest, err := arrayBounds(trimSpace(s), func(string) error { return errors.New("") }); err == nil {
		s = rest
	}
	n := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '{':
			n++
		case isSpace(s[i]):
		default:
			return max(n, 1)
		}
	}
	return max(n, 1)
}

// arrText is one parsed node of an array literal: a sub-array (kids) or an
// element's text.
type arrText struct {
	kids   []arrText
	sub    bool
	s      string
	isNull bool
}

// ParseArray parses array_in's text ({1,2,NULL}, {"a b",c},
// {{1,2},{3,4}}) into a value of the array type whose element type is
// elem: nested []any, one level per dimension. Sub-arrays must match in
// size (22P02, as in PostgreSQL); '{}' is the empty array of any
// dimensions. A literal with more or fewer dimensions than the type is
// 0A000: meshql fixes an array's dimensions when it binds the query, which
// a text value read at run time cannot change.
func ParseArray(elem Type, s string) ([]any, error) {
	return ParseArrayIn(elem, s, InputContext{})
}

// ParseArrayIn is ParseArray with the elements read in the session's
// context (see ParseValueIn).
func ParseArrayIn(elem Type, s string, ctx InputContext) ([]any, error) {
	bad := func(detail string) error {
		return New(CodeInvalidTextRepr, "malformed array literal: %q", s).WithDetail("%s", detail)
	}
	t := trimSpace(s)
	dims, t, err := arrayBounds(t, bad)
	if err != nil {
		return nil, err
	}
	if len(t) < 2 || t[0] != '{' {
		return nil, bad(`Array value must start with "{" or dimension information.`)
	}
	p := arrParser{s: t}
	root, err := p.list(1)
	if depth, ok := err.(tooDeep); ok {
		return nil, ErrTooManyDims(int(depth))
	}
	if err != nil {
		return nil, bad(err.Error())
	}
	if p.skipSpace(); p.i != len(p.s) {
		return nil, bad("Junk after closing right brace.")
	}
	if len(root.kids) == 0 {
		if dims != nil {
			return nil, bad("Specified array dimensions do not match array contents.")
		}
		return []any{}, nil
	}
	var shape []int
	if !arrShape(root, 0, &shape) {
		return nil, bad("Multidimensional arrays must have sub-arrays with matching dimensions.")
	}
	if dims != nil && !slices.Equal(dims, shape) {
		return nil, bad("Specified array dimensions do not match array contents.")
	}
	want := ListOf(elem).Ndims()
	if len(shape) != want {
		return nil, New(CodeFeatureNotSupported, "array value %q has %d dimensions where a %d-dimensional %s is expected", s, len(shape), want, ListOf(elem)).
			WithHint("Cast a constant: meshql fixes an array's number of dimensions when it plans the query.")
	}
	v, err := arrValues(root, elem.Leaf(), ctx)
	if err != nil {
		return nil, err
	}
	return v.([]any), nil
}

// arrayBounds reads the explicit dimensions an array literal may start
// with ('[1:2][1:3]={...}', '[2]={...}'), returning each dimension's
// length and the text after the '='. meshql's arrays all have lower
// bound 1 (0A000 for another): a value's bounds are not kept.
func arrayBounds(t string, bad func(string) error) (dims []int, rest string, err error) {
	for t != "" && t[0] == '[' {
		end := strings.IndexByte(t, ']')
		if end < 0 {
			return nil, "", bad(`Missing "]" in array dimensions.`)
		}
		spec := t[1:end]
		t = trimSpace(t[end+1:])
		lo, hi := "1", spec
		if k := strings.IndexByte(spec, ':'); k >= 0 {
			lo, hi = spec[:k], spec[k+1:]
		}
		l, errL := strconv.Atoi(trimSpace(lo))
		h, errH := strconv.Atoi(trimSpace(hi))
		if errL != nil || errH != nil {
			return nil, "", bad(`"[" must introduce explicitly-specified array dimensions.`)
		}
		if h < l {
			return nil, "", New(CodeArraySubscriptError, "upper bound cannot be less than lower bound")
		}
		if l != 1 {
			return nil, "", New(CodeFeatureNotSupported, "array lower bound %d is not supported", l).
				WithHint("meshql's arrays start at index 1.")
		}
		if len(dims) == MaxArrayDims {
			return nil, "", ErrTooManyDims(len(dims) + 1)
		}
		dims = append(dims, h-l+1)
	}
	if dims == nil {
		return nil, t, nil
	}
	if t == "" || t[0] != '=' {
		return nil, "", bad(`Missing "=" after array dimensions.`)
	}
	if t = trimSpace(t[1:]); t == "" || t[0] != '{' {
		return nil, "", bad(`Array contents must start with "{".`)
	}
	return dims, t, nil
}

// arrShape records the length of each level in shape and reports whether
// every sub-array agrees with it (no empty sub-array, no mix of
// sub-arrays and elements).
func arrShape(n arrText, depth int, shape *[]int) bool {
	if depth == len(*shape) {
		if len(n.kids) == 0 {
			return false
		}
		*shape = append(*shape, len(n.kids))
	} else if len(n.kids) != (*shape)[depth] {
		return false
	}
	sub := n.kids[0].sub
	for _, k := range n.kids {
		if k.sub != sub {
			return false
		}
		if sub && !arrShape(k, depth+1, shape) {
			return false
		}
	}
	if !sub && depth+1 != len(*shape) {
		return false
	}
	return true
}

func arrValues(n arrText, leaf Type, ctx InputContext) (any, error) {
	if !n.sub {
		if n.isNull {
			return nil, nil
		}
		return ParseValueIn(leaf, n.s, ctx)
	}
	out := make([]any, len(n.kids))
	for i, k := range n.kids {
		v, err := arrValues(k, leaf, ctx)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

type arrParser struct {
	s string
	i int
}

func (p *arrParser) skipSpace() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
}

type arrSyntaxError string

func (e arrSyntaxError) Error() string { return string(e) }

// tooDeep is a literal with more than MaxArrayDims levels of braces.
type tooDeep int

func (e tooDeep) Error() string { return "too many dimensions" }

// list parses {…} at p.i, the depth-th level of braces.
func (p *arrParser) list(depth int) (arrText, error) {
	if depth > MaxArrayDims {
		return arrText{}, tooDeep(depth)
	}
	p.i++ // '{'
	out := arrText{sub: true}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return out, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return out, arrSyntaxError("Unexpected end of input.")
		}
		var el arrText
		var err error
		if p.s[p.i] == '{' {
			el, err = p.list(depth + 1)
		} else {
			el, err = p.element()
		}
		if err != nil {
			return out, err
		}
		out.kids = append(out.kids, el)
		p.skipSpace()
		if p.i >= len(p.s) {
			return out, arrSyntaxError("Unexpected end of input.")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return out, nil
		default:
			return out, arrSyntaxError("Unexpected array element.")
		}
	}
}

// element parses one quoted or unquoted element at p.i.
func (p *arrParser) element() (arrText, error) {
	var sb strings.Builder
	if p.s[p.i] == '"' {
		p.i++
		for p.i < len(p.s) && p.s[p.i] != '"' {
			if p.s[p.i] == '\\' && p.i+1 < len(p.s) {
				p.i++
			}
			sb.WriteByte(p.s[p.i])
			p.i++
		}
		if p.i >= len(p.s) {
			return arrText{}, arrSyntaxError("Unexpected end of input.")
		}
		p.i++
		return arrText{s: sb.String()}, nil
	}
	for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != '}' {
		switch p.s[p.i] {
		case '{', '"':
			return arrText{}, arrSyntaxError("Unexpected array element.")
		case '\\':
			if p.i+1 < len(p.s) {
				p.i++
			}
		}
		sb.WriteByte(p.s[p.i])
		p.i++
	}
	el := trimSpace(sb.String())
	if el == "" && p.i < len(p.s) {
		// An unquoted element must have text: '{a,}' and '{a,,b}' are
		// malformed ('{"",a}' is the empty string).
		return arrText{}, arrSyntaxError(`Unexpected "` + p.s[p.i:p.i+1] + `" character.`)
	}
	return arrText{s: el, isNull: strings.EqualFold(el, "null")}, nil
}

// ArrayLevels returns the lists of an n-dimensional array column,
// outermost first (levels[k+1] is levels[k]'s values); ok is false when a
// holds fewer nested lists than that.
func ArrayLevels(a arrow.Array, n int) (levels []array.ListLike, ok bool) {
	for k := 0; k < n; k++ {
		l, isList := a.(array.ListLike)
		if !isList {
			return nil, false
		}
		levels, a = append(levels, l), l.ListValues()
	}
	return levels, len(levels) > 0
}

// ArrayElements returns the range of row i's elements in the innermost
// values of levels (row-major order) and appends the value's dimensions
// to dims (none for an empty array). Values are rectangular (see above),
// so each dimension is the length of the first sub-array at its level.
func ArrayElements(levels []array.ListLike, i int, dims []int32) (start, end int64, _ []int32) {
	at := len(dims)
	start, end = levels[0].ValueOffsets(i)
	if end <= start {
		return start, start, dims
	}
	dims = append(dims, int32(end-start))
	for k := 1; k < len(levels); k++ {
		s0, e0 := levels[k].ValueOffsets(int(start))
		_, eN := levels[k].ValueOffsets(int(end - 1))
		if e0 <= s0 {
			return s0, s0, dims[:at] // not rectangular: read as empty
		}
		dims = append(dims, int32(e0-s0))
		start, end = s0, eN
	}
	return start, end, dims
}

// RaggedArrayRow returns the first valid row of a multidimensional array
// column (levels from ArrayLevels) that is no PostgreSQL array — a NULL or
// empty sub-array, or sub-arrays of different sizes at one level, as a
// Parquet list of lists may hold — or -1 when every row is one.
func RaggedArrayRow(levels []array.ListLike) int {
	outer := levels[0]
	for i := 0; i < outer.Len(); i++ {
		if outer.IsNull(i) {
			continue
		}
		start, end := outer.ValueOffsets(i)
		for k := 1; k < len(levels) && end > start; k++ {
			l := levels[k]
			s0, e0 := l.ValueOffsets(int(start))
			for j := start; j < end; j++ {
				s, e := l.ValueOffsets(int(j))
				if l.IsNull(int(j)) || e-s != e0-s0 || e == s {
					return i
				}
			}
			_, eN := l.ValueOffsets(int(end - 1))
			start, end = s0, eN
		}
	}
	return -1
}
