package physical

import (
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

var cmpOps = map[expr.BinaryOp]connectors.CmpOp{
	expr.OpEq: connectors.OpEq, expr.OpNe: connectors.OpNe, expr.OpLt: connectors.OpLt,
	expr.OpLe: connectors.OpLe, expr.OpGt: connectors.OpGt, expr.OpGe: connectors.OpGe,
}

var mirrored = map[connectors.CmpOp]connectors.CmpOp{
	connectors.OpEq: connectors.OpEq, connectors.OpNe: connectors.OpNe, connectors.OpLt: connectors.OpGt,
	connectors.OpLe: connectors.OpGe, connectors.OpGt: connectors.OpLt, connectors.OpGe: connectors.OpLe,
}

// scanColumns says which source column a scan's ColumnID reads, for the
// columns whose source type equals the SQL type (a predicate on a column
// the executor must cast first is never pushed: the source would compare
// other values).
type scanColumns map[logical.ColumnID]string

// toConnectorFilter translates a predicate into the pushdown vocabulary;
// ok is false when any part of it cannot be expressed.
func toConnectorFilter(e logical.Expr, cols scanColumns) (connectors.Filter, bool) {
	switch x := e.(type) {
	case *logical.Binary:
		switch x.Op {
		case expr.OpAnd, expr.OpOr:
			l, okL := toConnectorFilter(x.L, cols)
			r, okR := toConnectorFilter(x.R, cols)
			if !okL || !okR {
				return nil, false
			}
			if x.Op == expr.OpAnd {
				return connectors.And{Filters: []connectors.Filter{l, r}}, true
			}
			return connectors.Or{Filters: []connectors.Filter{l, r}}, true
		}
		op, ok := cmpOps[x.Op]
		if !ok {
			return nil, false
		}
		if name, lit, ok := columnAndLiteral(x.L, x.R, cols); ok {
			return connectors.Compare{Column: name, Op: op, Value: lit}, true
		}
		if name, lit, ok := columnAndLiteral(x.R, x.L, cols); ok {
			return connectors.Compare{Column: name, Op: mirrored[op], Value: lit}, true
		}
	case *logical.Unary:
		switch x.Op {
		case logical.OpNot:
			f, ok := toConnectorFilter(x.E, cols)
			if !ok {
				return nil, false
			}
			return connectors.Not{Filter: f}, true
		case logical.OpIsNull, logical.OpIsNotNull:
			if c, ok := x.E.(*logical.ColRef); ok {
				if name, ok := cols[c.ID]; ok {
					return connectors.IsNull{Column: name, Negated: x.Op == logical.OpIsNotNull}, true
				}
			}
		}
	case *logical.InList:
		c, ok := x.E.(*logical.ColRef)
		if !ok || byValueOnly(c.T) {
			return nil, false
		}
		name, ok := cols[c.ID]
		if !ok {
			return nil, false
		}
		f := connectors.InList{Column: name, Negated: x.Negated}
		for _, item := range x.List {
			k, ok := item.(*logical.Const)
			if !ok || k.V == nil {
				return nil, false // NULL in an IN list changes NOT IN's meaning: keep it in meshql
			}
			f.Values = append(f.Values, connectors.Literal{Type: k.T, Value: k.V})
		}
		return f, true
	case *logical.Like:
		c, ok := x.E.(*logical.ColRef)
		if !ok {
			return nil, false
		}
		name, ok := cols[c.ID]
		p, isConst := x.Pattern.(*logical.Const)
		if !ok || !isConst || p.V == nil {
			return nil, false
		}
		return connectors.Like{Column: name, Pattern: p.V.(string), Negated: x.Negated, CaseInsensitive: x.ILike}, true
	}
	return nil, false
}

// byValueOnly reports whether values of t compare in an order their text
// does not have (jsonb: 1.0 = 1, objects after arrays), so that a source
// comparing or pruning by the stored text would answer wrongly; the
// executor compares them.
func byValueOnly(t sqltypes.Type) bool { return t.HasKind(sqltypes.JSONB) }

func columnAndLiteral(colSide, constSide logical.Expr, cols scanColumns) (string, connectors.Literal, bool) {
	c, ok := colSide.(*logical.ColRef)
	if !ok || byValueOnly(c.T) {
		return "", connectors.Literal{}, false
	}
	name, ok := cols[c.ID]
	if !ok {
		return "", connectors.Literal{}, false
	}
	k, ok := constSide.(*logical.Const)
	if !ok || k.V == nil || !k.T.Equal(c.T) && !(k.T.Kind == c.T.Kind) {
		return "", connectors.Literal{}, false
	}
	return name, connectors.Literal{Type: k.T, Value: k.V}, true
}
