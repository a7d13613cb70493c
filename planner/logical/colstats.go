package logical

import (
	"slices"

	"github.com/meshql/meshql/sqltypes"
)

// ColumnDistinct estimates the distinct values of column k of scan s
// before its filters: the source's count when it has one, else the width
// of an integer column's [min, max] range (an upper bound, far above the
// count for sparse keys).
func ColumnDistinct(s *Scan, k int) (float64, bool) {
	cs, ok := s.Table.Stats().Columns[s.Table.Schema().Field(s.SourceIdx[k]).Name]
	if !ok {
		return 0, false
	}
	if cs.Distinct > 0 {
		return float64(cs.Distinct), true
	}
	lo, okLo := sqltypes.DatumInt64(cs.Min)
	hi, okHi := sqltypes.DatumInt64(cs.Max)
	if !okLo || !okHi || hi < lo {
		return 0, false
	}
	return float64(hi-lo) + 1, true
}

// KeyRows returns, when column id of n's output is unique there because
// it is a declared key of the data product it comes from (unique or
// primary_key in the descriptor), the rows of that product. A key stays
// unique under filters, on the left of a semi or anti join, and through
// an inner join whose other side is joined on one of its own keys (each
// row meets at most one row there: orders ⋈ customer on o_custkey =
// c_custkey keeps o_orderkey unique); elsewhere a key value may repeat.
func KeyRows(n Node, id ColumnID) (float64, bool) {
	switch x := n.(type) {
	case *Filter:
		return KeyRows(x.Input, id)
	case *Scan:
		k := slices.Index(x.Cols, id)
		if k < 0 || x.Product == nil {
			return 0, false
		}
		rows := float64(x.Table.Stats().RowCount)
		c := x.Product.Column(x.Table.Schema().Field(x.SourceIdx[k]).Name)
		if rows <= 0 || c == nil || !c.Unique() {
			return 0, false
		}
		return rows, true
	case *Join:
		side, other := x.Left, x.Right
		switch {
		case x.Type == SemiJoin || x.Type == AntiJoin:
			return KeyRows(x.Left, id)
		case x.Type != InnerJoin:
			return 0, false
		case !OutputSet(side).Has(id):
			side, other = other, side
		}
		rows, ok := KeyRows(side, id)
		if !ok {
			return 0, false
		}
		otherCols := OutputSet(other)
		for _, c := range Conjuncts(x.Cond) {
			a, b, isEq := ColumnEquality(c)
			if !isEq {
				continue
			}
			if otherCols.Has(a.ID) {
				a, b = b, a
			}
			if otherCols.Has(b.ID) && !otherCols.Has(a.ID) {
				if _, ok := KeyRows(other, b.ID); ok {
					return rows, true
				}
			}
		}
	}
	return 0, false
}

// distinctOf estimates the distinct values of column id of n's output
// from the scan under n that produces it, at most rows (n's estimate).
func distinctOf(n Node, id ColumnID, rows float64) (float64, bool) {
	var found *Scan
	k := -1
	var visit func(Node)
	visit = func(m Node) {
		if s, ok := m.(*Scan); ok {
			if i := slices.Index(s.Cols, id); i >= 0 {
				found, k = s, i
			}
			return
		}
		for _, c := range m.Children() {
			if found == nil {
				visit(c)
			}
		}
	}
	visit(n)
	if found == nil {
		return 0, false
	}
	v, ok := ColumnDistinct(found, k)
	return max(1, min(v, rows)), ok
}

// GroupsEstimate estimates the groups of n's rows by the columns ids:
// the product of their distinct counts (as distinctOf finds them), at
// most n's rows. It reports false when a column's count is unknown.
func GroupsEstimate(n Node, ids []ColumnID) (float64, bool) {
	rows := Estimate(n)
	groups := 1.0
	for _, id := range ids {
		v, ok := distinctOf(n, id, rows)
		if !ok {
			return 0, false
		}
		groups *= v
	}
	return max(1, min(groups, rows)), true
}

// equiJoinEstimate estimates an inner join by its most selective column
// equality between the two sides: a foreign-key join when one column is
// a declared key and the other is not (each row of the other side finds
// one key row, and the key side's filters keep their share:
// |L|·|R| / rows(key's product)), else |L|·|R| / max(V(a), V(b)) with an
// unknown count taken as its side's rows. It reports false when no
// equality has a known count or key.
func equiJoinEstimate(x *Join) (float64, bool) {
	left, right := Estimate(x.Left), Estimate(x.Right)
	lcols := OutputSet(x.Left)
	best := -1.0
	for _, c := range Conjuncts(x.Cond) {
		a, b, ok := ColumnEquality(c)
		if !ok {
			continue
		}
		if !lcols.Has(a.ID) {
			a, b = b, a
		}
		if !lcols.Has(a.ID) || lcols.Has(b.ID) {
			continue
		}
		var out float64
		ka, keyA := KeyRows(x.Left, a.ID)
		kb, keyB := KeyRows(x.Right, b.ID)
		switch {
		case keyA && !keyB:
			out = left * right / ka
		case keyB && !keyA:
			out = left * right / kb
		default:
			va, okA := distinctOf(x.Left, a.ID, left)
			vb, okB := distinctOf(x.Right, b.ID, right)
			if !okA && !okB {
				continue
			}
			if !okA {
				va = left
			}
			if !okB {
				vb = right
			}
			out = left * right / max(va, vb, 1)
		}
		if best < 0 || out < best {
			best = out
		}
	}
	return max(best, 1), best >= 0
}
