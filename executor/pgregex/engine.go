package pgregex

import (
	"regexp/syntax"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/meshql/meshql/sqltypes"
)

// The engine finds match extents and submatches by PostgreSQL's rules,
// which RE2 does not follow (it is leftmost-first, like Perl):
//
//   - the whole RE matches the longest text at the leftmost start, or the
//     shortest when it is non-greedy: a branch takes the greediness of
//     its first quantified atom that has one, an alternation is greedy;
//   - a concatenation gives its left part the longest (greedy) or
//     shortest (non-greedy) text that lets the rest match;
//   - an alternation takes its first alternative that matches the text
//     the concatenation gave it;
//   - a repeated capture reports its last iteration.
//
// It also runs what RE2 lacks: lookahead and lookbehind constraints and
// the word anchors \m \M. It works on sets of end positions, memoized per
// (node, start), so it never backtracks exponentially; a step budget
// bounds the quadratic worst case.

// Greediness of a node (PostgreSQL's LONGER / SHORTER).
const (
	prefNone = iota
	prefLonger
	prefShorter
)

type opKind uint8

const (
	opEmpty opKind = iota
	opNoMatch
	opLit
	opClass
	opAny
	opAnyNotNL
	opAssert // zero-width: kind in assert
	opCat
	opAlt
	opRep
	opCap
	opLook // lookaround: look in assert
)

// Zero-width assertions.
const (
	asBeginLine = iota
	asEndLine
	asBeginText
	asEndText
	asWordB
	asNotWordB
	asWordBegin // \m
	asWordEnd   // \M
	asAhead     // (?=…)
	asNotAhead  // (?!…)
	asBehind    // (?<=…)
	asNotBehind // (?<!…)
)

type node struct {
	id       int
	op       opKind
	runes    []rune // opLit; opClass ranges
	fold     bool
	assert   int
	sub      []*node // opCat: exactly two; opAlt: alternatives; opRep/opCap/opLook: one
	min, max int     // opRep; max -1 = unbounded
	greedy   bool
	capIdx   int   // opCap: 1-based group number; 0 = a marker group
	prefix   *node // opRep with captures: child{min-1,max-1}
	pref     int
	hasCap   bool
	lookBack int // opLook behind: maxWidth of the constraint, -1 unbounded
}

// prog is a compiled engine program.
type prog struct {
	root  *node
	nodes int
	ncap  int
	// midOnly: RE2's answer is PostgreSQL's; the program only searches
	// from the middle of a string, where RE2 would lose the left context.
	midOnly bool
	// searches recycles search states (and their memo tables) between
	// subject strings: one per row would allocate them per row.
	searches sync.Pool
}

// markerPrefix names the groups translate adds for the engine: pgalt
// (an alternation, greedy), pgla pgnla pglb pgnlb (lookaround) and
// pgwb pgwe (\m \M).
const markerPrefix = "pgmk_"

// newProg builds the engine program from a translated pattern with
// markers.
func newProg(goPattern string) (*prog, error) {
	re, err := syntax.Parse(goPattern, syntax.Perl)
	if err != nil {
		return nil, goSyntaxError(err)
	}
	p := &prog{}
	p.root = p.build(re)
	setLookBack(p.root)
	return p, nil
}

func (p *prog) newNode(op opKind) *node {
	n := &node{id: p.nodes, op: op}
	p.nodes++
	return n
}

