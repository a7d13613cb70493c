package slt

import (
	"fmt"
	"slices"
	"strings"
)

// This file widens what the random queries compute: double precision math
// (exponentials, logarithms, powers, the trigonometric and hyperbolic
// functions and their degree forms on inputs bounded to their domains,
// rounding, float4 arithmetic), numeric functions (round and trunc to
// other scales, div, gcd, lcm, factorial, the exact numeric sqrt, ln, exp
// and power), text functions with more argument shapes (lpad and rpad
// fills, overlay, format with widths and positions, chr, varchar(n) and
// char(n)), casts between types, conditional aggregates, window functions
// inside expressions, subqueries in HAVING, IN (VALUES ...) and joins on
// expressions. Each generator is typed like expr, and keeps values the
// engines print alike (tNum keeps exactly two decimals, see gtype).

// widerExpr returns an expression of type t, or ok false when it has none.
func (g *qgen) widerExpr(sc []gcol, t gtype, d int) (string, bool) {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	// bounded is an integer expression within ±(n-1): inputs kept inside
	// a function's domain, so that no row fails on one engine only.
	bounded := func(n int) string { return fmt.Sprintf("((%s) %% %d)", sub(tInt), n) }
	switch t {
	case tFloat:
		switch g.r.IntN(14) {
		case 0:
			return "exp(" + bounded(50) + "::float8 / 10)", true
		case 1:
			return g.one("log10", "ln", "log") + "(abs(" + sub(g.one2(tInt, tNum)) + ")::float8 + " + g.one("1", "0.5", "1e-3") + ")", true
		case 2:
			return "power(abs((" + sub(tNum) + ")::float8) / 100 + 0.5, " + bounded(7) + "::float8 / 2)", true
		case 3:
			// No zero to a negative power, no negative one to a fraction
			// (2201F on some rows only).
			return "(abs(" + bounded(20) + ")::float8 / 3 + 0.5) ^ " + g.one("2", "3", "0.5", "-1"), true
		case 4:
			return g.one("sin", "cos", "tan", "atan") + "((" + sub(tInt) + ")::float8 / " + g.one("7", "100", "3") + ")", true
		case 5:
			return g.one("asin", "acos", "asind", "acosd", "atanh") + "(" + bounded(100) + "::float8 / 101)", true
		case 6:
			return g.one("atan2", "atan2d") + "((" + sub(tInt) + ")::float8, (" + sub(g.one2(tInt, tNum)) + ")::float8)", true
		case 7:
			return g.one("sinh", "cosh", "tanh", "asinh") + "(" + bounded(20) + "::float8 / 4)", true
		case 8:
			return "acosh(abs((" + sub(tInt) + ")::float8) + 1)", true
		case 9:
			// The degree forms are exact at multiples of 30 and 45; no
			// tand(90) or cotd(0): an infinity cast to numeric(p,s) is 22003
			// in PostgreSQL, not in meshql (README).
			if g.chance(1, 3) {
				return g.one("tand", "cotd") + "(abs(" + bounded(89) + ")::float8 + " + g.one("1", "0.5") + ")", true
			}
			return g.one("sind", "cosd", "atand") + "(" + bounded(400) + "::float8" + g.one("", " * 15", " / 2") + ")", true
		case 10:
			// rint: halves to even.
			return g.one("round", "trunc", "ceil", "floor", "sign", "abs") + "((" + sub(tInt) + ")::float8 / " + g.one("2", "4", "-3") + ")", true
		case 11:
			return g.one("radians", "degrees", "cbrt") + "((" + sub(g.one2(tInt, tNum)) + ")::float8)" + g.one("", " * pi()"), true
		case 12:
			// float4 arithmetic, widened: PostgreSQL rounds each step to
			// single precision.
			return "((" + sub(tInt) + ")::real " + g.one("/", "*", "+") + " " + g.one("3", "0.1", "7.5") + "::real)::float8", true
		default:
			return "(" + sub(tFloat) + " " + g.one("+", "-", "*") + " " + sub(tFloat) + ")", true
		}
	case tInt:
		switch g.r.IntN(10) {
		case 0:
			return g.one("gcd", "lcm") + "(" + bounded(100) + ", " + g.one("12", "-8", "0", "35") + ")", true
		case 1:
			// float8 to integer rounds halves to even.
			return "((" + sub(tInt) + ")::float8 / " + g.one("2", "4", "10") + ")::bigint", true
		case 2:
			// numeric to integer rounds halves away from zero.
			return "((" + sub(tInt) + ")::numeric / " + g.one("2", "4") + ")::bigint", true
		case 3:
			// Leading blanks are allowed.
			return "(" + g.one("", "' ' || ") + "(" + sub(tInt) + ")::text)::bigint", true
		case 4:
			return "div(" + sub(tNum) + ", " + g.one("7", "2.50", "-3") + ")::bigint", true
		case 5:
			return "(" + sub(tBool) + ")::int", true
		case 6:
			return bounded(1000) + "::smallint", true
		case 7:
			return g.one("bit_length", "octet_length") + "(" + sub(tText) + ")", true
		case 8:
			return "length(" + g.widerText(sc, d) + ")", true
		default:
			return "ascii(chr(" + fmt.Sprint(65+g.r.IntN(26)) + " + abs(" + bounded(26) + ")::int))", true
		}
	case tNum:
		// Every result has two decimals, rounded or cast to them.
		switch g.r.IntN(10) {
		case 0:
			return "round(" + sub(tNum) + ", " + g.one("1", "0", "-1", "-2") + ")::numeric(18,2)", true
		case 1:
			return "trunc(" + sub(tNum) + ", " + g.one("1", "0", "-1") + ")::numeric(18,2)", true
		case 2:
			return g.one("gcd", "lcm") + "(" + sub(tNum) + " % 100, " + g.one("2.50", "0.25", "12.00", "0.00") + ")", true
		case 3:
			return "round(" + g.one("sqrt", "cbrt") + "(abs(" + sub(tNum) + ")" + map[bool]string{true: "::float8", false: ""}[g.chance(1, 3)] + ")::numeric, 2)", true
		case 4:
			return "round(" + g.one("ln", "log10") + "(abs(" + sub(tNum) + ") + 1), 2)", true
		case 5:
			return "round(exp(mod(" + sub(tNum) + ", 5.00)), 2)", true
		case 6:
			return "round(power(abs(mod(" + sub(tNum) + ", 10.00)) + 1, " + g.one("2", "3", "0.5", "-1") + "), 2)", true
		case 7:
			return "round(log(" + g.one("2", "10", "3.5") + ", abs(" + sub(tNum) + ") + 1), 2)", true
		case 8:
			return "(" + sub(tNum) + ")::text::numeric(18,2)", true
		default:
			return "round((" + sub(tFloat) + ")::numeric, 2)", true
		}
	case tDec:
		switch g.r.IntN(4) {
		case 0:
			return "div(" + sub(tNum) + ", " + g.one("7.00", "2.5", "-3") + ")", true
		case 1:
			return "factorial(abs(" + bounded(15) + "))", true
		case 2:
			return "round(" + sub(tNum) + ", " + g.one("-1", "-2") + ")", true
		default:
			return g.one("gcd", "lcm") + "((" + sub(tInt) + ")::numeric % 1000, " + g.one("12", "-8", "0") + ")", true
		}
	case tText:
		if g.chance(2, 3) {
			return g.widerText(sc, d), true
		}
		return g.castText(sc, d), true
	case tDate:
		switch g.r.IntN(3) {
		case 0:
			return "('2024-" + g.one("01", "02", "03", "12") + "-' || lpad((abs(" + bounded(28) + ") + 1)::text, 2, '0'))::date", true
		case 1:
			return "(" + sub(tDate) + ")::text::date", true
		default:
			return "(" + sub(tDate) + " + (" + bounded(40) + ")::int)", true
		}
	case tBool:
		switch g.r.IntN(4) {
		case 0:
			return "(" + bounded(2) + ")::int::bool", true
		case 1:
			return "((" + sub(tInt) + ")::text " + g.one("LIKE '1%'", "LIKE '%0'", "< '5'") + ")", true
		case 2:
			return "(" + sub(tBool) + ")::text::bool", true
		default:
			return "(" + sub(tFloat) + " " + g.one("<", ">", "<=", ">=") + " " + g.one("0", "0.5", "1", "-1") + ")", true
		}
	}
	return "", false
}

