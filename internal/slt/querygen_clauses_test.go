package slt

import (
	"fmt"
	"strings"
)

// This file widens the random queries' clauses: FETCH FIRST ... WITH TIES
// and the FETCH/OFFSET ... ROWS spellings (LIMIT ALL and NULL, counts
// that are expressions), named windows (WINDOW w AS (...), OVER w and
// OVER (w frame)), GROUP BY [DISTINCT] with repeated and nested grouping
// sets, row comparisons ((a, b) < (c, d), IS DISTINCT FROM, (a, b) [NOT]
// IN (SELECT x, y ...)), MATERIALIZED hints, WITH
// inside derived tables and subqueries (a CTE reading another, a
// correlated CTE), correlated EXISTS / IN / scalar subqueries that group
// or aggregate (HAVING, aggregates of inner and outer columns), window
// frames that end before the current row or start after it (empty frames
// included) and RANGE offsets over nullable keys with NULLS FIRST/LAST;
// and expressions: LIKE/ILIKE/SIMILAR TO with ESCAPE and the ~~ operators
// over strings that hold the wildcards, LIKE ANY/ALL, date and interval
// arithmetic (date ± integer, date - date, date_bin, extract/date_part of
// intervals and ISO fields, OVERLAPS, make_interval with named
// arguments), to_char patterns, jsonb operators (- #- ->> ? ?| <@,
// jsonb_insert, jsonb_extract_path), and aggregates: corr, covar_*,
// regr_*, bit_and/bit_or/bit_xor and every.

