package logical

import (
	"fmt"
	"strings"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// Expr is a typed scalar expression over ColumnIDs.
type Expr interface {
	Type() sqltypes.Type
	String() string
	Children() []Expr
	// WithChildren returns a copy of the expression with new children
	// (same count and order as Children).
	WithChildren(ch []Expr) Expr
}

// ColRef reads a column.
type ColRef struct {
	ID   ColumnID
	Name string
	T    sqltypes.Type
}

// Const is a constant; V uses sqltypes.Datum representations (nil = NULL).
type Const struct {
	T sqltypes.Type
	V sqltypes.Datum
}

// Param is a statement parameter $Index (1-based), bound at execution.
type Param struct {
	Index int
	T     sqltypes.Type
}

// Binary is a binary operator; T is the result type the kernel reported.
type Binary struct {
	Op   expr.BinaryOp
	L, R Expr
	T    sqltypes.Type
}

// UnaryOp is a prefix or postfix operator.
type UnaryOp uint8

const (
	OpNot UnaryOp = iota
	OpNegate
	OpIsNull
	OpIsNotNull
	OpIsTrue
	OpIsNotTrue
	OpIsFalse
	OpIsNotFalse
)

// Unary applies a UnaryOp.
type Unary struct {
	Op UnaryOp
	E  Expr
	T  sqltypes.Type
}

// Cast converts E to T.
type Cast struct {
	E Expr
	T sqltypes.Type
	// Explicit marks a cast the query wrote (x::numeric(12,2)), as opposed
	// to one binding added to unify types: its type modifier decides a
	// numeric's display scale.
	Explicit bool
}

// When is one arm of a CASE.
type When struct{ Cond, Then Expr }

// Case is a searched CASE (a simple CASE is bound into a searched one).
type Case struct {
	Whens []When
	Else  Expr // nil = NULL
	T     sqltypes.Type
}

// InList is E [NOT] IN (List...).
type InList struct {
	E       Expr
	List    []Expr
	Negated bool
}

// Like is E [NOT] [I]LIKE Pattern.
type Like struct {
	E, Pattern     Expr
	Negated, ILike bool
}

// Array is ARRAY[Elems...]; T is the list type.
type Array struct {
	Elems []Expr
	T     sqltypes.Type
}

func (e *Array) Type() sqltypes.Type { return e.T }
func (e *Array) Children() []Expr    { return e.Elems }
func (e *Array) WithChildren(ch []Expr) Expr {
	c := *e
	c.Elems = append([]Expr(nil), ch...)
	return &c
}
func (e *Array) String() string {
	parts := make([]string, len(e.Elems))
	for i, x := range e.Elems {
		parts[i] = x.String()
	}
	return "ARRAY[" + strings.Join(parts, ", ") + "]"
}

// Func is a scalar function call.
type Func struct {
	Name string
	Args []Expr
	T    sqltypes.Type
}

func (e *ColRef) Type() sqltypes.Type { return e.T }
func (e *Const) Type() sqltypes.Type  { return e.T }
func (e *Param) Type() sqltypes.Type  { return e.T }
func (e *Binary) Type() sqltypes.Type { return e.T }
func (e *Unary) Type() sqltypes.Type  { return e.T }
func (e *Cast) Type() sqltypes.Type   { return e.T }
func (e *Case) Type() sqltypes.Type   { return e.T }
func (e *InList) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *Like) Type() sqltypes.Type   { return sqltypes.TypeBool }
func (e *Func) Type() sqltypes.Type   { return e.T }

func (e *ColRef) Children() []Expr { return nil }
func (e *Const) Children() []Expr  { return nil }
func (e *Param) Children() []Expr  { return nil }
func (e *Binary) Children() []Expr { return []Expr{e.L, e.R} }
func (e *Unary) Children() []Expr  { return []Expr{e.E} }
func (e *Cast) Children() []Expr   { return []Expr{e.E} }
func (e *Case) Children() []Expr {
	var ch []Expr
	for _, w := range e.Whens {
		ch = append(ch, w.Cond, w.Then)
	}
	if e.Else != nil {
		ch = append(ch, e.Else)
	}
	return ch
}
func (e *InList) Children() []Expr { return append([]Expr{e.E}, e.List...) }
func (e *Like) Children() []Expr   { return []Expr{e.E, e.Pattern} }
func (e *Func) Children() []Expr   { return e.Args }