// widerText returns a text expression from the text functions and their
// argument shapes expr does not write.
func (g *qgen) widerText(sc []gcol, d int) string {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	switch g.r.IntN(12) {
	case 0:
		return fmt.Sprintf("%s(%s, %d, %s)", g.one("lpad", "rpad"), sub(tText), g.r.IntN(14)-1, g.one("'ab'", "' '", "'xyz'", "'0'"))
	case 1:
		return fmt.Sprintf("%s(%s, %d)", g.one("lpad", "rpad"), sub(tText), g.r.IntN(12))
	case 2:
		return fmt.Sprintf("overlay(%s placing %s from %d)", sub(tText), g.one("'XY'", "''", "'_'"), 1+g.r.IntN(6))
	case 3:
		return "format(" + g.one("'%s/%s/%s'", "'%3$s %2$s %1$s'", "'%-8s|%8s|%s'", "'%L %L %L'", "'[%12s]%-2s%s'") + ", " +
			sub(tDate) + ", " + sub(tNum) + ", " + sub(g.one2(tBool, tText)) + ")"
	case 4:
		return "chr(" + fmt.Sprint(65+g.r.IntN(26)) + " + abs((" + sub(tInt) + ") % 26)::int)"
	case 5:
		return fmt.Sprintf("substr(%s, %d)", sub(tText), g.r.IntN(8)-2)
	case 6:
		return "initcap(" + g.one("lower", "upper", "reverse") + "(" + sub(tText) + ")" + g.one("", " || ' ' || "+sub(tText)) + ")"
	case 7:
		return "translate(" + sub(tText) + ", " + g.one("'aeiou'", "'abc'", "'.@_'") + ", " + g.one("'AEIOU'", "'x'", "'-'") + ")"
	case 8:
		return "split_part(" + sub(tText) + ", " + g.one("'a'", "', '", "'-'") + ", " + g.one("1", "2", "-1", "4") + ")"
	case 9:
		return "concat(" + sub(tDate) + ", '|', " + sub(tNum) + ", '|', " + sub(tBool) + ", '|', " + sub(tInt) + ")"
	case 10:
		return "(left(" + sub(tText) + ", " + fmt.Sprint(g.r.IntN(7)-3) + ") || right(" + sub(tText) + ", " + fmt.Sprint(g.r.IntN(7)-3) + "))"
	default:
		return "substring(" + sub(tText) + ", " + fmt.Sprint(g.r.IntN(5)) + g.one("", ", 3", ", 0") + ")"
	}
}