// clauseExpr returns an expression of type t, or ok false when it has none.
func (g *qgen) clauseExpr(sc []gcol, t gtype, d int) (string, bool) {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	if g.chance(1, 4) {
		if s, ok := g.asOfSub(sc, t); ok {
			return s, true
		}
	}
	switch t {
	case tBool:
		switch g.r.IntN(11) {
		case 8, 9:
			return g.rowCompare(sc, d), true
		case 10:
			if g.subqDepth > 0 {
				return g.rowIn(sc), true
			}
			return g.rowCompare(sc, d), true
		case 0, 1, 2:
			return g.likeEscape(sc, d), true
		case 3:
			return "(" + sub(tText) + " " + g.one("", "NOT ") + g.one("LIKE", "ILIKE") + " " + g.one("ANY", "ALL") +
				" (ARRAY['" + g.one(likePatterns...) + "', '" + g.one(likePatterns...) + "']))", true
		case 4:
			// Two periods: start and end, or start and length.
			p := func() string {
				if g.chance(1, 2) {
					return "(" + sub(tTs) + ", " + sub(tTs) + ")"
				}
				return "(" + sub(tTs) + ", " + sub(tIval) + ")"
			}
			return "(" + p() + " OVERLAPS " + p() + ")", true
		case 5:
			return "(" + sub(tJsonb) + g.one(" ? 'k'", " ? 'z'", " ?| array['k', 'z']", " ?& array['k', 'n']") + ")", true
		case 6:
			return "(" + sub(tJsonb) + " <@ " + sub(tJsonb) + ")", true
		default:
			return "(" + sub(tIval) + " " + g.one(cmpOps...) + " " + intervalLit(g.r) + ")", true
		}
	case tInt:
		switch g.r.IntN(5) {
		case 0:
			return "(" + sub(tDate) + " - " + sub(tDate) + ")", true
		case 1:
			return "extract(" + g.one("isodow", "dow", "doy", "week", "quarter", "isoyear", "decade", "century", "millennium") +
				" FROM " + sub(g.one2(tDate, tTs)) + ")::int", true
		case 2:
			return g.one("extract(day FROM ", "extract(hour FROM ", "extract(month FROM ", "extract(year FROM ", "date_part('minute', ") +
				sub(tIval) + ")::int", true
		case 3:
			return "extract(" + g.one("hour", "minute", "isodow", "timezone_hour", "timezone_minute") + " FROM " + sub(tTstz) + ")::int", true
		default:
			return "length(" + g.one("jsonb_extract_path_text", "jsonb_extract_path") + "(" + sub(tJsonb) + ", " + g.one("'k'", "'a'", "'a', '1'", "'d'") + ")::text)", true
		}
	case tDate:
		switch g.r.IntN(3) {
		case 0:
			return "(" + sub(tDate) + g.one(" + ", " - ") + "(" + g.smallInt(sc, d) + ")::int)", true
		case 1:
			return "date_trunc(" + g.one("'month'", "'week'", "'quarter'", "'year'") + ", " + sub(tDate) + ")::date", true
		default:
			return "(" + sub(tDate) + " + " + sub(tIval) + ")::date", true
		}
	case tTs:
		return "date_bin(" + g.stride() + ", " + sub(tTs) + ", " + g.one("TIMESTAMP '2023-01-01'", "TIMESTAMP '2023-06-15 00:07:30'", "TIMESTAMP '2024-12-31 23:00'") + ")", true
	case tTstz:
		return "date_bin(" + g.stride() + ", " + sub(tTstz) + ", " + g.one("TIMESTAMPTZ '2023-01-01 00:00+00'", "TIMESTAMPTZ '2024-03-31 01:30+02'") + ")", true
	case tIval:
		switch g.r.IntN(4) {
		case 0:
			// Named arguments, in any order.
			args := []string{fmt.Sprintf("days => %d", g.r.IntN(40)-10), fmt.Sprintf("hours => %d", g.r.IntN(30)),
				fmt.Sprintf("mins => %d", g.r.IntN(90)), fmt.Sprintf("months => %d", g.r.IntN(14)), fmt.Sprintf("secs => %s", g.one("1.5", "0", "59.25"))}
			perm := g.r.Perm(len(args))[:1+g.r.IntN(3)]
			var pick []string
			for _, i := range perm {
				pick = append(pick, args[i])
			}
			return "make_interval(" + strings.Join(pick, ", ") + ")", true
		case 1:
			return "(-(" + sub(tIval) + "))", true
		case 2:
			return "date_trunc(" + g.one("'hour'", "'day'", "'month'", "'minute'") + ", " + sub(tIval) + ")", true
		default:
			return "(" + sub(tIval) + " / " + g.one("2.5", "4", "0.75") + ")", true
		}
	case tText:
		switch g.r.IntN(5) {
		case 0:
			return "to_char(" + sub(tIval) + ", " + g.one("'HH24:MI:SS'", "'DD \"days\" HH24\"h\"'", "'MM:DD'", "'FMHH24:MI'") + ")", true
		case 1:
			return "to_char(" + sub(tTs) + ", " + g.one("'YYYY-MM-DD\"T\"HH24:MI:SS.US'", "'Day DD Month YYYY'", "'FMDay, FMMonth FMDDth'",
				"'IYYY-IW-ID'", "'Q WW J'", "'HH12:MI AM'", "'YY-DDD'") + ")", true
		case 2:
			return "to_char(" + sub(tTstz) + ", " + g.one("'YYYY-MM-DD HH24:MI TZH:TZM'", "'YYYY-MM-DD HH24:MI:SS OF'", "'Dy Mon DD'") + ")", true
		case 3:
			return "(" + sub(tJsonb) + " ->> " + g.one("'k'", "'n'", "'d'", "0", "1") + ")", true
		default:
			return "jsonb_typeof(" + sub(tJsonb) + g.one(" -> 'a'", " -> 'k'", "", " -> 0") + ")", true
		}
	case tJsonb:
		// - and #- fail on a scalar (22023), a constant one too: only
		// where the value is used, which differs between engines for a
		// column no one reads (a MATERIALIZED WITH query's). Scalars pass
		// unchanged.
		container := func(j, op string) string {
			return "CASE WHEN jsonb_typeof(" + j + ") IN ('object', 'array') THEN " + j + op + " ELSE " + j + " END"
		}
		switch g.r.IntN(4) {
		case 0:
			return "(" + container(sub(tJsonb), " - "+g.one("'k'", "'a'", "0", "-1", "ARRAY['k', 'n']")) + ")", true
		case 1:
			return "(" + container(sub(tJsonb), " #- "+g.one("'{a,0}'", "'{k}'", "'{0}'", "'{a,-1}'")) + ")", true
		case 2:
			// A scalar has no path to insert into: 22023 on both.
			return "jsonb_insert(jsonb_build_object('a', " + sub(tIArr) + ", 'k', " + sub(tText) + "), " +
				g.one("'{a,0}'", "'{a,-1}'", "'{z}'", "'{a,9}'") + ", to_jsonb(" + sub(tInt) + ")" + g.one("", ", true") + ")", true
		default:
			return "jsonb_extract_path(" + sub(tJsonb) + ", " + g.one("'a'", "'a', '0'", "'k'", "'d'") + ")", true
		}
	}
	return "", false
}

