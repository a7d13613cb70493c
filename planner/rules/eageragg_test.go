package rules

import (
	"slices"
	"testing"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// q10Shape is TPC-H Q10's FROM list and GROUP BY: lineitem ⋈ orders (a
// quarter's orders) ⋈ customer ⋈ nation, grouped by c_custkey, c_name
// and n_name, summing a lineitem column. customer is filtered when
// filterCustomer; groups names the group keys.
func q10Shape(t *testing.T, filterCustomer bool, groups []string, sumOf string) (*tpchShape, *logical.Aggregate, map[string]*logical.Scan) {
	t.Helper()
	s := newTPCHShape()
	s.table("lineitem", 6_000_000, false, col("l_orderkey", 6_000_000), col("l_price", 100_000))
	s.table("orders", 1_500_000, true, col("o_orderkey", 6_000_000), col("o_custkey", 150_000))
	s.table("customer", 150_000, true, col("c_custkey", 150_000), col("c_name", 150_000), col("c_nationkey", 25))
	s.table("nation", 25, true, col("n_nationkey", 25), col("n_name", 25))
	var customer logical.Node = s.scans["customer"]
	if filterCustomer {
		customer = filtered(customer, s.byCol["c_nationkey"])
	}
	tree := &logical.Join{Type: logical.InnerJoin,
		Left: &logical.Join{Type: logical.InnerJoin,
			Left:  &logical.Join{Type: logical.InnerJoin, Left: customer, Right: filtered(s.scans["orders"], s.byCol["o_custkey"]), Cond: s.eq("c_custkey", "o_custkey")},
			Right: s.scans["lineitem"], Cond: s.eq("l_orderkey", "o_orderkey")},
		Right: s.scans["nation"], Cond: s.eq("c_nationkey", "n_nationkey")}
	agg := &logical.Aggregate{Input: tree}
	for _, g := range groups {
		agg.Groups = append(agg.Groups, s.byCol[g])
		agg.GroupCols = append(agg.GroupCols, s.byCol[g].ID)
	}
	agg.Aggs = []logical.AggCall{{Func: "sum", Args: []logical.Expr{s.byCol[sumOf]}, T: sqltypes.TypeInt8}}
	agg.AggCols = []logical.ColumnID{s.next + 1}
	return s, agg, s.scans
}

// eagerRewrite runs the rule on agg, whose columns are numbered up to
// its aggregate's.
func eagerRewrite(t *testing.T, agg *logical.Aggregate) logical.Node {
	t.Helper()
	meta := &logical.Metadata{}
	for range agg.AggCols[0] {
		meta.NewColumn("c", "t", sqltypes.TypeInt8)
	}
	out, err := PushAggregatesBelowKeyJoins(agg, meta)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEagerAggregateQ10: the sum runs on lineitem ⋈ orders grouped by
// o_custkey, below the join with customer ⋈ nation, and an aggregate with
// the original groups and output columns merges the early sums above it.
func TestEagerAggregateQ10(t *testing.T) {
	s, agg, scans := q10Shape(t, false, []string{"c_custkey", "c_name", "n_name"}, "l_price")
	out, early := mergedEarly(t, agg)
	below := leavesOf(early)
	if len(below) != 2 || !below[scans["lineitem"]] || !below[scans["orders"]] {
		t.Errorf("aggregate over %v, want lineitem and orders", names(below))
	}
	if !slices.Equal(early.GroupCols, []logical.ColumnID{s.byCol["o_custkey"].ID}) {
		t.Errorf("early groups %v, want o_custkey", early.GroupCols)
	}
	all := leavesOf(out)
	if len(all) != 4 {
		t.Errorf("plan reads %v, want all four tables", names(all))
	}
}

// mergedEarly rewrites agg and checks that the result is an aggregate
// with agg's output columns merging the sums of an early aggregate below
// it, which it returns.
func mergedEarly(t *testing.T, agg *logical.Aggregate) (logical.Node, *logical.Aggregate) {
	t.Helper()
	want := agg.Output()
	out := eagerRewrite(t, agg)
	final, ok := out.(*logical.Aggregate)
	if !ok || !slices.Equal(final.Output(), want) || final.Aggs[0].Func != "sum_merge" {
		t.Fatalf("not a merging aggregate with the original columns:\n%s", explainTree(out, 0))
	}
	early := earlyAggregate(final.Input)
	if early == nil {
		t.Fatalf("no early aggregate:\n%s", explainTree(out, 0))
	}
	return out, early
}

// earlyAggregate is the aggregate inside n, or nil.
func earlyAggregate(n logical.Node) *logical.Aggregate {
	var found *logical.Aggregate
	_, _ = logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		if a, ok := n.(*logical.Aggregate); ok {
			found = a
		}
		return n, nil
	})
	return found
}