// castText returns a text expression cast from another type, or through
// varchar(n) and char(n), whose trailing blanks PostgreSQL drops when it
// converts back to text.
func (g *qgen) castText(sc []gcol, d int) string {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	switch g.r.IntN(7) {
	case 0:
		// Back to text: array_agg of a varchar is a varchar[], which
		// has no <> with text[] (42883, seed 20007's query 1294).
		return "(" + sub(tText) + ")::varchar(" + fmt.Sprint(1+g.r.IntN(8)) + ")::text"
	case 1:
		return "(" + sub(tText) + ")::char(" + fmt.Sprint(1+g.r.IntN(10)) + ")::text"
	case 2:
		return "((" + sub(tText) + ")::char(" + fmt.Sprint(1+g.r.IntN(10)) + ") || '|')"
	case 3:
		return "(" + sub([]gtype{tNum, tDec, tBool, tDate, tInt}[g.r.IntN(5)]) + ")::text"
	case 4:
		// IEEE division is exact: both engines hold the same double, and
		// print its shortest digits.
		return "((" + sub(tInt) + ")::float8 / " + g.one("7", "8", "1000", "3e10") + ")::text"
	case 5:
		return "((" + sub(tTs) + ")::time)::text"
	default:
		return "to_char(" + sub(tNum) + ", " + g.one("'FM999990.0'", "'000000.00'", "'9.99EEEE'", "'FM9990.999'", "'S9999'") + ")"
	}
}

