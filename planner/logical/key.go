package logical

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// Key identifies an expression structurally, columns by ID: two
// expressions with the same key compute the same value.
func Key(e Expr) string {
	var sb strings.Builder
	var rec func(e Expr)
	rec = func(e Expr) {
		switch x := e.(type) {
		case *ColRef:
			sb.WriteString("#" + strconv.Itoa(int(x.ID)))
			return
		case *Const:
			sb.WriteString(x.T.String() + ":" + sqltypes.FormatLiteral(x.T, x.V))
			return
		}
		fmt.Fprintf(&sb, "%T", e)
		switch x := e.(type) {
		case *Binary:
			sb.WriteString(x.Op.String())
		case *Unary:
			sb.WriteString(strconv.Itoa(int(x.Op)))
		case *Func:
			sb.WriteString(x.Name)
		case *Cast:
			sb.WriteString(x.T.String())
		case *Param:
			sb.WriteString(strconv.Itoa(x.Index))
		case *Like:
			fmt.Fprintf(&sb, "%v%v", x.Negated, x.ILike)
		case *InList:
			fmt.Fprintf(&sb, "%v", x.Negated)
		case *AnyArray:
			// k = ANY(t) and k <> ALL(t) have the same children: OR
			// factoring took one for the other and kept only k = ANY(t).
			fmt.Fprintf(&sb, "%s%v", x.Op, x.All)
			if x.Like != nil {
				fmt.Fprintf(&sb, "like%v%v", x.Like.Negated, x.Like.ILike)
			}
			if x.Cmp != nil {
				sb.WriteString(x.Name + "[" + Key(x.Cmp) + "]")
			}
		case *Regex:
			fmt.Fprintf(&sb, "%v%v", x.CI, x.Negated)
		case *Similar:
			fmt.Fprintf(&sb, "%v", x.Negated)
		case *JSONGet:
			fmt.Fprintf(&sb, "%v%v", x.AsText, x.Path)
		case *Subquery:
			// Its plan is no child: two subqueries are the same only if
			// bound once (an ORDER BY subquery is not the select list's).
			fmt.Fprintf(&sb, "%d:%p", x.Kind, x.Plan)
		}
		sb.WriteByte('(')
		for _, c := range e.Children() {
			rec(c)
			sb.WriteByte(',')
		}
		sb.WriteByte(')')
	}
	rec(e)
	return sb.String()
}