func (p *prog) build(re *syntax.Regexp) *node {
	switch re.Op {
	case syntax.OpNoMatch:
		return p.newNode(opNoMatch)
	case syntax.OpEmptyMatch:
		return p.newNode(opEmpty)
	case syntax.OpLiteral:
		n := p.newNode(opLit)
		n.runes, n.fold = re.Rune, re.Flags&syntax.FoldCase != 0
		return n
	case syntax.OpCharClass:
		n := p.newNode(opClass)
		n.runes = re.Rune
		return n
	case syntax.OpAnyChar:
		return p.newNode(opAny)
	case syntax.OpAnyCharNotNL:
		return p.newNode(opAnyNotNL)
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		n := p.newNode(opAssert)
		n.assert = map[syntax.Op]int{syntax.OpBeginLine: asBeginLine, syntax.OpEndLine: asEndLine,
			syntax.OpBeginText: asBeginText, syntax.OpEndText: asEndText,
			syntax.OpWordBoundary: asWordB, syntax.OpNoWordBoundary: asNotWordB}[re.Op]
		return n
	case syntax.OpCapture:
		return p.buildCapture(re)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		n := p.newNode(opRep)
		n.sub = []*node{p.build(re.Sub[0])}
		n.greedy = re.Flags&syntax.NonGreedy == 0
		switch re.Op {
		case syntax.OpStar:
			n.min, n.max = 0, -1
		case syntax.OpPlus:
			n.min, n.max = 1, -1
		case syntax.OpQuest:
			n.min, n.max = 0, 1
		default:
			n.min, n.max = re.Min, re.Max
		}
		c := n.sub[0]
		n.hasCap = c.hasCap
		switch {
		case n.min == n.max && n.greedy: // {m} passes its operand's greediness through
			n.pref = c.pref
		case n.greedy:
			n.pref = prefLonger
		default:
			n.pref = prefShorter
		}
		if n.hasCap && n.max != 0 {
			pre := p.newNode(opRep)
			pre.sub, pre.greedy = n.sub, n.greedy
			pre.min, pre.max = max(n.min, 1)-1, n.max
			if n.max > 0 {
				pre.max = n.max - 1
			}
			n.prefix = pre
		}
		return n
	case syntax.OpConcat:
		if len(re.Sub) == 0 {
			return p.newNode(opEmpty)
		}
		return p.buildCat(re.Sub)
	case syntax.OpAlternate:
		n := p.newNode(opAlt)
		n.pref = prefLonger
		for _, s := range re.Sub {
			c := p.build(s)
			n.hasCap = n.hasCap || c.hasCap
			n.sub = append(n.sub, c)
		}
		return n
	}
	return p.newNode(opNoMatch)
}

func (p *prog) buildCat(subs []*syntax.Regexp) *node {
	l := p.build(subs[0])
	if len(subs) == 1 {
		return l
	}
	r := p.buildCat(subs[1:])
	if next := subs[1]; l.op == opRep && next.Op == syntax.OpCapture && strings.HasPrefix(next.Name, markerPrefix+"long") {
		l.pref = prefLonger // a greedy {m,m}, which Go's parser reads as {m}
	}
	n := p.newNode(opCat)
	n.sub = []*node{l, r}
	n.hasCap = l.hasCap || r.hasCap
	n.pref = l.pref
	if n.pref == prefNone {
		n.pref = r.pref
	}
	return n
}

func (p *prog) buildCapture(re *syntax.Regexp) *node {
	name, marker := strings.CutPrefix(re.Name, markerPrefix)
	if !marker {
		// Numbered in order of their "(", without the markers.
		p.ncap++
		n := p.newNode(opCap)
		n.capIdx = p.ncap
		c := p.build(re.Sub[0])
		n.sub, n.hasCap, n.pref = []*node{c}, true, c.pref
		return n
	}
	c := p.build(re.Sub[0])
	kind := strings.TrimRight(name, "0123456789")
	switch kind {
	case "alt":
		n := p.newNode(opCap)
		n.sub, n.hasCap, n.pref = []*node{c}, c.hasCap, prefLonger
		return n
	case "nc": // (?:…), which Go's parser would flatten into its parent
		n := p.newNode(opCap)
		n.sub, n.hasCap, n.pref = []*node{c}, c.hasCap, c.pref
		return n
	case "long": // read by buildCat
		return p.newNode(opEmpty)
	case "wb", "we":
		n := p.newNode(opAssert)
		n.assert = asWordBegin
		if kind == "we" {
			n.assert = asWordEnd
		}
		return n
	}
	n := p.newNode(opLook)
	n.sub = []*node{c}
	n.assert = map[string]int{"la": asAhead, "nla": asNotAhead, "lb": asBehind, "nlb": asNotBehind}[kind]
	return n
}

// stepBudget bounds the work of one match (set elements computed): a
// pathological pattern fails with 2201B in well under a second a row.
const stepBudget = 2_000_000

// search is the matching state over one subject string; its memo is
// valid for every start position, so a global search reuses it.
//
// limit caps where a match may end: the sets of end positions then stay
// within the text a dissection or a shortest-match search looks at, not
// the whole subject (zero-width tests still see all of it, and
// lookaround runs uncapped in free).
type search struct {
	p     *prog
	s     string
	memo  memo
	limit int
	free  *search // uncapped search for constraints; kept with m in the pool
	fresh bool    // free is set up for s
	steps *int
}

