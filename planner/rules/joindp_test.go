package rules

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// statsTable is a table with a row count and per-column statistics.
type statsTable struct {
	cols  []string
	rows  int64
	stats map[string]connectors.ColumnStats
}

func (s *statsTable) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(s.cols))
	for i, c := range s.cols {
		fields[i] = arrow.Field{Name: c, Type: arrow.PrimitiveTypes.Int64}
	}
	return arrow.NewSchema(fields, nil)
}
func (s *statsTable) Stats() connectors.Stats {
	return connectors.Stats{RowCount: s.rows, Columns: s.stats}
}
func (s *statsTable) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}
func (s *statsTable) Partitions(context.Context, connectors.ScanRequest) ([]connectors.Partition, error) {
	return nil, nil
}

// tpchShape builds scans shaped like TPC-H's tables at SF1: each table's
// first column is its declared key (unique), and every column's distinct
// count is only known as the width of its range, as Parquet statistics
// give it. Column IDs are numbered in the order the columns are named.
type tpchShape struct {
	next  logical.ColumnID
	byCol map[string]*logical.ColRef
	scans map[string]*logical.Scan
}

func newTPCHShape() *tpchShape {
	return &tpchShape{byCol: map[string]*logical.ColRef{}, scans: map[string]*logical.Scan{}}
}

// table adds a scan of name with rows rows; cols are its columns, each
// with the width of its value range.
func (s *tpchShape) table(name string, rows int64, key bool, cols ...struct {
	name  string
	width int64
}) *logical.Scan {
	tbl := &statsTable{rows: rows, stats: map[string]connectors.ColumnStats{}}
	prod := &catalog.Product{Name: name, Domain: "tpch", Version: 1}
	scan := &logical.Scan{Table: tbl, Product: prod, Name: "tpch." + name}
	for i, c := range cols {
		s.next++
		tbl.cols = append(tbl.cols, c.name)
		tbl.stats[c.name] = connectors.ColumnStats{Min: int64(1), Max: c.width, Distinct: -1}
		col := &catalog.Column{Name: c.name, Type: sqltypes.TypeInt8}
		if i == 0 && key {
			col.Constraints = []string{"unique"}
		}
		prod.Columns = append(prod.Columns, col)
		scan.Cols = append(scan.Cols, s.next)
		scan.SourceIdx = append(scan.SourceIdx, i)
		scan.SourceTypes = append(scan.SourceTypes, sqltypes.TypeInt8)
		s.byCol[c.name] = &logical.ColRef{ID: s.next, Name: c.name, T: sqltypes.TypeInt8}
	}
	s.scans[name] = scan
	return scan
}

func (s *tpchShape) eq(a, b string) logical.Expr {
	return &logical.Binary{Op: expr.OpEq, L: s.byCol[a], R: s.byCol[b], T: sqltypes.TypeBool}
}

func col(name string, width int64) struct {
	name  string
	width int64
} {
	return struct {
		name  string
		width int64
	}{name, width}
}

// filtered keeps about 30% of scan's rows (logical.Estimate of a Filter).
func filtered(n logical.Node, c *logical.ColRef) logical.Node {
	return &logical.Filter{Input: n, Pred: &logical.Binary{Op: expr.OpLt, L: c, R: &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}, T: sqltypes.TypeBool}}
}

// leavesOf lists the scans under n.
func leavesOf(n logical.Node) map[*logical.Scan]bool {
	out := map[*logical.Scan]bool{}
	var visit func(logical.Node)
	visit = func(n logical.Node) {
		if s, ok := n.(*logical.Scan); ok {
			out[s] = true
		}
		for _, c := range n.Children() {
			visit(c)
		}
	}
	visit(n)
	return out
}

