package jsonpath

import (
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// tri is a predicate's three-valued result.
type tri uint8

const (
	pFalse tri = iota
	pTrue
	pUnknown
)

func triOf(b bool) tri {
	if b {
		return pTrue
	}
	return pFalse
}

// predicate evaluates a predicate over cur. Errors inside it make it
// unknown, as in PostgreSQL, except those no silent mode hides (a
// missing variable).
func (x *exec) predicate(n *node, cur item) (tri, error) {
	switch n.op {
	case opAnd, opOr:
		l, err := x.predicate(n.l, cur)
		if err != nil {
			return 0, err
		}
		short := pFalse
		if n.op == opOr {
			short = pTrue
		}
		if l == short {
			return l, nil
		}
		r, err := x.predicate(n.r, cur)
		if err != nil || r == short {
			return r, err
		}
		if l == pUnknown || r == pUnknown {
			return pUnknown, nil
		}
		return r, nil
	case opNot:
		r, err := x.predicate(n.l, cur)
		switch r {
		case pTrue:
			r = pFalse
		case pFalse:
			r = pTrue
		}
		return r, err
	case opIsUnknown:
		r, err := x.predicate(n.l, cur)
		return triOf(r == pUnknown), err
	case opExists:
		s := &sink{}
		if x.lax() {
			s.limit = 1
		}
		err := x.eval(n.l, cur, x.lax(), s)
		if err == errLimit {
			err = nil
		}
		if err != nil {
			return x.unknown(err)
		}
		return triOf(len(s.items) > 0), nil
	case opEq, opNe, opLt, opGt, opLe, opGe:
		return x.pairs(n, cur, true, func(l, r item) (tri, error) { return x.compare(n.op, l, r) })
	case opStartsWith:
		return x.pairs(n, cur, false, func(l, r item) (tri, error) {
			if !isString(l) || !isString(r) {
				return pUnknown, nil
			}
			return triOf(strings.HasPrefix(l.v.Scalar, r.v.Scalar)), nil
		})
	case opLikeRegex:
		return x.pairs(n, cur, false, func(l, _ item) (tri, error) {
			if !isString(l) {
				return pUnknown, nil
			}
			m, err := n.re.MatchString(l.v.Scalar)
			if err != nil {
				return pUnknown, err
			}
			return triOf(m), nil
		})
	}
	// A path where a predicate is wanted (`(@.a).b` in a filter) cannot
	// be parsed; stay safe.
	return pUnknown, nil
}

// unknown turns an error inside a predicate into unknown, unless no
// silent mode may hide it.
func (x *exec) unknown(err error) (tri, error) {
	if Suppressible(err) {
		return pUnknown, nil
	}
	return 0, err
}

// pairs evaluates a predicate over every pair of items of its operands
// (lax mode unwraps arrays in them): true if any pair is true, unknown
// if a pair is unknown and none true (strict mode: if any is unknown).
func (x *exec) pairs(n *node, cur item, unwrapRight bool, f func(l, r item) (tri, error)) (tri, error) {
	ls, err := x.seq(n.l, cur, true)
	if err != nil {
		return x.unknown(err)
	}
	rs := []item{{}}
	if n.r != nil {
		if rs, err = x.seq(n.r, cur, unwrapRight); err != nil {
			return x.unknown(err)
		}
	}
	found, failed := false, false
	for _, l := range ls {
		for _, r := range rs {
			res, err := f(l, r)
			if err != nil {
				return 0, err
			}
			switch res {
			case pUnknown:
				if !x.lax() {
					return pUnknown, nil
				}
				failed = true
			case pTrue:
				if x.lax() {
					return pTrue, nil
				}
				found = true
			}
		}
	}
	switch {
	case found:
		return pTrue, nil
	case failed:
		return pUnknown, nil
	}
	return pFalse, nil
}

// isString reports whether it is a JSON string (a datetime item is not).
func isString(it item) bool { return it.v.Kind == sqltypes.JSONBString && it.dt == nil }

// compare compares two items as PostgreSQL's jsonpath does: scalars of
// one kind by value (strings by code point), datetimes as datetimes, null
// equal only to null, anything else unknown.
func (x *exec) compare(o op, li, ri item) (tri, error) {
	if li.dt != nil || ri.dt != nil {
		switch {
		case li.dt != nil && ri.dt != nil:
			c, ok, err := compareDatetimes(li.dt, ri.dt, x.zone)
			if err != nil || !ok {
				return pUnknown, err
			}
			return cmpResult(o, c), nil
		case li.v.Kind == sqltypes.JSONBNull || ri.v.Kind == sqltypes.JSONBNull:
			return triOf(o == opNe), nil
		}
		return pUnknown, nil
	}
	return compare(o, li.v, ri.v), nil
}

func compare(o op, l, r *jv) tri {
	if l.Kind != r.Kind {
		if l.Kind == sqltypes.JSONBNull || r.Kind == sqltypes.JSONBNull {
			return triOf(o == opNe)
		}
		return pUnknown
	}
	var c int
	switch l.Kind {
	case sqltypes.JSONBNull:
	case sqltypes.JSONBBool:
		c = strings.Compare(l.Scalar, r.Scalar) // "false" < "true"
	case sqltypes.JSONBNumber:
		c = cmpNumText(l.Scalar, r.Scalar)
	case sqltypes.JSONBString:
		c = strings.Compare(l.Scalar, r.Scalar) // UTF-8 bytes order as code points
	default:
		return pUnknown
	}
	return cmpResult(o, c)
}

// cmpResult is comparison o given c, the sign of left - right.
func cmpResult(o op, c int) tri {
	switch o {
	case opEq:
		return triOf(c == 0)
	case opNe:
		return triOf(c != 0)
	case opLt:
		return triOf(c < 0)
	case opGt:
		return triOf(c > 0)
	case opLe:
		return triOf(c <= 0)
	}
	return triOf(c >= 0)
}
