package jsonpath

import (
	"errors"
	"sort"

	"github.com/meshql/meshql/sqltypes"
)

type jv = sqltypes.JSONBValue

// item is one value of a path's sequence: a pointer into the document
// (or the vars, or a generated object), with the container it lives in,
// whose layout gives .keyvalue() its ids. A .datetime() item has dt
// too; v is then the ISO string it becomes in jsonb.
type item struct {
	v    *jv
	base *base
	dt   *datetime
}

// exec is one evaluation of a path over one document.
type exec struct {
	path             *Path
	zone             *Zone // nil outside the _tz functions
	ignoreStructural bool  // lax mode, or inside .**
	root             item
	vars             *jv
	varsBase         *base
	current          item // @ inside a filter
	arraySize        int  // the array subscripted, for last (-1 outside)
	nextID           int64
}

// errLimit stops an evaluation once a caller has the items it needs.
var errLimit = errors.New("jsonpath: enough items")

type sink struct {
	items []item
	limit int // 0: all
}

func (s *sink) add(it item) error {
	s.items = append(s.items, it)
	if s.limit > 0 && len(s.items) >= s.limit {
		return errLimit
	}
	return nil
}

// Query returns the items the path selects in doc, at most limit of
// them (0: all). vars is the object of $name variables (nil: none); zone
// is the session's time zone in the _tz functions, nil in the others.
// Errors carry PostgreSQL's SQLSTATEs; Suppressible tells which of them
// silent => true hides.
func (p *Path) Query(doc, vars *jv, limit int, zone *Zone) ([]jv, error) {
	its, err := p.run(doc, vars, limit, zone)
	out := make([]jv, len(its))
	for i, it := range its {
		out[i] = *it.v
	}
	return out, err
}

// Exists reports whether the path selects any item. In lax mode it stops
// at the first; in strict mode it evaluates everything, so that errors
// surface, as PostgreSQL does.
func (p *Path) Exists(doc, vars *jv, zone *Zone) (bool, error) {
	limit := 1
	if p.strict {
		limit = 0
	}
	its, err := p.run(doc, vars, limit, zone)
	return len(its) > 0, err
}

// Match returns the one boolean the path (a predicate) gives; null for
// unknown or a JSON null. Any other result is 22038.
func (p *Path) Match(doc, vars *jv, zone *Zone) (v, null bool, err error) {
	its, err := p.run(doc, vars, 0, zone)
	if err != nil {
		return false, false, err
	}
	if len(its) == 1 {
		switch its[0].v.Kind {
		case sqltypes.JSONBBool:
			return its[0].v.Scalar == "true", false, nil
		case sqltypes.JSONBNull:
			return false, true, nil
		}
	}
	return false, false, sqltypes.New("22038", "single boolean result is expected")
}

// Suppressible reports whether silent => true hides err, as PostgreSQL's
// jsonpath functions do: everything but a missing variable, bad vars and
// features meshql lacks.
func Suppressible(err error) bool {
	switch sqltypes.Code(err) {
	case sqltypes.CodeUndefinedObject, sqltypes.CodeInvalidParameterValue, sqltypes.CodeFeatureNotSupported, sqltypes.CodeStackDepthExceeded, sqltypes.CodeInternal:
		return false
	}
	return true
}

func (p *Path) run(doc, vars *jv, limit int, zone *Zone) ([]item, error) {
	if vars != nil && vars.Kind != sqltypes.JSONBObject {
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "\"vars\" argument is not an object").
			WithDetail("Jsonpath parameters should be encoded as key-value pairs of \"vars\" object.")
	}
	x := &exec{path: p, zone: zone, ignoreStructural: !p.strict, vars: vars, arraySize: -1, nextID: 2}
	x.root = item{v: doc, base: &base{id: 0, root: doc}}
	x.varsBase = &base{id: 1, root: vars}
	s := &sink{limit: limit}
	err := x.eval(p.root, x.root, !p.strict, s)
	if err == errLimit {
		err = nil
	}
	return s.items, err
}

func (x *exec) lax() bool { return !x.path.strict }

func structural(code, format string, args ...any) error { return sqltypes.New(code, format, args...) }

