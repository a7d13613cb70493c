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

// scanPlan is what a scan asks of its source before any limit, order or
// aggregate is added to the request.
type scanPlan struct {
	req      connectors.ScanRequest
	ids      []logical.ColumnID       // the columns the scan returns: Cols less FilterOnly ones the source filters on
	keep     []int                    // their indexes in the logical scan's Cols
	cols     scanColumns              // columns read without a cast, by source name
	srcIdx   map[logical.ColumnID]int // the same columns' source indexes
	fields   []arrow.Field
	needCast bool
	residual []logical.Expr // filters meshql applies after the source
}

// planScan offers the scan's filters to the source (unless pushdown is
// off) and decides which ones meshql must still apply.
func (b *builder) planScan(x *logical.Scan) *scanPlan {
	srcSchema := x.Table.Schema()
	p := &scanPlan{req: connectors.ScanRequest{Limit: -1}, cols: scanColumns{}, srcIdx: map[logical.ColumnID]int{}, fields: make([]arrow.Field, len(x.Cols))}
	for i, id := range x.Cols {
		f := srcSchema.Field(x.SourceIdx[i])
		p.req.Columns = append(p.req.Columns, x.SourceIdx[i])
		dt := connectors.CanonicalType(f.Type)
		if arrow.TypeEqual(x.SourceTypes[i].Arrow(), f.Type) {
			// The column's SQL type is held in the source's Arrow type
			// (oid as uint32), which alone would read as another type.
			dt = f.Type
		}
		p.fields[i] = arrow.Field{Name: b.meta.Column(id).Name, Type: dt, Nullable: true}
		if x.SourceTypes[i].Equal(b.meta.Column(id).Type) {
			p.cols[id] = f.Name
			p.srcIdx[id] = x.SourceIdx[i]
		} else {
			p.needCast = true
		}
	}
	var offered []connectors.Filter
	var offeredFrom []int
	for i, e := range x.Filters {
		if b.env.NoPushdown {
			break
		}
		if f, ok := toConnectorFilter(e, p.cols); ok {
			offered = append(offered, f)
			offeredFrom = append(offeredFrom, i)
		}
	}
	exact := make([]bool, len(x.Filters))
	if len(offered) > 0 {
		for i, s := range x.Table.SupportsFilters(offered) {
			if s == connectors.Unsupported {
				continue
			}
			p.req.Filters = append(p.req.Filters, offered[i])
			if s == connectors.Exact {
				exact[offeredFrom[i]] = true
			}
		}
	}
	for i, e := range x.Filters {
		if !exact[i] {
			p.residual = append(p.residual, e)
		}
	}
	p.dropFilterOnly(x)
	return p
}

// dropFilterOnly keeps out of the request the columns only filters read
// when the source applies every filter that reads them: nothing above
// the scan needs their values. One column stays, so that batches carry
// their row count.
func (p *scanPlan) dropFilterOnly(x *logical.Scan) {
	res := logical.ColSet{}
	for _, e := range p.residual {
		res.AddSet(logical.ColumnsOf(e))
	}
	var cols []int
	var fields []arrow.Field
	p.needCast = false
	for i, id := range x.Cols {
		if x.FilterOnly.Has(id) && !res.Has(id) && (len(p.keep) > 0 || i < len(x.Cols)-1) {
			continue
		}
		p.ids, p.keep = append(p.ids, id), append(p.keep, i)
		cols, fields = append(cols, p.req.Columns[i]), append(fields, p.fields[i])
		if _, plain := p.cols[id]; !plain {
			p.needCast = true
		}
	}
	p.req.Columns, p.fields = cols, fields
}

