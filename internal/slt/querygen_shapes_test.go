package slt

import (
	"fmt"
	"strings"
)

// This file writes query shapes the others do not: LATERAL subqueries
// joined with an ON condition (a top-k per row, or an aggregate per row),
// DISTINCT ON, set operations whose operands have their own ORDER BY and
// LIMIT, and jsonb functions beyond the operators (jsonb_set,
// jsonb_strip_nulls, jsonpath, jsonb_object_keys, jsonb_each_text) and
// text functions of no collation (overlay, md5, to_hex, quote_*).

// lateralSub joins l with a subquery that reads l's columns: the first k
// rows of a table matching a row of l, or an aggregate over them; ok is
// false when l is too big for a subquery per row.
func (g *qgen) lateralSub(l gitem) (gitem, bool) {
	if l.rows > 300 {
		// PostgreSQL runs the subquery once per row of l.
		return gitem{}, false
	}
	tb := genTables[g.r.IntN(len(genTables))]
	inner := g.table(tb, nil)
	var conds []string
	for _, i := range g.r.Perm(len(l.cols)) {
		a := l.cols[i]
		for _, b := range inner.cols {
			if a.dom != "" && a.dom == b.dom && a.t == b.t && a.dom != "money" && a.dom != "date" {
				conds = append(conds, b.sql+" = "+a.sql)
				break
			}
		}
		if len(conds) > 0 {
			break
		}
	}
	if len(conds) == 0 || g.chance(1, 4) {
		if s := g.nonEqui(inner, l); s != "true" {
			conds = append(conds, s)
		}
	}
	if g.chance(1, 3) {
		conds = append(conds, g.pred(inner.cols, 0))
	}
	where := whereClause(conds)
	a := g.alias("l")
	var sel []string
	var cols []gcol
	k := 1 + g.r.IntN(3)
	agg := g.chance(1, 3)
	if agg {
		saved := g.subqDepth
		g.subqDepth = 0
		defer func() { g.subqDepth = saved }()
		for i, t := range []gtype{tInt, g.one2(tText, tDate), g.one2(tNum, tInt)}[:1+g.r.IntN(3)] {
			sel = append(sel, fmt.Sprintf("%s AS c%d", g.aggregate(inner.cols, t), i+1))
			cols = append(cols, gcol{sql: fmt.Sprintf("%s.c%d", a, i+1), t: t, null: true})
		}
		k = 1
	} else {
		for i, j := range g.r.Perm(len(inner.cols))[:1+g.r.IntN(min(3, len(inner.cols)))] {
			c := inner.cols[j]
			sel = append(sel, fmt.Sprintf("%s AS c%d", c.sql, i+1))
			c.sql = fmt.Sprintf("%s.c%d", a, i+1)
			cols = append(cols, c)
		}
		where += " ORDER BY " + strings.Join(inner.totalOrder(), g.one("", " DESC")+", ") + g.one("", " DESC") + fmt.Sprintf(" LIMIT %d", k)
	}
	sub := "(SELECT " + strings.Join(sel, ", ") + " FROM " + inner.sql + where + ") AS " + a
	kind := g.one("JOIN LATERAL ", "LEFT JOIN LATERAL ", "CROSS JOIN LATERAL ", ", LATERAL ")
	on := ""
	if strings.HasPrefix(kind, "JOIN") || strings.HasPrefix(kind, "LEFT") {
		// A condition on the subquery's columns, or on both sides,
		// subqueries (IN (VALUES ...) among them) included.
		on = " ON " + g.pred(append(append([]gcol(nil), cols...), l.cols...), g.r.IntN(2))
		if g.chance(1, 4) {
			on = " ON true"
		}
	}
	left := strings.HasPrefix(kind, "LEFT")
	for i := range cols {
		cols[i].null = cols[i].null || left
	}
	out := gitem{sql: l.sql + "\n  " + kind + sub + on, rows: l.rows * k, cols: append(append([]gcol(nil), l.cols...), cols...)}
	out.order = append(append([]string(nil), l.totalOrder()...), cols[0].sql)
	if !agg {
		var all []string
		for _, c := range cols {
			if c.t != tFloat {
				all = append(all, c.sql)
			}
		}
		out.order = append(append([]string(nil), l.totalOrder()...), all...)
	}
	return out, true
}