// stride is date_bin's bin width: no months (0A000 in PostgreSQL).
func (g *qgen) stride() string {
	return g.one("interval '15 minutes'", "interval '1 day'", "interval '7 days'", "interval '90 seconds'", "interval '2 hours 30 minutes'")
}

// likeEscape matches strings that hold the wildcards themselves, with an
// escape character (the default backslash, another, or none).
func (g *qgen) likeEscape(sc []gcol, d int) string {
	s := g.expr(sc, tText, d)
	not := g.one("", "", "NOT ")
	switch g.r.IntN(6) {
	case 0:
		return "((" + s + " || '%x_') " + not + "LIKE '%!%x!_' ESCAPE '!')"
	case 1:
		// The default escape is a backslash.
		op := g.one("LIKE", "ILIKE", "~~", "~~*")
		if not != "" && op[0] == '~' {
			op, not = "!"+op, ""
		}
		return "(replace(" + s + ", 'e', '_') " + not + op + " " + g.one("'%\\_%'", "'_\\_%'", "'%\\__'") + ")"
	case 2:
		return "(replace(" + s + ", 'a', '%') " + not + g.one("LIKE", "ILIKE") + " " + g.one("'%#%%'", "'#%%'", "'%##%'") + " ESCAPE '#')"
	case 3:
		// An empty escape turns escaping off: the backslash is literal.
		return "((" + s + " || '\\') " + not + "LIKE " + g.one("'%\\'", "'%e%\\'", "'%\\_'") + " ESCAPE '')"
	case 4:
		return "(" + s + " " + g.one("!~~", "!~~*", "~~*") + " '" + g.one(likePatterns...) + "')"
	default:
		return "(replace(" + s + ", 'e', '%') " + not + "SIMILAR TO " + g.one("'%(#%|a)%'", "'[A-Z]#%%'", "'%#%_{2}%'") + " ESCAPE '#')"
	}
}

// moreAggregate returns an aggregate of type t: the statistics of two
// columns, the bitwise ones and every.
func (g *qgen) moreAggregate(sc []gcol, t gtype, f string) (string, bool) {
	switch t {
	case tFloat:
		// Integers: sums of them are exact, so a constant input gives
		// exactly zero deviations (NULL or 1 as PostgreSQL defines);
		// 8763.68 repeated left a residue in the last bits, which each
		// engine's summation order makes another (regr_r2 0.02 and 0.27).
		y := "(" + g.expr(sc, tInt, 1) + ")::float8"
		x := "(" + g.expr(sc, tInt, 1) + ")::float8"
		// Rounded: a statistic that is zero comes out of the
		// divisions as ±1e-19 or so, by summation order (seed 20009's
		// query 339).
		return "round((" + g.one("corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept", "regr_r2", "regr_avgx", "regr_avgy",
			"regr_sxx", "regr_syy", "regr_sxy") + "(" + y + ", " + x + ")" + f + ")::numeric, 8)::float8", true
	case tInt:
		if g.chance(1, 3) {
			return "regr_count(" + g.expr(sc, g.one2(tNum, tInt), 1) + ", " + g.expr(sc, g.one2(tNum, tInt), 1) + ")" + f, true
		}
		return g.one("bit_and", "bit_or", "bit_xor") + "(" + g.expr(sc, tInt, 1) + ")" + f, true
	case tBool:
		return "every(" + g.pred(sc, 0) + ")" + f, true
	}
	return "", false
}