// TestDPJoinsThroughImpliedEqualities is TPC-H Q5's FROM list: customer
// is linked to nation only through supplier (c_nationkey = s_nationkey AND
// s_nationkey = n_nationkey). The cheapest order reduces customer to the
// region's nations first (150k → 6k rows at one region in five) and only
// then meets orders and lineitem; with the written conditions alone,
// customer could only meet orders first (every customer's orders).
func TestDPJoinsThroughImpliedEqualities(t *testing.T) {
	s := newTPCHShape()
	lineitem := s.table("lineitem", 6_000_000, false, col("l_orderkey", 6_000_000), col("l_suppkey", 10_000))
	orders := s.table("orders", 1_500_000, true, col("o_orderkey", 6_000_000), col("o_custkey", 150_000))
	customer := s.table("customer", 150_000, true, col("c_custkey", 150_000), col("c_nationkey", 25))
	supplier := s.table("supplier", 10_000, true, col("s_suppkey", 10_000), col("s_nationkey", 25))
	nation := s.table("nation", 25, true, col("n_nationkey", 25), col("n_regionkey", 5))
	region := s.table("region", 5, true, col("r_regionkey", 5))
	leaves := []logical.Node{customer, filtered(orders, s.byCol["o_custkey"]), lineitem, supplier, nation, filtered(filtered(region, s.byCol["r_regionkey"]), s.byCol["r_regionkey"])}
	conds := []logical.Expr{
		s.eq("c_custkey", "o_custkey"), s.eq("l_orderkey", "o_orderkey"), s.eq("l_suppkey", "s_suppkey"),
		s.eq("c_nationkey", "s_nationkey"), s.eq("s_nationkey", "n_nationkey"), s.eq("n_regionkey", "r_regionkey"),
	}
	tree, ok := dpOrder(leaves, conds)
	if !ok {
		t.Fatal("dpOrder gave up on six connected inputs")
	}
	checkConditionsKept(t, tree, conds)
	// The smallest join holding customer holds nation and region, and
	// neither orders nor lineitem.
	var smallest map[*logical.Scan]bool
	_, _ = logical.Transform(tree, func(n logical.Node) (logical.Node, error) {
		if j, ok := n.(*logical.Join); ok {
			if l := leavesOf(j); l[customer] && (smallest == nil || len(l) < len(smallest)) {
				smallest = l
			}
		}
		return n, nil
	})
	if !smallest[nation] || !smallest[region] || smallest[orders] || smallest[lineitem] {
		t.Errorf("customer first joins %v, want nation and region:\n%s", names(smallest), explainTree(tree, 0))
	}
}

// TestDPForeignKeyEstimate: lineitem's l_orderkey spans 6M values but is
// a foreign key into orders' 1.5M keys. Joining lineitem with a third of
// orders keeps a third of lineitem, not a quarter of that, as 1/max(V)
// over the range width would say.
func TestDPForeignKeyEstimate(t *testing.T) {
	s := newTPCHShape()
	lineitem := s.table("lineitem", 6_000_000, false, col("l_orderkey", 6_000_000))
	orders := s.table("orders", 1_500_000, true, col("o_orderkey", 6_000_000))
	other := s.table("other", 10, false, col("x", 10))
	leaves := []logical.Node{lineitem, filtered(orders, s.byCol["o_orderkey"]), other}
	g := newJoinGraph(leaves, []logical.Expr{s.eq("l_orderkey", "o_orderkey"), s.eq("x", "l_orderkey")})
	ordersRows := logical.Estimate(leaves[1])
	want := 6_000_000 * ordersRows / 1_500_000
	if got := g.rows(0b011); math.Abs(got-want) > 1 {
		t.Errorf("lineitem ⋈ filtered orders: %.0f rows, want %.0f", got, want)
	}
}

// TestDPCompositeKeyEstimate: lineitem joins partsupp on (partkey,
// suppkey), about one partsupp row per line. The estimate follows the
// more selective of the two equalities only, because they are
// correlated; multiplying both would estimate 2.4k rows for 6M.
func TestDPCompositeKeyEstimate(t *testing.T) {
	s := newTPCHShape()
	lineitem := s.table("lineitem", 6_000_000, false, col("l_partkey", 200_000), col("l_suppkey", 10_000))
	partsupp := s.table("partsupp", 800_000, false, col("ps_partkey", 200_000), col("ps_suppkey", 10_000))
	g := newJoinGraph([]logical.Node{lineitem, partsupp}, []logical.Expr{s.eq("l_partkey", "ps_partkey"), s.eq("l_suppkey", "ps_suppkey")})
	if got, want := g.rows(0b11), 6_000_000*800_000/200_000.0; math.Abs(got-want) > 1 {
		t.Errorf("lineitem ⋈ partsupp: %.0f rows, want %.0f", got, want)
	}
}