// distinctOn returns a SELECT DISTINCT ON (keys) ... ORDER BY keys, then a
// total order of its FROM, so that the row kept of each group is fixed.
func (g *qgen) distinctOn(depth int) (string, []gtype) {
	from, where := g.from(depth, 2000)
	sc := from.cols
	if g.chance(2, 3) {
		where = append(where, g.pred(sc, g.r.IntN(2)))
	}
	var keys []string
	for range 1 + g.r.IntN(2) {
		keys = append(keys, g.groupKey(sc).sql)
	}
	want := g.outTypes(true)
	if !from.keyed {
		// Identical rows tie in the order: the kept row is fixed only up
		// to its printed values, so no values equal that print unlike
		// ('1 day' and '24:00:00', 1.0 and 1.00).
		for i, t := range want {
			switch t {
			case tIval:
				want[i] = tTs
			case tJsonb:
				want[i] = tText
			case tNum:
				want[i] = tInt
			}
		}
	}
	sel := make([]string, len(want))
	for i, t := range want {
		if cs := ofType(sc, t); len(cs) > 0 && g.chance(2, 3) {
			sel[i] = g.pick(cs).sql
		} else {
			sel[i] = g.expr(sc, t, 1)
		}
		sel[i] += fmt.Sprintf(" AS c%d", i+1)
	}
	order := make([]string, len(keys))
	for i, k := range keys {
		order[i] = k + g.one("", " DESC", " NULLS FIRST", " DESC NULLS LAST")
	}
	if from.keyed {
		for _, o := range from.totalOrder() {
			order = append(order, o+g.one("", " DESC"))
		}
	} else {
		for i := range want {
			order = append(order, fmt.Sprint(i+1)+g.one("", " DESC", " NULLS FIRST"))
		}
	}
	q := "SELECT DISTINCT ON (" + strings.Join(keys, ", ") + ") " + strings.Join(sel, ", ") + "\nFROM " + from.sql
	if len(where) > 0 {
		q += "\nWHERE " + strings.Join(where, " AND ")
	}
	q += "\nORDER BY " + strings.Join(order, ", ")
	if g.chance(1, 3) {
		q += fmt.Sprintf(" LIMIT %d", 1+g.r.IntN(10))
	}
	return q, want
}

// limited wraps a set operation's operand as (operand ORDER BY every
// column LIMIT n): which rows it keeps is fixed up to identical ones.
func (g *qgen) limited(sql string, types []gtype) string {
	return "(" + sql + orderAll(g, len(types)) + fmt.Sprintf(" LIMIT %d", 1+g.r.IntN(15)) + ")"
}

// shapeExpr returns an expression of type t from jsonb functions and text
// functions no other generator calls; ok is false when it has none for t.
func (g *qgen) shapeExpr(sc []gcol, t gtype, d int) (string, bool) {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	// An object always: jsonb_set, - and the paths fail on some scalars
	// and arrays, and which rows an engine evaluates is not fixed.
	doc := func() string {
		o := "jsonb_build_object('x', " + sub(tText) + ")"
		if g.chance(1, 2) {
			o = sub(tJsonb)
		}
		return "jsonb_build_object('k', " + sub(tText) + ", 'n', " + sub(tInt) + ", 'a', to_jsonb(" + sub(tIArr) + "), 'o', " + o + ")"
	}
	switch t {
	case tJsonb:
		switch g.r.IntN(5) {
		case 0:
			return "jsonb_set(" + doc() + ", " + g.one("'{n}'", "'{o,x}'", "'{a,0}'", "'{a,-1}'", "'{z}'") + ", to_jsonb(" + sub(g.one2(tInt, tText)) + ")" + g.one("", ", false", ", true") + ")", true
		case 1:
			return "jsonb_strip_nulls(" + doc() + ")", true
		case 2:
			return "jsonb_path_query_array(" + doc() + ", " + g.one("'$.a[*] ? (@ > 10)'", "'$.*'", "'$.o.x'", "'$.a[last]'") + ")", true
		case 3:
			return "(" + doc() + " - " + g.one("'k'", "'{k,n}'::text[]", "'zz'") + ")", true
		default:
			return "(" + doc() + " #- " + g.one("'{a,0}'", "'{o,x}'", "'{k}'") + ")", true
		}
	case tText:
		n := g.r.IntN(8)
		if n < 2 && g.subqDepth <= 0 {
			// No subquery where none may nest (an aggregate's argument
			// in a LATERAL subquery: seed 27's query 281 took meshql
			// over 20 s).
			n = 2
		}
		switch n {
		case 0:
			return "(SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(jsonb_strip_nulls(" + doc() + ")) AS k)", true
		case 1:
			return "(SELECT string_agg(e.key || '=' || COALESCE(e.value, 'null'), ';' ORDER BY e.key) FROM jsonb_each_text(" + doc() + ") AS e)", true
		case 2:
			return "jsonb_path_query_first(" + doc() + ", " + g.one("'$.k'", "'$.a[0]'", "'$.o'", "'$.zz'") + ")::text", true
		case 3:
			return fmt.Sprintf("overlay(%s placing %s from %d for %d)", sub(tText), g.one("'ab'", "''", "'-'"), 1+g.r.IntN(4), g.r.IntN(3)), true
		case 4:
			return "md5(" + sub(tText) + ")", true
		case 5:
			return "to_hex(" + sub(tInt) + ")", true
		case 6:
			return g.one("quote_literal", "quote_nullable", "quote_ident") + "(" + sub(tText) + ")", true
		default:
			return fmt.Sprintf("substring(%s from %d for %d)", sub(tText), g.r.IntN(4), g.r.IntN(5)), true
		}
	case tBool:
		switch g.r.IntN(2) {
		case 0:
			return "jsonb_path_exists(" + doc() + ", " + g.one("'$.a[*] ? (@ > 10)'", "'$.o.x'", "'$.k ? (@ starts with \"v\")'") + ")", true
		default:
			return "(" + doc() + " @? " + g.one("'$.n ? (@ > 2)'", "'$.a[1]'", "'$.zz'") + ")", true
		}
	case tInt:
		// 'a' is null when the array is: no length of a scalar (22023).
		return "jsonb_array_length(COALESCE(jsonb_path_query_first(" + doc() + ", '$.a ? (@.type() == \"array\")'), '[]'))", true
	}
	return "", false
}