// condAggregate returns an aggregate over a conditional expression (CASE,
// COALESCE, NULLIF), or a conditional over aggregates, of type t; ok is
// false when it has none for t.
func (g *qgen) condAggregate(sc []gcol, t gtype, f string) (string, bool) {
	saved := g.subqDepth
	g.subqDepth = 0 // PostgreSQL runs a correlated subquery per input row
	defer func() { g.subqDepth = saved }()
	p := func() string { return g.pred(sc, 1) }
	e := func(t gtype) string { return g.expr(sc, t, 1) }
	switch t {
	case tInt:
		switch g.r.IntN(4) {
		case 0:
			return "count(CASE WHEN " + p() + " THEN 1 END)" + f, true
		case 1:
			return "sum(CASE WHEN " + p() + " THEN 1 ELSE 0 END)" + f, true
		case 2:
			return "count(DISTINCT CASE WHEN " + p() + " THEN " + e(tText) + " END)" + f, true
		default:
			return "max(COALESCE(NULLIF(" + e(tInt) + ", " + fmt.Sprint(g.r.IntN(5)) + "), -1))" + f, true
		}
	case tNum:
		switch g.r.IntN(4) {
		case 0:
			return "sum(CASE WHEN " + p() + " THEN " + e(tNum) + " ELSE 0.00 END)" + f, true
		case 1:
			return "COALESCE(" + g.one("sum", "max", "min") + "(CASE WHEN " + p() + " THEN " + e(tNum) + " END)" + f + ", 0.00)", true
		case 2:
			return "CASE WHEN count(*)" + f + " > " + fmt.Sprint(g.r.IntN(4)) + " THEN sum(" + e(tNum) + ")" + f + " ELSE -1.00 END", true
		default:
			return "sum(GREATEST(" + e(tNum) + ", " + numLit(g.r, "") + "))" + f, true
		}
	case tDec:
		return "sum(CASE WHEN " + p() + " THEN " + e(tInt) + " ELSE 0 END)" + f, true
	case tText:
		switch g.r.IntN(3) {
		case 0:
			return g.one("max", "min") + "(CASE WHEN " + p() + " THEN " + e(tText) + " END)" + f, true
		case 1:
			x := "CASE WHEN " + p() + " THEN " + e(tText) + " ELSE '-' END"
			return "string_agg(DISTINCT " + x + ", ',' ORDER BY " + x + ")" + f, true
		default:
			return "CASE WHEN bool_or(" + p() + ")" + f + " THEN 'some' WHEN count(*)" + f + " = 0 THEN 'none' ELSE 'other' END", true
		}
	case tDate:
		return g.one("min", "max") + "(CASE WHEN " + p() + " THEN " + e(tDate) + " END)" + f, true
	case tFloat:
		switch g.r.IntN(2) {
		case 0:
			return "avg(CASE WHEN " + p() + " THEN (" + e(tInt) + ")::float8 END)" + f, true
		default:
			return "(count(*) FILTER (WHERE " + p() + "))::float8 / NULLIF(count(*), 0)", true
		}
	case tBool:
		return g.one("bool_or", "bool_and") + "(CASE WHEN " + p() + " THEN " + p() + " ELSE " + g.one("true", "false", "NULL") + " END)" + f, true
	}
	return "", false
}

