package slt

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// qgen generates one random query; a new one is made per query.
type qgen struct {
	r         *rand.Rand
	subqDepth int // how many more levels of subqueries predicates may nest
	// inDerived is set while a derived table or CTE is generated: its
	// string_agg is DISTINCT, since a string of thousands of values joined
	// to thousands of rows is copied into each by meshql's joins (slow,
	// not wrong; see TestRandomQueriesAgainstPostgres).
	inDerived bool
	// top is set while the outermost SELECT (not a set operation's) is
	// generated: its select list may show numeric quotients and averages,
	// whose display scale PostgreSQL picks per value.
	top     bool
	topList bool    // the outermost select list is being generated
	bigFrom bool    // the FROM of the window functions being generated may have thousands of rows
	ctes    []gitem // CTEs of the query being built, usable in FROM
	// bigOuter is set while a WHERE over thousands of rows is generated:
	// its subqueries read only the small tables, since PostgreSQL runs a
	// correlated one per row (seed 26's query 541: orders in orders).
	bigOuter bool
	// overGroups is set while a window over a grouped query's groups is
	// generated: PostgreSQL allows no aggregate in its FILTER.
	overGroups bool
	aliases    int
	// winDefs holds the WINDOW clause of the SELECT whose select list is
	// being generated (see namedWindow).
	winDefs *[]string
	// wantErr is the SQLSTATE PostgreSQL fails the query with, when the
	// generator wrote an invalid query on purpose: meshql must fail alike.
	wantErr string
}

// gitem is a FROM item or the result of a SELECT: its columns, a total
// order of its rows (empty = unknown; then all columns order it), and an
// estimate of its row count that keeps joins small.
type gitem struct {
	sql   string // a FROM item ("sales.orders_v1 AS o3") or a SELECT
	cols  []gcol
	order []string
	rows  int
	keyed bool // order is a unique key, not just every column
	// scaled: a SELECT reading a derived table's numerics, which may carry
	// their own scales: equal values that print unlike tie in ORDER BY.
	scaled bool
	// sets: a SELECT grouped by grouping sets. PostgreSQL 15 may sort
	// its rows wrongly: a key that WHERE equates to a constant is dropped
	// from ORDER BY though grouping sets make it NULL in some rows (seed
	// 20004's query 989), so its order is never relied on.
	sets bool
	// ungrouped: an aggregate without GROUP BY. PostgreSQL 15 plans its
	// min/max as a subquery with the query's LIMIT, WITH TIES included,
	// which then returns several rows (21000; seed 20007's query 1946).
	ungrouped bool
	// A SELECT's: whether it is DISTINCT, its select list (without the
	// aliases) and its FROM's columns, for an ORDER BY of its own.
	distinct bool
	selExprs []string
	scope    []gcol
}

func (g *qgen) alias(prefix string) string {
	g.aliases++
	return fmt.Sprintf("%s%d", prefix, g.aliases)
}

// totalOrder returns expressions that order it's rows totally: its key, or
// every (non-float) column when it has none, which orders duplicates too,
// and duplicates are interchangeable.
func (it gitem) totalOrder() []string {
	if len(it.order) > 0 {
		return it.order
	}
	var out []string
	for _, c := range it.cols {
		if c.t != tFloat && c.t != tBool {
			out = append(out, c.sql)
		}
	}
	for _, c := range it.cols {
		if c.t == tBool {
			out = append(out, c.sql)
		}
	}
	return out
}

// ndv estimates the number of distinct values of a domain.
func ndv(dom string) int {
	if n, ok := map[string]int{"order": 10000, "cust": 1000, "prod": 50, "cat": 27, "status": 5, "region": 4,
		"country": 19, "segment": 3, "event": eventsRows, "kind": 5, "brand": 20, "pname": 50, "cname": 900, "email": 1000, "qty": 5, "date": 700, "money": 5000}[dom]; ok {
		return n
	}
	return 2
}

// keyNDV estimates the number of distinct values of a grouping key: a
// timestamp column has no domain but thousands of values (seed 9's query
// 303 grouped events by logged_at into an estimated 18 rows, and joined
// 500 of them with themselves and a table: minutes for meshql).
func keyNDV(k gcol) int {
	if k.dom == "" && !k.small && (k.t == tTs || k.t == tTstz) {
		return 1000
	}
	return ndv(k.dom)
}

