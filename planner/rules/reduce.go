package rules

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// ReduceGroupedJoins shrinks the input of a grouped aggregate that is
// joined to a query on a grouping key (the form a decorrelated subquery
// takes: TPC-H Q17's avg(l_quantity) per part, Q20's sum per part and
// supplier, Q2's min cost per part). Only groups whose key the other side
// produces can match, and the other side's key values come from a filtered
// scan (the parts of one brand and container), so the aggregate input is
// semi-joined with that scan first: the aggregate then sees the lineitems
// of a few hundred parts instead of all of them. The groups that remain are
// computed from all their rows, so the result does not change.
//
// It applies when the aggregate is the right side of an inner, left, semi,
// anti, mark or single join (its unmatched rows are never output), and the
// scan is estimated at least reduceFactor times smaller than the aggregate
// input. The scan is read twice; it is a filtered scan, never a join.
func ReduceGroupedJoins(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		j, ok := n.(*logical.Join)
		if !ok || !reducibleJoin(j.Type) {
			return n, nil
		}
		right, changed := reduceRight(j)
		if !changed {
			return n, nil
		}
		c := *j
		c.Right = right
		return &c, nil
	})
}

const reduceFactor = 4

func reducibleJoin(t logical.JoinType) bool {
	switch t {
	case logical.InnerJoin, logical.LeftJoin, logical.SemiJoin, logical.AntiJoin, logical.MarkJoin, logical.SingleJoin:
		return true
	}
	return false
}

// reduceRight returns j.Right with its aggregate's input reduced, if some
// equality of j.Cond links a grouping key to a filtered scan on the left.
func reduceRight(j *logical.Join) (logical.Node, bool) {
	leftCols := logical.OutputSet(j.Left)
	for _, p := range logical.Conjuncts(j.Cond) {
		l, r, ok := leftEquality(p, leftCols)
		if !ok {
			continue
		}
		if out, ok := reduceAggregate(j.Right, r, func(aggInput logical.Node, key *logical.ColRef) logical.Node {
			return reducer(j.Left, l, key, aggInput)
		}); ok {
			return out, true
		}
	}
	return j.Right, false
}

// reduceAggregate finds, through projections and filters that pass key
// through, the aggregate grouped by key, and replaces its input by
// semi(input, reducer) when mk returns a reducer.
func reduceAggregate(n logical.Node, key *logical.ColRef, mk func(logical.Node, *logical.ColRef) logical.Node) (logical.Node, bool) {
	switch x := n.(type) {
	case *logical.Project:
		for i, id := range x.Cols {
			if id != key.ID {
				continue
			}
			ref, ok := x.Exprs[i].(*logical.ColRef)
			if !ok {
				return n, false
			}
			in, ok := reduceAggregate(x.Input, ref, mk)
			if !ok {
				return n, false
			}
			c := *x
			c.Input = in
			return &c, true
		}
	case *logical.Filter:
		in, ok := reduceAggregate(x.Input, key, mk)
		if !ok {
			return n, false
		}
		c := *x
		c.Input = in
		return &c, true
	case *logical.Aggregate:
		if len(x.InputOrder) > 0 || !logical.OutputSet(x.Input).Has(key.ID) {
			return n, false
		}
		grouped := false
		for i, id := range x.GroupCols {
			if ref, ok := x.Groups[i].(*logical.ColRef); ok && id == key.ID && ref.ID == key.ID {
				grouped = true
			}
		}
		if !grouped {
			return n, false
		}
		red := mk(x.Input, key)
		if red == nil {
			return n, false
		}
		c := *x
		c.Input = red
		return &c, true
	}
	return n, false
}

// reducer returns semi(aggInput, scan) on key = a scan column whose values
// include every value of col in left, or nil when there is no scan small
// enough. Such scans are found through the inner and semi joins of left:
// their equality conditions make columns equal, and a join only drops rows.
func reducer(left logical.Node, col, key *logical.ColRef, aggInput logical.Node) logical.Node {
	leaves, eqs := joinLeaves(left)
	same := equalClosure(col, eqs)
	var best *logical.Scan
	var bestCol *logical.ColRef
	bestRows := logical.Estimate(aggInput) / reduceFactor
	for _, l := range leaves {
		s, ok := l.(*logical.Scan)
		if !ok || len(s.Filters) == 0 {
			continue
		}
		for _, id := range s.Cols {
			if c := same[id]; c != nil && c.T.Equal(key.T) {
				if rows := logical.Estimate(s); rows < bestRows {
					best, bestCol, bestRows = s, c, rows
				}
			}
		}
	}
	if best == nil {
		return nil
	}
	return placeSemi(aggInput, key, best, bestCol)
}

// joinLeaves returns the inputs of the inner and semi joins of n (looking
// through filters and pass-through projections) and the column
// equalities of their conditions, which hold on every row of n.
func joinLeaves(n logical.Node) (leaves []logical.Node, eqs [][2]*logical.ColRef) {
	var walk func(n logical.Node)
	walk = func(n logical.Node) {
		switch x := n.(type) {
		case *logical.Join:
			if x.Type == logical.InnerJoin || x.Type == logical.SemiJoin {
				walk(x.Left)
				walk(x.Right)
				for _, p := range logical.Conjuncts(x.Cond) {
					if a, b, ok := colEquality(p); ok {
						eqs = append(eqs, [2]*logical.ColRef{a, b})
					}
				}
				return
			}
		case *logical.Filter:
			walk(x.Input)
			return
		case *logical.Project:
			if passThrough(x) {
				walk(x.Input)
				return
			}
		}
		leaves = append(leaves, n)
	}
	walk(n)
	return leaves, eqs
}