func (e *ColRef) WithChildren([]Expr) Expr { return e }
func (e *Const) WithChildren([]Expr) Expr  { return e }
func (e *Param) WithChildren([]Expr) Expr  { return e }
func (e *Binary) WithChildren(ch []Expr) Expr {
	c := *e
	c.L, c.R = ch[0], ch[1]
	return &c
}
func (e *Unary) WithChildren(ch []Expr) Expr { c := *e; c.E = ch[0]; return &c }
func (e *Cast) WithChildren(ch []Expr) Expr  { c := *e; c.E = ch[0]; return &c }
func (e *Case) WithChildren(ch []Expr) Expr {
	c := *e
	c.Whens = make([]When, len(e.Whens))
	for i := range e.Whens {
		c.Whens[i] = When{Cond: ch[2*i], Then: ch[2*i+1]}
	}
	if e.Else != nil {
		c.Else = ch[len(ch)-1]
	}
	return &c
}
func (e *InList) WithChildren(ch []Expr) Expr {
	c := *e
	c.E = ch[0]
	c.List = append([]Expr(nil), ch[1:]...)
	return &c
}
func (e *Like) WithChildren(ch []Expr) Expr { c := *e; c.E, c.Pattern = ch[0], ch[1]; return &c }
func (e *Func) WithChildren(ch []Expr) Expr { c := *e; c.Args = append([]Expr(nil), ch...); return &c }

func (e *ColRef) String() string { return e.Name }
func (e *Const) String() string  { return sqltypes.FormatLiteral(e.T, e.V) }
func (e *Param) String() string  { return fmt.Sprintf("$%d", e.Index) }
func (e *Binary) String() string {
	return "(" + e.L.String() + " " + e.Op.String() + " " + e.R.String() + ")"
}
func (e *Unary) String() string {
	switch e.Op {
	case OpNot:
		return "NOT " + e.E.String()
	case OpNegate:
		return "-" + e.E.String()
	}
	return e.E.String() + [...]string{"", "", " IS NULL", " IS NOT NULL", " IS TRUE", " IS NOT TRUE", " IS FALSE", " IS NOT FALSE"}[e.Op]
}
func (e *Cast) String() string { return "CAST(" + e.E.String() + " AS " + e.T.String() + ")" }
func (e *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, w := range e.Whens {
		b.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Then.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE " + e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}
func (e *InList) String() string {
	items := make([]string, len(e.List))
	for i, x := range e.List {
		items[i] = x.String()
	}
	not := ""
	if e.Negated {
		not = "NOT "
	}
	return e.E.String() + " " + not + "IN (" + strings.Join(items, ", ") + ")"
}
func (e *Like) String() string {
	return e.E.String() + " " + e.opName() + " " + e.Pattern.String()
}

// opName is the operator's SQL spelling: [NOT] [I]LIKE.
func (e *Like) opName() string {
	op := "LIKE"
	if e.ILike {
		op = "ILIKE"
	}
	if e.Negated {
		op = "NOT " + op
	}
	return op
}
func (e *Func) String() string {
	args := make([]string, len(e.Args))
	for i, a := range e.Args {
		args[i] = a.String()
	}
	if e.Name == "mesh_mask_hash" && len(args) == 2 {
		args[1] = "<key>" // the masking key never appears in plans
	}
	return e.Name + "(" + strings.Join(args, ", ") + ")"
}

// Walk calls fn for e and every descendant, parents first; fn returning
// false prunes the subtree.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	for _, c := range e.Children() {
		Walk(c, fn)
	}
}

// Rewrite rebuilds e bottom-up, replacing each node by fn's result.
func Rewrite(e Expr, fn func(Expr) Expr) Expr {
	if e == nil {
		return nil
	}
	ch := e.Children()
	if len(ch) > 0 {
		nc := make([]Expr, len(ch))
		for i, c := range ch {
			nc[i] = Rewrite(c, fn)
		}
		e = e.WithChildren(nc)
	}
	return fn(e)
}

// ColumnsOf returns the columns e reads.
func ColumnsOf(e Expr) ColSet {
	s := ColSet{}
	Walk(e, func(x Expr) bool {
		if c, ok := x.(*ColRef); ok {
			s.Add(c.ID)
		}
		return true
	})
	return s
}

// CanonicalKey prints p with its columns named by id, so that one
// predicate reached under two aliases prints alike.
func CanonicalKey(p Expr) string {
	return Rewrite(p, func(e Expr) Expr {
		if c, ok := e.(*ColRef); ok {
			return &ColRef{ID: c.ID, Name: fmt.Sprintf("#%d", c.ID), T: c.T}
		}
		return e
	}).String()
}