// next applies n's successor to v, or yields v at the end of the chain.
func (x *exec) next(n *node, v item, s *sink) error {
	if n.next == nil {
		return s.add(v)
	}
	return x.eval(n.next, v, x.lax(), s)
}

func scalar(kind sqltypes.JSONBKind, text string) item {
	return item{v: &jv{Kind: kind, Scalar: text}}
}

// eval applies item n to cur and the rest of its chain, adding the
// results to s. unwrap says whether an array cur is unwrapped first by
// accessors that want a non-array (lax mode, except for the elements of
// an array already unwrapped).
func (x *exec) eval(n *node, cur item, unwrap bool, s *sink) error {
	switch n.op {
	case opNull:
		return x.next(n, item{v: &jv{Kind: sqltypes.JSONBNull}}, s)
	case opBool:
		return x.next(n, scalar(sqltypes.JSONBBool, n.s), s)
	case opNumber:
		return x.next(n, scalar(sqltypes.JSONBNumber, n.s), s)
	case opString:
		return x.next(n, scalar(sqltypes.JSONBString, n.s), s)
	case opRoot:
		return x.next(n, x.root, s)
	case opCurrent:
		return x.next(n, x.current, s)
	case opVar:
		v, err := x.variable(n.s)
		if err != nil {
			return err
		}
		return x.next(n, v, s)
	case opLast:
		if x.arraySize < 0 {
			return sqltypes.New("22033", "evaluating jsonpath LAST outside of array subscript")
		}
		return x.next(n, item{v: &jv{Kind: sqltypes.JSONBNumber, Scalar: numFromInt(int64(x.arraySize - 1)).String()}}, s)
	case opKey:
		switch {
		case cur.v.Kind == sqltypes.JSONBObject:
			if i, ok := keyIndex(cur.v, n.s); ok {
				return x.next(n, item{v: &cur.v.Elems[i], base: cur.base}, s)
			}
			if !x.ignoreStructural {
				return structural("2203A", "JSON object does not contain key \"%s\"", n.s)
			}
		case unwrap && cur.v.Kind == sqltypes.JSONBArray:
			return x.unwrapArray(n, cur, s)
		case !x.ignoreStructural:
			return structural("2203A", "jsonpath member accessor can only be applied to an object")
		}
		return nil
	case opAnyKey:
		switch {
		case cur.v.Kind == sqltypes.JSONBObject:
			for i := range cur.v.Elems {
				if err := x.next(n, item{v: &cur.v.Elems[i], base: cur.base}, s); err != nil {
					return err
				}
			}
		case unwrap && cur.v.Kind == sqltypes.JSONBArray:
			return x.unwrapArray(n, cur, s)
		case !x.ignoreStructural:
			return structural("2203C", "jsonpath wildcard member accessor can only be applied to an object")
		}
		return nil
	case opAnyArray:
		switch {
		case cur.v.Kind == sqltypes.JSONBArray:
			for i := range cur.v.Elems {
				if err := x.next(n, item{v: &cur.v.Elems[i], base: cur.base}, s); err != nil {
					return err
				}
			}
		case x.lax():
			return x.next(n, cur, s)
		case !x.ignoreStructural:
			return structural("22039", "jsonpath wildcard array accessor can only be applied to an array")
		}
		return nil
	case opIndex:
		return x.index(n, cur, s)
	case opAny:
		return x.any(n, cur, s)
	case opFilter:
		if unwrap && cur.v.Kind == sqltypes.JSONBArray {
			return x.unwrapArray(n, cur, s)
		}
		saved := x.current
		x.current = cur
		res, err := x.predicate(n.l, cur)
		x.current = saved
		if err != nil || res != pTrue {
			return err
		}
		return x.next(n, cur, s)
	case opMethod:
		return x.method(n, cur, unwrap, s)
	case opAdd, opSub, opMul, opDiv, opMod:
		return x.arith(n, cur, s)
	case opPlus, opMinus:
		return x.unary(n, cur, s)
	}
	// A predicate used as a value: true, false, or null for unknown.
	res, err := x.predicate(n, cur)
	if err != nil {
		return err
	}
	v := item{v: &jv{Kind: sqltypes.JSONBNull}}
	if res != pUnknown {
		v = scalar(sqltypes.JSONBBool, map[tri]string{pTrue: "true", pFalse: "false"}[res])
	}
	return x.next(n, v, s)
}