// table returns a fixture table as a FROM item. When where is non-nil the
// restriction to a key range goes there (the first FROM item); otherwise a
// restricted table becomes a derived table.
func (g *qgen) table(t gtable, where *[]string) gitem {
	a := g.alias(t.prefix)
	it := gitem{sql: t.name + " AS " + a, rows: t.rows, order: []string{a + "." + t.key}, keyed: true}
	for _, c := range t.cols {
		it.cols = append(it.cols, gcol{sql: a + "." + c.name, t: c.t, dom: c.dom, null: c.null, small: c.small})
	}
	if t.keyMax == 0 || g.chance(1, 6) {
		return it
	}
	// A range of keys, or every m-th key: orders are sorted by date, so
	// two ranges of them rarely share a date or a customer.
	w := []int{40, 150, 500, 1500}[g.r.IntN(4)]
	w = min(w, t.keyMax/2)
	lo := g.r.IntN(t.keyMax - w + 1)
	it.rows = w
	cond := fmt.Sprintf("%s BETWEEN %d AND %d", t.key, lo, lo+w)
	if g.chance(1, 2) {
		m := []int{7, 20, 67, 250}[g.r.IntN(4)]
		if t.rows/m < 10 {
			// Four customers leave nothing for a filter or a join.
			m = 20
		}
		it.rows = t.rows / m
		cond = fmt.Sprintf("%s %% %d = %d", t.key, m, g.r.IntN(m))
	}
	if where != nil {
		*where = append(*where, a+"."+cond)
	} else {
		it.sql = fmt.Sprintf("(SELECT * FROM %s WHERE %s) AS %s", t.name, cond, a)
	}
	return it
}

// fromItem returns a table, a CTE or a derived table.
func (g *qgen) fromItem(depth int, where *[]string) gitem {
	if len(g.ctes) > 0 && g.chance(1, 3) {
		cte := g.ctes[g.r.IntN(len(g.ctes))]
		return g.rename(cte, cte.sql)
	}
	if depth > 0 && g.chance(1, 8) {
		if g.chance(1, 4) {
			return g.nestedWith(depth - 1)
		}
		s := g.core(nil, depth-1, true)
		if g.chance(1, 4) {
			// A UNION ALL of two: the one set operation that keeps
			// every value as it is (equal values of other scales or
			// interval spellings print unlike).
			var types []gtype
			for _, c := range s.cols {
				types = append(types, c.t)
			}
			o := g.core(types, depth-1, true)
			for i := range s.cols {
				s.cols[i].null = s.cols[i].null || o.cols[i].null
				s.cols[i].dom = ""
				s.cols[i].long = s.cols[i].long || o.cols[i].long
			}
			s.sql = "(" + s.sql + ")\nUNION ALL\n(" + o.sql + ")"
			s.rows += o.rows
			s.order = nil
			s.keyed = false
		}
		return g.rename(s, "("+s.sql+")")
	}
	if g.chance(1, 12) {
		return g.srfItem()
	}
	weights := []int{4, 3, 2, 1, 2}
	n := g.r.IntN(12)
	for i, w := range weights {
		if n < w {
			return g.table(genTables[i], where)
		}
		n -= w
	}
	return g.table(genTables[0], where)
}

// rename makes a SELECT's output (columns c1..cN) or a CTE (named by
// from) a FROM item under a fresh alias.
func (g *qgen) rename(s gitem, from string) gitem {
	a := g.alias("d")
	it := gitem{sql: from + " AS " + a, rows: s.rows}
	for i, c := range s.cols {
		c.sql = fmt.Sprintf("%s.c%d", a, i+1)
		c.scaled = c.scaled || c.t == tNum
		it.cols = append(it.cols, c)
	}
	return it
}

// from returns a FROM clause of one to three items, joined, with at most
// about maxRows rows, and the restrictions that belong in WHERE.
func (g *qgen) from(depth, maxRows int) (gitem, []string) {
	var where []string
	left := g.fromItem(depth, &where)
	for range g.r.IntN(3) {
		if len(g.ctes) == 0 && left.rows > maxRows {
			break
		}
		var joined gitem
		ok := false
		for try := 0; try < 8 && !ok; try++ {
			aliases := g.aliases
			right := g.fromItem(depth, nil)
			joined, ok = g.join(left, right, maxRows)
			if !ok {
				g.aliases = aliases
			}
		}
		if ok {
			left = joined
		}
	}
	if left.rows <= maxRows && g.chance(1, 3) {
		// Last: a comma before LATERAL binds looser than a JOIN after it.
		if l, ok := g.lateral(left); ok && g.chance(1, 2) {
			left = l
		} else if l, ok := g.lateralSub(left); ok {
			left = l
		}
	}
	return left, where
}

