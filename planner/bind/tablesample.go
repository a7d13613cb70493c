package bind

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindTableSample binds `product TABLESAMPLE BERNOULLI|SYSTEM (percent)
// [REPEATABLE (seed)]` as a filter keeping each row of the product, as
// the session's policies leave it (row filters applied, masks in place),
// with probability percent/100 (expr.SampleFunc). meshql's sources have
// no pages, so SYSTEM samples rows as BERNOULLI does. The filter is
// volatile: the optimizer moves it into no join input and below no
// grouping, so it samples the product's rows, never more or others.
//
// Errors are PostgreSQL's: 42704 for another method, 2202H for another
// number of arguments (and, when the rows are read, for a NULL or
// out-of-range percentage), 0A000 for a WITH query.
func (b *binder) bindTableSample(ts *pg_query.RangeTableSample, outer *scope) (*relation, error) {
	loc := int(ts.Location)
	rv := ts.Relation.GetRangeVar()
	if rv == nil {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "TABLESAMPLE clause can only be applied to tables and materialized views"), loc)
	}
	var method []string
	for _, m := range ts.Method {
		method = append(method, m.GetString_().GetSval())
	}
	name := strings.Join(method, ".")
	if name != "bernoulli" && name != "system" {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedObject, "tablesample method %s does not exist", name), loc)
	}
	if len(ts.Args) != 1 {
		return nil, errAt(sqltypes.New("2202H", "tablesample method %s requires 1 argument, not %d", name, len(ts.Args)), loc)
	}
	if rv.Schemaname == "" && rv.Catalogname == "" {
		if def, _, _ := b.lookupCTE(rv.Relname); def != nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "TABLESAMPLE clause can only be applied to tables and materialized views"), loc)
		}
	}
	args := []logical.Expr{}
	for _, n := range []*pg_query.Node{ts.Args[0], ts.Repeatable} {
		if n == nil {
			continue
		}
		// The arguments see no column of the FROM clause (42P01 as in
		// PostgreSQL), and are computed once.
		e, err := b.bindExpr(n, &scope{}, nil)
		if err != nil {
			return nil, err
		}
		if hasSubquery(e) {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "a subquery in TABLESAMPLE is not supported"), location(n))
		}
		if e, err = b.coerce(e, sqltypes.TypeFloat8); err != nil {
			return nil, errAt(sqltypes.AsError(err), location(n))
		}
		args = append(args, e)
	}
	rel, err := b.bindRangeVar(rv, outer)
	if err != nil {
		return nil, err
	}
	if ts.Repeatable != nil {
		row, err := sampledRowText(rel.scope)
		if err != nil {
			return nil, err
		}
		args = append(args, row)
	}
	c := *rel
	c.node = &logical.Filter{Input: rel.node, Pred: &logical.Func{Name: expr.SampleFunc, Args: args, T: sqltypes.TypeBool}}
	return &c, nil
}

// sampledRowText is the text a REPEATABLE sample hashes for each row: the
// JSON object of the columns the session may read, as it reads them
// (masked), so that a denied column's values decide nothing.
func sampledRowText(sc *scope) (logical.Expr, error) {
	var args []logical.Expr
	for _, c := range sc.cols {
		if c.denied != "" {
			continue
		}
		args = append(args, &logical.Const{T: sqltypes.TypeText, V: c.name}, &logical.ColRef{ID: c.id, Name: c.name, T: c.t})
	}
	if len(args) == 0 {
		return &logical.Const{T: sqltypes.TypeText, V: ""}, nil
	}
	t, err := funcType("row_to_json", args)
	if err != nil {
		return nil, err
	}
	return &logical.Cast{E: &logical.Func{Name: "row_to_json", Args: args, T: t}, T: sqltypes.TypeText}, nil
}
