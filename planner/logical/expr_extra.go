package logical

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// Operator expressions beyond the core set: op ANY/ALL over an array,
// regular-expression matches, SIMILAR TO and the JSON accessors. They
// lower to executor/expr constructors of the same names.

// AnyArray is L Op ANY(R) or, with All, L Op ALL(R); R is an array whose
// element type matches L. With Like set, the operator is L [NOT] [I]LIKE
// element (Like's Negated and ILike; its operands are unused) and Op is
// unused. With Cmp set, the operator is any other (named Name): Cmp is
// it bound over the stand-in columns LID (L's value) and EID (one
// element), which exist nowhere else; Op and Like are unused.
type AnyArray struct {
	Op   expr.BinaryOp
	L, R Expr
	All  bool
	Like *Like

	Name     string
	Cmp      Expr
	LID, EID ColumnID
}

// Regex is E ~ Pattern (CI: ~*; Negated: !~ / !~*).
type Regex struct {
	E, Pattern  Expr
	CI, Negated bool
}

// Similar is E [NOT] SIMILAR TO Pattern.
type Similar struct {
	E, Pattern Expr
	Negated    bool
}

// JSONGet is E -> Key or, with AsText, E ->> Key; with Path it is E #>
// Key / E #>> Key where Key is a text[] path.
type JSONGet struct {
	E, Key Expr
	AsText bool
	Path   bool
}

func (e *AnyArray) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *Regex) Type() sqltypes.Type    { return sqltypes.TypeBool }
func (e *Similar) Type() sqltypes.Type  { return sqltypes.TypeBool }
func (e *JSONGet) Type() sqltypes.Type {
	if e.AsText {
		return sqltypes.TypeText
	}
	if e.E.Type().Kind == sqltypes.JSONB {
		return sqltypes.TypeJSONB
	}
	return sqltypes.TypeJSON
}

func (e *AnyArray) Children() []Expr { return []Expr{e.L, e.R} }
func (e *Regex) Children() []Expr    { return []Expr{e.E, e.Pattern} }
func (e *Similar) Children() []Expr  { return []Expr{e.E, e.Pattern} }
func (e *JSONGet) Children() []Expr  { return []Expr{e.E, e.Key} }

func (e *AnyArray) WithChildren(ch []Expr) Expr { c := *e; c.L, c.R = ch[0], ch[1]; return &c }
func (e *Regex) WithChildren(ch []Expr) Expr    { c := *e; c.E, c.Pattern = ch[0], ch[1]; return &c }
func (e *Similar) WithChildren(ch []Expr) Expr  { c := *e; c.E, c.Pattern = ch[0], ch[1]; return &c }
func (e *JSONGet) WithChildren(ch []Expr) Expr  { c := *e; c.E, c.Key = ch[0], ch[1]; return &c }

func (e *AnyArray) String() string {
	q := " ANY("
	if e.All {
		q = " ALL("
	}
	op := e.Op.String()
	switch {
	case e.Like != nil:
		op = e.Like.opName()
	case e.Cmp != nil:
		op = e.Name
	}
	return e.L.String() + " " + op + q + e.R.String() + ")"
}

func (e *Regex) String() string {
	op := "~"
	if e.CI {
		op = "~*"
	}
	if e.Negated {
		op = "!" + op
	}
	return e.E.String() + " " + op + " " + e.Pattern.String()
}

func (e *Similar) String() string {
	op := " SIMILAR TO "
	if e.Negated {
		op = " NOT SIMILAR TO "
	}
	return e.E.String() + op + e.Pattern.String()
}

func (e *JSONGet) String() string {
	op := "->"
	if e.Path {
		op = "#>"
	}
	if e.AsText {
		op += ">"
	}
	return "(" + e.E.String() + " " + op + " " + e.Key.String() + ")"
}

// IsVolatile reports whether e calls a volatile function (random(),
// clock_timestamp(), ...): its value may differ for every row it is
// computed for, so it must stay where it is written.
func IsVolatile(e Expr) bool {
	found := false
	Walk(e, func(x Expr) bool {
		f, ok := x.(*Func)
		found = found || ok && expr.IsVolatile(f.Name)
		return !found
	})
	return found
}