// join joins l and r with a random join type and condition whose
// estimated result has at most maxRows rows; ok is false if none fits.
func (g *qgen) join(l, r gitem, maxRows int) (gitem, bool) {
	var eqs [][2]gcol
	for _, a := range l.cols {
		for _, b := range r.cols {
			if a.dom != "" && a.dom == b.dom && a.t == b.t && a.t != tFloat && a.dom != "money" &&
				(a.dom != "date" || g.chance(1, 4)) {
				eqs = append(eqs, [2]gcol{a, b})
			}
		}
	}
	kind := g.one("JOIN", "JOIN", "LEFT JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN")
	sc := append(slices.Clone(l.cols), r.cols...)
	var cond string
	est := l.rows * r.rows
	switch {
	case kind == "CROSS JOIN" || len(eqs) == 0 && g.chance(1, 3) && kind != "FULL JOIN":
		if g.chance(1, 2) && kind != "CROSS JOIN" {
			cond = g.nonEqui(l, r)
			est /= 3
		} else if kind != "CROSS JOIN" {
			cond = "true"
		}
	case len(eqs) > 0:
		e := eqs[g.r.IntN(len(eqs))]
		cond = e[0].sql + " = " + e[1].sql
		est /= ndv(e[0].dom)
		if g.chance(1, 6) {
			// Keys computed on both sides: a hash join on expressions.
			if c, more, ok := g.exprJoinCond(e[0], e[1]); ok {
				cond = c
				est *= more
			}
		}
		if est < 5 && !g.chance(1, 5) {
			// Two narrow key ranges rarely share a value: an inner join
			// of them is empty, an outer one all NULLs on a side.
			return gitem{}, false
		}
		switch g.r.IntN(6) {
		case 0:
			if kind != "FULL JOIN" {
				cond += " AND " + g.nonEqui(l, r)
			}
		case 1:
			if kind != "FULL JOIN" {
				// A condition on one side only: for an outer join it
				// filters the inner side, not the result.
				side := l.cols
				if g.chance(1, 2) {
					side = r.cols
				}
				cond += " AND " + g.atom(side, 0)
			}
		case 2:
			e2 := eqs[g.r.IntN(len(eqs))]
			if kind != "FULL JOIN" && g.chance(1, 3) {
				cond = "(" + cond + " OR " + e2[0].sql + " = " + e2[1].sql + ")"
				est += l.rows * r.rows / ndv(e2[0].dom)
			} else {
				cond += " AND " + e2[0].sql + " = " + e2[1].sql
			}
		}
	default:
		return gitem{}, false
	}
	switch kind {
	case "LEFT JOIN":
		est = max(est, l.rows)
	case "RIGHT JOIN":
		est = max(est, r.rows)
	case "FULL JOIN":
		est += l.rows + r.rows
	}
	if est > maxRows {
		return gitem{}, false
	}
	out := gitem{rows: max(est, 1), cols: sc}
	if kind == "LEFT JOIN" || kind == "FULL JOIN" {
		for i := len(l.cols); i < len(sc); i++ {
			out.cols[i].null = true
		}
	}
	if kind == "RIGHT JOIN" || kind == "FULL JOIN" {
		for i := range l.cols {
			out.cols[i].null = true
		}
	}
	out.order = append(slices.Clone(l.totalOrder()), r.totalOrder()...)
	out.keyed = l.keyed && r.keyed
	out.sql = l.sql + "\n  " + kind + " " + r.sql
	if cond != "" {
		out.sql += " ON " + cond
	}
	return out, true
}

