package pgregex

// Dissection: where each group matched, once the match's extent is
// known, by PostgreSQL's rules (see engine.go).

// dissect sets the captures of n, which matches s[i:j].
func (m *search) dissect(n *node, i, j int, loc []int) error {
	if !n.hasCap {
		return nil
	}
	switch n.op {
	case opCap:
		if n.capIdx > 0 {
			loc[2*n.capIdx], loc[2*n.capIdx+1] = i, j
		}
		return m.dissect(n.sub[0], i, j, loc)
	case opAlt:
		for _, c := range n.sub {
			ok, err := m.matches(c, i, j)
			if err != nil {
				return err
			}
			if ok {
				return m.dissect(c, i, j, loc)
			}
		}
	case opCat:
		mid, err := m.split(n.sub[0], n.sub[1], n.pref, i, j)
		if err != nil || mid < 0 {
			return err
		}
		if err := m.dissect(n.sub[0], i, mid, loc); err != nil {
			return err
		}
		return m.dissect(n.sub[1], mid, j, loc)
	case opRep:
		if n.prefix == nil {
			return nil
		}
		if n.min == 0 {
			return m.iterate(n, i, j, loc)
		}
		// x{m,n} is x{m-1,n-1} then x: the captures are the last
		// iteration's, cut as the repetition's greediness says ({m} has
		// its operand's).
		mid, err := m.split(n.prefix, n.sub[0], n.pref, i, j)
		if err != nil || mid < 0 {
			return err
		}
		return m.dissect(n.sub[0], mid, j, loc)
	}
	return nil
}

// iterate sets the captures of x* (n), which matches s[i:j], from its
// last iteration. As PostgreSQL's iteration dissection does, it cuts the
// text into non-empty iterations, each as long as possible (as short as
// possible when x itself is non-greedy) while the rest can still match.
//
// An empty text is no iteration (NULL captures) for a non-greedy x, one
// empty iteration otherwise when x can match empty.
func (m *search) iterate(n *node, i, j int, loc []int) error {
	c := n.sub[0]
	if i == j {
		if ok, err := m.matches(c, i, i); !ok || err != nil || c.pref == prefShorter {
			return err
		}
		return m.dissect(c, i, i, loc)
	}
	// reach[p-i]: the rest of the text from p is whole iterations (for
	// an unbounded x*; a bounded one counts them in within).
	var reach []bool
	if n.max < 0 {
		reach = make([]bool, j-i+1)
		reach[j-i] = true
		for p := j - 1; p >= i; p-- {
			e, err := m.ends(c, p)
			if err != nil {
				return err
			}
			for _, q := range e {
				if q > p && q <= j && reach[q-i] {
					reach[p-i] = true
					break
				}
			}
		}
	}
	e, start := []int(nil), i
	for cur, left := i, n.max; cur < j; left-- {
		var err error
		if e, err = m.ends(c, cur); err != nil {
			return err
		}
		next := -1
		for k := range e {
			q := e[len(e)-1-k]
			if c.pref == prefShorter {
				q = e[k]
			}
			if q <= cur || q > j {
				continue
			}
			ok, err := reach != nil && reach[q-i], error(nil)
			if reach == nil {
				ok, err = m.within(c, q, j, left-1)
			}
			if err != nil {
				return err
			}
			if ok {
				next = q
				break
			}
		}
		if next < 0 {
			return nil
		}
		start, cur = cur, next
	}
	return m.dissect(c, start, j, loc)
}

// within reports whether at most k iterations of c (any number when k
// < 0) match s[i:j].
func (m *search) within(c *node, i, j, k int) (bool, error) {
	cur, seen := []int{i}, map[int]bool{i: true}
	for ; len(cur) > 0 && !seen[j] && k != 0; k-- {
		if err := m.spend(len(cur)); err != nil {
			return false, err
		}
		var next []int
		for _, p := range cur {
			e, err := m.ends(c, p)
			if err != nil {
				return false, err
			}
			for _, q := range e {
				if q <= j && !seen[q] {
					seen[q] = true
					next = append(next, q)
				}
			}
		}
		cur = next
	}
	return seen[j], nil
}

// split returns where l ends when l then r match s[i:j]: the last such
// point, or the first when pref is prefShorter; -1 if none.
func (m *search) split(l, r *node, pref, i, j int) (int, error) {
	le, err := m.ends(l, i)
	if err != nil {
		return -1, err
	}
	try := func(mid int) (bool, error) {
		if mid > j {
			return false, nil
		}
		return m.matches(r, mid, j)
	}
	if pref == prefShorter {
		for _, mid := range le {
			if ok, err := try(mid); ok || err != nil {
				return mid, err
			}
		}
		return -1, nil
	}
	for k := len(le) - 1; k >= 0; k-- {
		if ok, err := try(le[k]); ok || err != nil {
			return le[k], err
		}
	}
	return -1, nil
}