// moreFrame returns a window's ORDER BY and a frame that ends before the
// current row or starts after it (an empty frame at the edges, or
// always), or ok false. ROWS frames need the total order full.
func (g *qgen) moreFrame(sc []gcol, full, partial string, total bool) (string, string, bool) {
	a, b := g.r.IntN(3), g.r.IntN(3)
	switch g.r.IntN(6) {
	case 0:
		if total {
			return full, fmt.Sprintf(" ROWS BETWEEN %d FOLLOWING AND %d FOLLOWING", a, b), true
		}
	case 1:
		if total {
			return full, fmt.Sprintf(" ROWS BETWEEN UNBOUNDED PRECEDING AND %d PRECEDING", a), true
		}
	case 2:
		if total {
			return full, fmt.Sprintf(" ROWS %d PRECEDING", a), true
		}
	case 3:
		return partial, fmt.Sprintf(" GROUPS BETWEEN %s AND %d PRECEDING", g.one("UNBOUNDED PRECEDING", fmt.Sprintf("%d PRECEDING", a+1)), a), true
	case 4:
		if !g.bigFrom {
			return partial, fmt.Sprintf(" GROUPS BETWEEN %d FOLLOWING AND %s", a, g.one("UNBOUNDED FOLLOWING", fmt.Sprintf("%d FOLLOWING", a+b))), true
		}
	default:
		// One key with a distance; NULL keys are peers of each other
		// only, at whichever end NULLS puts them.
		rt := []gtype{tInt, tNum, tDate, tTs}[g.r.IntN(4)]
		cs := ofType(sc, rt)
		if len(cs) == 0 {
			return "", "", false
		}
		if ns := nullable(cs); len(ns) > 0 && g.chance(2, 3) {
			cs = ns
		}
		c := g.pick(cs).sql
		off := map[gtype]string{tInt: fmt.Sprint(g.r.IntN(20)), tNum: numLit(g.r, ""), tDate: fmt.Sprintf("interval '%d days'", g.r.IntN(60)),
			tTs: fmt.Sprintf("interval '%d hours'", g.r.IntN(200))}[rt]
		ob := "ORDER BY " + c + g.one("", " DESC") + g.one("", " NULLS FIRST", " NULLS LAST")
		fr := g.one(" RANGE BETWEEN UNBOUNDED PRECEDING AND "+off+" PRECEDING", " RANGE BETWEEN "+off+" PRECEDING AND CURRENT ROW",
			" RANGE "+off+" PRECEDING")
		if !g.bigFrom && g.chance(1, 2) {
			fr = g.one(" RANGE BETWEEN "+off+" FOLLOWING AND UNBOUNDED FOLLOWING", " RANGE BETWEEN CURRENT ROW AND "+off+" FOLLOWING")
		}
		return ob, fr, true
	}
	return "", "", false
}

// correlations returns the pairs (outer, inner) of columns of one domain
// a subquery can be correlated on.
func correlations(sc, inner []gcol) [][2]gcol {
	var corr [][2]gcol
	for _, a := range sc {
		for _, b := range inner {
			if a.dom != "" && a.dom == b.dom && a.t == b.t && a.dom != "money" && a.dom != "date" {
				corr = append(corr, [2]gcol{a, b})
			}
		}
	}
	return corr
}

