package rules

import (
	"math/bits"
	"sort"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// maxDPInputs bounds the inputs dpOrder searches exhaustively: the
// search visits 3^n splits (531k at 12), well under a millisecond's
// work per thousand; larger join trees use bushyOrder's greedy search.
const maxDPInputs = 12

// residualSelectivity is the fraction of rows a join condition other than
// a column equality (an OR across two tables, a range between columns)
// is assumed to keep.
const residualSelectivity = 0.3

// dpOrder finds the join tree of least estimated cost among all bushy
// trees without cross products (dynamic programming over the connected
// subsets of the inputs, DPsub). The cost of a tree is the rows its joins
// produce plus the rows they build hash tables from, or compare pairwise
// when no equality links the two sides.
//
// Equalities between columns are merged into equivalence classes first,
// so that a = b AND b = c also links a's and c's inputs: TPC-H Q5 says
// c_nationkey = s_nationkey AND s_nationkey = n_nationkey, and the best
// order joins customer with the region's nations before orders and
// lineitem, which no written condition connects directly. Each join then
// gets one equality per class with members on both sides.
//
// The estimate of a set of inputs does not depend on the order they are
// joined in: the product of their rows times, over a spanning tree of
// the most selective links, each link's selectivity 1/max(V(a), V(b))
// (joinEstimate's rule for one equality). A spanning tree, rather than
// every link, because links are rarely independent: the columns of one
// class are equal anyway (a cycle adds nothing), and a composite key such
// as lineitem's (l_partkey, l_suppkey) into partsupp matches about one
// row, not one row in V(partkey)·V(suppkey).
//
// It reports false when the inputs are too many or not all connected,
// for bushyOrder to place the cross products.
func dpOrder(leaves []logical.Node, conds []logical.Expr) (logical.Node, bool) {
	n := len(leaves)
	if n > maxDPInputs {
		return nil, false
	}
	g := newJoinGraph(leaves, conds)
	full := uint32(1)<<n - 1
	type choice struct {
		left, right uint32 // the split; 0 for a single input
		rows, cost  float64
		ok          bool // the set is connected
	}
	best := make([]choice, full+1)
	for i := range n {
		best[1<<i] = choice{rows: g.est[i], ok: true}
	}
	for s := uint32(1); s <= full; s++ {
		if bits.OnesCount32(s) < 2 {
			continue
		}
		low := s & -s
		var c choice
		// Each split once: the left part holds the lowest input of s.
		for l := (s - 1) & s; l > 0; l = (l - 1) & s {
			r := s ^ l
			if l&low == 0 || !best[l].ok || !best[r].ok {
				continue
			}
			equi, linked := g.linked(l, r)
			if !linked {
				continue
			}
			if !c.ok {
				c = choice{rows: g.rows(s), ok: true, cost: -1}
			}
			work := min(best[l].rows, best[r].rows)
			if !equi {
				work = max(best[l].rows, 1) * max(best[r].rows, 1)
			}
			cost := best[l].cost + best[r].cost + c.rows + work
			if c.cost < 0 || cost < c.cost {
				c.left, c.right, c.cost = l, r, cost
			}
		}
		best[s] = c
	}
	if !best[full].ok {
		return nil, false
	}
	var build func(s uint32) logical.Node
	build = func(s uint32) logical.Node {
		c := best[s]
		if c.left == 0 {
			return g.leaf(bits.TrailingZeros32(s))
		}
		l, r := c.left, c.right
		if best[r].rows > best[l].rows { // the larger input on the left, as the probe side
			l, r = r, l
		}
		return &logical.Join{Type: logical.InnerJoin, Left: build(l), Right: build(r), Cond: g.conditions(l, r)}
	}
	out := build(full)
	if len(g.constant) > 0 {
		out = &logical.Filter{Input: out, Pred: logical.And(g.constant)}
	}
	return out, true
}

// joinGraph is what dpOrder knows of the inputs of one tree of inner
// joins: their estimates, the equivalence classes of the column
// equalities among them and the other conditions.
type joinGraph struct {
	leaves []logical.Node
	est    []float64
	// classes are the equivalence classes, each member an input's column.
	classes [][]classMember
	// links are the most selective equality between each two inputs
	// (i < j), sorted by selectivity, most selective first.
	links []classLink
	// adjacent[i] is the set of inputs an equality links input i with.
	adjacent []uint32
	// original holds the written equalities by their column pair, so a
	// join uses the query's own expression where there is one.
	original map[[2]logical.ColumnID]logical.Expr
	residual []residualCond
	// widened are equalities of integer columns of two inputs that differ
	// in width (CAST(a AS bigint) = b): hash-join keys and links like the
	// classes' equalities, but kept out of the classes, whose implied
	// equalities are written between columns of one type.
	widened []residualCond
	// filters are conditions on one input only; constant read no input.
	filters  map[int][]logical.Expr
	constant []logical.Expr
}

type classMember struct {
	leaf int
	col  *logical.ColRef
}

type classLink struct {
	i, j int
	sel  float64
}

type residualCond struct {
	cond logical.Expr
	mask uint32
}

func newJoinGraph(leaves []logical.Node, conds []logical.Expr) *joinGraph {
	g := &joinGraph{
		leaves:   leaves,
		est:      make([]float64, len(leaves)),
		adjacent: make([]uint32, len(leaves)),
		original: map[[2]logical.ColumnID]logical.Expr{},
		filters:  map[int][]logical.Expr{},
	}
	leafOf := map[logical.ColumnID]int{}
	for i, l := range leaves {
		g.est[i] = logical.Estimate(l)
		for id := range logical.OutputSet(l) {
			leafOf[id] = i
		}
	}
	mask := func(e logical.Expr) uint32 {
		var m uint32
		for id := range logical.ColumnsOf(e) {
			if i, ok := leafOf[id]; ok {
				m |= 1 << i
			}
		}
		return m
	}
	// Union-find over the columns of equalities between two inputs of
	// one type (a cast in between would make the class's members unequal
	// as values).
	classes := columnClasses{}
	refs := map[logical.ColumnID]*logical.ColRef{}
	var widened [][2]classMember
	for _, c := range conds {
		if l, r, ok := logical.IntegerEquality(c); ok && !isPlainEquality(c) {
			li, lok := leafOf[l.ID]
			ri, rok := leafOf[r.ID]
			if lok && rok && li != ri {
				widened = append(widened, [2]classMember{{leaf: li, col: l}, {leaf: ri, col: r}})
				g.widened = append(g.widened, residualCond{cond: c, mask: 1<<li | 1<<ri})
				continue
			}
		}
		l, r, ok := logical.ColumnEquality(c)
		var li, ri int
		if ok {
			var lok, rok bool
			li, lok = leafOf[l.ID]
			ri, rok = leafOf[r.ID]
			ok = lok && rok && li != ri && l.T.Equal(r.T)
		}
		if !ok {
			switch m := mask(c); {
			case m == 0:
				g.constant = append(g.constant, c)
			case bits.OnesCount32(m) == 1:
				i := bits.TrailingZeros32(m)
				g.filters[i] = append(g.filters[i], c)
			default:
				g.residual = append(g.residual, residualCond{cond: c, mask: m})
			}
			continue
		}
		refs[l.ID], refs[r.ID] = l, r
		g.original[[2]logical.ColumnID{l.ID, r.ID}] = c
		classes.union(l.ID, r.ID)
	}
	byRoot := map[logical.ColumnID]int{}
	ids := make([]logical.ColumnID, 0, len(refs))
	for id := range refs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] }) // a deterministic plan
	for _, id := range ids {
		root := classes.find(id)
		k, ok := byRoot[root]
		if !ok {
			k = len(g.classes)
			byRoot[root] = k
			g.classes = append(g.classes, nil)
		}
		g.classes[k] = append(g.classes[k], classMember{leaf: leafOf[id], col: refs[id]})
	}
	ndv := distinctEstimates(leaves, g.est)
	keys := keyColumns(leaves)
	strongest := map[[2]int]float64{}
	for _, class := range g.classes {
		for a, x := range class {
			for _, y := range class[a+1:] {
				if x.leaf == y.leaf {
					// Two columns of one input in a class: the input keeps
					// the rows where they are equal.
					g.filters[x.leaf] = append(g.filters[x.leaf], g.equality(x.col, y.col))
					continue
				}
				i, j := x.leaf, y.leaf
				if i > j {
					i, j = j, i
				}
				sel := g.linkSelectivity(x, y, ndv, keys)
				if s, ok := strongest[[2]int{i, j}]; !ok || sel < s {
					strongest[[2]int{i, j}] = sel
				}
				g.adjacent[i] |= 1 << j
				g.adjacent[j] |= 1 << i
			}
		}
	}
	for _, w := range widened {
		x, y := w[0], w[1]
		i, j := min(x.leaf, y.leaf), max(x.leaf, y.leaf)
		sel := g.linkSelectivity(x, y, ndv, keys)
		if s, ok := strongest[[2]int{i, j}]; !ok || sel < s {
			strongest[[2]int{i, j}] = sel
		}
		g.adjacent[i] |= 1 << j
		g.adjacent[j] |= 1 << i
	}
	for k, sel := range strongest {
		g.links = append(g.links, classLink{i: k[0], j: k[1], sel: sel})
	}
	sort.Slice(g.links, func(a, b int) bool {
		x, y := g.links[a], g.links[b]
		if x.sel != y.sel {
			return x.sel < y.sel
		}
		return x.i < y.i || x.i == y.i && x.j < y.j
	})
	return g
}