func (p *prog) newSearch(s string) *search {
	m, _ := p.searches.Get().(*search)
	if m == nil {
		m = &search{p: p, steps: new(int)}
	}
	m.s, m.limit, m.fresh = s, -1, false
	_ = m.setLimit(0, len(s)) // each find starts its own count
	return m
}

// release returns m (and its free search) to p's pool; m is not used
// after.
func (p *prog) release(m *search) {
	m.s = ""
	if m.free != nil {
		m.free.s = ""
	}
	p.searches.Put(m)
}

// setLimit caps match ends at l for searches from base on; the memo is
// only valid for one cap. A new memo counts against the step budget (a
// search trying every start of a long text resets it at each).
func (m *search) setLimit(base, l int) error {
	if l != m.limit || base != m.memo.base {
		m.limit = l
		m.memo.reset(base, l-base+1, m.p.nodes)
		return m.spend(1 + (l-base+1)*m.p.nodes/16)
	}
	return nil
}

// memo holds computed end sets: a flat table over the positions base ..
// base+width-1 when that is small, a map otherwise. A computed empty set
// is stored as noEnds, not nil.
type memo struct {
	base, width int
	flat        [][]int
	m           map[int][]int
}

var noEnds = []int{}

func (c *memo) reset(base, width, nodes int) {
	c.base, c.width, c.m = base, width, nil
	if size := width * nodes; size <= 1<<16 {
		if cap(c.flat) >= size {
			c.flat = c.flat[:size]
			clear(c.flat)
		} else {
			c.flat = make([][]int, size)
		}
		return
	}
	c.flat = nil
}

func (c *memo) get(n *node, i int) ([]int, bool) {
	if k := i - c.base; c.flat != nil && k >= 0 && k < c.width {
		e := c.flat[n.id*c.width+k]
		return e, e != nil
	}
	e, ok := c.m[n.id<<32|i]
	return e, ok
}

func (c *memo) put(n *node, i int, e []int) {
	if e == nil {
		e = noEnds
	}
	if k := i - c.base; c.flat != nil && k >= 0 && k < c.width {
		c.flat[n.id*c.width+k] = e
		return
	}
	if c.m == nil {
		c.m = map[int][]int{}
	}
	c.m[n.id<<32|i] = e
}

var errTooComplex = sqltypes.New(CodeInvalidRegex, "invalid regular expression: regular expression is too complex")

// find returns the submatch indexes of the leftmost match at or after
// from (PostgreSQL's rules), nil if none. hint, when >= 0, is the start
// RE2 found (the leftmost start is the same under both rules).
//
// With knownEnd >= 0 the match is s[hint:knownEnd] (RE2's leftmost-longest
// match, which is PostgreSQL's for a greedy RE) and only its captures are
// computed.
func (m *search) find(from, hint, knownEnd int) ([]int, error) {
	*m.steps = 0 // the budget bounds one match, not all of a g search's
	if knownEnd >= 0 {
		if err := m.setLimit(hint, knownEnd); err != nil {
			return nil, err
		}
		return m.captures(hint, knownEnd)
	}
	for st := from; st <= len(m.s); {
		if hint >= 0 {
			st = hint
		}
		end, err := m.matchEnd(st)
		if err != nil {
			return nil, err
		}
		if end >= 0 {
			return m.captures(st, end)
		}
		if hint >= 0 || st == len(m.s) {
			return nil, nil
		}
		_, w := utf8.DecodeRuneInString(m.s[st:])
		st += w
	}
	return nil, nil
}

// matchEnd returns where the match starting at st ends (-1 if none): the
// longest, or the shortest for a non-greedy RE, found under a growing cap
// so that a short match in a long text costs little.
func (m *search) matchEnd(st int) (int, error) {
	lim, base := len(m.s), m.memo.base
	if m.p.root.pref == prefShorter {
		lim, base = min(st+64, len(m.s)), st
	}
	for {
		if err := m.setLimit(base, lim); err != nil {
			return -1, err
		}
		ends, err := m.ends(m.p.root, st)
		if err != nil {
			return -1, err
		}
		switch {
		case len(ends) > 0 && m.p.root.pref == prefShorter:
			return ends[0], nil
		case len(ends) > 0:
			return ends[len(ends)-1], nil
		case lim == len(m.s):
			return -1, nil
		}
		lim = min(2*lim-st, len(m.s))
	}
}

