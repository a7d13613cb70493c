package bind

import (
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// lateralOnSubqueries completes `l [LEFT] JOIN LATERAL (subquery) x ON
// cond` whose cond has subqueries (`ON x.a IN (SELECT ...)`, `ON l.s IN
// (VALUES ...)`), for a subquery decorrelated into a join (r.lateral).
// An inner join's ON filters the joined rows as WHERE does: the LATERAL
// join is made with the rest of cond, and the subqueries filter its rows.
// A LEFT JOIN's ON decides which left rows keep the subquery's rows and
// which are padded, so each subquery is computed where its value is
// final: one reading only l's columns over l's rows, before the join; one
// reading only x's rows as a filter of those rows (x's rows are the
// subquery's own, unless their LIMIT or select list reads l). Under an
// aggregate without GROUP BY, whose one row per left row is final only
// after the join (a count of no rows is 0 there), applyLateral computes
// them over the joined rows, and a LEFT JOIN nulls x's columns where cond
// fails; so it does when x's LIMIT or select list reads l, keeping each
// left row's rows that pass cond or one padded row. A subquery reading
// both sides of x's own rows is computed per pair of rows
// (lateralOnPerPair).
func (b *binder) lateralOnSubqueries(joined *relation, lat *lateralInfo, cond logical.Expr, loc int) (*relation, error) {
	join := joined.node.(*logical.Join)
	plain, withSub := splitBySubquery(cond)
	if join.Type != logical.LeftJoin && lat.scalar {
		// The aggregate's values are final after the join: applyLateral
		// filters by cond there.
		join.Cond = cond
		return b.applyLateral(joined, lat, loc)
	}
	if join.Type != logical.LeftJoin {
		join.Cond = logical.And(plain)
		joined, err := b.applyLateral(joined, lat, loc)
		if err != nil {
			return nil, err
		}
		joined.node, err = b.filterWithSubqueries(joined.node, logical.And(withSub))
		return joined, err
	}
	leftCols, rightCols := logical.OutputSet(join.Left), logical.OutputSet(join.Right)
	ownRows := !lat.scalar && lat.limit == nil && len(lat.post) == 0
	var rest []logical.Expr
	for _, c := range withSub {
		reads := readsFrom(c)
		switch {
		case reads.SubsetOf(leftCols):
			node, cs, err := b.joinSubqueries(join.Left, []logical.Expr{c})
			if err != nil {
				return nil, err
			}
			join.Left, plain = node, append(plain, cs[0])
		case reads.SubsetOf(rightCols) && ownRows:
			node, err := b.filterWithSubqueries(join.Right, c)
			if err != nil {
				return nil, err
			}
			join.Right = node
		default:
			rest = append(rest, c)
		}
	}
	if len(rest) == 0 {
		join.Cond = logical.And(plain)
		return b.applyLateral(joined, lat, loc)
	}
	if ownRows {
		return b.lateralOnPerPair(joined, lat, plain, rest, loc)
	}
	// Otherwise the aggregate's values, or the select-list entries and
	// LIMIT that read l, are final only after the join: applyLateral
	// applies the whole ON there (applyLateralPost), subqueries included.
	join.Cond = logical.And(append(plain, rest...))
	return b.applyLateral(joined, lat, loc)
}

// lateralOnPerPair is lateralOnSubqueries for a LEFT JOIN whose ON has
// subqueries reading both sides (`ON EXISTS (SELECT ... WHERE p.id = x.pid
// AND p.price > o.amount)`), as outerJoinPerPair does for other joins: the
// numbered left rows join x's rows on the rest of the condition (every
// left row keeps at least its padding), the subqueries are computed for
// each pair, and each left row keeps its pairs that satisfy them, or one
// padded row when none does.
func (b *binder) lateralOnPerPair(joined *relation, lat *lateralInfo, plain, withSub []logical.Expr, loc int) (*relation, error) {
	join := joined.node.(*logical.Join)
	rowID := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	join.Left = b.numberRows(join.Left, rowID)
	keys := join.Left.Output()
	matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	join.Right = b.withMarker(join.Right, matched)
	join.Cond = logical.And(plain)
	joined, err := b.applyLateral(joined, lat, loc)
	if err != nil {
		return nil, err
	}
	node, conds, err := b.joinSubqueries(joined.node, []logical.Expr{logical.And(withSub)})
	if err != nil {
		return nil, err
	}
	r := &perRowOut{node: node, rowID: rowID, keys: keys, marker: b.colRef(matched)}
	b.keepOrPad(r, conds[0])
	repointColumns(joined, r.renamed, nil)
	joined.node = r.node
	return joined, nil
}
