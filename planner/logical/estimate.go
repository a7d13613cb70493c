package logical

// Estimate guesses a node's output rows, for choosing join orders and
// hash-join build sides. Scans use the source's row count and each filter
// conjunct keeps the fraction scanSelectivity estimates from the source's
// column statistics, a restriction its column equalities repeat once;
// other filter conjuncts keep a fixed fraction. An aggregate keeps the
// groups its keys' distinct counts make, or a fixed fraction.
func Estimate(n Node) float64 {
	switch x := n.(type) {
	case *Scan:
		rows := float64(x.Table.Stats().RowCount)
		if rows < 0 {
			rows = 1e6
		}
		for _, f := range scanFilters(x) {
			rows *= scanSelectivity(x, f)
		}
		return rows
	case *Filter:
		return Estimate(x.Input) * defaultSelectivity
	case *Aggregate:
		if len(x.Groups) == 0 {
			return 1
		}
		// The group keys' distinct counts (column statistics) where they
		// say the keys repeat; near the rows they are more likely a
		// sparse key's [min, max] range (TPC-H Q18's l_orderkey spans 6M
		// values for 1.5M orders), as the hash table's sizing reads them.
		if groups, rows, ok := AggregateGroups(x); ok && groups <= rows/2 {
			return groups
		}
		return Estimate(x.Input) * 0.1
	case *Join:
		switch x.Type {
		case SemiJoin, AntiJoin, MarkJoin, SingleJoin: // at most one row per left row
			return Estimate(x.Left)
		case InnerJoin:
			if rows, ok := equiJoinEstimate(x); ok {
				return rows
			}
		}
		return max(Estimate(x.Left), Estimate(x.Right))
	case *Limit:
		if x.Count >= 0 {
			return min(float64(x.Count), Estimate(x.Input))
		}
		return Estimate(x.Input)
	case *Values:
		return float64(len(x.Rows))
	case *Unnest:
		return Estimate(x.Input) * 4
	case *WorkTable:
		// One round's rows: usually few, so that a join builds its hash
		// table on the working table rather than rescan a real table's
		// build per round.
		return 100
	case *RecursiveUnion:
		return max(Estimate(x.Anchor), 1) * 10
	case *Shared:
		if x.Memo != nil {
			return x.Memo.estimate(x.Input)
		}
	}
	ch := n.Children()
	if len(ch) == 1 {
		return Estimate(ch[0])
	}
	return 1e6
}

// ExactRows reports whether Estimate(n) is the source's own row count,
// not a guess: n scans one table, without filters, under projections
// only.
func ExactRows(n Node) bool {
	switch x := n.(type) {
	case *Scan:
		return len(x.Filters) == 0 && x.Table.Stats().RowCount >= 0
	case *Project:
		return ExactRows(x.Input)
	}
	return false
}