// isPlainEquality reports whether c equates two columns of one type.
func isPlainEquality(c logical.Expr) bool {
	l, r, ok := logical.ColumnEquality(c)
	return ok && l.T.Equal(r.T)
}

// linkSelectivity is the fraction of the pairs of rows of x's and y's
// inputs that x = y keeps. When one column is a declared key of its
// product and the other is not, the join is taken as a foreign key into
// the key: each row of the other side finds one row of the key's table,
// and the key side's filters keep their share of them, 1/rows(key's
// table), less a restriction the other side repeats on its column
// (logical.SharedKeyShare). Otherwise it is joinEstimate's rule:
// 1/max(V(x), V(y)), an unknown count taken as its input's rows, and a
// foreign-key join (the larger input's rows) when neither count is
// known. The key rule comes first because V of a foreign key is often
// only known as the width of its range, far above its real count for
// sparse keys: TPC-H's l_orderkey spans 6M values but holds 1.5M, and
// 1/6M would make lineitem ⋈ orders look four times smaller than it is.
func (g *joinGraph) linkSelectivity(x, y classMember, ndv, keys map[logical.ColumnID]float64) float64 {
	kx, keyX := keys[x.col.ID]
	ky, keyY := keys[y.col.ID]
	switch {
	case keyX && !keyY:
		return 1 / max(kx*logical.SharedKeyShare(g.leaves[x.leaf], x.col.ID, g.leaves[y.leaf], y.col.ID), 1)
	case keyY && !keyX:
		return 1 / max(ky*logical.SharedKeyShare(g.leaves[y.leaf], y.col.ID, g.leaves[x.leaf], x.col.ID), 1)
	}
	vx, okX := ndv[x.col.ID]
	vy, okY := ndv[y.col.ID]
	if !okX && !okY {
		return 1 / max(min(g.est[x.leaf], g.est[y.leaf]), 1)
	}
	if !okX {
		vx = g.est[x.leaf]
	}
	if !okY {
		vy = g.est[y.leaf]
	}
	return 1 / max(vx, vy, 1)
}