// windowArith returns an expression of type t around a window function:
// a share of a total, a difference from the previous row, a rank offset.
// total orders the rows totally (see window).
func (g *qgen) windowArith(sc []gcol, total []string, t gtype) (string, bool) {
	saved := g.subqDepth
	g.subqDepth = 0
	defer func() { g.subqDepth = saved }()
	switch t {
	case tInt:
		w := g.window(sc, total, tInt)
		return g.one("(", "abs(") + w + g.one(" - 1", " * 10", " + "+g.expr(sc, tInt, 0)) + ")", true
	case tNum:
		x, _ := g.operand(sc, tNum, 1)
		w := g.window(sc, total, tNum)
		if strings.HasPrefix(w, "avg(") || strings.HasPrefix(w, "stddev(") || strings.HasPrefix(w, "var_pop(") {
			return "", false
		}
		return "(" + x + " - " + w + ")", true
	case tFloat:
		x, _ := g.operand(sc, g.one2(tInt, tNum), 1)
		return "(" + x + ")::float8 / NULLIF(" + g.window(sc, total, tDec) + ", 0)", true
	case tBool:
		return g.window(sc, total, g.one2(tInt, tDate)) + " IS " + g.one("NULL", "NOT NULL"), true
	case tText:
		return "COALESCE((" + g.window(sc, total, tText) + "), '(none)')", true
	}
	return "", false
}

// havingSub returns a HAVING condition with a subquery, correlated with a
// grouping key (or an aggregate of the group) now and then: a comparison of
// an aggregate with a subquery's, [NOT] EXISTS, or a key [NOT] IN a
// subquery. Its WHERE may nest another subquery.
func (g *qgen) havingSub(keys, sc []gcol, small bool) string {
	g.subqDepth--
	defer func() { g.subqDepth++ }()
	tb := genTables[g.r.IntN(len(genTables))]
	if small {
		tb = genTables[2+g.r.IntN(2)]
	}
	inner := g.table(tb, nil)
	var conds []string
	for _, k := range keys {
		for _, c := range inner.cols {
			if k.dom != "" && k.dom == c.dom && k.t == c.t && k.dom != "money" && k.dom != "date" && g.chance(2, 3) {
				conds = append(conds, c.sql+" = "+k.sql)
				break
			}
		}
		if len(conds) > 0 {
			break
		}
	}
	if g.chance(1, 4) {
		// An aggregate of the outer group inside the subquery.
		// Its argument reads an outer column: an aggregate of constants
		// only would be the subquery's own (42803 in its WHERE).
		var ns []gcol
		for _, c := range inner.cols {
			if (c.t == tNum || c.t == tDate) && len(ofType(sc, c.t)) > 0 {
				ns = append(ns, c)
			}
		}
		if len(ns) > 0 {
			c := g.pick(ns)
			conds = append(conds, c.sql+" "+g.one("<", ">=")+" "+g.one("min", "max")+"("+g.pick(ofType(sc, c.t)).sql+")")
		}
	}
	if g.chance(1, 2) {
		conds = append(conds, g.pred(inner.cols, 1))
	}
	where := whereClause(conds)
	from := " FROM " + inner.sql + where
	switch g.r.IntN(3) {
	case 0:
		return g.one("", "NOT ") + "EXISTS (SELECT 1" + from + ")"
	case 1:
		var ks []gcol
		for _, k := range keys {
			if k.t == tInt || k.t == tText || k.t == tDate {
				ks = append(ks, k)
			}
		}
		if len(ks) > 0 {
			k := g.pick(ks)
			cs := ofType(inner.cols, k.t)
			if len(cs) > 0 {
				c := g.pick(cs)
				for _, x := range cs {
					if x.dom == k.dom && g.chance(2, 3) {
						c = x
					}
				}
				return k.sql + g.one(" ", " NOT ") + "IN (SELECT " + c.sql + from + ")"
			}
		}
		return g.one("", "NOT ") + "EXISTS (SELECT 1" + from + ")"
	default:
		t := []gtype{tInt, tNum, tDate}[g.r.IntN(3)]
		saved := g.subqDepth
		g.subqDepth = 0
		outer := g.aggregate(sc, t)
		g.subqDepth = saved
		var agg string
		switch t {
		case tInt:
			agg = g.one("count(*)", "count(*) / 10", "max("+g.expr(inner.cols, tInt, 0)+")")
		case tNum:
			agg = g.one("avg", "max", "min") + "(" + g.expr(inner.cols, tNum, 0) + ")"
		default:
			agg = g.one("min", "max") + "(" + g.expr(inner.cols, tDate, 0) + ")"
		}
		return outer + " " + g.one(cmpOps...) + " (SELECT " + agg + from + ")"
	}
}

