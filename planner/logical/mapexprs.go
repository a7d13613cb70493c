package logical

// MapExprs returns n with fn applied to each expression it holds directly
// (not to its children's). fn must preserve types.
func MapExprs(n Node, fn func(Expr) Expr) Node {
	mapAll := func(es []Expr) []Expr {
		out := make([]Expr, len(es))
		for i, e := range es {
			out[i] = fn(e)
		}
		return out
	}
	switch x := n.(type) {
	case *Scan:
		c := *x
		c.Filters = mapAll(x.Filters)
		return &c
	case *Filter:
		c := *x
		c.Pred = fn(x.Pred)
		return &c
	case *Project:
		c := *x
		c.Exprs = mapAll(x.Exprs)
		return &c
	case *Join:
		c := *x
		if x.Cond != nil {
			c.Cond = fn(x.Cond)
		}
		return &c
	case *Aggregate:
		c := *x
		c.Groups = mapAll(x.Groups)
		c.Aggs = make([]AggCall, len(x.Aggs))
		for i, a := range x.Aggs {
			a.Args = mapAll(a.Args)
			if a.Filter != nil {
				a.Filter = fn(a.Filter)
			}
			if a.Order != nil {
				order := make([]SortKey, len(a.Order))
				for j, k := range a.Order {
					k.Expr = fn(k.Expr)
					order[j] = k
				}
				a.Order = order
			}
			c.Aggs[i] = a
		}
		c.InputOrder = make([]SortKey, len(x.InputOrder))
		for i, k := range x.InputOrder {
			k.Expr = fn(k.Expr)
			c.InputOrder[i] = k
		}
		return &c
	case *Sort:
		c := *x
		c.Keys = make([]SortKey, len(x.Keys))
		for i, k := range x.Keys {
			k.Expr = fn(k.Expr)
			c.Keys[i] = k
		}
		return &c
	case *Window:
		c := *x
		c.PartitionBy = mapAll(x.PartitionBy)
		c.OrderBy = make([]SortKey, len(x.OrderBy))
		for i, k := range x.OrderBy {
			k.Expr = fn(k.Expr)
			c.OrderBy[i] = k
		}
		c.Calls = make([]WindowCall, len(x.Calls))
		for i, w := range x.Calls {
			w.Args = mapAll(w.Args)
			for _, e := range []*Expr{&w.Filter, &w.RangeKey, &w.RangeStart, &w.RangeEnd, &w.Offsets[0], &w.Offsets[1]} {
				if *e != nil {
					*e = fn(*e)
				}
			}
			c.Calls[i] = w
		}
		return &c
	case *Unnest:
		c := *x
		c.Lists = make([]Expr, len(x.Lists))
		for i, l := range x.Lists {
			c.Lists[i] = fn(l)
		}
		if x.Cond != nil {
			c.Cond = fn(x.Cond)
		}
		return &c
	case *Values:
		c := *x
		c.Rows = make([][]Expr, len(x.Rows))
		for i, r := range x.Rows {
			c.Rows[i] = mapAll(r)
		}
		return &c
	}
	return n
}

// Transform rebuilds the plan bottom-up, replacing each node by fn's result.
// The input of a Shared that several references hold (one node, a DAG) is
// rebuilt once and the result shared again, so that a pass stays linear
// in the plan's size and the references keep reading one plan.
func Transform(n Node, fn func(Node) (Node, error)) (Node, error) {
	return transform(n, fn, map[Node]Node{})
}

func transform(n Node, fn func(Node) (Node, error), shared map[Node]Node) (Node, error) {
	if s, ok := n.(*Shared); ok {
		in, seen := shared[s.Input]
		if !seen {
			t, err := transform(s.Input, fn, shared)
			if err != nil {
				return nil, err
			}
			shared[s.Input], in = t, t
		}
		return fn(s.WithChildren([]Node{in}))
	}
	ch := n.Children()
	if len(ch) > 0 {
		nc := make([]Node, len(ch))
		for i, c := range ch {
			t, err := transform(c, fn, shared)
			if err != nil {
				return nil, err
			}
			nc[i] = t
		}
		n = n.WithChildren(nc)
	}
	return fn(n)
}

// NodeSet is a set of plan nodes by identity, for walks that visit a
// shared input once.
type NodeSet map[Node]struct{}

func (s *NodeSet) Add(n Node) {
	if *s == nil {
		*s = NodeSet{}
	}
	(*s)[n] = struct{}{}
}

func (s NodeSet) Has(n Node) bool { _, ok := s[n]; return ok }

// Revisits reports whether n is a Shared whose input a walk has been
// through already (recording it in seen otherwise): a walk that gathers
// facts need not go through it again, and must not, as references to
// WITH queries that read each other twice double at every level.
func Revisits(seen *NodeSet, n Node) bool {
	s, ok := n.(*Shared)
	if !ok {
		return false
	}
	if seen.Has(s.Input) {
		return true
	}
	seen.Add(s.Input)
	return false
}

// Inspect calls fn on every node of the plan top-down, descending into a
// node's children while fn returns true. The input of a Shared is visited
// once however many references hold it.
func Inspect(n Node, fn func(Node) bool) {
	var seen NodeSet
	var visit func(Node)
	visit = func(n Node) {
		if Revisits(&seen, n) {
			fn(n)
			return
		}
		if !fn(n) {
			return
		}
		for _, c := range n.Children() {
			visit(c)
		}
	}
	visit(n)
}

// VisitExprs calls fn with each expression n holds directly (not its
// children's), in MapExprs' order, without copying n.
func VisitExprs(n Node, fn func(Expr)) {
	each := func(es []Expr) {
		for _, e := range es {
			fn(e)
		}
	}
	keys := func(ks []SortKey) {
		for _, k := range ks {
			fn(k.Expr)
		}
	}
	some := func(es ...Expr) {
		for _, e := range es {
			if e != nil {
				fn(e)
			}
		}
	}
	switch x := n.(type) {
	case *Scan:
		each(x.Filters)
	case *Filter:
		fn(x.Pred)
	case *Project:
		each(x.Exprs)
	case *Join:
		some(x.Cond)
	case *Aggregate:
		each(x.Groups)
		for _, a := range x.Aggs {
			each(a.Args)
			some(a.Filter)
			keys(a.Order)
		}
		keys(x.InputOrder)
	case *Sort:
		keys(x.Keys)
	case *Window:
		each(x.PartitionBy)
		keys(x.OrderBy)
		for _, w := range x.Calls {
			each(w.Args)
			some(w.Filter, w.RangeKey, w.RangeStart, w.RangeEnd, w.Offsets[0], w.Offsets[1])
		}
	case *Unnest:
		each(x.Lists)
		some(x.Cond)
	case *Values:
		for _, r := range x.Rows {
			each(r)
		}
	}
}
