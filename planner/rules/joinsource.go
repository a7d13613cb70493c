package rules

import (
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/planner/logical"
)

// clusterBySource replaces, among the leaves of one tree of inner joins,
// each connected group of two or more scans of one join-capable source
// (connectors.JoinPusher with the same JoinSource: one PostgreSQL
// database) by a join of just those scans on the conditions among them,
// ordered by greedyOrder. The group becomes one input of the outer
// ordering, so the physical planner can send it to the source as one
// remote join instead of meshql joining its tables with others in between.
// The conditions it uses are removed from conds.
func clusterBySource(leaves []logical.Node, conds []logical.Expr) ([]logical.Node, []logical.Expr) {
	source := make([]string, len(leaves))
	bySource := map[string][]int{}
	var order []string // sources in leaf order, for a deterministic plan
	for i, l := range leaves {
		s, ok := l.(*logical.Scan)
		if !ok {
			continue
		}
		p, ok := connectors.As[connectors.JoinPusher](s.Table)
		if !ok || p.JoinSource() == "" {
			continue
		}
		source[i] = p.JoinSource()
		if bySource[source[i]] == nil {
			order = append(order, source[i])
		}
		bySource[source[i]] = append(bySource[source[i]], i)
	}
	used := make([]bool, len(conds))
	merged := make([]bool, len(leaves))
	var groups []logical.Node
	for _, src := range order {
		members := bySource[src]
		if len(members) < 2 {
			continue
		}
		// Connected components of the members over conditions that
		// read only members' columns.
		comp := make(map[int]int, len(members))
		for _, m := range members {
			comp[m] = m
		}
		var find func(int) int
		find = func(i int) int {
			for comp[i] != i {
				i = comp[i]
			}
			return i
		}
		cols := make(map[int]logical.ColSet, len(members))
		for _, m := range members {
			cols[m] = logical.OutputSet(leaves[m])
		}
		var inner []int // conditions among the members
		for k, c := range conds {
			cc := logical.ColumnsOf(c)
			var touched []int
			for _, m := range members {
				if overlaps(cc, cols[m]) {
					touched = append(touched, m)
				}
			}
			all := logical.ColSet{}
			for _, m := range touched {
				all.AddSet(cols[m])
			}
			if len(touched) < 2 || !cc.SubsetOf(all) {
				continue
			}
			inner = append(inner, k)
			for _, m := range touched[1:] {
				comp[find(m)] = find(touched[0])
			}
		}
		for _, root := range members {
			if find(root) != root {
				continue
			}
			var gl []logical.Node
			var gc []logical.Expr
			var gm []int
			for _, m := range members {
				if find(m) == root {
					gl, gm = append(gl, leaves[m]), append(gm, m)
				}
			}
			if len(gl) < 2 {
				continue
			}
			set := logical.ColSet{}
			for _, m := range gm {
				set.AddSet(cols[m])
				merged[m] = true
			}
			for _, k := range inner {
				if !used[k] && logical.ColumnsOf(conds[k]).SubsetOf(set) {
					used[k] = true
					gc = append(gc, conds[k])
				}
			}
			groups = append(groups, greedyOrder(gl, gc))
		}
	}
	if len(groups) == 0 {
		return leaves, conds
	}
	var outLeaves []logical.Node
	for i, l := range leaves {
		if !merged[i] {
			outLeaves = append(outLeaves, l)
		}
	}
	var outConds []logical.Expr
	for k, c := range conds {
		if !used[k] {
			outConds = append(outConds, c)
		}
	}
	return append(outLeaves, groups...), outConds
}

func overlaps(a, b logical.ColSet) bool {
	for id := range a {
		if b.Has(id) {
			return true
		}
	}
	return false
}
