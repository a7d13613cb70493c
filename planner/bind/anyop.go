package bind

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// ANY/ALL over operators that are not comparisons: the network, range,
// array, jsonb, LIKE and regex operators. PostgreSQL takes any operator
// yielding boolean; the binder binds the operator once over two stand-in
// columns (the left operand and one element), and the executor applies
// that expression to every element with ANY/ALL's three-valued folding.

// containmentOperator binds @>, <@, && and the range-only operators over
// a range, array or jsonb operand; ok is false when no operand is one.
func (b *binder) containmentOperator(name string, l, r logical.Expr, loc int) (logical.Expr, bool, error) {
	if l.Type().Kind == sqltypes.Unknown {
		switch {
		case r.Type().Kind == sqltypes.Unknown && name != "?" && name != "?&":
			// Arrays, ranges, jsonb and geometry all have @>, <@, ?|
			// and -|-: two untyped operands leave no best one.
			return nil, true, ambiguousOperator(name, l.Type(), r.Type(), loc)
		case name == "?" || name == "?|" || name == "?&":
			// Only jsonb has ? and ?& (and ?| next to text[]).
			if r.Type().Kind == sqltypes.Unknown || r.Type().IsString() || r.Type().Kind == sqltypes.List && r.Type().Leaf().IsString() {
				var err error
				if l, err = b.coerce(l, sqltypes.TypeJSONB); err != nil {
					return nil, true, errAt(sqltypes.AsError(err), loc)
				}
			}
		}
	}
	if e, ok, err := b.bindRangeOperator(0, name, l, r, loc); ok {
		return e, true, err
	}
	if e, ok, err := b.bindArrayOperator(name, l, r, loc); ok {
		return e, true, err
	}
	if e, ok, err := b.bindJSONBOperator(name, l, r, loc); ok {
		return e, true, err
	}
	if isRangeOnlyOperator(name) {
		return nil, true, opError(name, l.Type(), r.Type(), loc)
	}
	if op, ok := binaryOps[name]; ok { // arithmetic: not boolean, which the caller reports
		e, err := b.bindOperator(op, name, l, r, loc)
		return e, true, err
	}
	return nil, false, nil
}

// elementOperator binds l name r for ANY/ALL; ok is false for operators
// it does not know (the comparisons take their own path).
func (b *binder) elementOperator(name string, l, r logical.Expr, loc int) (logical.Expr, bool, error) {
	switch name {
	case "~", "~*", "!~", "!~*":
		l, r, err := b.textOperands(name, l, r, loc)
		if err != nil {
			return nil, true, err
		}
		return &logical.Regex{E: l, Pattern: r, CI: strings.HasSuffix(name, "*"), Negated: name[0] == '!'}, true, nil
	case "~~", "!~~", "~~*", "!~~*":
		l, r, err := b.textOperands(name, l, r, loc)
		if err != nil {
			return nil, true, err
		}
		return &logical.Like{E: l, Pattern: r, Negated: name[0] == '!', ILike: strings.HasSuffix(name, "*")}, true, nil
	}
	if isNetworkOperator(name, true) {
		e, err := b.networkOperator(name, l, r, loc)
		return e, true, err
	}
	_, isArrayOp := arrayOperators[name]
	if _, isJSONBOp := jsonbOperators[name]; isArrayOp || isJSONBOp || isRangeOnlyOperator(name) {
		if e, ok, err := b.containmentOperator(name, l, r, loc); ok {
			return e, true, err
		}
		return nil, true, opError(name, l.Type(), r.Type(), loc)
	}
	if op, ok := binaryOps[name]; ok { // arithmetic: not boolean, which the caller reports
		e, err := b.bindOperator(op, name, l, r, loc)
		return e, true, err
	}
	return nil, false, nil
}

