package jsonpath

import "github.com/meshql/meshql/executor/pgregex"

// op is the kind of a path item.
type op uint8

const (
	opNull op = iota
	opBool
	opNumber
	opString
	opRoot
	opCurrent
	opVar
	opLast
	opKey
	opAnyKey
	opAnyArray
	opIndex
	opAny
	opFilter
	opMethod // s names it: type, size, abs, floor, ceiling, double, keyvalue, datetime
	// predicates
	opAnd
	opOr
	opNot
	opIsUnknown
	opExists
	opEq
	opNe
	opLt
	opGt
	opLe
	opGe
	opStartsWith
	opLikeRegex
	// arithmetic
	opAdd
	opSub
	opMul
	opDiv
	opMod
	opPlus
	opMinus
)

var opNames = map[op]string{
	opAnd: "&&", opOr: "||", opEq: "==", opNe: "!=", opLt: "<", opGt: ">", opLe: "<=", opGe: ">=",
	opStartsWith: "starts with", opLikeRegex: "like_regex",
	opAdd: "+", opSub: "-", opMul: "*", opDiv: "/", opMod: "%", opPlus: "+", opMinus: "-",
}

var binaryOps = map[string]op{
	"==": opEq, "!=": opNe, "<": opLt, ">": opGt, "<=": opLe, ">=": opGe,
	"+": opAdd, "-": opSub, "*": opMul, "/": opDiv, "%": opMod, "&&": opAnd, "||": opOr,
}

// anyLast is the level bound `last` of .**{…}: no limit.
const anyLast = ^uint32(0)

// node is one item of a path: an accessor, a literal, an operator or a
// predicate, with the accessor chain that follows it in next.
type node struct {
	op    op
	s     string // key, string, variable name, number text, "true"/"false", method name, regex pattern
	flags string // like_regex flags in PostgreSQL's order (i s m x q)
	re    *pgregex.Regexp
	l, r  *node // operands; l alone for unary items, filters, exists, datetime's template
	subs  []subscript
	first uint32 // .** level bounds
	last  uint32
	next  *node
}

type subscript struct{ from, to *node } // to is nil for a single index

func (n *node) isPredicate() bool { return n.op >= opAnd && n.op <= opLikeRegex && n.next == nil }

// Path is a parsed jsonpath.
type Path struct {
	strict bool
	root   *node
}

// Strict reports whether the path runs in strict mode.
func (p *Path) Strict() bool { return p.strict }

// IsPredicate reports whether the path is a predicate (`$.a > 1`), whose
// one result jsonb_path_match reads.
func (p *Path) IsPredicate() bool { return p.root.isPredicate() }