// aggSubPred returns a predicate with a correlated subquery that groups
// or aggregates: EXISTS over groups filtered by HAVING, an aggregate's
// single row, IN over per-group aggregates, aggregates of inner and
// outer columns, or the correlation inside a CTE of the subquery.
func (g *qgen) aggSubPred(sc []gcol) string {
	g.subqDepth--
	defer func() { g.subqDepth++ }()
	_, inner := g.subqueryTable()
	var conds []string
	if corr := correlations(sc, inner.cols); len(corr) > 0 {
		c := corr[g.r.IntN(len(corr))]
		conds = append(conds, c[1].sql+" = "+c[0].sql)
	}
	if g.chance(1, 3) {
		conds = append(conds, g.pred(inner.cols, 0))
	}
	where := whereClause(conds)
	from := " FROM " + inner.sql + where
	not := g.one("", "NOT ")
	n := fmt.Sprint(g.r.IntN(4))
	key := g.groupKey(inner.cols).sql
	switch g.r.IntN(6) {
	case 0:
		return not + "EXISTS (SELECT 1" + from + " GROUP BY " + key + " HAVING " + g.aggregate(inner.cols, tInt) + " " + g.one(">", ">=", "<") + " " + n + ")"
	case 1:
		// An aggregate without GROUP BY has one row, even of no input;
		// with HAVING, none when it fails.
		h := ""
		if g.chance(2, 3) {
			h = " HAVING count(*) " + g.one(">", "<=") + " " + n
		}
		return not + "EXISTS (SELECT " + g.one("count(*)", "max("+g.expr(inner.cols, tInt, 0)+")") + from + h + ")"
	case 2:
		o, _ := g.operand(sc, tInt, 1)
		return o + " " + not + "IN (SELECT " + g.one("count(*)", "min("+g.expr(inner.cols, tInt, 0)+")") + from + " GROUP BY " + key + ")"
	case 3:
		// An aggregate of an inner and an outer column belongs to the
		// subquery.
		// An inner column, not any expression: one of outer columns only
		// would make it the outer query's aggregate (42803 in WHERE).
		ints, innerInts := ofType(sc, tInt), ofType(inner.cols, tInt)
		if len(ints) == 0 || len(innerInts) == 0 {
			break
		}
		arg := "(" + g.pick(innerInts).sql + " + " + g.pick(ints).sql + ")"
		return "(SELECT " + g.one("sum", "max", "min") + "(" + arg + ")" + from + ") " + g.one(cmpOps...) + " " + g.expr(sc, tInt, 0)
	case 4:
		// The outer column compared in HAVING.
		if cs := ofType(sc, tNum); len(cs) > 0 {
			return not + "EXISTS (SELECT 1" + from + " HAVING " + g.one("sum", "max", "min") + "(" + g.expr(inner.cols, tNum, 0) + ") " +
				g.one(cmpOps...) + " " + g.pick(cs).sql + ")"
		}
	}
	// The correlation inside a CTE of the subquery, grouped by a column
	// of the table (the CTE's columns keep its names).
	w := g.alias("w")
	col := g.pick(inner.cols).sql
	return not + "EXISTS (WITH " + w + " AS (SELECT *" + from + ") SELECT 1 FROM " + w + " GROUP BY " + col[strings.LastIndex(col, ".")+1:] +
		" HAVING count(*) " + g.one(">", ">=") + " " + n + ")"
}

// nestedWith returns a derived table with a WITH of its own: one CTE, or
// a second reading the first.
func (g *qgen) nestedWith(depth int) gitem {
	s := g.core(nil, depth, true)
	name := g.alias("w")
	q := "WITH " + name + " AS " + g.materialized() + "(\n" + s.sql + ")"
	from := name
	if g.chance(1, 2) {
		// A second CTE reads the first.
		d := g.rename(s, name)
		second := g.alias("w")
		q += ",\n" + second + " AS " + g.materialized() + "(SELECT * FROM " + d.sql + " WHERE " + g.pred(d.cols, 1) + ")"
		from = second
	}
	q += "\nSELECT * FROM " + from
	s.order, s.keyed = nil, false
	return g.rename(s, "("+q+")")
}

// materialized is a CTE's optional hint.
func (g *qgen) materialized() string {
	return g.one("", "", "MATERIALIZED ", "NOT MATERIALIZED ")
}

