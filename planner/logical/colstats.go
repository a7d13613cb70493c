package logical

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

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

// ScanDistinct estimates the distinct values of column k of scan s after
// its filters: ColumnDistinct's count times the share of the scan's rows
// that its restrictions of that column alone keep (l_orderkey < 1000
// keeps the keys below 1000, and about that share of them). Callers cap
// it by the rows they estimate. Without the scaling, a restriction of a
// join key that both sides carry (one derived from the other through the
// join's equality) would count twice in |L|·|R| / max(V(a), V(b)): once
// in each side's rows, and never in the distinct counts.
func ScanDistinct(s *Scan, k int) (float64, bool) {
	v, ok := ColumnDistinct(s, k)
	if !ok {
		return 0, false
	}
	return max(1, v*columnShare(s, s.Cols[k])), true
}

// columnShare is the fraction of s's rows its filters on column id alone
// keep, each distinct restriction once (scanFilters).
func columnShare(s *Scan, id ColumnID) float64 {
	share := 1.0
	for _, f := range scanFilters(s) {
		if cols := ColumnsOf(f); len(cols) == 1 && cols.Has(id) {
			share *= scanSelectivity(s, f)
		}
	}
	return share
}

// scanFilters returns the filters of s that restrict its rows further,
// leaving out a restriction of a column that the scan's own column
// equalities make equal to another column restricted alike: with x = z
// and x < 10, z < 10 (derived from x < 10 through x = z, or written)
// keeps no row x < 10 does not.
func scanFilters(s *Scan) []Expr {
	root := map[ColumnID]ColumnID{}
	var find func(ColumnID) ColumnID
	find = func(id ColumnID) ColumnID {
		if r, ok := root[id]; ok && r != id {
			r = find(r)
			root[id] = r
			return r
		}
		return id
	}
	equated := ColSet{}
	for _, f := range s.Filters {
		if l, r, ok := ColumnEquality(f); ok && l.T.Equal(r.T) {
			equated.Add(l.ID)
			equated.Add(r.ID)
			if a, b := find(l.ID), find(r.ID); a != b {
				root[a] = b
			}
		}
	}
	if len(equated) == 0 {
		return s.Filters
	}
	out := make([]Expr, 0, len(s.Filters))
	seen := map[string]bool{}
	for _, f := range s.Filters {
		if cols := ColumnsOf(f); len(cols) == 1 {
			var id ColumnID
			for c := range cols {
				id = c
			}
			if equated.Has(id) {
				r := find(id)
				onRoot := Rewrite(f, func(e Expr) Expr {
					if c, ok := e.(*ColRef); ok && c.ID == id {
						return &ColRef{ID: r, T: c.T}
					}
					return e
				})
				k := CanonicalKey(onRoot)
				if seen[k] {
					continue
				}
				seen[k] = true
			}
		}
		out = append(out, f)
	}
	return out
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
	Inspect(n, func(m Node) bool {
		if s, ok := m.(*Scan); ok {
			if i := slices.Index(s.Cols, id); i >= 0 {
				found, k = s, i
			}
			return false
		}
		return found == nil
	})
	if found == nil {
		return 0, false
	}
	v, ok := ScanDistinct(found, k)
	return max(1, min(v, rows)), ok
}

// AggregateGroups estimates the groups of a and the rows of its input:
// the distinct counts of its group keys (exprDistinct), combined with
// damping for correlation (groupsOf), at most the input's rows. It
// reports false when a key's count is unknown.
func AggregateGroups(a *Aggregate) (groups, rows float64, ok bool) {
	rows = Estimate(a.Input)
	if len(a.Groups) == 0 {
		return 1, rows, true
	}
	counts := make([]float64, len(a.Groups))
	for i, g := range a.Groups {
		v, ok := exprDistinct(a.Input, g, rows)
		if !ok {
			return 0, rows, false
		}
		counts[i] = v
	}
	return groupsOf(counts, rows), rows, true
}

