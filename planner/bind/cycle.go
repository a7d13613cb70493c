package bind

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// cycleSpec is a recursive WITH query's CYCLE clause, bound as PostgreSQL
// rewrites it (rewriteSearchAndCycle): every row carries the path of the
// rows that led to it and a mark telling whether its cycle columns repeat
// one of them; a marked row is emitted but not expanded.
//
// PostgreSQL's path is an array of records; meshql has no record type, so
// the path is a text[] of each step's record text (what record_out
// prints): it prints the same (`{(1),(2)}`), and comparing the texts is
// comparing the values for the cycle column types allowed (integers,
// text, varchar, boolean, dates and times, uuid, bytea). Others are 0A000.
type cycleSpec struct {
	cols       []int // positions of the cycle columns in the query's columns
	mark, path string
	value, def logical.Expr // the mark's values, of markType
	markType   sqltypes.Type
}

var pathType = sqltypes.ArrayOf(sqltypes.TypeText, 1)

// bindCycle checks a CYCLE clause against the query's column names and
// types (the anchor's).
func (b *binder) bindCycle(c *pg_query.CTECycleClause, names []string, types []sqltypes.Type) (*cycleSpec, error) {
	loc := int(c.Location)
	spec := &cycleSpec{mark: c.CycleMarkColumn, path: c.CyclePathColumn}
	for _, n := range c.CycleColList {
		name := n.GetString_().GetSval()
		i := indexOf(names, name)
		if i < 0 {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "cycle column %q not in WITH query column list", name), loc)
		}
		if !cycleComparable(types[i]) {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "CYCLE over a column of type %s is not supported", types[i]).
				WithHint("Cycle columns may be integers, text, varchar, boolean, date/time types, uuid or bytea."), loc)
		}
		spec.cols = append(spec.cols, i)
	}
	if spec.mark == spec.path {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "cycle mark column name and cycle path column name are the same"), loc)
	}
	var err error
	if spec.value, err = b.bindExpr(c.CycleMarkValue, &scope{}, nil); err != nil {
		return nil, err
	}
	if spec.def, err = b.bindExpr(c.CycleMarkDefault, &scope{}, nil); err != nil {
		return nil, err
	}
	vals, t, err := b.unifyAll([]logical.Expr{spec.value, spec.def}, loc)
	if err != nil {
		return nil, err
	}
	spec.value, spec.def, spec.markType = vals[0], vals[1], resolvedType(t)
	if t.Kind == sqltypes.Unknown {
		for i, v := range vals {
			if vals[i], err = b.coerce(v, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
		spec.value, spec.def = vals[0], vals[1]
	}
	return spec, nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// cycleComparable reports whether values of t are equal exactly when
// their texts are (numeric 1.0 = 1.00, floats and intervals are not).
func cycleComparable(t sqltypes.Type) bool {
	switch t.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.Bool,
		sqltypes.Date, sqltypes.Time, sqltypes.Timestamp, sqltypes.TimestampTZ, sqltypes.UUID, sqltypes.Bytea:
		return true
	}
	return false
}

// anchorCycleColumns returns the anchor's mark (the default) and path (its
// own step) for the anchor's columns cols.
func (b *binder) anchorCycleColumns(spec *cycleSpec, cols []logical.Expr) ([]logical.Expr, error) {
	path, err := b.cycleExpr(spec, cols, nil, func(step *pg_query.Node) *pg_query.Node {
		return &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Elements: []*pg_query.Node{step}, Location: -1}}}
	})
	if err != nil {
		return nil, err
	}
	return []logical.Expr{spec.def, path}, nil
}

// recursiveCycleColumns returns the mark and path of a row the recursive
// term produced (cols) from a working-table row whose path is prev.
func (b *binder) recursiveCycleColumns(spec *cycleSpec, cols []logical.Expr, prev logical.Expr) ([]logical.Expr, error) {
	// CASE WHEN step = ANY(prev) THEN value ELSE default END
	mark, err := b.cycleExpr(spec, cols, prev, func(step *pg_query.Node) *pg_query.Node {
		seen := pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP_ANY, opNames("="), step, cycleRef(cyclePrev), -1)
		return caseNode(seen, cycleRef(cycleValue), cycleRef(cycleDefault))
	})
	if err != nil {
		return nil, err
	}
	// prev || step
	path, err := b.cycleExpr(spec, cols, prev, func(step *pg_query.Node) *pg_query.Node {
		return concat(cycleRef(cyclePrev), step)
	})
	if err != nil {
		return nil, err
	}
	return []logical.Expr{mark, path}, nil
}

// The names cycleExpr's trees read: a scope of their own holds them (and
// nothing else), bound to the expressions they stand for, so no name of
// the query can clash with them or reach the tree.
const (
	cyclePrev    = "prev"
	cycleValue   = "value"
	cycleDefault = "default"
)