// nonEqui compares a column of l with one of r of the same type.
func (g *qgen) nonEqui(l, r gitem) string {
	for range 10 {
		a := g.pick(l.cols)
		if a.t == tBool || a.t == tFloat {
			continue
		}
		if bs := ofType(r.cols, a.t); len(bs) > 0 {
			b := g.pick(bs)
			for _, c := range bs {
				// Within a domain: a customer below a product id is rare.
				if c.dom == a.dom && g.chance(2, 3) {
					b = c
				}
			}
			return a.sql + " " + g.one("<", "<=", ">", ">=", "<>") + " " + b.sql
		}
	}
	return "true"
}

// subPred returns a predicate with a subquery over sc: [NOT] EXISTS,
// [NOT] IN, a comparison with a scalar subquery or ANY/ALL, correlated
// with sc by an equality of columns of the same domain when one exists.
func (g *qgen) subPred(sc []gcol) string {
	g.subqDepth--
	defer func() { g.subqDepth++ }()
	tb, inner := g.subqueryTable()
	corr := correlations(sc, inner.cols)
	var conds []string
	if len(corr) > 0 && g.chance(3, 4) {
		c := corr[g.r.IntN(len(corr))]
		conds = append(conds, c[1].sql+" = "+c[0].sql)
		if g.chance(1, 4) {
			// A non-equality correlation besides the equality.
			a := g.pick(inner.cols)
			if os := ofType(sc, a.t); len(os) > 0 && a.t != tBool {
				conds = append(conds, a.sql+" "+g.one(cmpOps...)+" "+g.pick(os).sql)
			}
		}
	}
	if g.chance(1, 2) {
		conds = append(conds, g.pred(inner.cols, 1))
	}
	where := whereClause(conds)
	from := " FROM " + inner.sql + where
	not := g.one("", "NOT ")
	if inner.rows < tb.rows && len(conds) > 0 {
		// A few restricted rows rarely hold the outer row's match.
		not = g.one("", "NOT ", "NOT ")
	}
	switch g.r.IntN(4) {
	case 0:
		return not + "EXISTS (SELECT 1" + from + ")"
	case 1:
		c := g.pick(inner.cols)
		if nulls := nullable(inner.cols); len(nulls) > 0 && g.chance(1, 2) {
			// NOT IN over a list with NULLs is never true, IN only when
			// it finds the value.
			c = g.pick(nulls)
		}
		if c.t == tFloat || c.t == tBool {
			return not + "EXISTS (SELECT 1" + from + ")"
		}
		sel := c.sql
		if g.chance(1, 3) {
			sel = "NULLIF(" + c.sql + ", " + lit(g.r, c.t, c.dom) + ")"
		}
		o, _ := g.operand(sc, c.t, 1)
		if os := ofType(sc, c.t); len(os) > 0 {
			for _, x := range os {
				if x.dom == c.dom && g.chance(2, 3) {
					o = x.sql
				}
			}
		}
		return o + " " + not + "IN (SELECT " + sel + from + ")"
	case 2:
		t := []gtype{tInt, tNum, tText, tDate}[g.r.IntN(4)]
		var agg string
		if t == tInt {
			agg = g.one("count(*)", "count(DISTINCT "+g.expr(inner.cols, tText, 0)+")", "max("+g.expr(inner.cols, tInt, 0)+")")
		} else {
			agg = g.one("min", "max") + "(" + g.expr(inner.cols, t, 0) + ")"
		}
		o, dom := g.operand(sc, t, 1)
		rhs := "(SELECT " + agg + from + ")"
		if g.chance(1, 3) {
			return "COALESCE(" + rhs + ", " + lit(g.r, t, dom) + ") " + g.one(cmpOps...) + " " + o
		}
		return o + " " + g.one(cmpOps...) + " " + rhs
	default:
		c := g.pick(inner.cols)
		if c.t == tFloat || c.t == tBool {
			return not + "EXISTS (SELECT 1" + from + ")"
		}
		o, _ := g.operand(sc, c.t, 1)
		return o + " " + g.one(cmpOps...) + " " + g.one("ANY", "ALL") + " (SELECT " + c.sql + from + ")"
	}
}

