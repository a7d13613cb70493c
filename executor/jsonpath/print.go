package jsonpath

import (
	"strconv"

	"github.com/meshql/meshql/sqltypes"
)

// String prints the path as PostgreSQL's jsonpath output does: keys and
// strings quoted, numbers as numeric prints them, and parentheses where
// an operand binds no tighter than its operator (the whole expression
// parenthesized at the top).
func (p *Path) String() string {
	var b []byte
	if p.strict {
		b = append(b, "strict "...)
	}
	return string(p.root.print(b, false, true))
}

// priority orders operators for parenthesization, as PostgreSQL's
// operationPriority does.
func priority(o op) int {
	switch o {
	case opOr:
		return 0
	case opAnd:
		return 1
	case opEq, opNe, opLt, opGt, opLe, opGe, opStartsWith:
		return 2
	case opAdd, opSub:
		return 3
	case opMul, opDiv, opMod:
		return 4
	case opPlus, opMinus:
		return 5
	}
	return 6
}

func (n *node) print(b []byte, inKey, brackets bool) []byte {
	operand := func(b []byte, c *node) []byte {
		return c.print(b, false, priority(c.op) <= priority(n.op))
	}
	switch n.op {
	case opNull:
		b = append(b, "null"...)
	case opBool:
		b = append(b, n.s...)
	case opString:
		b = sqltypes.AppendJSONString(b, n.s)
	case opNumber:
		if n.next != nil {
			b = append(append(append(b, '('), n.s...), ')')
		} else {
			b = append(b, n.s...)
		}
	case opRoot:
		b = append(b, '$')
	case opCurrent:
		b = append(b, '@')
	case opLast:
		b = append(b, "last"...)
	case opVar:
		b = sqltypes.AppendJSONString(append(b, '$'), n.s)
	case opKey:
		if inKey {
			b = append(b, '.')
		}
		b = sqltypes.AppendJSONString(b, n.s)
	case opAnyKey:
		if inKey {
			b = append(b, '.')
		}
		b = append(b, '*')
	case opAnyArray:
		b = append(b, "[*]"...)
	case opIndex:
		b = append(b, '[')
		for i, s := range n.subs {
			if i > 0 {
				b = append(b, ',')
			}
			b = s.from.print(b, false, false)
			if s.to != nil {
				b = s.to.print(append(b, " to "...), false, false)
			}
		}
		b = append(b, ']')
	case opAny:
		if inKey {
			b = append(b, '.')
		}
		b = append(b, "**"...)
		level := func(v uint32) string {
			if v == anyLast {
				return "last"
			}
			return strconv.FormatUint(uint64(v), 10)
		}
		switch {
		case n.first == 0 && n.last == anyLast:
		case n.first == n.last:
			b = append(b, "{"+level(n.first)+"}"...)
		default:
			b = append(b, "{"+level(n.first)+" to "+level(n.last)+"}"...)
		}
	case opFilter:
		b = append(n.l.print(append(b, "?("...), false, false), ')')
	case opMethod:
		b = append(append(b, '.'), n.s...)
		b = append(b, '(')
		if n.l != nil {
			b = n.l.print(b, false, false)
		}
		b = append(b, ')')
	case opNot:
		b = append(n.l.print(append(b, "!("...), false, false), ')')
	case opIsUnknown:
		b = append(n.l.print(append(b, '('), false, false), ") is unknown"...)
	case opExists:
		b = append(n.l.print(append(b, "exists ("...), false, false), ')')
	case opPlus, opMinus:
		if brackets {
			b = append(b, '(')
		}
		b = operand(append(b, opNames[n.op]...), n.l)
		if brackets {
			b = append(b, ')')
		}
	case opLikeRegex:
		if brackets {
			b = append(b, '(')
		}
		b = operand(b, n.l)
		b = sqltypes.AppendJSONString(append(b, " like_regex "...), n.s)
		if n.flags != "" {
			b = append(b, " flag \""+n.flags+"\""...)
		}
		if brackets {
			b = append(b, ')')
		}
	default: // binary operators
		if brackets {
			b = append(b, '(')
		}
		b = operand(b, n.l)
		b = append(b, ' ')
		b = append(b, opNames[n.op]...)
		b = append(b, ' ')
		b = operand(b, n.r)
		if brackets {
			b = append(b, ')')
		}
	}
	if n.next != nil {
		b = n.next.print(b, true, true)
	}
	return b
}