// keyColumns returns the inputs' columns that are declared keys of the
// product they scan (logical.KeyRows), with the rows of that product.
func keyColumns(leaves []logical.Node) map[logical.ColumnID]float64 {
	out := map[logical.ColumnID]float64{}
	for _, leaf := range leaves {
		for id := range logical.OutputSet(leaf) {
			if rows, ok := logical.KeyRows(leaf, id); ok {
				out[id] = rows
			}
		}
	}
	return out
}

// linked reports whether a condition joins the input sets l and r, and
// whether one of them is an equality (a hash join).
func (g *joinGraph) linked(l, r uint32) (equi, linked bool) {
	for i := range g.adjacent {
		if l&(1<<i) != 0 && g.adjacent[i]&r != 0 {
			return true, true
		}
	}
	for _, c := range g.residual {
		if c.mask&^(l|r) == 0 && c.mask&l != 0 && c.mask&r != 0 {
			return false, true
		}
	}
	return false, false
}

// rows estimates the rows of joining the inputs in s (see dpOrder).
func (g *joinGraph) rows(s uint32) float64 {
	rows := 1.0
	var comp [maxDPInputs]int
	for i := range g.est {
		if s&(1<<i) != 0 {
			rows *= max(g.est[i], 1)
		}
		comp[i] = i
	}
	find := func(i int) int {
		for comp[i] != i {
			i = comp[i]
		}
		return i
	}
	for _, l := range g.links {
		if s&(1<<l.i) == 0 || s&(1<<l.j) == 0 {
			continue
		}
		if a, b := find(l.i), find(l.j); a != b {
			comp[a] = b
			rows *= l.sel
		}
	}
	for _, c := range g.residual {
		if c.mask&^s == 0 {
			rows *= residualSelectivity
		}
	}
	return max(rows, 1)
}