// lowerScan asks the source for partitions and spreads them over up to
// Workers parallel streams. Filters the source does not apply exactly, and
// casts from source types to declared types, run in each stream. A limit
// (and order) that lowerLimit found for this scan is offered to the
// source when the source applies every filter.
func (b *builder) lowerScan(x *logical.Scan) (*stream, error) {
	p := b.planScan(x)
	if h, ok := b.limits[x]; ok {
		delete(b.limits, x) // a scan node shared by two references is limited once
		if len(p.residual) == 0 {
			p.pushLimit(x, h)
		}
	}
	dict := b.askDictionaries(x, p)
	parts, err := x.Table.Partitions(b.ctx, p.req)
	if err != nil {
		return nil, sqltypes.AsError(err)
	}
	if parts, err = b.share(x, parts); err != nil {
		return nil, err
	}
	schema := arrow.NewSchema(p.fields, nil)
	s, ex := b.scanStreams(x, p, schema, parts)
	s.ids, s.lay = p.ids, layoutOf(p.ids)
	keep := p.keptAfterFilters(x)
	// finishScan adds a projection, except under an aggregate (scandict.go).
	_, forAgg := b.aggScans[x]
	final := !forAgg && (dict || len(keep) < len(p.ids))
	last := func(stage int) bool {
		switch stage {
		case 0:
			return !p.needCast && len(p.residual) == 0 && !final
		case 1:
			return len(p.residual) == 0 && !final
		case 2:
			return !final
		}
		return true
	}
	if last(0) {
		for i, op := range s.ops {
			s.ops[i] = b.instrument(op, ex)
		}
	}
	if p.needCast {
		casts := make([]expr.Expr, len(p.ids))
		for i, id := range p.ids {
			m := b.meta.Column(id)
			st := x.SourceTypes[p.keep[i]]
			col := expr.Column(i, st, m.Name)
			if st.Equal(m.Type) {
				casts[i] = col
				continue
			}
			c, err := expr.AssignCast(col, m.Type)
			if err != nil {
				return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "column %s of %s has source type %s, which cannot be read as the declared %s", m.Name, x.Name, st, m.Type)
			}
			casts[i] = c
		}
		if s, err = b.eachMaybe(s, ex, last(1), func(op executor.Operator) (executor.Operator, error) {
			return ops.NewProject(b.env, op, casts, b.names(p.ids))
		}); err != nil {
			return nil, err
		}
	}
	if len(p.residual) > 0 {
		pred, err := lowerExpr(logical.And(p.residual), s.lay)
		if err != nil {
			return nil, err
		}
		if dict {
			pred = expr.OverDictionaries(pred)
		}
		in := s.ops
		if s, err = b.eachMaybe(s, ex, last(2), func(op executor.Operator) (executor.Operator, error) {
			return ops.NewFilter(b.env, op, pred)
		}); err != nil {
			return nil, err
		}
		s.fold = &probeFold{in: in, pred: pred, text: exprList(p.residual), ex: ex, scan: true}
	}
	if !final {
		return s, nil
	}
	return b.finishScan(s, ex, p.ids, keep)
}

// keptAfterFilters is the indexes in p.ids of the columns the scan
// returns once meshql's filters ran: not those only the filters read
// (nothing above needs them, and a join or sort would copy them row by
// row: TPC-H Q13's o_comment through its join). One column stays, so that
// batches carry their row count.
func (p *scanPlan) keptAfterFilters(x *logical.Scan) []int {
	var keep []int
	for i, id := range p.ids {
		if x.FilterOnly.Has(id) && (len(keep) > 0 || i < len(p.ids)-1) {
			continue
		}
		keep = append(keep, i)
	}
	return keep
}

// finishScan ends each stream of a scan with one projection to the
// columns keep (indexes into ids) that also decodes dictionary columns
// (expr.Column decodes), so every operator above the scan sees plain
// text.
func (b *builder) finishScan(s *stream, ex *ExplainNode, ids []logical.ColumnID, keep []int) (*stream, error) {
	cols := make([]expr.Expr, len(keep))
	out := make([]logical.ColumnID, len(keep))
	for j, i := range keep {
		m := b.meta.Column(ids[i])
		cols[j], out[j] = expr.Column(i, m.Type, m.Name), ids[i]
	}
	names := b.names(out)
	st, err := b.each(s, ex, func(op executor.Operator) (executor.Operator, error) {
		return ops.NewProject(b.env, op, cols, names)
	})
	if err != nil {
		return nil, err
	}
	st.ids, st.lay = out, layoutOf(out)
	// The projection only picks columns (and decodes dictionaries): a
	// join folding the filter can take it too. The fold is copied, not
	// changed: another stream may hold it.
	st.fold = projectedFold(s.fold, cols, names)
	return st, nil
}

