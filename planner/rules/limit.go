package rules

import (
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// ResolveLimits turns the Bounds plan of a LIMIT whose bounds folded to
// constants (LIMIT 1+1, LIMIT $1 once the parameter is known) into the
// limit's Count and Offset, so that the limit can reach a TopN and a
// source like a literal one. A negative value fails as in PostgreSQL
// (2201W / 2201X). It runs after FoldConstants.
func ResolveLimits(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		lim, ok := n.(*logical.Limit)
		if !ok || lim.Bounds == nil {
			return n, nil
		}
		vals, ok := constantRow(lim.Bounds)
		if !ok {
			return n, nil
		}
		// OFFSET is checked first, as PostgreSQL's recompute_limits.
		for i := len(vals) - 1; i >= 0; i-- {
			if err := ops.CheckLimitBound(vals[i], i == 1); err != nil {
				return nil, err
			}
		}
		c := *lim
		c.Bounds, c.Count, c.Offset = nil, -1, 0
		for i, v := range vals {
			if v == nil {
				continue
			}
			if i == 0 {
				c.Count = v.(int64)
			} else {
				c.Offset = v.(int64)
			}
		}
		return &c, nil
	})
}

// constantRow returns the values of a projection of constants over one
// row without columns.
func constantRow(n logical.Node) ([]sqltypes.Datum, bool) {
	p, ok := n.(*logical.Project)
	if !ok {
		return nil, false
	}
	if v, ok := p.Input.(*logical.Values); !ok || len(v.Rows) != 1 || len(v.Cols) != 0 {
		return nil, false
	}
	out := make([]sqltypes.Datum, len(p.Exprs))
	for i, e := range p.Exprs {
		c, ok := e.(*logical.Const)
		if !ok {
			return nil, false
		}
		out[i] = c.V
	}
	return out, true
}
