package logical

// Determined returns the output columns of n whose value is fixed by the
// values of cols: cols themselves, the columns computed only from them,
// and every column of an input that a unique numbering of its rows
// (row_number() over no partition, as decorrelation numbers the outer
// rows of a LATERAL subquery) identifies. A filter over determined
// columns of a window's partition keys keeps or drops whole partitions,
// so it may move below the window.
//
// Only what holds on every row counts: a join's null-extended side is
// left out (its padded rows hold NULLs whatever the key), and so is any
// node this does not know.
func Determined(n Node, cols ColSet) ColSet {
	out := NewColSet()
	own := OutputSet(n)
	for id := range cols {
		if own.Has(id) {
			out.Add(id)
		}
	}
	switch x := n.(type) {
	case *Filter:
		out.AddSet(Determined(x.Input, cols))
	case *Sort:
		out.AddSet(Determined(x.Input, cols))
	case *Limit:
		out.AddSet(Determined(x.Input, cols))
	case *Window:
		for i, c := range x.Calls {
			if c.Func == "row_number" && len(x.PartitionBy) == 0 && cols.Has(x.Cols[i]) {
				// Each row has its own number: it fixes the whole row.
				out.AddSet(OutputSet(x.Input))
			}
		}
		out.AddSet(Determined(x.Input, cols))
	case *Project:
		in := Determined(x.Input, cols)
		for i, e := range x.Exprs {
			if !IsVolatile(e) && ColumnsOf(e).SubsetOf(in) {
				out.Add(x.Cols[i])
			}
		}
	case *Aggregate:
		// One row per group: a key computed from determined input
		// columns is as determined in the group's row.
		in := Determined(x.Input, cols)
		for i, e := range x.Groups {
			if !IsVolatile(e) && ColumnsOf(e).SubsetOf(in) {
				out.Add(x.GroupCols[i])
			}
		}
	case *Join:
		switch x.Type {
		case InnerJoin, SemiJoin, AntiJoin:
			out.AddSet(Determined(x.Left, cols))
			if x.Type == InnerJoin {
				out.AddSet(Determined(x.Right, cols))
			}
		case LeftJoin, SingleJoin, MarkJoin:
			out.AddSet(Determined(x.Left, cols))
		case RightJoin:
			out.AddSet(Determined(x.Right, cols))
		}
	}
	return out
}