// equalClosure returns the columns equal to col by the closure over eqs.
func equalClosure(col *logical.ColRef, eqs [][2]*logical.ColRef) map[logical.ColumnID]*logical.ColRef {
	same := map[logical.ColumnID]*logical.ColRef{col.ID: col}
	for grew := true; grew; {
		grew = false
		for _, e := range eqs {
			_, a := same[e[0].ID]
			_, b := same[e[1].ID]
			if a != b {
				same[e[0].ID], same[e[1].ID] = e[0], e[1]
				grew = true
			}
		}
	}
	return same
}

// placeSemi puts semi(·, scan) on key = col as low in n as key exists:
// through inner joins and filters, so that a join below the aggregate
// (Q2's partsupp with supplier, nation, region) also sees fewer rows.
func placeSemi(n logical.Node, key *logical.ColRef, scan logical.Node, col *logical.ColRef) logical.Node {
	switch x := n.(type) {
	case *logical.Join:
		if x.Type == logical.InnerJoin {
			c := *x
			switch {
			case logical.OutputSet(x.Left).Has(key.ID):
				c.Left = placeSemi(x.Left, key, scan, col)
				return &c
			case logical.OutputSet(x.Right).Has(key.ID):
				c.Right = placeSemi(x.Right, key, scan, col)
				return &c
			}
		}
	case *logical.Filter:
		c := *x
		c.Input = placeSemi(x.Input, key, scan, col)
		return &c
	}
	return &logical.Join{Type: logical.SemiJoin, Left: n, Right: scan,
		Cond: &logical.Binary{Op: expr.OpEq, L: key, R: col, T: sqltypes.TypeBool}}
}

// passThrough reports whether p only selects columns of its input.
func passThrough(p *logical.Project) bool {
	for i, e := range p.Exprs {
		if r, ok := e.(*logical.ColRef); !ok || r.ID != p.Cols[i] {
			return false
		}
	}
	return true
}

// colEquality returns the two columns of `a = b`.
func colEquality(p logical.Expr) (*logical.ColRef, *logical.ColRef, bool) {
	l, r, ok := logical.ColumnEquality(p)
	if !ok || !l.T.Equal(r.T) {
		return nil, nil, false
	}
	return l, r, true
}

// leftEquality is colEquality with l the side among leftCols; ok is false
// when neither side is.
func leftEquality(p logical.Expr, leftCols logical.ColSet) (l, r *logical.ColRef, ok bool) {
	if l, r, ok = colEquality(p); !ok {
		return nil, nil, false
	}
	if !leftCols.Has(l.ID) {
		l, r = r, l
	}
	return l, r, leftCols.Has(l.ID)
}

// ReduceSemiJoinBuilds shrinks the large right side of a semi or anti join
// whose left side is a small filtered scan (TPC-H Q4: EXISTS over the 3.8M
// late lineitems for the 57k orders of one quarter): the right side is
// first semi-joined with that scan on the join's equality, which keeps only
// the right rows that can match (a hash table of 57k orders probed by the
// lineitems), so the join then builds 150k rows instead of 3.8M. Right
// rows without a match on the equality never decide a semi or anti join
// (nor an EXISTS mark), so the result does not change; an IN mark is left
// alone, since a right row with a NULL key makes it NULL. The scan is read
// twice, as ReduceGroupedJoins reads it.
func ReduceSemiJoinBuilds(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		j, ok := n.(*logical.Join)
		if !ok || j.Type != logical.SemiJoin && j.Type != logical.AntiJoin && j.Type != logical.MarkJoin {
			return n, nil
		}
		if j.Type == logical.MarkJoin && !j.ExistsMark {
			// IN's mark is NULL, not false, when no right row matches
			// and one has a NULL key: such a row matches no left row,
			// yet decides (x NOT IN (SELECT nullable …) was true for
			// every x once a filter on x made the scan small).
			return n, nil
		}
		s, ok := j.Left.(*logical.Scan)
		if !ok || len(s.Filters) == 0 || logical.Estimate(j.Right) < semiReduceFactor*logical.Estimate(s) {
			return n, nil
		}
		leftCols, rightCols := logical.OutputSet(s), logical.OutputSet(j.Right)
		for _, p := range logical.Conjuncts(j.Cond) {
			l, r, ok := leftEquality(p, leftCols)
			if !ok || !rightCols.Has(r.ID) {
				continue
			}
			c := *j
			c.Right = placeSemi(j.Right, r, s, l)
			return &c, nil
		}
		return n, nil
	})
}

// semiReduceFactor is how much larger than the scan on its left (by
// estimate) a semi join's right side must be to be reduced: reading the
// scan again and probing the right side into it must pay for itself, and
// Q21's EXISTS (lineitem against lineitem, 3x) is not reduced.
const semiReduceFactor = 8