// scalarSub returns a scalar subquery of type t (tInt, tNum, tText or
// tDate), correlated with sc when a column of the same domain exists.
func (g *qgen) scalarSub(sc []gcol, t gtype) string {
	g.subqDepth--
	defer func() { g.subqDepth++ }()
	tb := genTables[g.r.IntN(len(genTables))]
	inner := g.table(tb, nil)
	var conds []string
	unique := false
	for _, a := range g.r.Perm(len(sc)) {
		for _, b := range inner.cols {
			// Only keys with many values: a status would correlate each
			// outer row with thousands of inner rows, whose string_agg
			// takes PostgreSQL minutes.
			if ndv(sc[a].dom) >= 50 && sc[a].dom != "money" && sc[a].dom == b.dom && sc[a].t == b.t && sc[a].dom != "date" {
				conds = append(conds, b.sql+" = "+sc[a].sql)
				unique = strings.HasSuffix(b.sql, "."+tb.key)
				break
			}
		}
		if len(conds) > 0 {
			break
		}
	}
	if g.chance(1, 3) {
		conds = append(conds, g.pred(inner.cols, 1))
	}
	where := whereClause(conds)
	if unique && g.chance(1, 2) {
		// At most one row: the key equals an outer column.
		return "(SELECT " + g.expr(inner.cols, t, 1) + " FROM " + inner.sql + where + ")"
	}
	return "(SELECT " + g.aggregate(inner.cols, t) + " FROM " + inner.sql + where + ")"
}

// outTypes picks the types of a SELECT's output columns; derived ones
// (used as FROM items, CTEs) have no float column, so every column can
// take part in a total order.
func (g *qgen) outTypes(derived bool) []gtype {
	pool := []gtype{tInt, tInt, tNum, tText, tText, tDate, tBool, tDec, tTs, tTstz, tIval, tIArr, tTArr, tJsonb, tIRng, tNRng, tDRng, tTsRng, tTzRng, tInet, tFloat}
	if derived {
		pool = pool[:len(pool)-1]
	}
	out := make([]gtype, 1+g.r.IntN(4))
	for i := range out {
		out[i] = pool[g.r.IntN(len(pool))]
	}
	return out
}