// groupsOf combines the distinct counts of several keys into a count of
// their combinations. Their product, PostgreSQL's estimate_num_groups,
// assumes the keys independent; real keys seldom are (a customer orders
// in some years, not all), so the largest count is taken whole and each
// further one, in decreasing order, at a halved exponent (√, ∜, …, as SQL
// Server's exponential backoff): an overestimate sizes tables that
// stay half empty, an underestimate costs one more doubling. At most
// rows, at least 1.
func groupsOf(counts []float64, rows float64) float64 {
	counts = slices.Clone(counts)
	slices.SortFunc(counts, func(a, b float64) int { return cmp.Compare(b, a) })
	groups, exp := 1.0, 1.0
	for _, v := range counts {
		groups *= math.Pow(max(v, 1), exp)
		exp /= 2
	}
	return max(1, min(groups, rows))
}

// exprDistinct estimates the distinct values of e over n's rows (rows of
// them): a column's as the scan or projection that makes it has them, a
// constant's 1, extract(year …) of a date column the years
// its [min, max] spans, and another deterministic expression of one
// column (the others constant) at most that column's count.
func exprDistinct(n Node, e Expr, rows float64) (float64, bool) {
	switch x := e.(type) {
	case *Const:
		return 1, true
	case *ColRef:
		p, i := producer(n, x.ID)
		switch p := p.(type) {
		case *Scan:
			v, ok := ScanDistinct(p, i)
			return max(1, min(v, rows)), ok
		case *Project:
			return exprDistinct(p.Input, p.Exprs[i], rows)
		case *Aggregate:
			return exprDistinct(p.Input, p.Groups[i], rows)
		}
		return 0, false
	case *Func:
		if v, ok := yearsDistinct(n, x); ok {
			return max(1, min(v, rows)), true
		}
	}
	if IsVolatile(e) {
		return 0, false
	}
	var arg Expr
	for _, c := range e.Children() {
		if _, isConst := c.(*Const); isConst {
			continue
		}
		if arg != nil {
			return 0, false
		}
		arg = c
	}
	if arg == nil {
		return 1, true
	}
	return exprDistinct(n, arg, rows)
}

// yearsDistinct estimates extract(year …) / date_part('year', …) of a
// scanned date column by the calendar years between its
// minimum and maximum.
func yearsDistinct(n Node, f *Func) (float64, bool) {
	if f.Name != "extract" && f.Name != "date_part" || len(f.Args) != 2 {
		return 0, false
	}
	unit, ok := f.Args[0].(*Const)
	if s, isText := unit.V.(string); !ok || !isText || !strings.EqualFold(s, "year") {
		return 0, false
	}
	c, ok := f.Args[1].(*ColRef)
	if !ok {
		return 0, false
	}
	s, k := producer(n, c.ID)
	scan, ok := s.(*Scan)
	if !ok {
		return 0, false
	}
	cs, ok := scan.Table.Stats().Columns[scan.Table.Schema().Field(scan.SourceIdx[k]).Name]
	if !ok {
		return 0, false
	}
	lo, okLo := yearOf(cs.Min)
	hi, okHi := yearOf(cs.Max)
	if !okLo || !okHi || hi < lo {
		return 0, false
	}
	return float64(hi-lo) + 1, true
}

// yearOf is the year of a date bound of a source's statistics.
func yearOf(v any) (int64, bool) {
	switch x := v.(type) {
	case arrow.Date32:
		return sqltypes.YearFromDays(int64(x)), true
	}
	return 0, false
}

