package rules

import (
	"reflect"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// ShareReducedScans reads a table once where a query reads it twice, once
// joined with a small filtered scan and once in a grouped aggregate that
// ReduceGroupedJoins semi-joined with that same scan (TPC-H Q17: the
// lineitems of the parts of one brand and container, both for the outer
// join and for avg(l_quantity) per part). Both reads become references to
// one shared result, the table semi-joined with the filtered scan, computed
// once (a logical.Shared, as a WITH query referenced twice):
//
//	j(… ⋈ T ⋈ S …, agg(T' ⋉ S))  →  j(… ⋈ (T ⋉ S) ⋈ S …, agg(T ⋉ S))
//
// The outer T may be semi-joined with S without changing the outer side's
// rows: the outer side's equalities make T's key equal to a column of S on
// every row it outputs, and a join only drops rows. Both references read
// every column either read, so that their rows are alike.
//
// It applies when both reads are unfiltered scans of the same table and S
// keeps at most 1/shareFactor of its table by estimate, which bounds the
// shared rows the query holds (they spill over its memory budget).
func ShareReducedScans(n logical.Node, meta *logical.Metadata) (logical.Node, error) {
	key := maxSharedKey(n)
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		j, ok := n.(*logical.Join)
		if !ok || !reducibleJoin(j.Type) {
			return n, nil
		}
		left, right, ok := shareReduced(j, meta, key+1)
		if !ok {
			left, right, ok = shareSemiReduced(j, meta, key+1)
		}
		if !ok {
			return n, nil
		}
		key++
		c := *j
		c.Left, c.Right = left, right
		return &c, nil
	})
}

const shareFactor = 8

func maxSharedKey(n logical.Node) int {
	k := 0
	logical.Inspect(n, func(n logical.Node) bool {
		if s, ok := n.(*logical.Shared); ok {
			k = max(k, s.Key)
		}
		return true
	})
	return k
}

// shareReduced returns j's sides rewritten to share one read, if j.Right
// has a reduced grouped aggregate whose table j.Left also reads.
func shareReduced(j *logical.Join, meta *logical.Metadata, key int) (logical.Node, logical.Node, bool) {
	semi, inner, scan, innerKey, scanCol := reducedInput(j.Right)
	if semi == nil || !selective(scan) {
		return nil, nil, false
	}
	leaves, eqs := joinLeaves(j.Left)
	found := false
	for _, l := range leaves {
		s, ok := l.(*logical.Scan)
		found = found || ok && copyOf(s, scan)
	}
	if !found {
		return nil, nil, false
	}
	same := equalClosure(scanCol, eqs)
	keyField := fieldOf(inner, innerKey.ID)
	for _, l := range leaves {
		outer, ok := l.(*logical.Scan)
		if !ok || outer == inner || !sameTable(outer, inner) {
			continue
		}
		i := fieldIndex(outer, keyField)
		if i < 0 || same[outer.Cols[i]] == nil || !same[outer.Cols[i]].T.Equal(innerKey.T) {
			continue
		}
		outerAll, innerAll := unionColumns(meta, outer, inner)
		outerKey := &logical.ColRef{ID: outer.Cols[i], Name: meta.Column(outer.Cols[i]).Name, T: innerKey.T}
		mk := func(t *logical.Scan, k *logical.ColRef) logical.Node {
			return &logical.Shared{Key: key, Name: inner.Alias, Input: &logical.Join{Type: logical.SemiJoin, Left: t, Right: scan,
				Cond: &logical.Binary{Op: expr.OpEq, L: k, R: scanCol, T: sqltypes.TypeBool}}}
		}
		left, _ := replaceNode(j.Left, outer, mk(outerAll, outerKey))
		right, _ := replaceNode(j.Right, semi, mk(innerAll, innerKey))
		return left, right, true
	}
	return nil, nil, false
}

// shareSemiReduced returns j's sides rewritten to read once the filtered
// scan S that ReduceSemiJoinBuilds also placed in j's right side (TPC-H
// Q4: the quarter's orders both filter the late lineitems and are the
// orders the EXISTS keeps):
//
//	S ⋉ (… T ⋉ S …)  →  shared(S) ⋉ (… T ⋉ shared(S) …)
func shareSemiReduced(j *logical.Join, meta *logical.Metadata, key int) (logical.Node, logical.Node, bool) {
	if j.Type != logical.SemiJoin && j.Type != logical.AntiJoin && j.Type != logical.MarkJoin {
		return nil, nil, false
	}
	s, ok := j.Left.(*logical.Scan)
	if !ok || len(s.Filters) == 0 || !selective(s) && logical.Estimate(s) > maxSharedSemiRows {
		return nil, nil, false
	}
	var copyScan *logical.Scan
	var find func(logical.Node)
	find = func(n logical.Node) {
		if r, ok := n.(*logical.Join); ok && r.Type == logical.SemiJoin {
			if c, ok := r.Right.(*logical.Scan); ok && c != s && copyOf(c, s) {
				copyScan = c
				return
			}
		}
		for _, c := range n.Children() {
			if _, fence := c.(*logical.Shared); copyScan == nil && !fence {
				find(c)
			}
		}
	}
	find(j.Right)
	if copyScan == nil {
		return nil, nil, false
	}
	outer, inner := unionColumns(meta, s, copyScan)
	name := s.Alias
	if name == "" {
		name = s.Name
	}
	right, _ := replaceNode(j.Right, copyScan, &logical.Shared{Key: key, Name: name, Input: inner})
	return &logical.Shared{Key: key, Name: name, Input: outer}, right, true
}