// exprJoinCond returns an equality of expressions over a and b (columns of
// one domain on the two sides of a join) and how many more matches it
// makes than a = b, or ok false when it has none for their type.
func (g *qgen) exprJoinCond(a, b gcol) (string, int, bool) {
	switch a.t {
	case tInt:
		if g.chance(1, 2) {
			return fmt.Sprintf("%s = %s %s %d", a.sql, b.sql, g.one("+", "-"), 1+g.r.IntN(3)), 1, true
		}
		return fmt.Sprintf("%s / 10 = %s / 10", a.sql, b.sql), 10, true
	case tText:
		f := g.one("lower", "upper", "initcap")
		if g.chance(1, 3) {
			return "left(" + a.sql + ", 3) = left(" + b.sql + ", 3)", 2, true
		}
		return f + "(" + a.sql + ") = " + f + "(" + b.sql + ")", 1, true
	case tDate:
		if g.chance(1, 2) {
			return fmt.Sprintf("%s = %s + %d", a.sql, b.sql, g.r.IntN(8)), 1, true
		}
		return "date_trunc('month', " + a.sql + ") = date_trunc('month', " + b.sql + ")", 30, true
	}
	return "", 0, false
}

// inValues is an IN over a VALUES list: a subquery, as PostgreSQL plans it.
func (g *qgen) inValues(o string, t gtype, dom, not string) string {
	n := 1 + g.r.IntN(4)
	rows := make([]string, n)
	for i := range rows {
		rows[i] = "(" + lit(g.r, t, dom) + ")"
		if i > 0 && g.chance(1, 8) {
			rows[i] = "(NULL)"
		}
	}
	return o + " " + not + "IN (VALUES " + strings.Join(rows, ", ") + ")"
}

// distinctOrder returns an ORDER BY for a SELECT DISTINCT: an expression
// of its select list written again (allowed), or, with wantErr 42P10 as
// PostgreSQL fails, one that is not in it.
func (g *qgen) distinctOrder(s gitem) (string, string) {
	if g.chance(1, 2) {
		var ok []string
		for _, e := range s.selExprs {
			// Not a constant: ORDER BY 5.17 is 42601, ORDER BY 5 an
			// ordinal (seed 19009's query 1506).
			if !strings.HasPrefix(e, "unnest(") && mentionsAny(e, s.scope) {
				ok = append(ok, e)
			}
		}
		if len(ok) > 0 {
			return "\nORDER BY " + g.one(ok...) + g.one("", " DESC", " NULLS FIRST"), ""
		}
	}
	var others []gcol
	for _, c := range s.scope {
		if !slices.Contains(s.selExprs, c.sql) && c.t != tFloat {
			others = append(others, c)
		}
	}
	if len(others) == 0 {
		return "", ""
	}
	return "\nORDER BY " + g.pick(others).sql + g.one("", " DESC"), "42P10"
}

// scaledMath is a numeric whose scale PostgreSQL picks per value (the
// exact sqrt, ln, exp, power and log over numeric, a double's digits):
// for the outermost select list only, as quotients are.
func (g *qgen) scaledMath(sc []gcol) string {
	x := g.expr(sc, tNum, 1)
	switch g.r.IntN(6) {
	case 0:
		return "sqrt(abs(" + x + "))"
	case 1:
		return g.one("ln", "log10") + "(abs(" + x + ") + 1)"
	case 2:
		return "exp(mod(" + x + ", 5.00))"
	case 3:
		return "power(abs(mod(" + x + ", 10.00)) + 1, " + g.one("1.5", "3", "-2", "0.25") + ")"
	case 4:
		return "log(" + g.one("2", "10", "0.5") + ", abs(" + x + ") + 1)"
	default:
		// No trim_scale: meshql lacks it (and scale, min_scale).
		return "(" + x + ")::float8::numeric"
	}
}