// TestEagerAggregateDeclines: no early aggregate when the other side is
// filtered (it would drop rows already aggregated) or when the aggregate
// reads the side that would be joined later.
func TestEagerAggregateDeclines(t *testing.T) {
	for _, tc := range []struct {
		name     string
		filtered bool
		groups   []string
		sumOf    string
	}{
		{"filtered customer", true, []string{"c_custkey", "c_name", "n_name"}, "l_price"},
		{"sum of a customer column", false, []string{"c_custkey", "n_name"}, "c_name"},
	} {
		_, agg, _ := q10Shape(t, tc.filtered, tc.groups, tc.sumOf)
		if out, ok := eagerRewrite(t, agg).(*logical.Aggregate); !ok || earlyAggregate(out.Input) != nil {
			t.Errorf("%s: rewritten:\n%s", tc.name, explainTree(out, 0))
		}
	}
	// An aggregate that does not merge from partial results (avg) stays.
	_, agg, _ := q10Shape(t, false, []string{"c_custkey", "c_name", "n_name"}, "l_price")
	agg.Aggs[0].Func = "avg"
	if out, ok := eagerRewrite(t, agg).(*logical.Aggregate); !ok || earlyAggregate(out.Input) != nil {
		t.Errorf("avg: rewritten:\n%s", explainTree(out, 0))
	}
}

// byNameShape is the analysts' revenue per customer name and nation:
// orders ⋈ customer ⋈ nation grouped by n_name and c_name (no key among
// the groups), summing an orders column; o_custkey has custkeys values.
// With alsoNation, orders meets nation by a second condition across
// (o_nationkey = n_nationkey, one value: it alone would not stop the
// early aggregate).
func byNameShape(custkeys int64, alsoNation bool) (*tpchShape, *logical.Aggregate) {
	s := newTPCHShape()
	s.table("orders", 1_500_000, true, col("o_orderkey", 6_000_000), col("o_custkey", custkeys), col("o_price", 100_000), col("o_nationkey", 1))
	s.table("customer", 150_000, true, col("c_custkey", 150_000), col("c_name", 150_000), col("c_nationkey", 25))
	s.table("nation", 25, true, col("n_nationkey", 25), col("n_name", 25))
	tree := &logical.Join{Type: logical.InnerJoin,
		Left:  &logical.Join{Type: logical.InnerJoin, Left: s.scans["customer"], Right: s.scans["orders"], Cond: s.eq("c_custkey", "o_custkey")},
		Right: s.scans["nation"], Cond: s.eq("c_nationkey", "n_nationkey")}
	if alsoNation {
		tree.Cond = logical.And([]logical.Expr{tree.Cond, s.eq("o_nationkey", "n_nationkey")})
	}
	agg := &logical.Aggregate{Input: tree}
	for _, g := range []string{"n_name", "c_name"} {
		agg.Groups = append(agg.Groups, s.byCol[g])
		agg.GroupCols = append(agg.GroupCols, s.byCol[g].ID)
	}
	agg.Aggs = []logical.AggCall{{Func: "sum", Args: []logical.Expr{s.byCol["o_price"]}, T: sqltypes.TypeInt8}}
	agg.AggCols = []logical.ColumnID{s.next + 1}
	return s, agg
}

// TestEagerAggregateFinerGroups: with no key of the other side among the
// group keys, orders is still summed per o_custkey below the joins when
// that leaves a tenth of its rows (the final aggregate merges customers
// of the same name), and not when o_custkey has about as many values as
// orders has rows, nor when a second condition ties orders to nation.
func TestEagerAggregateFinerGroups(t *testing.T) {
	s, agg := byNameShape(150_000, false)
	out, early := mergedEarly(t, agg)
	if !slices.Equal(early.GroupCols, []logical.ColumnID{s.byCol["o_custkey"].ID}) {
		t.Fatalf("no early aggregate of orders by o_custkey:\n%s", explainTree(out, 0))
	}
	if below := leavesOf(early); len(below) != 1 || !below[s.scans["orders"]] {
		t.Errorf("early aggregate over %v, want orders", names(below))
	}
	_, agg = byNameShape(1_500_000, false)
	if out, ok := eagerRewrite(t, agg).(*logical.Aggregate); !ok || earlyAggregate(out.Input) != nil {
		t.Errorf("o_custkey as many as the rows: rewritten:\n%s", explainTree(out, 0))
	}
	_, agg = byNameShape(150_000, true)
	if out, ok := eagerRewrite(t, agg).(*logical.Aggregate); !ok || earlyAggregate(out.Input) != nil {
		t.Errorf("two conditions across: rewritten:\n%s", explainTree(out, 0))
	}
}