// maxSharedSemiRows is how many rows (by estimate) a filtered scan that
// is not selective may still share: the join above builds its rows anyway
// (a semi join this much smaller than its right side builds its left),
// but a shared result does not spill, so it stays small (TPC-H Q22's
// customers of seven country codes, 42k of 150k).
const maxSharedSemiRows = 1 << 18

// reducedInput finds, through projections and filters, a grouped
// aggregate whose input is an unfiltered scan semi-joined with a filtered
// scan on one equality (what ReduceGroupedJoins makes of Q17's subquery).
func reducedInput(n logical.Node) (semi *logical.Join, inner, scan *logical.Scan, innerKey, scanCol *logical.ColRef) {
	for {
		switch x := n.(type) {
		case *logical.Project:
			n = x.Input
			continue
		case *logical.Filter:
			n = x.Input
			continue
		case *logical.Aggregate:
			if len(x.GroupCols) == 0 {
				return
			}
			j, ok := x.Input.(*logical.Join)
			if !ok || j.Type != logical.SemiJoin {
				return
			}
			t, tok := j.Left.(*logical.Scan)
			s, sok := j.Right.(*logical.Scan)
			if !tok || !sok || len(t.Filters) > 0 || len(s.Filters) == 0 {
				return
			}
			l, r, ok := leftEquality(j.Cond, logical.OutputSet(t))
			if !ok || !logical.OutputSet(s).Has(r.ID) {
				return
			}
			return j, t, s, l, r
		}
		return
	}
}

// selective reports whether a filtered scan keeps at most 1/shareFactor
// of its table by estimate.
func selective(s *logical.Scan) bool {
	rows := s.Table.Stats().RowCount
	return rows > 0 && logical.Estimate(s)*shareFactor <= float64(rows)
}

// copyOf reports whether a and b are copies of one scan (PruneColumns
// copies a scan that ReduceGroupedJoins placed twice, each with the
// columns read from it): same table and filters, so the same rows.
func copyOf(a, b *logical.Scan) bool {
	return a.Name == b.Name && a.Product == b.Product && a.HideStats == b.HideStats && a.Barrier == b.Barrier && reflect.DeepEqual(a.Filters, b.Filters)
}

func sameTable(a, b *logical.Scan) bool {
	return a.Name == b.Name && a.Product == b.Product && a.HideStats == b.HideStats &&
		len(a.Filters) == 0 && len(b.Filters) == 0
}

// fieldOf returns the source field of column id of s.
func fieldOf(s *logical.Scan, id logical.ColumnID) int {
	for i, c := range s.Cols {
		if c == id {
			return s.SourceIdx[i]
		}
	}
	return -1
}

// fieldIndex returns the position in s.Cols of source field f, or -1.
func fieldIndex(s *logical.Scan, f int) int {
	for i, x := range s.SourceIdx {
		if x == f {
			return i
		}
	}
	return -1
}

// unionColumns returns copies of a and b (scans of one table) that both
// read every field either reads, in the same order: a's columns, then
// b's others. Fields one did not read get new columns.
func unionColumns(meta *logical.Metadata, a, b *logical.Scan) (*logical.Scan, *logical.Scan) {
	ac, bc := *a, *b
	ac.Cols, ac.SourceIdx, ac.SourceTypes = append([]logical.ColumnID(nil), a.Cols...), append([]int(nil), a.SourceIdx...), append([]sqltypes.Type(nil), a.SourceTypes...)
	for i, f := range b.SourceIdx {
		if fieldIndex(a, f) < 0 {
			ac.Cols = append(ac.Cols, copyColumn(meta, b.Cols[i], a))
			ac.SourceIdx = append(ac.SourceIdx, f)
			ac.SourceTypes = append(ac.SourceTypes, b.SourceTypes[i])
		}
	}
	bc.Cols, bc.SourceIdx, bc.SourceTypes = make([]logical.ColumnID, len(ac.Cols)), ac.SourceIdx, ac.SourceTypes
	for i, f := range ac.SourceIdx {
		if k := fieldIndex(b, f); k >= 0 {
			bc.Cols[i] = b.Cols[k]
		} else {
			bc.Cols[i] = copyColumn(meta, ac.Cols[i], b)
		}
	}
	ac.FilterOnly, bc.FilterOnly = nil, nil
	return &ac, &bc
}

// copyColumn registers a column like id for scan s.
func copyColumn(meta *logical.Metadata, id logical.ColumnID, s *logical.Scan) logical.ColumnID {
	m := meta.Column(id)
	table := m.Table
	if len(s.Cols) > 0 {
		table = meta.Column(s.Cols[0]).Table
	}
	return meta.NewColumn(m.Name, table, m.Type)
}

// replaceNode returns n with the node old replaced by repl, rebuilding
// only the nodes above it.
func replaceNode(n, old, repl logical.Node) (logical.Node, bool) {
	if n == old {
		return repl, true
	}
	ch := n.Children()
	for i, c := range ch {
		if r, ok := replaceNode(c, old, repl); ok {
			nc := append([]logical.Node(nil), ch...)
			nc[i] = r
			return n.WithChildren(nc), true
		}
	}
	return n, false
}
