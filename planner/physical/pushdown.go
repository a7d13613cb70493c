package physical

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// limitHint is a LIMIT (and the ORDER BY it takes the first rows of) that
// may be offered to the scan below it: meshql still sorts and limits
// what the source returns, so the source only has to return a superset
// of the first rows.
type limitHint struct {
	n     int64
	order []logical.SortKey // nil: any rows will do
}

// noteLimit records a limit of n rows over in (in order, if order is
// set) for the scan that in reads, when only projections stand between
// them: a projection keeps every row, a filter or a join does not.
func (b *builder) noteLimit(in logical.Node, n int64, order []logical.SortKey) {
	if b.env.NoPushdown {
		return
	}
	for {
		switch x := in.(type) {
		case *logical.Project:
			in = x.Input
			continue
		case *logical.Scan:
			if b.limits == nil {
				b.limits = map[*logical.Scan]limitHint{}
			}
			b.limits[x] = limitHint{n: n, order: order}
		}
		return
	}
}

// pushLimit adds the hint to the request when the source can honour it:
// any source takes a plain limit; an ordered one needs an OrderPusher
// that orders every key column as meshql does. Keys must be columns the
// scan reads without a cast.
func (p *scanPlan) pushLimit(x *logical.Scan, h limitHint) {
	if len(h.order) == 0 {
		p.req.Limit = h.n
		return
	}
	op, ok := connectors.As[connectors.OrderPusher](x.Table)
	if !ok {
		return
	}
	keys := make([]connectors.SortKey, len(h.order))
	for i, k := range h.order {
		c, ok := k.Expr.(*logical.ColRef)
		if !ok {
			return
		}
		idx, ok := p.srcIdx[c.ID]
		if !ok {
			return
		}
		keys[i] = connectors.SortKey{Column: idx, Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	if op.SupportsOrder(keys) {
		p.req.Order, p.req.Limit = keys, h.n
	}
}

// partialAgg is how one aggregate call is split: the calls the source
// computes and the merge meshql applies to their columns.
type partialAgg struct {
	remote []connectors.AggCall
	merge  string
}

var mergeOf = map[string]partialAgg{
	"count_star": {[]connectors.AggCall{{Func: connectors.AggCountStar}}, "count_merge"},
	"count":      {[]connectors.AggCall{{Func: connectors.AggCount}}, "count_merge"},
	"sum":        {[]connectors.AggCall{{Func: connectors.AggSum}}, "sum_merge"},
	"min":        {[]connectors.AggCall{{Func: connectors.AggMin}}, "min"},
	"max":        {[]connectors.AggCall{{Func: connectors.AggMax}}, "max"},
	// avg is the sum of sums over the sum of counts.
	"avg": {[]connectors.AggCall{{Func: connectors.AggSum}, {Func: connectors.AggCount}}, "avg_merge"},
}

// pushAggregate lowers a grouping directly over a scan into a partial
// aggregate computed by the source and a HashAggregate in meshql that
// merges the partial rows; ok is false (and nothing is built) when the
// source cannot take it: pushdown off, a filter it does not apply
// exactly, a grouping key or argument that is not a plain column read
// without a cast, DISTINCT, FILTER, an ordered aggregate, or a function
// or type the source refuses.
func (b *builder) pushAggregate(x *logical.Aggregate) (*stream, bool, error) {
	scan, ok := x.Input.(*logical.Scan)
	if !ok || b.env.NoPushdown || len(x.InputOrder) > 0 {
		return nil, false, nil
	}
	pusher, ok := connectors.As[connectors.AggregatePusher](scan.Table)
	if !ok {
		return nil, false, nil
	}
	p := b.planScan(scan)
	if len(p.residual) > 0 {
		return nil, false, nil
	}
	column := func(e logical.Expr) (int, bool) {
		c, ok := e.(*logical.ColRef)
		if !ok {
			return 0, false
		}
		idx, ok := p.srcIdx[c.ID]
		return idx, ok
	}
	agg := &connectors.Aggregate{}
	for _, g := range x.Groups {
		idx, ok := column(g)
		if !ok {
			return nil, false, nil
		}
		agg.GroupBy = append(agg.GroupBy, idx)
	}
	cols := make([][]int, len(x.Aggs))   // each call's partial columns
	seen := map[connectors.AggCall]int{} // avg(x) and sum(x) share sum(x)
	for i, a := range x.Aggs {
		m, ok := mergeOf[a.Func]
		if !ok || a.Distinct || a.Filter != nil {
			return nil, false, nil
		}
		col := 0
		if a.Func != "count_star" {
			if len(a.Args) != 1 {
				return nil, false, nil
			}
			if col, ok = column(a.Args[0]); !ok {
				return nil, false, nil
			}
		}
		for _, r := range m.remote {
			r.Column = col
			k, ok := seen[r]
			if !ok {
				k = len(x.Groups) + len(agg.Aggs)
				seen[r] = k
				agg.Aggs = append(agg.Aggs, r)
			}
			cols[i] = append(cols[i], k)
		}
	}
	p.req.Columns, p.req.Aggregate = nil, agg
	schema, ok := pusher.AggregateSchema(p.req)
	if !ok || schema.NumFields() != len(x.Groups)+len(agg.Aggs) {
		return nil, false, nil
	}
	// The final aggregate over the partial rows.
	groups := make([]expr.Expr, len(x.Groups))
	for i, g := range x.Groups {
		groups[i] = expr.Column(i, g.Type(), schema.Field(i).Name)
	}
	aggs := make([]ops.Aggregate, len(x.Aggs))
	var text []string
	for i, a := range x.Aggs {
		m := mergeOf[a.Func]
		args := make([]expr.Expr, len(m.remote))
		types := make([]sqltypes.Type, len(m.remote))
		for j := range m.remote {
			f := schema.Field(cols[i][j])
			t, ok := typeOf(f.Type, a, j)
			if !ok {
				return nil, false, nil
			}
			args[j], types[j] = expr.Column(cols[i][j], t, f.Name), t
		}
		if t, err := ops.AggregateType(m.merge, types); err != nil || !t.Equal(a.T) {
			return nil, false, nil // the source's partial type would change the result's
		}
		aggs[i] = ops.Aggregate{Func: m.merge, Args: args, Type: a.T}
		text = append(text, aggString(a))
	}

	parts, err := scan.Table.Partitions(b.ctx, p.req)
	if err != nil {
		return nil, false, sqltypes.AsError(err)
	}
	in, scanEx := b.scanStreams(scan, p, schema, parts)
	for i, op := range in.ops {
		in.ops[i] = b.instrument(op, scanEx)
	}
	props := []string{}
	if len(x.Groups) > 0 {
		props = append(props, "groups="+exprList(x.Groups))
	}
	props = append(props, "aggregates=["+strings.Join(text, ", ")+"]", "merges=source partial aggregates")
	ex := &ExplainNode{Name: "HashAggregate", Props: props, Children: []*ExplainNode{scanEx}}
	op, err := ops.NewHashAggregate(b.env, in.ops, groups, aggs)
	if err != nil {
		return nil, false, err
	}
	ids := x.Output()
	return &stream{ops: []executor.Operator{b.add(op, ex)}, ids: ids, lay: layoutOf(ids), ex: ex}, true, nil
}

// typeOf is the SQL type of partial column j of call a, as the source
// delivers it in Arrow type dt: counts are bigint, min and max the
// argument's type, sums whatever exact type the source chose.
func typeOf(dt arrow.DataType, a logical.AggCall, j int) (sqltypes.Type, bool) {
	switch {
	case a.Func == "count_star" || a.Func == "count" || (a.Func == "avg" && j == 1):
		return sqltypes.TypeInt8, dt.ID() == arrow.INT64
	case a.Func == "min" || a.Func == "max":
		t := a.Args[0].Type()
		return t, arrow.TypeEqual(t.Arrow(), dt)
	}
	switch d := dt.(type) {
	case *arrow.Int64Type:
		return sqltypes.TypeInt8, true
	case *arrow.Float64Type:
		return sqltypes.TypeFloat8, true
	case *arrow.Decimal128Type:
		return sqltypes.NumericType(d.Precision, d.Scale), true
	}
	return sqltypes.Type{}, false
}