// cycleExpr binds the expression build makes of the record text of the
// cycle columns of cols (a tree over cycleRef names: the cycle columns,
// cyclePrev the previous path, cycleValue and cycleDefault the mark's
// values).
func (b *binder) cycleExpr(spec *cycleSpec, cols []logical.Expr, prev logical.Expr, build func(step *pg_query.Node) *pg_query.Node) (logical.Expr, error) {
	sc := &scope{}
	subst := map[logical.ColumnID]logical.Expr{}
	placeholder := func(name string, e logical.Expr) {
		id := b.meta.NewColumn(name, "", e.Type())
		sc.add(scopeCol{name: name, id: id, t: e.Type()})
		subst[id] = e
	}
	// '(' || field1 || ',' || field2 ... || ')', as text
	step := &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg: pg_query.MakeAConstStrNode("(", -1), TypeName: textTypeName(), Location: -1}}}
	for k, i := range spec.cols {
		name := fmt.Sprintf("c%d", k)
		placeholder(name, cols[i])
		if k > 0 {
			step = concat(step, pg_query.MakeAConstStrNode(",", -1))
		}
		step = concat(step, recordField(cycleRef(name), cols[i].Type()))
	}
	step = concat(step, pg_query.MakeAConstStrNode(")", -1))
	if prev != nil {
		placeholder(cyclePrev, prev)
	}
	placeholder(cycleValue, spec.value)
	placeholder(cycleDefault, spec.def)
	e, err := b.bindExpr(build(step), sc, nil)
	if err != nil {
		return nil, err
	}
	return logical.Rewrite(e, func(x logical.Expr) logical.Expr {
		if c, ok := x.(*logical.ColRef); ok {
			if r, ok := subst[c.ID]; ok {
				return r
			}
		}
		return x
	}), nil
}

// recordField is how record_out prints the field v: nothing for NULL,
// booleans as t/f, and a value that is empty or holds a quote, backslash,
// parenthesis, comma or white space in double quotes, with quotes and
// backslashes doubled.
func recordField(v *pg_query.Node, t sqltypes.Type) *pg_query.Node {
	str := func(s string) *pg_query.Node { return pg_query.MakeAConstStrNode(s, -1) }
	if t.Kind == sqltypes.Bool {
		// CASE WHEN v THEN 't' WHEN NOT v THEN 'f' ELSE '' END
		c := caseNode(v, str("t"), str(""))
		not := pg_query.MakeBoolExprNode(pg_query.BoolExprType_NOT_EXPR, []*pg_query.Node{v}, -1)
		c.GetCaseExpr().Args = append(c.GetCaseExpr().Args, pg_query.MakeCaseWhenNode(not, str("f"), -1))
		return c
	}
	// coalesce(CASE WHEN s = '' OR s ~ '[\s"\\(),]' THEN '"' ||
	// replace(replace(s, '\', '\\'), '"', '""') || '"' ELSE s END, '')
	// with s = v::text
	s := func() *pg_query.Node {
		return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: v, TypeName: textTypeName(), Location: -1}}}
	}
	quote := pg_query.MakeBoolExprNode(pg_query.BoolExprType_OR_EXPR, []*pg_query.Node{
		pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, opNames("="), s(), str(""), -1),
		pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, opNames("~"), s(), str(`[\s"\\(),]`), -1),
	}, -1)
	replace := func(arg *pg_query.Node, from, to string) *pg_query.Node {
		return pg_query.MakeFuncCallNode(opNames("replace"), []*pg_query.Node{arg, str(from), str(to)}, -1)
	}
	quoted := concat(concat(str(`"`), replace(replace(s(), `\`, `\\`), `"`, `""`)), str(`"`))
	return &pg_query.Node{Node: &pg_query.Node_CoalesceExpr{CoalesceExpr: &pg_query.CoalesceExpr{
		Args: []*pg_query.Node{caseNode(quote, quoted, s()), str("")}, Location: -1}}}
}

func cycleRef(name string) *pg_query.Node {
	return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(name)}, -1)
}

func opNames(name string) []*pg_query.Node { return []*pg_query.Node{pg_query.MakeStrNode(name)} }

func concat(l, r *pg_query.Node) *pg_query.Node {
	return pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, opNames("||"), l, r, -1)
}

// caseNode is CASE WHEN cond THEN then ELSE els END.
func caseNode(cond, then, els *pg_query.Node) *pg_query.Node {
	c := pg_query.MakeCaseExprNode(nil, []*pg_query.Node{pg_query.MakeCaseWhenNode(cond, then, -1)}, -1)
	c.GetCaseExpr().Defresult = els
	return c
}

func textTypeName() *pg_query.TypeName {
	return &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("text")}, Location: -1}
}

// notCycled keeps the working-table rows not marked as a cycle, the only
// ones the recursive term expands.
func (b *binder) notCycled(spec *cycleSpec, wt logical.Node, mark *logical.ColRef) (logical.Node, error) {
	pred, err := b.makeBinary(expr.OpNe, mark, spec.value, -1)
	if err != nil {
		return nil, err
	}
	return &logical.Filter{Input: wt, Pred: pred}, nil
}