// fetchTies returns an ORDER BY of some of n output columns and FETCH
// FIRST ... WITH TIES: the rows kept are fixed whatever order the engine
// gives the peers (all are kept), so the rows compare as a set.
func (g *qgen) fetchTies(n int) string {
	perm := g.r.Perm(n)[:1+g.r.IntN(n)]
	keys := make([]string, len(perm))
	for i, p := range perm {
		keys[i] = fmt.Sprint(p+1) + g.one("", " DESC", " NULLS FIRST", " DESC NULLS LAST", " ASC NULLS LAST")
	}
	return "\nORDER BY " + strings.Join(keys, ", ") + fmt.Sprintf(" FETCH %s %d %s WITH TIES", g.one("FIRST", "NEXT"), 1+g.r.IntN(20), g.one("ROWS", "ROW"))
}

// limitClause is LIMIT or OFFSET/FETCH FIRST in one of their spellings,
// after a total ORDER BY.
func (g *qgen) limitClause() string {
	n, off := 1+g.r.IntN(30), g.r.IntN(4)
	switch g.r.IntN(7) {
	case 4:
		return g.one(" LIMIT ALL", " LIMIT NULL", " LIMIT ALL OFFSET 2", " OFFSET 1")
	case 5:
		return fmt.Sprintf(" LIMIT NULL OFFSET %d", off)
	case 6:
		// Counts are expressions.
		return fmt.Sprintf(" OFFSET (%d - 1) ROWS FETCH FIRST (%d + 1) ROWS ONLY", off+1, n)
	case 0:
		return fmt.Sprintf(" OFFSET %d ROWS FETCH FIRST %d ROWS ONLY", off, n)
	case 1:
		return fmt.Sprintf(" FETCH NEXT %d ROW ONLY", n)
	case 2:
		return fmt.Sprintf(" LIMIT %d OFFSET %d", n, off)
	default:
		return fmt.Sprintf(" LIMIT %d", n)
	}
}

// rowCompare compares two rows of two or three values, NULLs included:
// rows compare field by field up to the first that decides.
func (g *qgen) rowCompare(sc []gcol, d int) string {
	n := 2 + g.r.IntN(2)
	var l, r []string
	for range n {
		t := []gtype{tInt, tInt, tNum, tText, tDate}[g.r.IntN(5)]
		o, dom := g.operand(sc, t, d)
		l = append(l, o)
		if g.chance(1, 5) {
			r = append(r, "NULL::"+t.sqlName())
		} else if cs := ofType(sc, t); len(cs) > 0 && g.chance(1, 3) {
			r = append(r, g.pick(cs).sql)
		} else {
			r = append(r, lit(g.r, t, dom))
		}
	}
	op := g.one(cmpOps...)
	if g.chance(1, 4) {
		op = g.one("IS DISTINCT FROM", "IS NOT DISTINCT FROM")
	}
	row := g.one("", "ROW")
	return "(" + row + "(" + strings.Join(l, ", ") + ") " + op + " " + row + "(" + strings.Join(r, ", ") + "))"
}

// rowIn is (a, b) [NOT] IN (SELECT x, y ...), correlated or not: NOT IN
// is never true when a compared field is NULL on either side.
func (g *qgen) rowIn(sc []gcol) string {
	g.subqDepth--
	defer func() { g.subqDepth++ }()
	_, inner := g.subqueryTable()
	var picked []gcol
	for _, c := range inner.cols {
		if c.t == tInt || c.t == tText || c.t == tDate || c.t == tNum {
			picked = append(picked, c)
		}
	}
	if len(picked) < 2 {
		return g.rowCompare(sc, 0)
	}
	g.r.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	picked = picked[:2]
	var l, r []string
	for _, c := range picked {
		o, _ := g.operand(sc, c.t, 1)
		for _, x := range ofType(sc, c.t) {
			if x.dom == c.dom && c.dom != "" && g.chance(2, 3) {
				o = x.sql
			}
		}
		l, r = append(l, o), append(r, c.sql)
	}
	where := ""
	if corr := correlations(sc, inner.cols); len(corr) > 0 && g.chance(1, 2) {
		c := corr[g.r.IntN(len(corr))]
		where = " WHERE " + c[1].sql + " = " + c[0].sql
	} else if g.chance(1, 2) {
		where = " WHERE " + g.pred(inner.cols, 0)
	}
	return "((" + strings.Join(l, ", ") + ") " + g.one("", "NOT ") + "IN (SELECT " + strings.Join(r, ", ") + " FROM " + inner.sql + where + "))"
}