// anyArrayOperand is the right side r of op ANY/ALL (array): an untyped
// literal is read as an array of et without its length or precision
// (text when et is unknown too), and anything but an array is 42809.
func (b *binder) anyArrayOperand(name string, r logical.Expr, et sqltypes.Type, all bool, loc int) (logical.Expr, error) {
	if r.Type().Kind == sqltypes.Unknown {
		if et.Kind == sqltypes.Unknown {
			et = sqltypes.TypeText
		}
		var err error
		if r, err = b.coerce(r, b.arrayTypeFor(r, untypedAs(et))); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	if rt := r.Type(); rt.Kind != sqltypes.List || rt.Elem == nil {
		q := "ANY"
		if all {
			q = "ALL"
		}
		return nil, errAt(sqltypes.New(sqltypes.CodeWrongObjectType, "op %s/%s (array) requires array on right side", name, q), loc)
	}
	return r, nil
}

// anyOperatorElem is the element type an untyped '{...}' takes right of
// name ANY/ALL with a left operand of type lt: the operator's right
// argument type, as PostgreSQL resolves it. The regex and LIKE operators
// and jsonb's ? take text (so 'ab'::char(3) ~ ANY('{^ab$}') matches the
// patterns as written); the others take lt's own type (inet's for a cidr:
// the network operators take inet).
func anyOperatorElem(name string, lt sqltypes.Type) sqltypes.Type {
	_, like := likeOperators[name]
	switch {
	case like || name == "~" || name == "~*" || name == "!~" || name == "!~*":
		return sqltypes.TypeText
	case name == "?" && lt.Kind == sqltypes.JSONB:
		return sqltypes.TypeText
	case lt.Kind == sqltypes.Cidr:
		return sqltypes.TypeInet
	}
	return lt
}

// bindAnyOperator binds l name ANY/ALL (array) for an operator that is
// not a comparison: name is bound over stand-ins for l and one element
// of the array (logical.AnyArray's Cmp).
func (b *binder) bindAnyOperator(a *pg_query.A_Expr, name string, all bool, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	l, r, err := b.bindOperands(a, sc, agg)
	if err != nil {
		return nil, err
	}
	if r, err = b.anyArrayOperand(name, r, anyOperatorElem(name, l.Type()), all, loc); err != nil {
		return nil, err
	}
	et := r.Type().Leaf()
	if l.Type().Kind == sqltypes.Unknown && et.Kind != sqltypes.Unknown {
		to := untypedAs(et)
		if to.Kind == sqltypes.Cidr {
			to = sqltypes.TypeInet
		}
		if l, err = b.coerce(l, to); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	lid := b.meta.NewColumn("lhs", "", l.Type())
	eid := b.meta.NewColumn("elem", "", et)
	cmp, ok, err := b.elementOperator(name, b.colRef(lid), b.colRef(eid), loc)
	if !ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "operator %s with ANY/ALL (array) is not supported yet", name), loc)
	}
	if err != nil {
		return nil, err
	}
	if cmp.Type().Kind != sqltypes.Bool {
		return nil, errAt(sqltypes.New(sqltypes.CodeWrongObjectType, "op ANY/ALL (array) requires operator to yield boolean"), loc)
	}
	return &logical.AnyArray{Name: name, L: l, R: r, All: all, Cmp: cmp, LID: lid, EID: eid}, nil
}

// subqueryOperator binds the condition of lhs name ANY/ALL (q) for an
// operator that is not a comparison, out being q's column; ALL gets its
// negation, whose ANY is false exactly when the ALL is true (NOT keeps
// NULL, so the three-valued answer is PostgreSQL's).
func (b *binder) subqueryOperator(lhsNode *pg_query.Node, out *logical.ColRef, name string, all bool, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	if lhsNode.GetRowExpr() != nil {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "row comparison %s %s (subquery) is not supported", name, map[bool]string{true: "ALL", false: "ANY"}[all]), loc)
	}
	lhs, err := b.bindExpr(lhsNode, sc, agg)
	if err != nil {
		return nil, err
	}
	cmp, ok, err := b.elementOperator(name, lhs, out, loc)
	if !ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "operator %s with ANY/ALL (subquery) is not supported", name), loc)
	}
	if err != nil {
		return nil, err
	}
	if cmp.Type().Kind != sqltypes.Bool {
		return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "row comparison operator must yield type boolean, not type %s", cmp.Type()), loc)
	}
	if all {
		cmp = &logical.Unary{Op: logical.OpNot, E: cmp, T: sqltypes.TypeBool}
	}
	return cmp, nil
}