// TestDPCycleEstimate: customer, supplier and nation are pairwise equal
// on the nation key (one class, three links). Two of the links already
// make the third true, so the estimate divides by two distinct counts,
// not three.
func TestDPCycleEstimate(t *testing.T) {
	s := newTPCHShape()
	customer := s.table("customer", 150_000, false, col("c_nationkey", 25))
	supplier := s.table("supplier", 10_000, false, col("s_nationkey", 25))
	nation := s.table("nation", 25, true, col("n_nationkey", 25))
	g := newJoinGraph([]logical.Node{customer, supplier, nation}, []logical.Expr{s.eq("c_nationkey", "s_nationkey"), s.eq("s_nationkey", "n_nationkey"), s.eq("c_nationkey", "n_nationkey")})
	if got, want := g.rows(0b111), 150_000*10_000/25.0; math.Abs(got-want) > 1 {
		t.Errorf("customer ⋈ supplier ⋈ nation: %.0f rows, want %.0f", got, want)
	}
}

// TestDPFallsBack: a cross product or more inputs than the search takes
// are left to the greedy order.
func TestDPFallsBack(t *testing.T) {
	s := newTPCHShape()
	a := s.table("a", 10, true, col("a", 10))
	b := s.table("b", 10, true, col("b", 10))
	c := s.table("c", 10, true, col("c", 10))
	if _, ok := dpOrder([]logical.Node{a, b, c}, []logical.Expr{s.eq("a", "b")}); ok {
		t.Error("c is joined to nothing, yet dpOrder placed it")
	}
	var leaves []logical.Node
	var conds []logical.Expr
	for i := range maxDPInputs + 1 {
		name := string(rune('d' + i))
		leaves = append(leaves, s.table(name, 10, true, col(name, 10)))
		if i > 0 {
			conds = append(conds, s.eq(string(rune('d'+i-1)), name))
		}
	}
	if _, ok := dpOrder(leaves, conds); ok {
		t.Errorf("dpOrder searched %d inputs", len(leaves))
	}
	tree, err := ReorderJoins(chain(leaves, conds))
	if err != nil {
		t.Fatal(err)
	}
	checkConditionsKept(t, tree, conds)
}

// chain joins leaves left-deep, each join with the next condition.
func chain(leaves []logical.Node, conds []logical.Expr) logical.Node {
	out := leaves[0]
	for i, l := range leaves[1:] {
		out = &logical.Join{Type: logical.InnerJoin, Left: out, Right: l, Cond: conds[i]}
	}
	return out
}

// checkConditionsKept checks that every join of tree has a condition and
// that the tree's conditions imply each of conds: an equality of columns
// through the equalities the tree applies, any other condition as is.
func checkConditionsKept(t *testing.T, tree logical.Node, conds []logical.Expr) {
	t.Helper()
	parent := map[logical.ColumnID]logical.ColumnID{}
	var find func(logical.ColumnID) logical.ColumnID
	find = func(id logical.ColumnID) logical.ColumnID {
		if p, ok := parent[id]; ok && p != id {
			return find(p)
		}
		return id
	}
	applied := map[logical.Expr]bool{}
	_, _ = logical.Transform(tree, func(n logical.Node) (logical.Node, error) {
		var pred logical.Expr
		switch x := n.(type) {
		case *logical.Join:
			if x.Cond == nil {
				t.Errorf("a join without a condition:\n%s", explainTree(tree, 0))
			}
			pred = x.Cond
		case *logical.Filter:
			pred = x.Pred
		}
		for _, c := range logical.Conjuncts(pred) {
			applied[c] = true
			if l, r, ok := logical.ColumnEquality(c); ok {
				parent[find(l.ID)] = find(r.ID)
			}
		}
		return n, nil
	})
	for _, c := range conds {
		if l, r, ok := logical.ColumnEquality(c); ok {
			if find(l.ID) != find(r.ID) {
				t.Errorf("%s = %s is not implied by the plan:\n%s", l.Name, r.Name, explainTree(tree, 0))
			}
		} else if !applied[c] {
			t.Errorf("condition %v is lost", c)
		}
	}
}

