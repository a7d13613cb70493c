package physical

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// pushJoin lowers a tree of joins (inner, left, right, full) whose leaves
// are scans into one scan of a join the source runs itself
// (connectors.JoinPusher), when: pushdown is on, every leaf's filters run
// at its source exactly, no leaf column needs a cast, every join condition
// is an equality of two leaf columns (an outer join has at least one),
// and the first leaf's source accepts the join (for PostgreSQL: every
// leaf in the same database). ok is false, with nothing built, otherwise.
// A leaf's filters are its own: the source applies them before the join,
// so a filter the binder placed on the nullable side of an outer join
// (from its ON clause) keeps its meaning.
func (b *builder) pushJoin(x *logical.Join) (*stream, bool, error) {
	if b.env.NoPushdown {
		return nil, false, nil
	}
	var leaves []*logical.Scan
	var leafIDs [][]logical.ColumnID // the columns each leaf offers the join
	var conds []logical.Expr
	type pending struct {
		node  *connectors.JoinTree
		conds []logical.Expr
	}
	var joins []pending
	kinds := map[logical.JoinType]connectors.JoinKind{logical.InnerJoin: connectors.JoinInner,
		logical.LeftJoin: connectors.JoinLeft, logical.RightJoin: connectors.JoinRight, logical.FullJoin: connectors.JoinFull}
	var walk func(n logical.Node) (*connectors.JoinTree, bool)
	walk = func(n logical.Node) (*connectors.JoinTree, bool) {
		switch y := n.(type) {
		case *logical.Scan:
			leaves, leafIDs = append(leaves, y), append(leafIDs, y.Cols)
			return &connectors.JoinTree{Input: len(leaves) - 1}, true
		case *logical.Project:
			// A derived table's SELECT list of plain columns (FROM
			// (SELECT * FROM t WHERE …) x): the scan, fewer columns.
			sc, ok := y.Input.(*logical.Scan)
			if !ok {
				return nil, false
			}
			for i, e := range y.Exprs {
				if c, ok := e.(*logical.ColRef); !ok || c.ID != y.Cols[i] {
					return nil, false
				}
			}
			leaves, leafIDs = append(leaves, sc), append(leafIDs, y.Cols)
			return &connectors.JoinTree{Input: len(leaves) - 1}, true
		case *logical.Join:
			kind, ok := kinds[y.Type]
			if !ok {
				return nil, false
			}
			cs := logical.Conjuncts(y.Cond)
			if kind != connectors.JoinInner && len(cs) == 0 {
				return nil, false
			}
			l, ok := walk(y.Left)
			if !ok {
				return nil, false
			}
			r, ok := walk(y.Right)
			if !ok {
				return nil, false
			}
			t := &connectors.JoinTree{Kind: kind, Left: l, Right: r}
			conds = append(conds, cs...)
			joins = append(joins, pending{t, cs})
			return t, true
		}
		return nil, false
	}
	tree, ok := walk(x)
	if !ok || len(conds) == 0 {
		return nil, false, nil
	}
	pusher, ok := connectors.As[connectors.JoinPusher](leaves[0].Table)
	if !ok {
		return nil, false, nil
	}
	// The join returns what is read above it (x.Needed), of the columns
	// each leaf offers; at least one column, so batches carry row counts.
	plans := make([]*scanPlan, len(leaves))
	leafOf := map[logical.ColumnID]int{}
	j := connectors.Join{Inputs: make([]connectors.JoinInput, len(leaves)), Tree: tree}
	var ids []logical.ColumnID
	for i, l := range leaves {
		p := b.planScan(l)
		if len(p.residual) > 0 || p.needCast {
			return nil, false, nil
		}
		plans[i] = p
		in := connectors.JoinInput{Table: l.Table, Filters: p.req.Filters}
		for _, id := range leafIDs[i] {
			idx, ok := p.srcIdx[id]
			if !ok {
				return nil, false, nil
			}
			if x.Needed == nil || x.Needed.Has(id) || len(ids) == 0 && i == len(leaves)-1 && id == leafIDs[i][len(leafIDs[i])-1] {
				in.Columns = append(in.Columns, idx)
				ids = append(ids, id)
			}
		}
		j.Inputs[i] = in
		for id := range p.srcIdx {
			leafOf[id] = i
		}
	}
	for _, pj := range joins {
		for _, c := range pj.conds {
			l, r, ok := logical.ColumnEquality(c)
			if !ok {
				return nil, false, nil
			}
			li, lok := leafOf[l.ID]
			ri, rok := leafOf[r.ID]
			if !lok || !rok || li == ri {
				return nil, false, nil
			}
			key := connectors.JoinKey{Left: li, LeftCol: plans[li].srcIdx[l.ID], Right: ri, RightCol: plans[ri].srcIdx[r.ID]}
			pj.node.On = append(pj.node.On, key)
			j.On = append(j.On, key)
		}
	}
	js, ok := pusher.PushJoin(b.ctx, j)
	if !ok || js.Schema.NumFields() != len(ids) {
		return nil, false, nil
	}
	fields := make([]arrow.Field, len(ids))
	for i, id := range ids {
		m := b.meta.Column(id)
		if !arrow.TypeEqual(m.Type.Arrow(), js.Schema.Field(i).Type) {
			return nil, false, sqltypes.New(sqltypes.CodeInternal, "internal error: pushed join column %s is %s, want %s", m.Name, js.Schema.Field(i).Type, m.Type)
		}
		fields[i] = arrow.Field{Name: m.Name, Type: js.Schema.Field(i).Type, Nullable: true}
	}

	var names, filters []string
	hide := false
	for i, l := range leaves {
		hide = hide || l.HideStats
		names = append(names, l.Name)
		for _, f := range plans[i].req.Filters {
			filters = append(filters, f.String())
		}
	}
	props := []string{"columns=[" + strings.Join(b.names(ids), ", ") + "]", "on=" + exprList(conds)}
	if len(filters) > 0 {
		props = append(props, "pushed_filters=["+strings.Join(filters, ", ")+"]")
	}
	props = append(props, js.Explain...)
	workers := max(1, min(b.env.Workers, len(js.Partitions)))
	props = append(props, fmt.Sprintf("streams=%d", workers))
	ex := &ExplainNode{Name: "Remote Join [" + strings.Join(names, ", ") + "]", Props: props}
	s := &stream{ids: ids, lay: layoutOf(ids), ex: ex}
	for _, op := range b.sourceOps(nil, arrow.NewSchema(fields, nil), js.Partitions, workers, ex, hide) {
		s.ops = append(s.ops, b.instrument(op, ex))
	}
	return s, true, nil
}
