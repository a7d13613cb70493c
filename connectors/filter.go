package connectors

import (
	"fmt"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// Filter is a predicate in the neutral pushdown vocabulary: comparisons of
// one source column with constants, combined with AND, OR and NOT. Column
// names are the source's (Schema()) names. Every filter has SQL's
// three-valued semantics: a row passes only if the predicate is TRUE.
type Filter interface {
	fmt.Stringer
	isFilter()
}

// CmpOp is a comparison operator.
type CmpOp string

const (
	OpEq CmpOp = "="
	OpNe CmpOp = "<>"
	OpLt CmpOp = "<"
	OpLe CmpOp = "<="
	OpGt CmpOp = ">"
	OpGe CmpOp = ">="
)

// Literal is a typed constant; Value uses sqltypes.Datum representations
// and is never nil (a comparison with NULL is never pushed).
type Literal struct {
	Type  sqltypes.Type
	Value any
}

func (l Literal) String() string { return sqltypes.FormatLiteral(l.Type, l.Value) }

// Compare is `Column Op Value`.
type Compare struct {
	Column string
	Op     CmpOp
	Value  Literal
}

// InList is `Column [NOT] IN (Values...)`.
type InList struct {
	Column  string
	Values  []Literal
	Negated bool
}

// IsNull is `Column IS [NOT] NULL`.
type IsNull struct {
	Column  string
	Negated bool
}

// Like is `Column [NOT] [I]LIKE Pattern` with PostgreSQL's default escape `\`.
type Like struct {
	Column          string
	Pattern         string
	Negated         bool
	CaseInsensitive bool
}

// And, Or and Not combine filters.
type And struct{ Filters []Filter }
type Or struct{ Filters []Filter }
type Not struct{ Filter Filter }

func (Compare) isFilter() {}
func (InList) isFilter()  {}
func (IsNull) isFilter()  {}
func (Like) isFilter()    {}
func (And) isFilter()     {}
func (Or) isFilter()      {}
func (Not) isFilter()     {}

func (c Compare) String() string { return fmt.Sprintf("%s %s %s", c.Column, c.Op, c.Value) }

func (f InList) String() string {
	vals := make([]string, len(f.Values))
	for i, v := range f.Values {
		vals[i] = v.String()
	}
	not := ""
	if f.Negated {
		not = "NOT "
	}
	return fmt.Sprintf("%s %sIN (%s)", f.Column, not, strings.Join(vals, ", "))
}

func (f IsNull) String() string {
	if f.Negated {
		return f.Column + " IS NOT NULL"
	}
	return f.Column + " IS NULL"
}

func (f Like) String() string {
	op := "LIKE"
	if f.CaseInsensitive {
		op = "ILIKE"
	}
	if f.Negated {
		op = "NOT " + op
	}
	return fmt.Sprintf("%s %s %s", f.Column, op, sqltypes.FormatLiteral(sqltypes.TypeText, f.Pattern))
}

func (f And) String() string { return joinFilters(f.Filters, " AND ") }
func (f Or) String() string  { return joinFilters(f.Filters, " OR ") }
func (f Not) String() string { return "NOT (" + f.Filter.String() + ")" }

func joinFilters(fs []Filter, sep string) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = "(" + f.String() + ")"
	}
	return strings.Join(parts, sep)
}