func names(scans map[*logical.Scan]bool) []string {
	var out []string
	for s := range scans {
		out = append(out, s.Name)
	}
	return out
}

func explainTree(n logical.Node, depth int) string {
	line := ""
	for range depth {
		line += "  "
	}
	switch x := n.(type) {
	case *logical.Scan:
		line += x.Name
	case *logical.Join:
		line += "join"
	default:
		line += "node"
	}
	line += "\n"
	for _, c := range n.Children() {
		line += explainTree(c, depth+1)
	}
	return line
}

// TestJoinEstimateFollowsKeys: orders joined to customer on customer's
// key keeps o_orderkey a key (each order meets one customer), so lineitem
// joined to that on l_orderkey is estimated as a foreign-key join: the
// lines whose order survived, 6M · |orders ⋈ customer| / 1.5M. The range
// of l_orderkey (6M wide) would put it four times lower. Joined to
// lineitem, o_orderkey is no key any more.
func TestJoinEstimateFollowsKeys(t *testing.T) {
	s := newTPCHShape()
	lineitem := s.table("lineitem", 6_000_000, false, col("l_orderkey", 6_000_000))
	orders := s.table("orders", 1_500_000, true, col("o_orderkey", 6_000_000), col("o_custkey", 150_000))
	customer := s.table("customer", 150_000, true, col("c_custkey", 150_000))
	oc := &logical.Join{Type: logical.InnerJoin, Left: filtered(orders, s.byCol["o_orderkey"]), Right: customer, Cond: s.eq("o_custkey", "c_custkey")}
	if rows, ok := logical.KeyRows(oc, s.byCol["o_orderkey"].ID); !ok || rows != 1_500_000 {
		t.Errorf("o_orderkey in orders ⋈ customer: key of %.0f rows (%v), want a key of 1500000", rows, ok)
	}
	loc := &logical.Join{Type: logical.InnerJoin, Left: lineitem, Right: oc, Cond: s.eq("l_orderkey", "o_orderkey")}
	if _, ok := logical.KeyRows(loc, s.byCol["o_orderkey"].ID); ok {
		t.Error("o_orderkey is still a key after joining lineitem")
	}
	want := 6_000_000 * logical.Estimate(oc) / 1_500_000
	if got := logical.Estimate(loc); math.Abs(got-want) > 1 {
		t.Errorf("lineitem ⋈ (orders ⋈ customer): %.0f rows, want %.0f", got, want)
	}
}