// leaf returns input i under the conditions on it alone.
func (g *joinGraph) leaf(i int) logical.Node {
	if f := g.filters[i]; len(f) > 0 {
		return &logical.Filter{Input: g.leaves[i], Pred: logical.And(f)}
	}
	return g.leaves[i]
}

// conditions returns the condition of joining the input sets l and r: an
// equality for each class with members on both sides (the query's own
// where it wrote one), and the other conditions that l and r complete.
func (g *joinGraph) conditions(l, r uint32) logical.Expr {
	var out []logical.Expr
	for _, class := range g.classes {
		var left, right []*logical.ColRef
		for _, m := range class {
			switch {
			case l&(1<<m.leaf) != 0:
				left = append(left, m.col)
			case r&(1<<m.leaf) != 0:
				right = append(right, m.col)
			}
		}
		if len(left) == 0 || len(right) == 0 {
			continue
		}
		out = append(out, g.classEquality(left, right))
	}
	for _, c := range append(g.widened, g.residual...) {
		if c.mask&^(l|r) == 0 && c.mask&l != 0 && c.mask&r != 0 {
			out = append(out, c.cond)
		}
	}
	return logical.And(out)
}

// classEquality picks the equality that joins a class's columns on two
// sides: one the query wrote if any, else the first columns of each.
func (g *joinGraph) classEquality(left, right []*logical.ColRef) logical.Expr {
	for _, a := range left {
		for _, b := range right {
			if c, ok := g.original[[2]logical.ColumnID{a.ID, b.ID}]; ok {
				return c
			}
			if c, ok := g.original[[2]logical.ColumnID{b.ID, a.ID}]; ok {
				return c
			}
		}
	}
	return g.equality(left[0], right[0])
}

func (g *joinGraph) equality(a, b *logical.ColRef) logical.Expr {
	return &logical.Binary{Op: expr.OpEq, L: a, R: b, T: sqltypes.TypeBool}
}
