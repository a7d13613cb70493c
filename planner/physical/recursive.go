package physical

import (
	"maps"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// lowerRecursive lowers a WITH RECURSIVE query into an
// ops.RecursiveUnion. Operators run once, so the recursive term is
// lowered again for every round: the operator gets a factory that lowers
// it with a builder of its own, whose WorkTable leaves read the union's
// working table. The first tree is built here, so that planning errors
// surface now and EXPLAIN shows it; under ANALYZE every tree counts into
// its operators' statistics (lowering one logical tree instruments its
// operators in the same order each time).
func (b *builder) lowerRecursive(x *logical.RecursiveUnion) (*stream, error) {
	a, err := b.lower(x.Anchor)
	if err != nil {
		return nil, err
	}
	anchor, err := b.reorder(a, x.Anchor.Output(), x.Distinct)
	if err != nil {
		return nil, err
	}
	work := ops.NewWorkTable(anchor.Schema())
	tables := maps.Clone(b.work)
	if tables == nil {
		tables = map[int]*ops.WorkTable{}
	}
	tables[x.Key] = work
	var first statLog // the first tree's counters, taken again by the rebuilt ones
	build := func() (executor.Operator, *ExplainNode, error) {
		sub := &builder{ctx: b.ctx, env: b.env, meta: b.meta, work: tables, analyze: b.analyze,
			stats: statLog{ops: first.ops, sources: first.sources}}
		defer func() { first.ops, first.sources = sub.stats.ops, sub.stats.sources }()
		s, err := sub.lower(x.Recursive)
		if err != nil {
			sub.closeAll()
			return nil, nil, err
		}
		op, err := sub.reorder(s, x.Recursive.Output(), x.Distinct)
		if err != nil {
			sub.closeAll()
			return nil, nil, err
		}
		return &closingOp{Operator: op, closeAll: sub.closeAll}, s.ex, nil
	}
	term, rex, err := build()
	if err != nil {
		return nil, err
	}
	rebuild := func() (executor.Operator, error) {
		op, _, err := build()
		return op, err
	}
	op, err := ops.NewRecursiveUnion(b.env, anchor, term, rebuild, work, x.Distinct, b.columnTypes(x.Anchor.Output()))
	if err != nil {
		term.Close()
		return nil, err
	}
	name := "Recursive Union All"
	if x.Distinct {
		name = "Recursive Union"
	}
	ex := &ExplainNode{Name: name, Props: []string{"name=" + x.Name}, Children: []*ExplainNode{a.ex, rex}}
	return &stream{ops: []executor.Operator{b.add(op, ex)}, ids: x.Cols, lay: layoutOf(x.Cols), ex: ex}, nil
}

// lowerWorkTable reads the working table of the enclosing recursive query.
func (b *builder) lowerWorkTable(x *logical.WorkTable) (*stream, error) {
	w := b.work[x.Key]
	if w == nil {
		return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: working table of %s read outside its recursive query", x.Name)
	}
	r := w.Reader()
	b.created = append(b.created, r)
	ex := &ExplainNode{Name: "WorkTable Scan", Props: []string{"name=" + x.Name}}
	return &stream{ops: []executor.Operator{b.instrument(r, ex)}, ids: x.Cols, lay: layoutOf(x.Cols), ex: ex}, nil
}

// closingOp closes every operator of a separately built tree, the ones
// its root does not own included.
type closingOp struct {
	executor.Operator
	closeAll func()
}

func (c *closingOp) Close() error {
	err := c.Operator.Close()
	c.closeAll()
	return err
}