// TestDerivedKeyFilterCountedOnce: WHERE o_orderkey < X over orders ⋈
// lineitem reaches both scans (l_orderkey < X is derived from it), yet
// every line the filter keeps still finds its order, which the filter
// kept too. The join's estimate is the one it had before the derivation
// existed, 6M lines times the share of orders below X (a foreign-key
// join of lineitem with the filtered orders), not that share squared;
// in Estimate and in the join-order search alike. A restriction of
// l_orderkey that orders does not share still counts on its own.
func TestDerivedKeyFilterCountedOnce(t *testing.T) {
	s := newTPCHShape()
	orders := s.table("orders", 1_500_000, true, col("o_orderkey", 6_000_000))
	lineitem := s.table("lineitem", 6_000_000, false, col("l_orderkey", 6_000_000))
	quartiles := []any{int64(1), int64(1_500_000), int64(3_000_000), int64(4_500_000), int64(6_000_000)}
	for _, sc := range []*logical.Scan{orders, lineitem} {
		tbl := sc.Table.(*statsTable)
		for name, cs := range tbl.stats {
			cs.Histogram = quartiles
			tbl.stats[name] = cs
		}
	}
	below := func(c *logical.ColRef, x int64) logical.Expr {
		return &logical.Binary{Op: expr.OpLt, L: c, R: &logical.Const{T: sqltypes.TypeInt8, V: x}, T: sqltypes.TypeBool}
	}
	ok, lk := s.byCol["o_orderkey"], s.byCol["l_orderkey"]
	join := &logical.Join{Type: logical.InnerJoin, Left: orders, Right: lineitem, Cond: s.eq("o_orderkey", "l_orderkey")}
	out, err := PushDownFilters(&logical.Filter{Input: join, Pred: below(ok, 2_000_000)})
	if err != nil {
		t.Fatal(err)
	}
	pushed, isJoin := out.(*logical.Join)
	if !isJoin {
		t.Fatalf("pushdown left %T on top", out)
	}
	fo, fl := pushed.Left.(*logical.Scan), pushed.Right.(*logical.Scan)
	if len(fo.Filters) != 1 || len(fl.Filters) != 1 {
		t.Fatalf("filters: orders %v, lineitem %v; want o_orderkey < 2000000 on both sides", fo.Filters, fl.Filters)
	}
	ordersShare := logical.Estimate(fo) / 1_500_000 // 1.5 of the 4 quartiles
	if math.Abs(ordersShare-0.375) > 1e-9 {
		t.Fatalf("orders below 2000000: share %v, want 0.375", ordersShare)
	}
	want := 6_000_000 * ordersShare // before the derivation: lineitem ⋈ filtered orders
	if got := logical.Estimate(pushed); math.Abs(got-want) > 1 {
		t.Errorf("Estimate(orders ⋈ lineitem): %.0f rows, want %.0f", got, want)
	}
	g := newJoinGraph([]logical.Node{fo, fl}, []logical.Expr{s.eq("o_orderkey", "l_orderkey")})
	if got := g.rows(0b11); math.Abs(got-want) > 1 {
		t.Errorf("join-order estimate of orders ⋈ lineitem: %.0f rows, want %.0f", got, want)
	}

	other := *fl
	other.Filters = []logical.Expr{below(lk, 5_000_000)} // 3.5 of the 4 quartiles, not shared
	unshared := &logical.Join{Type: logical.InnerJoin, Left: fo, Right: &other, Cond: s.eq("o_orderkey", "l_orderkey")}
	if got, want := logical.Estimate(unshared), 6_000_000*0.875*ordersShare; math.Abs(got-want) > 1 {
		t.Errorf("Estimate with an unshared lineitem filter: %.0f rows, want %.0f", got, want)
	}
}

