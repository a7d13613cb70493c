package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindValues binds a VALUES list: every row has the same arity, and each
// column is coerced to the common type of its entries.
func (b *binder) bindValues(sel *pg_query.SelectStmt, outer *scope) (*relation, error) {
	rows, width, err := b.bindValuesRows(sel, outer)
	if err != nil {
		return nil, err
	}
	v := &logical.Values{}
	var cols []outCol
	for c := 0; c < width; c++ {
		col := make([]logical.Expr, len(rows))
		locs := make([]int, len(rows))
		for r := range rows {
			col[r] = rows[r][c]
			locs[r] = leftmost(sel.ValuesLists[r].GetList().GetItems()[c])
		}
		coerced, t, err := b.unifyList(col, "VALUES", locs, -1)
		if err != nil {
			return nil, err
		}
		for r := range rows {
			rows[r][c] = coerced[r]
		}
		name := "column" + itoa(c+1)
		id := b.meta.NewColumn(name, "", t)
		v.Cols = append(v.Cols, id)
		cols = append(cols, outCol{name: name, id: id, t: t})
	}
	v.Rows = rows
	node, err := b.computedValues(v)
	if err != nil {
		return nil, err
	}
	return b.orderAndLimit(sel, node, cols, outer, false)
}

// computedValues returns v as a projection when an entry reads a column
// (of an enclosing query) or holds a subquery: the projection computes
// row i's entries over row i of a list of row numbers, so the
// decorrelation of an enclosing subquery treats it as it does any select
// list, and its subqueries join that list. A VALUES list of constants
// stays as it is, evaluated once.
func (b *binder) computedValues(v *logical.Values) (logical.Node, error) {
	computed := false
	for _, row := range v.Rows {
		for _, e := range row {
			computed = computed || len(logical.ColumnsOf(e)) > 0 || hasSubquery(e)
		}
	}
	if !computed {
		return v, nil
	}
	var nums logical.Node
	exprs := make([]logical.Expr, len(v.Cols))
	if len(v.Rows) == 1 {
		nums = &logical.Values{Rows: [][]logical.Expr{{}}}
		copy(exprs, v.Rows[0])
	} else {
		idx := b.meta.NewColumn("values_row", "", sqltypes.TypeInt8)
		list := &logical.Values{Cols: []logical.ColumnID{idx}}
		for c, id := range v.Cols {
			exprs[c] = &logical.Case{T: b.colRef(id).T}
		}
		for i, row := range v.Rows {
			n := &logical.Const{T: sqltypes.TypeInt8, V: int64(i + 1)}
			list.Rows = append(list.Rows, []logical.Expr{n})
			is := &logical.Binary{Op: expr.OpEq, L: b.colRef(idx), R: n, T: sqltypes.TypeBool}
			for c, e := range row {
				cs := exprs[c].(*logical.Case)
				cs.Whens = append(cs.Whens, logical.When{Cond: is, Then: e})
			}
		}
		nums = list
	}
	nums, exprs, err := b.joinSubqueries(nums, exprs)
	if err != nil {
		return nil, err
	}
	return &logical.Project{Input: nums, Exprs: exprs, Cols: v.Cols}, nil
}

// bindValuesRows binds the entries of a VALUES list, a query level of its
// own: they may read the enclosing queries' columns (`(VALUES (o.a))` in
// a query over o), and an aggregate or window call of their own is
// PostgreSQL's "not allowed in VALUES" (one of an enclosing level's
// columns is that level's).
func (b *binder) bindValuesRows(sel *pg_query.SelectStmt, outer *scope) (rows [][]logical.Expr, width int, err error) {
	lvl := &queryLevel{outer: outer}
	lvl.enter("VALUES", nil, false)
	b.levels = append(b.levels, lvl)
	savedWin := b.win
	b.win = nil
	defer func() { b.levels, b.win = b.levels[:len(b.levels)-1], savedWin }()
	sc := &scope{parent: outer}
	width = -1
	for _, ln := range sel.ValuesLists {
		items := ln.GetList().GetItems()
		if width >= 0 && len(items) != width {
			return nil, 0, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "VALUES lists must all be the same length"), location(ln))
		}
		width = len(items)
		row := make([]logical.Expr, width)
		for i, it := range items {
			e, err := b.bindItem(it, sc, nil)
			if err != nil {
				return nil, 0, err
			}
			row[i] = e
		}
		rows = append(rows, row)
	}
	return rows, width, nil
}
