package physical

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// lowerScan offers the scan's filters to the source, asks it for
// partitions, and spreads them over up to Workers parallel streams. Filters
// the source does not apply exactly, and casts from source types to
// declared types, run in each stream.
func (b *builder) lowerScan(x *logical.Scan) (*stream, error) {
	srcSchema := x.Table.Schema()
	cols := scanColumns{}
	req := connectors.ScanRequest{Limit: -1}
	fields := make([]arrow.Field, len(x.Cols))
	needCast := false
	for i, id := range x.Cols {
		f := srcSchema.Field(x.SourceIdx[i])
		req.Columns = append(req.Columns, x.SourceIdx[i])
		fields[i] = arrow.Field{Name: b.meta.Column(id).Name, Type: f.Type, Nullable: true}
		if x.SourceTypes[i].Equal(b.meta.Column(id).Type) {
			cols[id] = f.Name
		} else {
			needCast = true
		}
	}
	var offered []connectors.Filter
	var offeredFrom []int
	for i, p := range x.Filters {
		if f, ok := toConnectorFilter(p, cols); ok {
			offered = append(offered, f)
			offeredFrom = append(offeredFrom, i)
		}
	}
	exact := make([]bool, len(x.Filters))
	if len(offered) > 0 {
		support := x.Table.SupportsFilters(offered)
		for i, s := range support {
			if s == connectors.Unsupported {
				continue
			}
			req.Filters = append(req.Filters, offered[i])
			if s == connectors.Exact {
				exact[offeredFrom[i]] = true
			}
		}
	}
	parts, err := x.Table.Partitions(b.ctx, req)
	if err != nil {
		return nil, sqltypes.AsError(err)
	}
	if parts, err = b.share(x, parts); err != nil {
		return nil, err
	}

	props := []string{"columns=[" + strings.Join(b.names(x.Cols), ", ") + "]"}
	if len(req.Filters) > 0 {
		props = append(props, "pushed_filters="+filterList(req.Filters))
	}
	var residual []logical.Expr
	for i, p := range x.Filters {
		if !exact[i] {
			residual = append(residual, p)
		}
	}
	if len(residual) > 0 {
		props = append(props, "filter="+exprList(residual))
	}
	workers := max(1, min(b.env.Workers, len(parts)))
	switch se, ok := x.Table.(connectors.ScanExplainer); {
	case x.HideStats:
		// How many files, row groups and partitions survive pruning, and
		// so how many streams run, describe rows hidden from the session.
		if re, ok := x.Table.(connectors.RequestExplainer); ok {
			props = append(props, re.ExplainRequest(b.ctx, req)...)
		}
		props = append(props, "statistics=hidden")
	case ok:
		props = append(props, se.ExplainScan(b.ctx, req)...)
		props = append(props, fmt.Sprintf("streams=%d", workers))
	default:
		props = append(props, fmt.Sprintf("partitions=%d", len(parts)), fmt.Sprintf("streams=%d", workers))
	}
	name := "Scan " + x.Name
	if x.Alias != "" && !strings.HasSuffix(x.Name, "."+x.Alias) {
		name += " AS " + x.Alias
	}
	ex := &ExplainNode{Name: name, Props: props}

	schema := arrow.NewSchema(fields, nil)
	groups := make([][]connectors.Partition, workers)
	for i, p := range parts {
		groups[i%workers] = append(groups[i%workers], p)
	}
	// The scan, its casts and its residual filter form one EXPLAIN node:
	// only the last operator of each stream is instrumented.
	s := &stream{ids: x.Cols, lay: layoutOf(x.Cols), ex: ex}
	last := func(stage int) bool {
		switch stage {
		case 0:
			return !needCast && len(residual) == 0
		case 1:
			return len(residual) == 0
		}
		return true
	}
	var counts *executor.SourceCounts
	if b.env.Sources != nil && x.Product != nil {
		counts = b.env.Sources.Counts(x.Product.QualifiedName(), x.Product.Source.Connector)
	}
	for _, g := range groups {
		op := ops.NewSourceScan(b.env, schema, g, counts)
		b.created = append(b.created, op)
		if last(0) {
			op = b.instrument(op, ex)
		}
		s.ops = append(s.ops, op)
	}
	if needCast {
		casts := make([]expr.Expr, len(x.Cols))
		for i, id := range x.Cols {
			m := b.meta.Column(id)
			col := expr.Column(i, x.SourceTypes[i], m.Name)
			if x.SourceTypes[i].Equal(m.Type) {
				casts[i] = col
				continue
			}
			c, err := expr.Cast(col, m.Type)
			if err != nil {
				return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "column %s of %s has source type %s, which cannot be read as the declared %s", m.Name, x.Name, x.SourceTypes[i], m.Type)
			}
			casts[i] = c
		}
		if s, err = b.eachMaybe(s, ex, last(1), func(op executor.Operator) (executor.Operator, error) {
			return ops.NewProject(b.env, op, casts, b.names(x.Cols))
		}); err != nil {
			return nil, err
		}
	}
	if len(residual) > 0 {
		pred, err := lowerExpr(logical.And(residual), s.lay)
		if err != nil {
			return nil, err
		}
		if s, err = b.each(s, ex, func(op executor.Operator) (executor.Operator, error) {
			return ops.NewFilter(b.env, op, pred)
		}); err != nil {
			return nil, err
		}
	}
	return s, nil
}