// moreGroupingSets groups by grouping sets that repeat (each repeat a
// group of its own, unless GROUP BY DISTINCT) or nest.
func (g *qgen) moreGroupingSets(ks []string) string {
	list := strings.Join(ks, ", ")
	distinct := g.one("", "DISTINCT ")
	switch g.r.IntN(4) {
	case 0:
		return " GROUP BY " + distinct + "ROLLUP (" + list + "), ROLLUP (" + ks[0] + ")"
	case 1:
		return " GROUP BY " + distinct + "GROUPING SETS ((" + list + "), (" + list + "), (" + ks[len(ks)-1] + "))"
	case 2:
		return " GROUP BY GROUPING SETS ((), ROLLUP (" + list + "))"
	default:
		return " GROUP BY " + distinct + "CUBE (" + list + "), ()"
	}
}

// namedWindow returns OVER with a window of the query's WINDOW clause
// (a new one, or one defined alike before) and the frame, or ok false.
func (g *qgen) namedWindow(spec, frame string) (string, bool) {
	if g.winDefs == nil || !g.chance(1, 4) {
		return "", false
	}
	spec = strings.TrimSpace(spec)
	name := ""
	for _, d := range *g.winDefs {
		if strings.HasSuffix(d, " AS ("+spec+")") && g.chance(3, 4) {
			name = d[:strings.Index(d, " ")]
		}
	}
	if name == "" {
		name = g.alias("win")
		*g.winDefs = append(*g.winDefs, name+" AS ("+spec+")")
	}
	if frame == "" && g.chance(1, 2) {
		return " OVER " + name, true
	}
	return " OVER (" + name + frame + ")", true
}

// windowClause is the WINDOW clause of the windows namedWindow defined.
func (g *qgen) windowClause() string {
	if g.winDefs == nil || len(*g.winDefs) == 0 {
		return ""
	}
	return "\nWINDOW " + strings.Join(*g.winDefs, ", ")
}

// asOfSub is a scalar subquery correlated by an inequality: the value of
// the nearest inner row ("as of": ORDER BY ... LIMIT 1) or an aggregate
// of the inner rows on one side of the outer value. Both run per outer
// row in PostgreSQL and join the numbered outer rows in meshql. Only the
// small tables: PostgreSQL scans the inner table for every outer row.
func (g *qgen) asOfSub(sc []gcol, t gtype) (string, bool) {
	if g.subqDepth <= 0 || t != tInt && t != tNum && t != tText && t != tDate {
		return "", false
	}
	g.subqDepth--
	defer func() { g.subqDepth++ }()
	tb := genTables[2+g.r.IntN(2)]
	inner := g.table(tb, nil)
	var pairs [][2]gcol
	for _, a := range sc {
		for _, b := range inner.cols {
			if a.t == b.t && (a.t == tInt || a.t == tNum || a.t == tDate) {
				pairs = append(pairs, [2]gcol{a, b})
			}
		}
	}
	if len(pairs) == 0 {
		return "", false
	}
	p := pairs[g.r.IntN(len(pairs))]
	cond := p[1].sql + " " + g.one("<", "<=", ">", ">=", "<>") + " " + p[0].sql
	if g.chance(1, 3) {
		cond += " AND " + g.pred(inner.cols, 0)
	}
	from := " FROM " + inner.sql + " WHERE " + cond
	if vals := ofType(inner.cols, t); len(vals) > 0 && len(inner.order) > 0 && g.chance(1, 2) {
		return "(SELECT " + g.pick(vals).sql + from + " ORDER BY " + p[1].sql + g.one("", " DESC") + ", " + strings.Join(inner.order, ", ") +
			" LIMIT 1" + g.one("", "", " OFFSET 1") + ")", true
	}
	return "(SELECT " + g.aggregate(inner.cols, t) + from + ")", true
}
