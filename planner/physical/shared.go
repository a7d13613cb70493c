package physical

import (
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
)

// sharedPlan is a WITH query materialized for all its references.
type sharedPlan struct {
	s   *ops.Shared
	out []logical.ColumnID // the first reference's Input.Output()
	ids []logical.ColumnID // physical column order of the shared rows
}

// lowerShared lowers the first reference of a WITH query into an
// ops.Shared and every reference into a reader of it. The references'
// inputs are copies of one bound query, so a column of another reference
// is found by its position in Input.Output(). If that mapping does not
// hold, the reference is computed on its own: slower, still right.
func (b *builder) lowerShared(x *logical.Shared) (*stream, error) {
	out := x.Input.Output()
	ex := &ExplainNode{Name: "CTE Scan", Props: []string{"name=" + x.Name}}
	sp := b.shared[x.Key]
	if sp == nil {
		in, err := b.lower(x.Input)
		if err != nil {
			return nil, err
		}
		sp = &sharedPlan{s: ops.NewShared(b.env, b.gather(in)), out: out, ids: in.ids}
		if b.shared == nil {
			b.shared = map[int]*sharedPlan{}
		}
		b.shared[x.Key] = sp
		ex.Children = []*ExplainNode{in.ex}
		if b.analyze {
			ex.Mem = sp.s.Reservation()
		}
	}
	ids, ok := sp.columnsFor(out)
	if !ok {
		return b.lower(x.Input)
	}
	r := sp.s.Reader()
	b.created = append(b.created, r)
	return &stream{ops: []executor.Operator{b.instrument(r, ex)}, ids: ids, lay: layoutOf(ids), ex: ex}, nil
}

// columnsFor names the shared rows' columns with the IDs of a reference
// whose Input.Output() is out.
func (sp *sharedPlan) columnsFor(out []logical.ColumnID) ([]logical.ColumnID, bool) {
	if len(out) != len(sp.out) {
		return nil, false
	}
	pos := make(map[logical.ColumnID]int, len(sp.out))
	for i, id := range sp.out {
		pos[id] = i
	}
	ids := make([]logical.ColumnID, len(sp.ids))
	for p, id := range sp.ids {
		i, ok := pos[id]
		if !ok {
			return nil, false
		}
		ids[p] = out[i]
	}
	return ids, true
}
