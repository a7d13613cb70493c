package rules

import (
	"math/bits"
	"slices"

	"github.com/meshql/meshql/planner/logical"
)

// PushAggregatesBelowKeyJoins aggregates before a join that cannot change
// the groups (eager aggregation). TPC-H Q10 groups lineitem ⋈ orders ⋈
// customer ⋈ nation by c_custkey and six more customer and nation columns,
// summing lineitem values: every lineitem row meets exactly one customer,
// and c_custkey, a declared key, decides the other six columns. So
// lineitem ⋈ orders is summed per o_custkey first (38k groups instead of
// 115k joined rows hashed on seven keys, three of them long text), and
// only those groups meet customer ⋈ nation, which then carry their text
// columns through one join instead of two.
//
// The inputs of the join tree are split into a side L, which holds every
// column the aggregates read, and a side R, joined to L only by
// equalities, one of them on a column k of R that is unique there
// (logical.KeyRows: a declared unique or primary_key column, kept unique by
// R's own key joins). Each L row then meets at most one R row, so each
// aggregate sees the same rows whether it runs above the join or below it;
// and when k (or the L column equal to it) is a group key, the R columns
// among the group keys are fixed by k, so grouping L by its own group
// keys plus its join columns yields exactly the groups of the original.
// When k is not a group key (the analysts' top customers by nation and
// name: orders ⋈ customer ⋈ nation grouped by n_name, c_name), the early
// groups are finer than the original ones and the final aggregate merges
// them; that pays only when L's rows fall to a fraction of their number
// (eagerPays), so it is done only when column statistics say so, and only
// when that one equality is all that joins L and R.
// Every input of R must be a whole table (a scan without filters): a
// filtered R would drop L rows the early aggregate had already paid for
// (TPC-H Q3's customers of one segment keep a fifth of the orders).
//
// The declared key only decides whether this pays: an aggregate above the
// join merges the early groups (eagerPlan), so a key that does not hold in
// the data costs a larger final aggregate, never a different answer.
func PushAggregatesBelowKeyJoins(n logical.Node, meta *logical.Metadata) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		a, ok := n.(*logical.Aggregate)
		if !ok {
			return n, nil
		}
		if out, ok := eagerAggregate(a, meta); ok {
			return out, nil
		}
		return n, nil
	})
}

// maxEagerInputs bounds the subsets of join inputs tried as the L side.
const maxEagerInputs = 12

func eagerAggregate(a *logical.Aggregate, meta *logical.Metadata) (logical.Node, bool) {
	if len(a.Groups) == 0 {
		return nil, false
	}
	groupSet := logical.ColSet{}
	for i, g := range a.Groups {
		c, ok := g.(*logical.ColRef)
		if !ok || a.GroupCols[i] != c.ID {
			return nil, false
		}
		groupSet.Add(c.ID)
	}
	in := a.Input
	var conds []logical.Expr
	if f, ok := in.(*logical.Filter); ok {
		conds = logical.Conjuncts(f.Pred)
		in = f.Input
	}
	j, ok := in.(*logical.Join)
	if !ok || j.Type != logical.InnerJoin {
		return nil, false
	}
	var leaves []logical.Node
	flattenInner(j, &leaves, &conds)
	if len(leaves) < 2 || len(leaves) > maxEagerInputs {
		return nil, false
	}
	aggCols := logical.ColSet{}
	for _, call := range a.Aggs {
		for _, e := range call.Args {
			aggCols.AddSet(logical.ColumnsOf(e))
		}
		if call.Filter != nil {
			aggCols.AddSet(logical.ColumnsOf(call.Filter))
		}
		for _, k := range call.Order {
			aggCols.AddSet(logical.ColumnsOf(k.Expr))
		}
	}
	for _, k := range a.InputOrder {
		aggCols.AddSet(logical.ColumnsOf(k.Expr))
	}
	if len(aggCols) == 0 {
		return nil, false
	}
	for _, call := range a.Aggs {
		if _, ok := call.Merge(); !ok {
			return nil, false
		}
	}
	leafCols := make([]logical.ColSet, len(leaves))
	var seed uint32
	for i, l := range leaves {
		leafCols[i] = logical.OutputSet(l)
		for id := range aggCols {
			if leafCols[i].Has(id) {
				seed |= 1 << i
			}
		}
	}
	// The smallest L side that works: the fewer inputs are joined before
	// the aggregate, the more of the join runs on its groups.
	all := uint32(1)<<len(leaves) - 1
	best, bestSize := uint32(0), len(leaves)
	for m := seed; m < all; m++ {
		if m&seed == seed && bits.OnesCount32(m) < bestSize && eagerSplitOK(leaves, leafCols, conds, m, groupSet) {
			best, bestSize = m, bits.OnesCount32(m)
		}
	}
	if best == 0 {
		return nil, false
	}
	return eagerPlan(a, meta, leaves, leafCols, conds, best), true
}

// eagerSplit sorts the join conditions by the side whose columns they
// read: L's own, R's own, and those across (nil when one reads both sides
// and is not an equality of a column of each).
type eagerSplit struct {
	lConds, rConds []logical.Expr
	cross          []logical.Expr
	crossCols      [][2]*logical.ColRef // L column, R column of each of cross
}