// core returns a SELECT without ORDER BY (unless derived, when it may end
// in a total ORDER BY with LIMIT) whose output columns c1..cN have the
// types want (random ones when want is nil).
func (g *qgen) core(want []gtype, depth int, derived bool) gitem {
	if want == nil {
		want = g.outTypes(derived)
	}
	if derived && !g.inDerived {
		g.inDerived = true
		defer func() { g.inDerived = false }()
	}
	// Quotients and averages (per-value scales) may appear in the
	// outermost select list, a set operation's and a derived table's,
	// whose readers keep or compute from each value's scale.
	top := g.top || derived
	g.top = false
	mode := g.r.IntN(10)
	agg, win := mode >= 4 && mode < 8, mode >= 8
	// DISTINCT keeps one of equal values of different scales (0.00 and
	// 0.0000), whichever the engine meets first: no per-value scales.
	// ... and equal intervals print unlike ('-7 mons', '-6 mons -30 days').
	distinct := !agg && !slices.Contains(want, tIval) && g.chance(1, 6)
	top = top && !distinct
	maxRows := 2000
	if agg {
		maxRows = 20000
	}
	from, where := g.from(depth, maxRows)
	sc := from.cols
	savedWins := g.winDefs
	g.winDefs = &[]string{}
	defer func() { g.winDefs = savedWins }()
	scaled := slices.ContainsFunc(sc, func(c gcol) bool { return c.scaled })
	if distinct && scaled {
		// ... nor from a derived table's quotients (seed 44's query 897:
		// DISTINCT over mod(q + q, 20.50) of a CTE's q).
		distinct = false
	}
	if g.chance(2, 3) {
		psc := sc
		if nn := notNull(sc); len(nn) > 0 && g.chance(3, 4) {
			// Mostly on columns that are not NULL: a comparison with the
			// NULLs an outer join added is never true, and removes the
			// rows the outer join is there to keep.
			psc = nn
		}
		g.bigOuter = from.rows > 2000
		where = append(where, g.pred(psc, g.r.IntN(3)))
		g.bigOuter = false
	}
	out := gitem{rows: from.rows, scaled: scaled}
	sel := make([]string, len(want))
	var groupBy, having string
	switch {
	case agg:
		var keys []gcol
		for range g.r.IntN(4) {
			k := g.groupKey(sc)
			if !slices.ContainsFunc(keys, func(x gcol) bool { return x.sql == k.sql }) {
				keys = append(keys, k)
			}
		}
		sets := len(keys) > 0 && g.chance(1, 4)
		out.sets, out.ungrouped = sets, len(keys) == 0
		used := make([]bool, len(keys))
		rows := 1
		for _, k := range keys {
			rows *= keyNDV(k) + 1
		}
		out.rows = min(rows, from.rows)
		for i, t := range want {
			c := gcol{t: t, null: true}
			for j, k := range keys {
				if !used[j] && k.t == t && g.chance(2, 3) {
					used[j] = true
					c, sel[i] = k, k.sql
					c.null = c.null || sets
					break
				}
			}
			switch {
			case sel[i] != "":
			case t == tInt && sets && g.chance(1, 3):
				var ks []string
				for _, k := range keys {
					ks = append(ks, k.sql)
				}
				if len(ks) > 1 && g.chance(1, 2) {
					// Some keys, in another order.
					var sub []string
					for _, j := range g.r.Perm(len(ks))[:1+g.r.IntN(len(ks))] {
						sub = append(sub, keys[j].sql)
					}
					sel[i] = "grouping(" + strings.Join(sub, ", ") + ")"
					break
				}
				sel[i] = "grouping(" + strings.Join(ks, ", ") + ")"
			case t == tBool && g.chance(1, 3):
				sel[i] = g.aggregate(sc, tInt) + " > " + fmt.Sprint(g.r.IntN(5))
			case !sets && len(keys) > 0 && windowTypes[t] && g.chance(1, 6):
				// A window over the groups: its arguments and keys read
				// the grouping keys and aggregates, and the keys order
				// the groups totally.
				over := slices.Clone(keys)
				for _, at := range []gtype{tInt, g.one2(tNum, tDate), t} {
					if at == tDec || at == tFloat || at == tIval || at >= tTs && at != tTstz {
						continue
					}
					over = append(over, gcol{sql: g.aggregate(sc, at), t: at, null: true})
				}
				var total []string
				for _, k := range keys {
					total = append(total, k.sql)
				}
				saved := g.subqDepth
				g.subqDepth = 0
				g.topList, g.bigFrom, g.overGroups = top, out.rows > 200, true
				sel[i] = g.window(over, total, t)
				g.topList, g.bigFrom, g.overGroups = false, false, false
				g.subqDepth = saved
			case top && !sets && t == tNum && g.chance(1, 3):
				sel[i] = g.one("avg", "avg", "stddev", "var_samp", "stddev_pop") + "(" + g.expr(sc, g.one2(tNum, tInt), 1) + ")"
				out.scaled = true
			default:
				sel[i] = g.aggregate(sc, t)
				c.long = t == tIArr || t == tTArr
			}
			out.cols = append(out.cols, c)
		}
		if len(keys) > 0 {
			var ks []string
			for _, k := range keys {
				ks = append(ks, k.sql)
			}
			list := strings.Join(ks, ", ")
			groupBy = " GROUP BY " + list
			if sets {
				groupBy = g.groupingSets(ks)
				if g.chance(1, 4) {
					groupBy = g.moreGroupingSets(ks)
				}
			}
		}
		if g.chance(1, 3) {
			t := []gtype{tInt, tInt, tNum, tText, tDate}[g.r.IntN(5)]
			having = " HAVING " + g.aggregate(sc, t) + " " + g.one(cmpOps[1:]...) + " " + lit(g.r, t, "")
			if t == tInt {
				// Groups are small: more than a few rows is rare.
				op := g.one(cmpOps[1:]...)
				n := g.r.IntN(3)
				if op == "<" || op == "<=" {
					n = 1 + g.r.IntN(8)
				}
				having = " HAVING " + g.aggregate(sc, t) + " " + op + " " + fmt.Sprint(n)
			}
			if g.chance(1, 3) {
				having += g.one(" AND ", " OR ", " OR ") + g.aggregate(sc, tBool)
			}
		}
		if g.subqDepth > 0 && g.chance(1, 5) {
			cond := g.havingSub(keys, sc, out.rows > 100)
			if having == "" {
				having = " HAVING " + cond
			} else {
				having += g.one(" AND ", " OR ") + cond
			}
		}
	default:
		srf := false
		for i, t := range want {
			c := gcol{t: t, null: true}
			switch {
			case win && (windowTypes[t] || t == tBool) && (g.chance(1, 2) || i == len(want)-1):
				var total []string
				if from.keyed {
					total = from.totalOrder()
				}
				// Row estimates miss by a factor of ten and more (seed
				// 47's query 1308 ran a frame from the current row over
				// 20000 rows estimated at 1500).
				g.topList, g.bigFrom = top, from.rows > 200
				ok := false
				if g.chance(1, 4) || !windowTypes[t] {
					sel[i], ok = g.windowArith(sc, total, t)
				}
				if !ok {
					sel[i] = g.window(sc, total, t)
				}
				g.topList, g.bigFrom = false, false
			case g.subqDepth > 0 && !derived && t != tBool && t != tFloat && from.rows <= 2000 && g.chance(1, 10):
				// Not in a derived table: PostgreSQL pulls it up and may
				// run the subquery once per pair of a join above.
				sel[i] = g.scalarSub(sc, t)
			default:
				if arrs := append(ofType(sc, tIArr), ofType(sc, tTArr)...); !win && !srf && len(arrs) > 0 && (t == tInt || t == tText) && g.chance(1, 6) {
					// unnest in the select list: one row per element.
					a := g.pick(arrs)
					if (a.t == tIArr) == (t == tInt) {
						srf = true
						sel[i] = "unnest(" + a.sql + ")"
						out.cols = append(out.cols, c)
						continue
					}
				}
				if cs := ofType(sc, t); len(cs) > 0 && g.chance(1, 2) {
					c = g.pick(cs)
					c.t = t
					sel[i] = c.sql
				} else if top && t == tNum && g.chance(1, 3) {
					// A numeric numerator: two integers divide as integers.
					// Equal quotients print with their own scales (1.6 and
					// 1.60000000000000000000): a LIMIT keeps either.
					sel[i] = "(" + g.expr(sc, tNum, 1) + ") / NULLIF(" + g.expr(sc, g.one2(tNum, tInt), 1) + ", 0)"
					if g.chance(1, 3) {
						sel[i] = g.scaledMath(sc)
					}
					out.scaled = true
				} else {
					sel[i] = g.expr(sc, t, 2)
				}
			}
			out.cols = append(out.cols, c)
		}
	}
	out.distinct, out.selExprs, out.scope = distinct, slices.Clone(sel), sc
	for i := range sel {
		sel[i] += fmt.Sprintf(" AS c%d", i+1)
	}
	q := "SELECT "
	if distinct {
		q += "DISTINCT "
	}
	q += strings.Join(sel, ", ") + "\nFROM " + from.sql
	if len(where) > 0 {
		q += "\nWHERE " + strings.Join(where, " AND ")
	}
	q += groupBy + having + g.windowClause()
	if derived && !out.sets && g.chance(1, 4) {
		q += orderAll(g, len(want)) + fmt.Sprintf(" LIMIT %d", 1+g.r.IntN(20))
	}
	out.sql = q
	return out
}

