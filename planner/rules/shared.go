package rules

import "github.com/meshql/meshql/planner/logical"

// InlineSingleUse removes the logical.Shared wrapper of a WITH query that
// is referenced only once (and not AS MATERIALIZED), so that it is
// optimized as part of the query around it, as PostgreSQL inlines such
// WITH queries. It runs first: the wrappers that stay are fences for the
// rules after it.
func InlineSingleUse(n logical.Node) (logical.Node, error) {
	refs := map[int]int{}
	logical.Inspect(n, func(n logical.Node) bool {
		if s, ok := n.(*logical.Shared); ok {
			refs[s.Key]++
		}
		return true
	})
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		if s, ok := n.(*logical.Shared); ok && refs[s.Key] < 2 && !s.Materialized {
			return s.Input, nil
		}
		return n, nil
	})
}