func splitConds(leafCols []logical.ColSet, conds []logical.Expr, m uint32) (eagerSplit, logical.ColSet, logical.ColSet, bool) {
	lCols, rCols := logical.ColSet{}, logical.ColSet{}
	for i, c := range leafCols {
		if m&(1<<i) != 0 {
			lCols.AddSet(c)
		} else {
			rCols.AddSet(c)
		}
	}
	var s eagerSplit
	for _, c := range conds {
		cc := logical.ColumnsOf(c)
		switch {
		case cc.SubsetOf(lCols):
			s.lConds = append(s.lConds, c)
		case cc.SubsetOf(rCols):
			s.rConds = append(s.rConds, c)
		default:
			l, r, ok := logical.ColumnEquality(c)
			if ok && rCols.Has(l.ID) {
				l, r = r, l
			}
			if !ok || !lCols.Has(l.ID) || !rCols.Has(r.ID) {
				return s, nil, nil, false
			}
			s.cross = append(s.cross, c)
			s.crossCols = append(s.crossCols, [2]*logical.ColRef{l, r})
		}
	}
	return s, lCols, rCols, len(s.cross) > 0
}

// eagerSplitOK reports whether the inputs in m (L) can be aggregated
// before they meet the others (R); see PushAggregatesBelowKeyJoins.
func eagerSplitOK(leaves []logical.Node, leafCols []logical.ColSet, conds []logical.Expr, m uint32, groups logical.ColSet) bool {
	var rLeaves []logical.Node
	for i, l := range leaves {
		if m&(1<<i) != 0 {
			continue
		}
		s, ok := l.(*logical.Scan)
		if !ok || len(s.Filters) > 0 {
			return false
		}
		rLeaves = append(rLeaves, l)
	}
	s, _, _, ok := splitConds(leafCols, conds, m)
	if !ok {
		return false
	}
	rTree := bushyOrder(rLeaves, s.rConds)
	keyJoin := false
	for _, eq := range s.crossCols {
		if _, unique := logical.KeyRows(rTree, eq[1].ID); !unique {
			continue
		}
		if groups.Has(eq[0].ID) || groups.Has(eq[1].ID) {
			return true
		}
		keyJoin = true
	}
	// Finer groups only where R is a lookup joined by that one equality:
	// more conditions across would let R restrict L (TPC-H Q5's nation
	// ties region to supplier and customer), and L alone, aggregated
	// first, would lose that restriction.
	return keyJoin && len(s.crossCols) == 1 && eagerPays(leaves, conds, m, groups)
}

// eagerFraction is the most groups per row of L for which an early
// aggregate whose groups are finer than the original ones pays: below
// it, the join and the final aggregate read a quarter of L's rows or
// fewer (orders grouped by o_custkey: 150k of 1.5M rows).
const eagerFraction = 0.25

// eagerPays reports whether column statistics estimate that grouping the
// inputs in m (L) by the early aggregate's keys (eagerPlan: L's group keys
// and join columns) leaves at most eagerFraction of L's rows.
func eagerPays(leaves []logical.Node, conds []logical.Expr, m uint32, groups logical.ColSet) bool {
	leafCols := make([]logical.ColSet, len(leaves))
	var lLeaves []logical.Node
	for i, l := range leaves {
		leafCols[i] = logical.OutputSet(l)
		if m&(1<<i) != 0 {
			lLeaves = append(lLeaves, l)
		}
	}
	s, lCols, _, _ := splitConds(leafCols, conds, m)
	var keys []logical.ColumnID
	for id := range groups {
		if lCols.Has(id) {
			keys = append(keys, id)
		}
	}
	for _, eq := range s.crossCols {
		if !slices.Contains(keys, eq[0].ID) {
			keys = append(keys, eq[0].ID)
		}
	}
	lTree := bushyOrder(lLeaves, s.lConds)
	est, ok := logical.GroupsEstimate(lTree, keys)
	return ok && est <= eagerFraction*logical.Estimate(lTree)
}

// eagerPlan builds Aggregate'(Aggregate(L) ⋈ R): the early aggregate
// computes a's calls per L group (L's group keys and join columns), and
// the final one, grouped as a is, merges them (AggCall.Merge). With R's
// join column unique, each L group meets one R row and the final
// aggregate only renames; if the declared key does not hold in the data,
// a group meeting several R rows is merged as the original join would
// have counted it, so the answer never depends on the declaration.
func eagerPlan(a *logical.Aggregate, meta *logical.Metadata, leaves []logical.Node, leafCols []logical.ColSet, conds []logical.Expr, m uint32) logical.Node {
	s, lCols, _, _ := splitConds(leafCols, conds, m)
	var lLeaves, rLeaves []logical.Node
	for i, l := range leaves {
		if m&(1<<i) != 0 {
			lLeaves = append(lLeaves, l)
		} else {
			rLeaves = append(rLeaves, l)
		}
	}
	early := &logical.Aggregate{
		Input:      bushyOrder(lLeaves, s.lConds),
		Aggs:       a.Aggs,
		InputOrder: a.InputOrder,
	}
	addGroup := func(c *logical.ColRef) {
		if !slices.Contains(early.GroupCols, c.ID) {
			early.Groups = append(early.Groups, c)
			early.GroupCols = append(early.GroupCols, c.ID)
		}
	}
	for _, g := range a.Groups {
		if c := g.(*logical.ColRef); lCols.Has(c.ID) {
			addGroup(c)
		}
	}
	for _, eq := range s.crossCols {
		addGroup(eq[0])
	}
	final := &logical.Aggregate{Groups: a.Groups, GroupCols: a.GroupCols, AggCols: a.AggCols}
	for i, call := range a.Aggs {
		id := meta.NewColumn(meta.Column(a.AggCols[i]).Name, "", call.T)
		early.AggCols = append(early.AggCols, id)
		merge, _ := call.Merge()
		final.Aggs = append(final.Aggs, logical.AggCall{Func: merge, Args: []logical.Expr{&logical.ColRef{ID: id, Name: meta.Column(id).Name, T: call.T}}, T: call.T})
	}
	final.Input = &logical.Join{Type: logical.InnerJoin, Left: early, Right: bushyOrder(rLeaves, s.rConds), Cond: logical.And(s.cross)}
	return final
}
