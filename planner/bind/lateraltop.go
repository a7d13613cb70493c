package bind

import (
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// lateralLimit is the ORDER BY ... LIMIT of a LATERAL subquery whose
// sort keys read the left side, as in `CROSS JOIN LATERAL (SELECT o.amount
// * 2 AS x ORDER BY 1 LIMIT 1)`: no partition of the subquery's own rows
// tells one left row's from another's, so the limit is applied after the
// join, per numbered left row.
type lateralLimit struct {
	keys          []logical.SortKey
	offset, count int64
}

// splitLateralTop splits the select list of a LATERAL subquery q into
// the entries read from its own rows and those reading the left side,
// computed after the join (see splitLeftReadingOutputs), looking through
// the ORDER BY and LIMIT above the select list. With sort keys over its
// own rows only, the sort and limit stay in the subquery; with keys that
// read the left side, a LIMIT is returned to apply after the join, and an
// ORDER BY without one is dropped (it does not order a join's rows). q's
// output columns are renamed where an entry was a bare left column, so
// that the subquery's column is not the left one. changed reports
// whether q's plan is another than before (split, or renamed in place).
func (b *binder) splitLateralTop(q *relation) (_ logical.Node, _ []lateralPost, _ logical.ColumnID, _ *lateralLimit, changed bool) {
	n := q.node
	cur := n
	if p, ok := cur.(*logical.Project); ok && allColRefs(p.Exprs) {
		switch p.Input.(type) {
		case *logical.Limit, *logical.Sort:
			cur = p.Input // it only drops the hidden sort columns
		}
	}
	lim, _ := cur.(*logical.Limit)
	if lim != nil {
		cur = lim.Input
	}
	sort, _ := cur.(*logical.Sort)
	if sort != nil {
		cur = sort.Input
	}
	if lim == nil && sort == nil {
		cur = n
	}
	proj, ok := cur.(*logical.Project)
	if !ok {
		return n, nil, 0, nil, false
	}
	renamed := b.renameLeftColumns(proj, q)
	inner, post, marker := b.splitLeftReadingOutputs(proj)
	switch {
	case len(post) == 0:
		return n, nil, 0, nil, len(renamed) > 0
	case cur == n:
		return inner, post, marker, nil, true
	}
	var keys []logical.SortKey
	if sort != nil {
		for _, k := range sort.Keys {
			k.Expr = renameCols(k.Expr, renamed)
			keys = append(keys, k)
		}
	}
	postIDs := logical.ColSet{}
	for _, pe := range post {
		postIDs.Add(pe.id)
	}
	keysReadLeft := false
	for _, k := range keys {
		for id := range logical.ColumnsOf(k.Expr) {
			keysReadLeft = keysReadLeft || postIDs.Has(id)
		}
	}
	if keysReadLeft {
		if lim == nil {
			return inner, post, marker, nil, true
		}
		return inner, post, marker, &lateralLimit{keys: keys, offset: lim.Offset, count: lim.Count}, true
	}
	node := inner
	if sort != nil {
		node = &logical.Sort{Input: node, Keys: keys}
	}
	if lim != nil {
		c := *lim
		c.Input = node
		node = &c
	}
	return node, post, marker, nil, true
}

// distinctSelectList gives each select-list entry of the LATERAL
// subquery q that repeats another's column (a column or an aggregate
// selected twice: SELECT c.a AS x, c.a AS y) a column of its own, in its
// select list and q's output columns. They are two columns to the query
// reading q: GROUP BY CUBE (l.x, l.y) groups by one and not the other,
// and the rewrites that rename a select list's columns (freshOuterColumns,
// renameLeftColumns) rename each entry. A LATERAL subquery keeps its
// shape (see distinctOutputs for other subqueries in FROM).
func (b *binder) distinctSelectList(q *relation) {
	top, _ := q.node.(*logical.Project)
	cur := q.node
	if top != nil && allColRefs(top.Exprs) {
		switch top.Input.(type) {
		case *logical.Limit, *logical.Sort:
			cur = top.Input // it only drops the hidden sort columns
		}
	}
	if cur == q.node {
		top = nil
	}
	if lim, ok := cur.(*logical.Limit); ok {
		cur = lim.Input
	}
	if sort, ok := cur.(*logical.Sort); ok {
		cur = sort.Input
	}
	proj, ok := cur.(*logical.Project)
	if !ok || len(proj.Cols) < len(q.cols) || top != nil && len(top.Cols) < len(q.cols) {
		return
	}
	for i, c := range q.cols {
		if proj.Cols[i] != c.id || top != nil && top.Cols[i] != c.id {
			return // not the select list in q's order
		}
	}
	seen := logical.ColSet{}
	for i, c := range q.cols {
		if !seen.Has(c.id) {
			seen.Add(c.id)
			continue
		}
		nid := b.meta.NewColumn(c.name, "", c.t)
		proj.Cols[i], q.cols[i].id = nid, nid
		if top != nil {
			top.Exprs[i], top.Cols[i] = b.colRef(nid), nid
		}
	}
}

// renameLeftColumns gives each select-list entry of proj that is a bare
// column of the left side a column of its own, in proj and in q's output
// columns: a LEFT JOIN LATERAL nulls the subquery's copy, not the left
// column. It returns the renaming.
func (b *binder) renameLeftColumns(proj *logical.Project, q *relation) map[logical.ColumnID]logical.ColumnID {
	local := definedIDs(proj.Input)
	renamed := map[logical.ColumnID]logical.ColumnID{}
	for i, id := range proj.Cols {
		if local.Has(id) {
			continue
		}
		if _, done := renamed[id]; !done {
			m := b.meta.Column(id)
			renamed[id] = b.meta.NewColumn(m.Name, "", m.Type)
		}
		proj.Cols[i] = renamed[id]
	}
	for i, c := range q.cols {
		if nid, ok := renamed[c.id]; ok {
			q.cols[i].id = nid
		}
	}
	return renamed
}

// renameCols points the column references of e at renamed's columns.
func renameCols(e logical.Expr, renamed map[logical.ColumnID]logical.ColumnID) logical.Expr {
	if len(renamed) == 0 {
		return e
	}
	return logical.Rewrite(e, func(x logical.Expr) logical.Expr {
		if c, ok := x.(*logical.ColRef); ok {
			if nid, ok := renamed[c.ID]; ok {
				return &logical.ColRef{ID: nid, Name: c.Name, T: c.T}
			}
		}
		return x
	})
}

// applyLateralLimit keeps, of each left row's joined rows, those within
// the subquery's OFFSET and LIMIT in its order. A LEFT JOIN's unmatched
// left row is its one joined row, number 1, and is kept; a left row
// whose rows all fall outside (OFFSET, LIMIT 0) keeps one row of padding
// (keepOrPad).
// It returns the renaming of the columns keepOrPad nulled.
func (b *binder) applyLateralLimit(joined *relation, lat *lateralInfo) map[logical.ColumnID]logical.ColumnID {
	lim := lat.limit
	rn := b.meta.NewColumn("row_number", "", sqltypes.TypeInt8)
	w := &logical.Window{
		Input:       joined.node,
		PartitionBy: []logical.Expr{b.colRef(lat.leftRow)},
		OrderBy:     lim.keys,
		Calls:       []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(len(lim.keys) > 0), T: sqltypes.TypeInt8}},
		Cols:        []logical.ColumnID{rn},
	}
	within := b.rowNumberWithin(rn, lim.offset, lim.count)
	if lat.leftCols != nil && (lim.offset > 0 || lim.count == 0) {
		r := &perRowOut{node: w, rowID: lat.leftRow, keys: lat.leftCols, marker: b.colRef(lat.marker)}
		b.keepOrPad(r, within)
		joined.node = r.node
		repointColumns(joined, r.renamed, nil)
		return r.renamed
	}
	joined.node = &logical.Filter{Input: w, Pred: within}
	return nil
}
