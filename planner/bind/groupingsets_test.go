package bind

import (
	"testing"

	"github.com/meshql/meshql/planner/logical"
)

// TestGroupingSetsComputeArgumentsOnce: the aggregates of every grouping
// set read their computed arguments from the shared input (computed once
// a row there), but for a call with FILTER, whose argument is computed
// only for the rows the FILTER keeps.
func TestGroupingSetsComputeArgumentsOnce(t *testing.T) {
	sql := `SELECT k, percentile_disc(ARRAY[0.5, 0.1]) WITHIN GROUP (ORDER BY length(s)),
		count(DISTINCT upper(s)), sum(100 / x) FILTER (WHERE x <> 0)
		FROM (VALUES (1, 'a', 0), (2, 'bb', 1)) v(k, s, x) GROUP BY GROUPING SETS ((k), ())`
	_, rel, err := bindStandalone(t, sql)
	if err != nil {
		t.Fatal(err)
	}
	sets := 0
	logical.Inspect(rel.node, func(n logical.Node) bool {
		a, ok := n.(*logical.Aggregate)
		if !ok {
			return true
		}
		sets++
		for _, c := range a.Aggs {
			for _, arg := range c.Args {
				_, isCol := arg.(*logical.ColRef)
				_, isConst := arg.(*logical.Const)
				if c.Filter == nil && !isCol && !isConst {
					t.Errorf("%s computes %s in every set", c.Func, arg)
				}
				if c.Filter != nil && isCol {
					t.Errorf("%s FILTER reads %s computed for every row", c.Func, arg)
				}
			}
		}
		return true
	})
	if sets != 2 {
		t.Errorf("%d aggregates; want one per set", sets)
	}
}