// unwrapArray applies n to each element of the array cur, without
// unwrapping them again.
func (x *exec) unwrapArray(n *node, cur item, s *sink) error {
	for i := range cur.v.Elems {
		if err := x.eval(n, item{v: &cur.v.Elems[i], base: cur.base}, false, s); err != nil {
			return err
		}
	}
	return nil
}

func (x *exec) variable(name string) (item, error) {
	if x.vars != nil {
		if i, ok := keyIndex(x.vars, name); ok {
			return item{v: &x.vars.Elems[i], base: x.varsBase}, nil
		}
	}
	return item{}, sqltypes.New(sqltypes.CodeUndefinedObject, "could not find jsonpath variable \"%s\"", name)
}

// keyIndex finds key in an object's keys, which jsonb sorts by length
// and then bytes.
func keyIndex(obj *jv, key string) (int, bool) {
	i := sort.Search(len(obj.Keys), func(i int) bool {
		k := obj.Keys[i]
		if len(k) != len(key) {
			return len(k) > len(key)
		}
		return k >= key
	})
	return i, i < len(obj.Keys) && obj.Keys[i] == key
}

func (x *exec) index(n *node, cur item, s *sink) error {
	isArray := cur.v.Kind == sqltypes.JSONBArray
	if !isArray && !x.lax() {
		if !x.ignoreStructural {
			return structural("22039", "jsonpath array accessor can only be applied to an array")
		}
		return nil
	}
	size := 1
	if isArray {
		size = len(cur.v.Elems)
	}
	savedSize := x.arraySize
	x.arraySize = size
	defer func() { x.arraySize = savedSize }()
	for _, sub := range n.subs {
		from, err := x.subscript(sub.from, cur)
		if err != nil {
			return err
		}
		to := from
		if sub.to != nil {
			if to, err = x.subscript(sub.to, cur); err != nil {
				return err
			}
		}
		if !x.ignoreStructural && (from < 0 || from > to || to >= int64(size)) {
			return structural("22033", "jsonpath array subscript is out of bounds")
		}
		from, to = max(from, 0), min(to, int64(size)-1)
		for i := from; i <= to; i++ {
			v := cur
			if isArray {
				v = item{v: &cur.v.Elems[i], base: cur.base}
			}
			if err := x.next(n, v, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// subscript evaluates one array subscript: a single number, truncated.
func (x *exec) subscript(e *node, cur item) (int64, error) {
	s := &sink{}
	if err := x.eval(e, cur, x.lax(), s); err != nil {
		return 0, err
	}
	if len(s.items) != 1 || s.items[0].v.Kind != sqltypes.JSONBNumber {
		return 0, structural("22033", "jsonpath array subscript is not a single numeric value")
	}
	i, ok := parseNum(s.items[0].v.Scalar).truncInt32()
	if !ok {
		return 0, structural("22033", "jsonpath array subscript is out of integer range")
	}
	return i, nil
}

// any evaluates .**{first to last}: the item itself at level 0, then
// every member and element below it, depth first, with structural
// errors of what follows ignored.
func (x *exec) any(n *node, cur item, s *sink) error {
	saved := x.ignoreStructural
	x.ignoreStructural = true
	defer func() { x.ignoreStructural = saved }()
	if n.first == 0 {
		if err := x.next(n, cur, s); err != nil {
			return err
		}
	}
	return x.anyLevel(n, cur, 1, s)
}

func (x *exec) anyLevel(n *node, cur item, level uint32, s *sink) error {
	if level > n.last || cur.v.Kind != sqltypes.JSONBArray && cur.v.Kind != sqltypes.JSONBObject {
		return nil
	}
	for i := range cur.v.Elems {
		v := item{v: &cur.v.Elems[i], base: cur.base}
		container := v.v.Kind == sqltypes.JSONBArray || v.v.Kind == sqltypes.JSONBObject
		if level >= n.first || n.first == anyLast && n.last == anyLast && !container {
			if err := x.next(n, v, s); err != nil {
				return err
			}
		}
		if level < n.last && container {
			if err := x.anyLevel(n, v, level+1, s); err != nil {
				return err
			}
		}
	}
	return nil
}