// recursiveCTE returns a WITH RECURSIVE entry (its name, column list and
// body) and the CTE as a FROM source: rows of a restricted table as
// anchors (c1 a key, c2 a value, c3 = 0), each stepped a few times by
// an expression over its own columns (c3 + 1 until a bound). Both terms
// cast c2 to one type: PostgreSQL wants the same type and typmod in both.
func (g *qgen) recursiveCTE() (string, gitem) {
	tb := genTables[g.r.IntN(len(genTables))]
	var where []string
	inner := g.table(tb, &where)
	var keys []gcol
	for _, c := range inner.cols {
		if c.t == tInt && !c.null && c.dom != "" {
			keys = append(keys, c)
		}
	}
	if len(keys) == 0 {
		keys = inner.cols[:1]
	}
	k := g.pick(keys)
	vt := []gtype{tInt, tText, tDate, tTs, tTstz}[g.r.IntN(5)]
	v := lit(g.r, vt, "")
	if cs := ofType(inner.cols, vt); len(cs) > 0 {
		v = g.pick(cs).sql
	}
	name := g.alias("r")
	steps := 1 + g.r.IntN(4)
	anchor := fmt.Sprintf("SELECT (%s)::int, (%s)::%s, 0 FROM %s", k.sql, v, vt.sqlName(), inner.sql)
	if len(where) > 0 {
		anchor += " WHERE " + strings.Join(where, " AND ")
	}
	a := g.alias("w")
	self := []gcol{
		{sql: a + ".c1", t: tInt, dom: k.dom},
		{sql: a + ".c2", t: vt, null: true},
		{sql: a + ".c3", t: tInt, small: true},
	}
	saved := g.subqDepth
	g.subqDepth = 0 // the recursive term may not read the CTE in a subquery
	step := g.expr(self, vt, 1)
	g.subqDepth = saved
	rec := fmt.Sprintf("SELECT %s.c1, (%s)::%s, %s.c3 + 1 FROM %s AS %s WHERE %s.c3 < %d", a, step, vt.sqlName(), a, name, a, a, steps)
	if g.chance(1, 3) {
		rec += " AND " + g.pred(self[:2], 0)
	}
	body := name + "(c1, c2, c3) AS (\n" + anchor + "\n" + g.one("UNION ALL", "UNION") + "\n" + rec + ")"
	return body, gitem{sql: name, rows: inner.rows * (steps + 1), cols: []gcol{
		{t: tInt, dom: k.dom},
		{t: vt, null: true},
		{t: tInt, small: true},
	}}
}