// captures returns the submatch indexes of the match s[st:end].
func (m *search) captures(st, end int) ([]int, error) {
	loc := make([]int, 2*(m.p.ncap+1))
	for k := range loc {
		loc[k] = -1
	}
	loc[0], loc[1] = st, end
	if err := m.dissect(m.p.root, st, end, loc); err != nil {
		return nil, err
	}
	return loc, nil
}

func (m *search) spend(n int) error {
	*m.steps += n
	if *m.steps > stepBudget {
		return errTooComplex
	}
	return nil
}

// ends returns the sorted end positions of n's matches starting at i.
func (m *search) ends(n *node, i int) ([]int, error) {
	if e, ok := m.memo.get(n, i); ok {
		return e, nil
	}
	e, err := m.compute(n, i)
	if err == nil {
		err = m.spend(1 + len(e))
	}
	if err != nil {
		return nil, err
	}
	m.memo.put(n, i, e)
	return e, nil
}

func (m *search) compute(n *node, i int) ([]int, error) {
	s := m.s
	one := func(ok bool, j int) []int {
		if ok {
			return []int{j}
		}
		return nil
	}
	switch n.op {
	case opEmpty:
		return []int{i}, nil
	case opNoMatch:
		return nil, nil
	case opLit:
		j := i
		for _, want := range n.runes {
			if j >= len(s) {
				return nil, nil
			}
			r, w := utf8.DecodeRuneInString(s[j:])
			if r != want && !(n.fold && equalFold(r, want)) {
				return nil, nil
			}
			j += w
		}
		return one(j <= m.limit, j), nil
	case opClass, opAny, opAnyNotNL:
		if i >= len(s) {
			return nil, nil
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if i+w > m.limit {
			return nil, nil
		}
		switch n.op {
		case opAny:
			return []int{i + w}, nil
		case opAnyNotNL:
			return one(r != '\n', i+w), nil
		}
		return one(inClass(n.runes, r), i+w), nil
	case opAssert:
		return one(m.assertAt(n.assert, i), i), nil
	case opLook:
		ok, err := m.look(n, i)
		return one(ok, i), err
	case opCap:
		return m.ends(n.sub[0], i)
	case opCat:
		l, err := m.ends(n.sub[0], i)
		if err != nil {
			return nil, err
		}
		return m.endsFrom(n.sub[1], l)
	case opAlt:
		var out []int
		for _, c := range n.sub {
			r, err := m.ends(c, i)
			if err != nil {
				return nil, err
			}
			out = append(out, r...)
		}
		return sortedSet(out), nil
	case opRep:
		return m.repeat(n, i)
	}
	return nil, nil
}

// posSet is a set of positions in lo..hi: flags when the range is
// small, a map otherwise.
type posSet struct {
	lo   int
	flag []bool
	m    map[int]bool
}

func newPosSet(lo, hi int) posSet {
	if hi-lo < 4096 {
		return posSet{lo: lo, flag: make([]bool, max(hi-lo+1, 0))}
	}
	return posSet{m: map[int]bool{}}
}

func (s posSet) has(p int) bool {
	if s.flag != nil {
		return p >= s.lo && p-s.lo < len(s.flag) && s.flag[p-s.lo]
	}
	return s.m[p]
}

func (s posSet) add(p int) {
	if s.flag != nil {
		if p >= s.lo && p-s.lo < len(s.flag) {
			s.flag[p-s.lo] = true
		}
		return
	}
	s.m[p] = true
}

// endsFrom is the union of n's ends from each of starts.
func (m *search) endsFrom(n *node, starts []int) ([]int, error) {
	var out []int
	for _, p := range starts {
		r, err := m.ends(n, p)
		if err != nil {
			return nil, err
		}
		out = append(out, r...)
	}
	return sortedSet(out), nil
}

// repeat returns the ends of min..max iterations of n's operand from i.
func (m *search) repeat(n *node, i int) ([]int, error) {
	cur := []int{i}
	step := func(from []int) ([]int, error) { return m.endsFrom(n.sub[0], from) }
	var err error
	for k := 0; k < n.min && len(cur) > 0; k++ {
		if cur, err = step(cur); err != nil {
			return nil, err
		}
	}
	out := append([]int(nil), cur...)
	seen := newPosSet(i, m.limit)
	for _, p := range cur {
		seen.add(p)
	}
	// A position reached again after more iterations has nothing new
	// ahead of it, so each is expanded once.
	for k := n.min; (n.max < 0 || k < n.max) && len(cur) > 0; k++ {
		next, err := step(cur)
		if err != nil {
			return nil, err
		}
		cur = cur[:0:0]
		for _, p := range next {
			if !seen.has(p) {
				seen.add(p)
				cur = append(cur, p)
				out = append(out, p)
			}
		}
	}
	return sortedSet(out), nil
}

func (m *search) matches(n *node, i, j int) (bool, error) {
	e, err := m.ends(n, i)
	if err != nil {
		return false, err
	}
	k := sort.SearchInts(e, j)
	return k < len(e) && e[k] == j, nil
}

func (m *search) look(n *node, i int) (bool, error) {
	if m.limit < len(m.s) { // what a constraint sees is not capped
		if m.free == nil {
			m.free = &search{p: m.p, steps: m.steps}
		}
		if !m.fresh {
			m.free.s, m.free.limit, m.fresh = m.s, -1, true
			if err := m.free.setLimit(0, len(m.s)); err != nil {
				return false, err
			}
		}
		return m.free.look(n, i)
	}
	switch n.assert {
	case asAhead, asNotAhead:
		e, err := m.ends(n.sub[0], i)
		return (len(e) > 0) == (n.assert == asAhead), err
	}
	found, stop := false, 0
	if w := n.lookBack; w >= 0 {
		stop = max(0, i-w)
	}
	for k := i; k >= stop && !found; k-- {
		ok, err := m.matches(n.sub[0], k, i)
		if err != nil {
			return false, err
		}
		found = ok
	}
	return found == (n.assert == asBehind), nil
}

// setLookBack records each lookbehind's width once, for look.
func setLookBack(n *node) {
	if n.op == opLook {
		n.lookBack = maxWidth(n.sub[0])
	}
	for _, c := range n.sub {
		setLookBack(c)
	}
	if n.prefix != nil {
		setLookBack(n.prefix)
	}
}

// maxWidth is the most bytes n can match, -1 if unbounded.
func maxWidth(n *node) int {
	switch n.op {
	case opLit:
		return len(n.runes) * utf8.UTFMax
	case opClass, opAny, opAnyNotNL:
		return utf8.UTFMax
	case opCat, opAlt:
		w := 0
		for _, c := range n.sub {
			cw := maxWidth(c)
			if cw < 0 {
				return -1
			}
			if n.op == opCat {
				w += cw
			} else {
				w = max(w, cw)
			}
		}
		return w
	case opCap:
		return maxWidth(n.sub[0])
	case opRep:
		if cw := maxWidth(n.sub[0]); n.max >= 0 && cw >= 0 {
			return n.max * cw
		}
		return -1
	}
	return 0
}

func (m *search) assertAt(kind, i int) bool {
	s := m.s
	switch kind {
	case asBeginLine:
		return i == 0 || s[i-1] == '\n'
	case asEndLine:
		return i == len(s) || s[i] == '\n'
	case asBeginText:
		return i == 0
	case asEndText:
		return i == len(s)
	}
	before := i > 0 && isWordByte(s[i-1])
	after := i < len(s) && isWordByte(s[i])
	switch kind {
	case asWordB:
		return before != after
	case asNotWordB:
		return before == after
	case asWordBegin:
		return !before && after
	default: // asWordEnd
		return before && !after
	}
}

// isWordByte is \w in the C locale, as RE2's \b sees it.
func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func inClass(ranges []rune, r rune) bool {
	for k := 0; k+1 < len(ranges); k += 2 {
		if ranges[k] <= r && r <= ranges[k+1] {
			return true
		}
	}
	return false
}

func equalFold(a, b rune) bool {
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// sortedSet sorts and deduplicates in place.
func sortedSet(a []int) []int {
	if len(a) < 2 {
		return a
	}
	sort.Ints(a)
	out := a[:1]
	for _, v := range a[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}