// ColumnEquality splits `a = b` between two plain columns (of any
// types; callers that need equal types check them).
func ColumnEquality(p Expr) (l, r *ColRef, ok bool) {
	bin, isBin := p.(*Binary)
	if !isBin || bin.Op != expr.OpEq {
		return nil, nil, false
	}
	l, lok := bin.L.(*ColRef)
	r, rok := bin.R.(*ColRef)
	return l, r, lok && rok
}

// IntegerEquality splits `a = b` between two integer columns of different
// widths, which binding compares as the wider type (CAST(a AS bigint) =
// b): every integer of the narrower type is one of the wider type, so
// the two are equal exactly when the columns' values are.
func IntegerEquality(p Expr) (*ColRef, *ColRef, bool) {
	b, ok := p.(*Binary)
	if !ok || b.Op != expr.OpEq {
		return nil, nil, false
	}
	l, lok := widenedColumn(b.L)
	r, rok := widenedColumn(b.R)
	return l, r, lok && rok
}

// widenedColumn returns the integer column e is, through casts to wider
// integer types.
func widenedColumn(e Expr) (*ColRef, bool) {
	for {
		switch x := e.(type) {
		case *ColRef:
			return x, IntegerWidth(x.T) > 0
		case *Cast:
			if w := IntegerWidth(x.T); w == 0 || w < IntegerWidth(x.E.Type()) {
				return nil, false
			}
			e = x.E
		default:
			return nil, false
		}
	}
}

// IntegerWidth is the bytes of an integer type, 0 for other types.
func IntegerWidth(t sqltypes.Type) int {
	switch t.Kind {
	case sqltypes.Int2:
		return 2
	case sqltypes.Int4:
		return 4
	case sqltypes.Int8:
		return 8
	}
	return 0
}

// Conjuncts splits e on AND.
func Conjuncts(e Expr) []Expr {
	if e == nil {
		return nil
	}
	if b, ok := e.(*Binary); ok && b.Op == expr.OpAnd {
		return append(Conjuncts(b.L), Conjuncts(b.R)...)
	}
	return []Expr{e}
}

// And joins conjuncts with AND; nil for none.
func And(es []Expr) Expr {
	var out Expr
	for _, e := range es {
		if out == nil {
			out = e
			continue
		}
		out = &Binary{Op: expr.OpAnd, L: out, R: e, T: sqltypes.TypeBool}
	}
	return out
}

// IsTrueConst reports whether e is the constant TRUE.
func IsTrueConst(e Expr) bool {
	c, ok := e.(*Const)
	return ok && c.V == true
}

// SubqueryKind is the form of a subquery expression.
type SubqueryKind uint8

const (
	SubqueryExists SubqueryKind = iota // EXISTS (q)
	SubqueryAny                        // lhs op ANY (q), lhs IN (q)
	SubqueryAll                        // lhs op ALL (q)
	SubqueryScalar                     // (q)
)

// Subquery is a subquery inside an expression. It exists only while
// binding: the binder turns every one into a join (semi, anti, mark or
// single) before the plan leaves it.
type Subquery struct {
	Kind SubqueryKind
	Plan Node
	Out  ColumnID // Scalar: the subquery's output column
	// Cmp is Any's comparison of the left operand with the subquery's
	// output columns (`x = y`, or `a = x AND b = y` for a row); All holds
	// the comparison whose ANY is false exactly when the ALL is true
	// (`x op ALL (q)` = NOT (x negated-op ANY (q))).
	Cmp Expr
	T   sqltypes.Type
}

func (e *Subquery) Type() sqltypes.Type { return e.T }
func (e *Subquery) Children() []Expr {
	if e.Cmp != nil {
		return []Expr{e.Cmp}
	}
	return nil
}
func (e *Subquery) WithChildren(ch []Expr) Expr {
	c := *e
	if len(ch) > 0 {
		c.Cmp = ch[0]
	}
	return &c
}
func (e *Subquery) String() string {
	switch e.Kind {
	case SubqueryExists:
		return "EXISTS(subquery)"
	case SubqueryAny:
		return "ANY(subquery WHERE " + e.Cmp.String() + ")"
	case SubqueryAll:
		return "NOT ANY(subquery WHERE " + e.Cmp.String() + ")"
	}
	return "(subquery)"
}
