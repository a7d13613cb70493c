package bind

import (
	"github.com/meshql/meshql/planner/logical"
)

// preAggregateInner shrinks the inner side of aggregateOverOuter's join
// when the correlation is not an equality (`LATERAL (SELECT count(*) FROM
// orders o2 WHERE o2.customer_id <> o.customer_id)`): that join pairs
// every outer row with every inner row the predicate accepts, so its
// size is outer × inner. Grouping the inner rows by the columns the
// correlation reads first, with the aggregates computed per group,
// leaves the predicate the same answer for every row of a group, and the
// aggregate above the join only merges the groups' partial results
// (count_merge, sum_merge, min, max): outer × groups pairs instead of
// outer × rows. It returns the grouped input and agg with its calls
// turned into their merges; ok is false when an aggregate does not
// decompose (avg, DISTINCT, ordered), reads the outer row, or when the
// grouping would hardly shrink the inner rows.
func (b *binder) preAggregateInner(in logical.Node, corr []logical.Expr, agg *logical.Aggregate) (_ logical.Node, _ *logical.Aggregate, ok bool) {
	if len(agg.Groups) > 0 || len(agg.InputOrder) > 0 || len(agg.Aggs) == 0 {
		return nil, nil, false
	}
	local := logical.NewColSet(in.Output()...)
	var keys []logical.ColumnID
	seen := logical.ColSet{}
	for _, c := range corr {
		for _, id := range logical.ColumnsOf(c).Sorted() {
			if !local.Has(id) || seen.Has(id) {
				continue
			}
			if !groupable(b.meta.Column(id).Type) {
				return nil, nil, false
			}
			seen.Add(id)
			keys = append(keys, id)
		}
	}
	if len(keys) == 0 || !preAggregationPays(in, keys) {
		return nil, nil, false
	}
	early := &logical.Aggregate{Input: in}
	for _, id := range keys {
		early.Groups, early.GroupCols = append(early.Groups, b.colRef(id)), append(early.GroupCols, id)
	}
	final := *agg
	final.Aggs = make([]logical.AggCall, len(agg.Aggs))
	for i, call := range agg.Aggs {
		merge, ok := call.Merge()
		if !ok || !readOnly(append(append([]logical.Expr(nil), call.Args...), call.Filter), local) {
			return nil, nil, false
		}
		id := b.meta.NewColumn(b.meta.Column(agg.AggCols[i]).Name, "", call.T)
		early.Aggs, early.AggCols = append(early.Aggs, call), append(early.AggCols, id)
		final.Aggs[i] = logical.AggCall{Func: merge, Args: []logical.Expr{b.colRef(id)}, T: call.T}
	}
	return early, &final, true
}

// preAggregationPays reports whether grouping in by keys leaves at most
// half its rows, by the column statistics; without them it is assumed to
// (the grouping costs one pass over the inner rows, which the join above
// reads once per outer row).
func preAggregationPays(in logical.Node, keys []logical.ColumnID) bool {
	groups, ok := logical.GroupsEstimate(in, keys)
	return !ok || groups <= logical.Estimate(in)/2
}
