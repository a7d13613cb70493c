package physical

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// pushJoin lowers a tree of inner joins whose leaves are scans into one
// scan of a join the source runs itself (connectors.JoinPusher), when:
// pushdown is on, every leaf's filters run at its source exactly, no leaf
// column needs a cast, every join condition is an equality of two leaf
// columns, and the first leaf's source accepts the join (for PostgreSQL:
// every leaf in the same database). ok is false, with nothing built,
// otherwise.
func (b *builder) pushJoin(x *logical.Join) (*stream, bool, error) {
	if b.env.NoPushdown || x.Type != logical.InnerJoin {
		return nil, false, nil
	}
	var leaves []*logical.Scan
	var conds []logical.Expr
	var walk func(n logical.Node) bool
	walk = func(n logical.Node) bool {
		switch y := n.(type) {
		case *logical.Scan:
			leaves = append(leaves, y)
			return true
		case *logical.Join:
			if y.Type != logical.InnerJoin {
				return false
			}
			conds = append(conds, logical.Conjuncts(y.Cond)...)
			return walk(y.Left) && walk(y.Right)
		}
		return false
	}
	if !walk(x) || len(conds) == 0 {
		return nil, false, nil
	}
	pusher, ok := connectors.As[connectors.JoinPusher](leaves[0].Table)
	if !ok {
		return nil, false, nil
	}
	plans := make([]*scanPlan, len(leaves))
	leafOf := map[logical.ColumnID]int{}
	j := connectors.Join{Inputs: make([]connectors.JoinInput, len(leaves))}
	for i, l := range leaves {
		p := b.planScan(l)
		if len(p.residual) > 0 || p.needCast {
			return nil, false, nil
		}
		plans[i] = p
		j.Inputs[i] = connectors.JoinInput{Table: l.Table, Columns: p.req.Columns, Filters: p.req.Filters}
		for id := range p.srcIdx {
			leafOf[id] = i
		}
	}
	for _, c := range conds {
		bin, ok := c.(*logical.Binary)
		if !ok || bin.Op != expr.OpEq {
			return nil, false, nil
		}
		l, lok := bin.L.(*logical.ColRef)
		r, rok := bin.R.(*logical.ColRef)
		if !lok || !rok {
			return nil, false, nil
		}
		li, lok := leafOf[l.ID]
		ri, rok := leafOf[r.ID]
		if !lok || !rok || li == ri {
			return nil, false, nil
		}
		j.On = append(j.On, connectors.JoinKey{Left: li, LeftCol: plans[li].srcIdx[l.ID], Right: ri, RightCol: plans[ri].srcIdx[r.ID]})
	}
	js, ok := pusher.PushJoin(b.ctx, j)
	ids := x.Output()
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
	for i, l := range leaves {
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
	for _, op := range b.sourceOps(nil, arrow.NewSchema(fields, nil), js.Partitions, workers, ex) {
		s.ops = append(s.ops, b.instrument(op, ex))
	}
	return s, true, nil
}