func notNull(sc []gcol) []gcol {
	var out []gcol
	for _, c := range sc {
		if !c.null {
			out = append(out, c)
		}
	}
	return out
}

// orderAll orders by every output column, in random directions: a total
// order of the rows up to identical ones.
func orderAll(g *qgen, n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprint(i+1) + g.one("", " DESC", " NULLS FIRST", " DESC NULLS LAST")
	}
	return "\nORDER BY " + strings.Join(keys, ", ")
}

var setOps = []string{"UNION", "UNION ALL", "INTERSECT", "INTERSECT ALL", "EXCEPT", "EXCEPT ALL"}

// query returns a random query, the types of its columns, and whether its
// ORDER BY fixes the order of its rows.
func (g *qgen) query() (string, []gtype, bool) {
	g.subqDepth = g.r.IntN(3)
	var with []string
	recursive := false
	if g.chance(1, 4) {
		for range 1 + g.r.IntN(2) {
			if g.chance(1, 4) {
				body, s := g.recursiveCTE()
				with = append(with, body)
				g.ctes = append(g.ctes, s)
				recursive = true
				continue
			}
			s := g.core(nil, 1, true)
			name := g.alias("x")
			with = append(with, name+" AS "+g.materialized()+"(\n"+s.sql+")")
			s.sql = name
			g.ctes = append(g.ctes, s)
		}
	}
	withKw := "WITH "
	if recursive {
		withKw = "WITH RECURSIVE "
	}
	var body string
	var types []gtype
	noLimit, noTies := false, false
	if g.chance(1, 5) {
		ops := make([]string, 1+g.r.IntN(2))
		all := true
		for i := range ops {
			ops[i] = g.one(setOps...)
			all = all && ops[i] == "UNION ALL"
		}
		// Only UNION ALL keeps every row: the others keep one of equal
		// values of different scales, whichever the engine meets first.
		g.top = all
		want := g.outTypes(false)
		for i, t := range want {
			if t == tIval && !all {
				// Equal intervals print differently ('1 day' and
				// '24:00:00'): the others keep one of them, whichever the
				// engine meets first.
				want[i] = tTs
			}
		}
		first := g.core(want, 1, false)
		for _, c := range first.cols {
			types = append(types, c.t)
		}
		// An operand may have its own ORDER BY ... LIMIT, unless equal
		// values print unlike (intervals, per-value scales) or floats
		// order by their last bits.
		canLimit := !all && !slices.Contains(types, tFloat) && !slices.Contains(types, tIval)
		operand := func(sql string, sets bool) string {
			if canLimit && !sets && g.chance(1, 5) {
				return g.limited(sql, types)
			}
			return g.paren(sql)
		}
		body = operand(first.sql, first.sets)
		for _, op := range ops {
			g.top = all
			next := g.core(types, 1, false)
			if !strings.HasPrefix(op, "UNION") && g.chance(2, 3) {
				// Two unrelated queries rarely share a row: intersect with
				// (or subtract) a part of the first one instead.
				d := g.rename(first, "("+first.sql+")")
				next = gitem{sql: "SELECT * FROM " + d.sql + " WHERE " + g.pred(d.cols, 1)}
			}
			body += "\n" + op + "\n" + operand(next.sql, next.sets)
		}
	} else if g.chance(1, 10) {
		// Ordered by its own ORDER BY, which is not total on its output.
		body, types = g.distinctOn(2)
		if len(with) > 0 {
			body = withKw + strings.Join(with, ",\n") + "\n" + body
		}
		return body, types, false
	} else {
		g.top = true
		s := g.core(nil, 2, false)
		body = s.sql
		noLimit, noTies = s.scaled || s.sets, s.sets || s.ungrouped
		for _, c := range s.cols {
			types = append(types, c.t)
		}
		if s.distinct && g.chance(1, 3) {
			// An ORDER BY of its own, which must be in the select list.
			if ob, code := g.distinctOrder(s); ob != "" {
				body += ob
				g.wantErr = code
				if len(with) > 0 {
					body = withKw + strings.Join(with, ",\n") + "\n" + body
				}
				return body, types, false
			}
		}
	}
	ordered := false
	// Equal intervals print unlike too ('-1 years -7 mons' and '-1 years
	// -6 mons -30 days', seed 69's query 1188).
	noLimit = noLimit || slices.Contains(types, tIval)
	if !slices.Contains(types, tFloat) && !noTies && g.chance(1, 10) {
		// The peers of the last row are all kept: no total order needed.
		body += g.fetchTies(len(types))
	} else if !slices.Contains(types, tFloat) && g.chance(2, 5) {
		// Values that tie but print unlike (zeros of other scales from a
		// derived table's quotients, seed 44's query 897) come in either
		// order, and a LIMIT keeps either.
		ordered = !noLimit
		body += orderAll(g, len(types))
		if g.chance(2, 3) && !noLimit {
			// Small: an offset past a few rows leaves none.
			body += g.limitClause()
		}
	}
	if len(with) > 0 {
		body = withKw + strings.Join(with, ",\n") + "\n" + body
	}
	return body, types, ordered
}

func (g *qgen) paren(s string) string {
	if g.chance(1, 2) {
		return "(" + s + ")"
	}
	return s
}

// subqueryTable draws a subquery's table (one of the small ones under a
// big outer query, so that per-row subqueries stay cheap) and reads it.
func (g *qgen) subqueryTable() (gtable, gitem) {
	tb := genTables[g.r.IntN(len(genTables))]
	if g.bigOuter {
		tb = genTables[2+g.r.IntN(2)]
	}
	return tb, g.table(tb, nil)
}

// whereClause is " WHERE " and conds joined by AND, or nothing for none.
func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}