// TestDerivedKeyFilterShapes: a key filter derived through join
// equalities leaves the estimates where they were with the filter on its
// own side only, for joins that are not foreign-key joins (neither key
// declared: the distinct counts of the filtered keys shrink with the
// rows, so |L|·|R| / max(V) keeps the share once), for three inputs
// whose keys one class equates (the join-order search and Estimate of
// the tree it picks), and within one scan whose own equality makes the
// derived restriction repeat the written one.
func TestDerivedKeyFilterShapes(t *testing.T) {
	below := func(c *logical.ColRef, x int64) logical.Expr {
		return &logical.Binary{Op: expr.OpLt, L: c, R: &logical.Const{T: sqltypes.TypeInt8, V: x}, T: sqltypes.TypeBool}
	}
	withFilters := func(s *logical.Scan, fs ...logical.Expr) *logical.Scan {
		c := *s
		c.Filters = fs
		return &c
	}
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-6*max(1, want) }

	t.Run("no key declared", func(t *testing.T) {
		s := newTPCHShape()
		lineitem := s.table("lineitem", 6_000_000, false, col("l_partkey", 200_000))
		partsupp := s.table("partsupp", 800_000, false, col("ps_partkey", 200_000))
		lk, pk := s.byCol["l_partkey"], s.byCol["ps_partkey"]
		join := &logical.Join{Type: logical.InnerJoin, Left: lineitem, Right: partsupp, Cond: s.eq("l_partkey", "ps_partkey")}
		out, err := PushDownFilters(&logical.Filter{Input: join, Pred: below(lk, 1000)})
		if err != nil {
			t.Fatal(err)
		}
		pushed := out.(*logical.Join)
		if got := len(pushed.Right.(*logical.Scan).Filters); got != 1 {
			t.Fatalf("partsupp has %d filters, want the derived ps_partkey < 1000", got)
		}
		oneSided := &logical.Join{Type: logical.InnerJoin, Left: withFilters(lineitem, below(lk, 1000)), Right: partsupp, Cond: join.Cond}
		want := logical.Estimate(oneSided)
		if got := logical.Estimate(pushed); !near(got, want) {
			t.Errorf("Estimate: %.0f rows, want %.0f as with lineitem's filter alone", got, want)
		}
		g := newJoinGraph([]logical.Node{pushed.Left, pushed.Right}, []logical.Expr{join.Cond})
		one := newJoinGraph([]logical.Node{oneSided.Left, oneSided.Right}, []logical.Expr{join.Cond})
		if got, want := g.rows(0b11), one.rows(0b11); !near(got, want) {
			t.Errorf("join-order estimate: %.0f rows, want %.0f", got, want)
		}
		// Written on both sides, the two restrictions are the same one.
		both := &logical.Join{Type: logical.InnerJoin, Left: withFilters(lineitem, below(lk, 1000)), Right: withFilters(partsupp, below(pk, 1000)), Cond: join.Cond}
		if got := logical.Estimate(both); !near(got, want) {
			t.Errorf("Estimate with both filters written: %.0f rows, want %.0f", got, want)
		}
	})

	t.Run("three inputs of one class", func(t *testing.T) {
		s := newTPCHShape()
		orders := s.table("orders", 1_500_000, true, col("o_orderkey", 6_000_000))
		lineitem := s.table("lineitem", 6_000_000, false, col("l_orderkey", 6_000_000))
		returns := s.table("returns", 1_000_000, false, col("r_orderkey", 6_000_000))
		ok := s.byCol["o_orderkey"]
		conds := []logical.Expr{s.eq("o_orderkey", "l_orderkey"), s.eq("l_orderkey", "r_orderkey")}
		tree := &logical.Join{Type: logical.InnerJoin, Cond: conds[1], Right: returns,
			Left: &logical.Join{Type: logical.InnerJoin, Left: orders, Right: lineitem, Cond: conds[0]}}
		out, err := PushDownFilters(&logical.Filter{Input: tree, Pred: below(ok, 2_000_000)})
		if err != nil {
			t.Fatal(err)
		}
		var leaves []logical.Node
		var pushedConds []logical.Expr
		flattenInner(out, &leaves, &pushedConds)
		for _, l := range leaves {
			if f := l.(*logical.Scan).Filters; len(f) != 1 {
				t.Fatalf("%s has filters %v, want one restriction of its order key", l.(*logical.Scan).Name, f)
			}
		}
		oneSided := []logical.Node{withFilters(orders, below(ok, 2_000_000)), lineitem, returns}
		want := newJoinGraph(oneSided, conds).rows(0b111)
		if got := newJoinGraph(leaves, pushedConds).rows(0b111); !near(got, want) {
			t.Errorf("join-order estimate of the three: %.0f rows, want %.0f as with orders' filter alone", got, want)
		}
		best, found := dpOrder(leaves, pushedConds)
		unfiltered, _ := dpOrder(oneSided, conds)
		if !found {
			t.Fatal("no order found")
		}
		if got, want := logical.Estimate(best), logical.Estimate(unfiltered); !near(got, want) {
			t.Errorf("Estimate of the chosen tree: %.0f rows, want %.0f:\n%s", got, want, explainTree(best, 0))
		}
	})

	t.Run("one scan equating two columns", func(t *testing.T) {
		s := newTPCHShape()
		lineitem := s.table("lineitem", 6_000_000, false, col("l_commitday", 2_500), col("l_receiptday", 2_500))
		c, r := s.byCol["l_commitday"], s.byCol["l_receiptday"]
		same := s.eq("l_commitday", "l_receiptday")
		out, err := PushDownFilters(&logical.Filter{Input: lineitem, Pred: logical.And([]logical.Expr{same, below(c, 100)})})
		if err != nil {
			t.Fatal(err)
		}
		written := withFilters(lineitem, same, below(c, 100))
		want := logical.Estimate(written)
		withDerived := withFilters(lineitem, same, below(c, 100), below(r, 100))
		if got := logical.Estimate(withDerived); !near(got, want) {
			t.Errorf("Estimate with l_receiptday < 100 beside l_commitday = l_receiptday AND l_commitday < 100: %.0f rows, want %.0f", got, want)
		}
		if got := logical.Estimate(out); !near(got, want) {
			t.Errorf("Estimate after pushdown: %.0f rows, want %.0f", got, want)
		}
		unrelated := withFilters(lineitem, below(c, 100), below(r, 100))
		if got, one := logical.Estimate(unrelated), logical.Estimate(withFilters(lineitem, below(c, 100))); near(got, one) {
			t.Errorf("two restrictions of unequated columns count once (%.0f rows)", got)
		}
	})
}