// producer finds the node under n that makes column id, a Scan, a
// Project or an Aggregate's group key, and the column's index there (nil
// if another node makes it).
func producer(n Node, id ColumnID) (Node, int) {
	switch x := n.(type) {
	case *Scan:
		if i := slices.Index(x.Cols, id); i >= 0 {
			return x, i
		}
		return nil, -1
	case *Project:
		if i := slices.Index(x.Cols, id); i >= 0 {
			return x, i
		}
	case *Aggregate:
		if i := slices.Index(x.GroupCols, id); i >= 0 {
			return x, i
		}
		if slices.Contains(x.AggCols, id) {
			return nil, -1
		}
	}
	for _, c := range n.Children() {
		if OutputSet(c).Has(id) {
			return producer(c, id)
		}
	}
	return nil, -1
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
// |L|·|R| / rows(key's product), the share of a restriction both key
// columns have counted once, see SharedKeyShare), else |L|·|R| / max(V(a), V(b)) with an
// unknown count taken as its side's rows. It reports false when no
// equality has a known count or key.
func equiJoinEstimate(x *Join) (float64, bool) {
	left, right := Estimate(x.Left), Estimate(x.Right)
	lcols := OutputSet(x.Left)
	best := -1.0
	for _, c := range Conjuncts(x.Cond) {
		a, b, ok := ColumnEquality(c)
		if !ok {
			// An integer key equal to a bigint one.
			a, b, ok = IntegerEquality(c)
		}
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
			out = left * right / max(ka*SharedKeyShare(x.Left, a.ID, x.Right, b.ID), 1)
		case keyB && !keyA:
			out = left * right / max(kb*SharedKeyShare(x.Right, b.ID, x.Left, a.ID), 1)
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

// SharedKeyShare is the fraction of keySide's rows kept by the filters on
// its key column key that fkSide's scan repeats on the foreign key fk:
// o_orderkey < 1000 beside l_orderkey < 1000, as the planner derives one
// from the other through o_orderkey = l_orderkey (or a query writes
// both). A foreign-key join keeps that share once, not twice: each line
// the restriction keeps finds its order, which the restriction kept
// too. So the foreign-key estimate, |L|·|R| / rows(key's product),
// divides the key side's share of them back out. Only the filters of
// the scans that make the two columns count (where the planner pushes
// them); 1 when none is shared.
func SharedKeyShare(keySide Node, key ColumnID, fkSide Node, fk ColumnID) float64 {
	ks, key := filteringScan(keySide, key)
	fs, fk := filteringScan(fkSide, fk)
	if ks == nil || fs == nil {
		return 1
	}
	onlyOn := func(p Expr, id ColumnID) bool {
		cols := ColumnsOf(p)
		return len(cols) == 1 && cols.Has(id)
	}
	repeated := map[string]bool{}
	for _, p := range fs.Filters {
		if onlyOn(p, fk) {
			repeated[CanonicalKey(p)] = true
		}
	}
	share := 1.0
	for _, p := range ks.Filters {
		if !onlyOn(p, key) {
			continue
		}
		onFK := Rewrite(p, func(e Expr) Expr {
			if c, ok := e.(*ColRef); ok && c.ID == key {
				return &ColRef{ID: fk, Name: c.Name, T: c.T}
			}
			return e
		})
		if repeated[CanonicalKey(onFK)] {
			share *= scanSelectivity(ks, p)
		}
	}
	return share
}

// filteringScan finds the scan under n that makes column id, through
// filters, projections of the column itself, inner joins and the left
// side of semi and anti joins, where Estimate keeps the scan's filter
// shares as factors; and the column's id there. Nil elsewhere.
func filteringScan(n Node, id ColumnID) (*Scan, ColumnID) {
	switch x := n.(type) {
	case *Scan:
		if slices.Contains(x.Cols, id) {
			return x, id
		}
	case *Filter:
		return filteringScan(x.Input, id)
	case *Project:
		if i := slices.Index(x.Cols, id); i >= 0 {
			if c, ok := x.Exprs[i].(*ColRef); ok {
				return filteringScan(x.Input, c.ID)
			}
		}
	case *Join:
		switch {
		case x.Type == SemiJoin || x.Type == AntiJoin:
			return filteringScan(x.Left, id)
		case x.Type != InnerJoin:
		case OutputSet(x.Left).Has(id):
			return filteringScan(x.Left, id)
		default:
			return filteringScan(x.Right, id)
		}
	}
	return nil, 0
}