// scanStreams describes the scan for EXPLAIN and reads parts in up to
// Workers streams of batches with the given schema, counting what the
// source delivers under ANALYZE. The operators are not instrumented: the
// caller instruments the last operator of each stream.
func (b *builder) scanStreams(x *logical.Scan, p *scanPlan, schema *arrow.Schema, parts []connectors.Partition) (*stream, *ExplainNode) {
	props := []string{"columns=[" + strings.Join(b.names(p.ids), ", ") + "]"}
	if len(p.req.Filters) > 0 {
		props = append(props, "pushed_filters="+filterList(p.req.Filters))
	}
	if len(p.residual) > 0 {
		props = append(props, "filter="+exprList(p.residual))
	}
	if b.env.NoPushdown {
		props = append(props, "pushdown=off")
	}
	if d := dictionaryNames(x, p); d != "" {
		props = append(props, "dictionary="+d)
	}
	props = append(props, p.req.Describe(x.Table.Schema())...)
	workers := max(1, min(b.env.Workers, len(parts)))
	switch se, ok := x.Table.(connectors.ScanExplainer); {
	case x.HideStats:
		// How many files, row groups and partitions survive pruning, and
		// so how many streams run, describe rows hidden from the session.
		if re, ok := connectors.As[connectors.RequestExplainer](x.Table); ok { // through the engine's wrapper
			props = append(props, re.ExplainRequest(b.ctx, p.req)...)
		}
		props = append(props, "statistics=hidden")
	case ok:
		props = append(props, se.ExplainScan(b.ctx, p.req)...)
		props = append(props, fmt.Sprintf("streams=%d", workers))
	default:
		props = append(props, fmt.Sprintf("partitions=%d", len(parts)), fmt.Sprintf("streams=%d", workers))
	}
	name := "Scan " + x.Name
	if x.Alias != "" && !strings.HasSuffix(x.Name, "."+x.Alias) {
		name += " AS " + x.Alias
	}
	ex := &ExplainNode{Name: name, Props: props}
	return &stream{ex: ex, ops: b.sourceOps(x, schema, parts, workers, ex, x.HideStats)}, ex
}

// sourceOps spreads parts over workers scan operators (not instrumented),
// counting what the source delivers for ex under ANALYZE, and for the
// metrics of x's product. Under hide (a scan's HideStats) ANALYZE does
// not count: what the source delivers before a row filter that meshql
// applies counts the rows it hides.
func (b *builder) sourceOps(x *logical.Scan, schema *arrow.Schema, parts []connectors.Partition, workers int, ex *ExplainNode, hide bool) []executor.Operator {
	if b.analyze && !hide {
		ex.Source = nextStat(&b.stats.sources, &b.stats.nSources)
	}
	var counts *executor.SourceCounts // for the metrics; a pushed join (x nil) has no one product
	if b.env.Sources != nil && x != nil && x.Product != nil {
		counts = b.env.Sources.Counts(x.Product.QualifiedName(), x.Product.Source.Connector)
	}
	groups := make([][]connectors.Partition, workers)
	for i, part := range parts {
		groups[i%workers] = append(groups[i%workers], part)
	}
	out := make([]executor.Operator, 0, workers)
	for _, g := range groups {
		op := ops.NewSourceScan(b.env, schema, g, ex.Source, counts)
		b.created = append(b.created, op)
		out = append(out, op)
	}
	return out
}