// TestDPWidenedKeys: an integer key joined to a bigint one (bound as
// CAST(l_orderkey AS bigint) = o_orderkey) links its two inputs as an
// equality of one type does: the join-order search and Estimate count
// them alike, instead of costing a pairing of every row with every row
// at a guessed 30%, and the join keeps the written condition.
func TestDPWidenedKeys(t *testing.T) {
	s := newTPCHShape()
	lineitem := s.table("lineitem", 6_000_000, false, col("l_orderkey", 6_000_000))
	orders := s.table("orders", 1_500_000, true, col("o_orderkey", 6_000_000), col("o_custkey", 150_000))
	customer := s.table("customer", 150_000, true, col("c_custkey", 150_000), col("c_nationkey", 25))
	leaves := []logical.Node{lineitem, filtered(orders, s.byCol["o_custkey"]), filtered(customer, s.byCol["c_nationkey"])}
	narrow := *s.byCol["l_orderkey"]
	narrow.T = sqltypes.TypeInt4
	widened := &logical.Binary{Op: expr.OpEq, L: &logical.Cast{E: &narrow, T: sqltypes.TypeInt8}, R: s.byCol["o_orderkey"], T: sqltypes.TypeBool}
	same := []logical.Expr{s.eq("l_orderkey", "o_orderkey"), s.eq("o_custkey", "c_custkey")}
	mixed := []logical.Expr{widened, s.eq("o_custkey", "c_custkey")}

	gs, gm := newJoinGraph(leaves, same), newJoinGraph(leaves, mixed)
	if equi, linked := gm.linked(0b001, 0b010); !equi || !linked {
		t.Errorf("lineitem and orders: linked %v, by an equality %v; want both", linked, equi)
	}
	for _, set := range []uint32{0b011, 0b111} {
		if got, want := gm.rows(set), gs.rows(set); math.Abs(got-want) > 1e-6*want {
			t.Errorf("inputs %03b: %.0f rows, want %.0f as with keys of one type", set, got, want)
		}
	}
	for _, cond := range []logical.Expr{widened, same[0]} {
		j := &logical.Join{Type: logical.InnerJoin, Left: leaves[0], Right: leaves[1], Cond: cond}
		if got, want := logical.Estimate(j), 6_000_000*logical.Estimate(leaves[1])/1_500_000; math.Abs(got-want) > 1 {
			t.Errorf("Estimate of lineitem ⋈ orders on %v: %.0f rows, want %.0f (a foreign-key join)", cond, got, want)
		}
	}
	sameTree, _ := dpOrder(leaves, same)
	mixedTree, ok := dpOrder(leaves, mixed)
	if !ok {
		t.Fatal("no order found")
	}
	if a, b := explainTree(sameTree, 0), explainTree(mixedTree, 0); a != b {
		t.Errorf("order with a widened key:\n%swant as with keys of one type:\n%s", b, a)
	}
	found := false
	logical.Inspect(mixedTree, func(n logical.Node) bool {
		if j, ok := n.(*logical.Join); ok {
			for _, c := range logical.Conjuncts(j.Cond) {
				found = found || c == widened
			}
		}
		return true
	})
	if !found {
		t.Errorf("no join has the written CAST(l_orderkey AS bigint) = o_orderkey:\n%s", explainTree(mixedTree, 0))
	}
}
