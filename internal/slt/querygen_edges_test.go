package slt

import (
	"fmt"
	"strings"
)

// This file widens the random queries into edge cases of functions and
// casts the other generators use in their common forms: PostgreSQL 15's
// regexp_replace/regexp_substr/regexp_instr/regexp_count with start, N,
// flags and subexpression arguments, overlay ... for, format with
// repeated positions and * widths, to_char and to_number with sign,
// grouping, roman and bracket patterns, the full digits of numeric
// quotients, roots, logarithms and powers (scale, min_scale, trim_scale),
// numeric casts that round, casts between text and numeric, date,
// timestamp(tz), interval (ISO 8601 and fractional units), bool and
// jsonb, justify_*, date_trunc in a named time zone, array slices, two-
// dimensional arrays (array_dims, lengths per dimension, slices of both
// dimensions, array_agg of arrays), array comparison, array_position,
// array_remove/replace, trim_array, VALUES lists whose rows have different
// types, set operations (INTERSECT ALL, EXCEPT ALL) inside IN, EXISTS and
// scalar subqueries, and integer overflow (22003) where every row fails.
// Each is typed like expr; ok is false when it has nothing for t.

func (g *qgen) edgeExpr(sc []gcol, t gtype, d int) (string, bool) {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	// bounded is an integer expression within ±(n-1).
	bounded := func(n int) string { return fmt.Sprintf("((%s) %% %d)", sub(tInt), n) }
	switch t {
	case tText:
		switch g.r.IntN(20) {
		case 0:
			// start, N (0: all matches) and flags after the replacement.
			return "regexp_replace(" + sub(tText) + ", " + g.one("'[aeiou]'", "'(\\w)(\\w)'", "'E'", "'.'", "'[[:upper:]]'") + ", " +
				g.one("'#'", "'\\2\\1'", "''", "'<&>'") + ", " + fmt.Sprint(1+g.r.IntN(4)) +
				g.one("", ", 0", ", 1", ", 2", ", 3") + g.one("", ", 'i'", ", 'g'", ", 'ig'") + ")", true
		case 1:
			return "COALESCE(regexp_substr(" + sub(tText) + ", " + g.one("'([a-z])([a-z]+)'", "'[0-9]+'", "'e.'", "'(\\w)(\\w*)@'") + ", " +
				fmt.Sprint(1+g.r.IntN(3)) + ", " + fmt.Sprint(1+g.r.IntN(2)) + ", " + g.one("''", "'i'") + ", " + fmt.Sprint(g.r.IntN(3)) + "), '-')", true
		case 2:
			return fmt.Sprintf("overlay(%s placing %s from %d for %d)", sub(tText), g.one("'XY'", "''", "'_-_'"), 1+g.r.IntN(6), g.r.IntN(5)), true
		case 3:
			return "format(" + g.one("'%1$s|%1$s|%2$s'", "'%2$s %1$L %2$s'", "'%%|%s|%%'", "'%1$-6s|%2$4s|'", "'%s %s %1$s'") + ", " +
				sub(tText) + ", " + sub(g.one2(tInt, tDate)) + ")", true
		case 4:
			// A width from an argument: negative left-aligns.
			return "format(" + g.one("'[%*s]'", "'[%-*s]'", "'%2$*1$s|'") + ", " + fmt.Sprint(g.r.IntN(17)-8) + ", " + sub(tText) + ")", true
		case 5:
			return "to_char(" + g.one("", "-") + "(" + sub(tNum) + "), " + g.one("'PL9999.99'", "'MI9999.99'", "'9999.99MI'", "'999D99'", "'FM999,999.000'",
				"'SG99999'", "'9999.99PR'", "'FM9999.99PR'", "'0000.0'", "'99.9'", "'9.999EEEE'", "'FMS9999'") + ")", true
		case 6:
			return "to_char(" + g.one("", "-") + "(" + sub(tInt) + "), " + g.one("'FM9999th'", "'999TH'", "'S999'", "'999PR'", "'FM0000S'", "'9G999'", "'FM99999D00'", "'B9999'") + ")", true
		case 7:
			return "to_char(1 + abs(" + bounded(3999) + "), " + g.one("'RN'", "'FMRN'", "'rn'") + ")", true
		case 8:
			// The full digits of a quotient, root, logarithm or power:
			// each has its own result scale.
			return "(" + g.numericDigits(sc, d) + ")::text", true
		case 9:
			return "(" + sub(g.one2(tIval, tBool)) + ")::text", true
		case 10:
			return "(" + sub(tJsonb) + ")::text", true
		case 11:
			return g.one("quote_literal", "quote_ident", "quote_nullable") + "(" + sub(tText) + ")", true
		case 12:
			return "to_hex((" + sub(tInt) + ")::bigint)", true
		case 13:
			return "array_to_string(ARRAY[" + sub(tText) + ", NULL, " + sub(tText) + "], " + g.one("','", "''", "' / '") + g.one("", ", '*'", ", ''") + ")", true
		case 14:
			return "(" + g.arrayEdge(sc, d) + ")::text", true
		case 15:
			return "array_dims(" + g.arrayEdge(sc, d) + ")", true
		case 16:
			return g.one("justify_interval", "justify_hours", "justify_days") + "(" + sub(tIval) + g.one("", " * 3", " * -1.5", " / 7") + ")::text", true
		case 17:
			return "COALESCE(substring(" + sub(tText) + " similar " + g.one("'%#\"[aeiou]_#\"%'", "'#\"%#\"@%'", "'_#\"%#\"'") + " escape '#'), '-')", true
		case 18:
			return "initcap(" + g.one("replace(", "translate(") + sub(tText) + ", " + g.one("'.', ' '", "'@', '-'", "'e', '3'") + "))", true
		default:
			// Casts through text that the values survive.
			return "((" + sub(tText) + ")::" + g.one("varchar", "name", "bpchar") + ")::text", true
		}
	case tInt:
		switch g.r.IntN(14) {
		case 0:
			return "regexp_count(" + sub(tText) + ", " + g.one("'[aeiou]'", "'e'", "'\\w+'", "'[A-Z]'") + g.one("", ", 2", ", 1, 'i'", ", 3, 'in'") + ")", true
		case 1:
			return "regexp_instr(" + sub(tText) + ", " + g.one("'[aeiou]'", "'e(.)'", "'(\\w)(\\w)'", "'[0-9]+'") + ", " + fmt.Sprint(1+g.r.IntN(3)) +
				", " + fmt.Sprint(1+g.r.IntN(2)) + ", " + g.one("0", "1") + ", " + g.one("''", "'i'") + g.one("", ", 1", ", 2") + ")", true
		case 2:
			return "array_length(" + g.arrayEdge(sc, d) + ", " + g.one("1", "2") + ")", true
		case 3:
			return g.one("array_ndims", "cardinality") + "(" + g.arrayEdge(sc, d) + ")", true
		case 4:
			return "array_" + g.one("lower", "upper") + "((" + sub(tIArr) + ")" + g.one("[2:]", "[:2]", "[2:3]", "[0:1]") + ", 1)", true
		case 5:
			return "COALESCE(array_position(" + sub(tIArr) + ", " + sub(tInt) + g.one("", ", 2") + "), -1)", true
		case 6:
			// Division and the functions pick their result scale from
			// their inputs' scales and digits.
			return g.one("scale", "min_scale") + "(" + g.numericDigits(sc, d) + ")", true
		case 7:
			return "width_bucket(" + sub(tInt) + ", ARRAY[" + g.one("0, 10, 100, 1000", "5, 5, 50", "-1, 1") + "])", true
		case 8:
			return g.one("num_nulls", "num_nonnulls") + "(" + sub(tInt) + ", " + sub(tText) + ", NULL, " + sub(tDate) + ")", true
		case 9:
			// Integer division truncates toward zero, % keeps the dividend's sign.
			return "(" + g.one("-", "") + "(" + sub(tInt) + ") " + g.one("/", "%") + " " + g.one("-7", "4", "-1", "3") + ")", true
		case 10:
			return "(" + g.one("'  ", "'+", "'-0") + "' || abs(" + bounded(30000) + ")::text)::" + g.one("int", "smallint", "bigint"), true
		case 11:
			if g.topList && !g.inDerived {
				// Every row fails: the engines agree whichever rows they
				// evaluate (22003 on both, or no row on both).
				return "(" + g.one("2147483647", "-2147483647") + " + sign(abs(" + sub(tInt) + ") + 1)::int * " + g.one("2", "-2") + ")", true
			}
			return "(abs(" + bounded(1000) + ")::smallint * 32::smallint)::int", true
		case 12:
			if g.subqDepth > 0 {
				return "(SELECT count(*) FROM (" + g.setOpSub(tInt) + ") AS " + g.alias("so") + ")", true
			}
			// A constant: an outer count(*) in its WHERE would be the
			// subquery's own aggregate (42803).
			return "(SELECT count(*) FROM (VALUES (1), (2), (2)) AS v(x) WHERE x <> " + fmt.Sprint(g.r.IntN(3)) + ")", true
		default:
			// Near int4's limits, as a bigint that other generators cast
			// back to int (::int of a value past them fails on some rows
			// only, which each engine may evaluate differently).
			return "(" + g.one("2147482647", "-2147482647") + "::bigint " + g.one("-", "+") + " " + bounded(1000) + ")", true
		}
	case tNum:
		// Two decimals, as every tNum below the select list.
		switch g.r.IntN(6) {
		case 0:
			// A cast rounds halves away from zero.
			return "((" + sub(tNum) + ")::text || '" + g.one("5", "49", "51", "0") + "')::numeric(18,2)", true
		case 1:
			return "(" + sub(tNum) + " / NULLIF(" + sub(tInt) + ", 0))::numeric(18,2)", true
		case 2:
			pat := g.one("'S99999.99'", "'99G999D99'", "'FM99999.00'", "'99999.99MI'")
			return "to_number(to_char(" + sub(tNum) + ", " + pat + "), " + pat + ")", true
		case 3:
			return "((" + sub(tNum) + ")::float8)::numeric(18,2)", true
		case 4:
			return "trunc(" + sub(tNum) + " * " + g.one("0.333", "1.005", "-2.5") + ", 2)", true
		default:
			return "(" + g.numericDigits(sc, d) + ")::numeric(18,2)", true
		}
	case tDec:
		if g.chance(1, 2) {
			return "(" + sub(tNum) + ")::numeric(12,0)", true
		}
		return "trim_scale(" + sub(tNum) + " * 100)", true
	case tBool:
		switch g.r.IntN(7) {
		case 0:
			return "(CASE WHEN " + g.pred(sc, d) + " THEN " + g.one("'yes'", "' on '", "'TRUE'", "'1'") + " ELSE " + g.one("'off'", "'n'", "'f'", "'0'") + " END)::bool", true
		case 1:
			return "(" + sub(tIArr) + " " + g.one(cmpOps...) + " " + g.one("ARRAY[1, 2]", "'{}'::int[]", "ARRAY[3]", "ARRAY[NULL::int]", "ARRAY[[1, 2]]") + ")", true
		case 2:
			// int[] on both sides: no int[] < bigint[] operator.
			i := func() string { return "(" + sub(tInt) + ")::int" }
			return "(ARRAY[" + i() + ", " + i() + "] " + g.one(cmpOps...) + " ARRAY[" + i() + ", " + i() + "])", true
		case 3:
			return "(" + sub(tTArr) + " " + g.one(cmpOps...) + " " + g.one("ARRAY['promo']", "ARRAY['new', 'vip']", "'{}'::text[]") + ")", true
		case 4:
			return "(" + sub(tText) + " " + g.one("~~*", "!~~*", "~~", "!~~") + " " + g.one("'%E_'", "'\\%%'", "'%\\_%'", "'_%@%'", "'DE%'") + ")", true
		case 5:
			if g.subqDepth > 0 {
				return "(" + sub(tText) + " " + g.one("", "NOT ") + "IN (" + g.setOpSub(tText) + "))", true
			}
			return "(" + sub(tText) + " " + g.one("", "NOT ") + "IN (VALUES ('EU'), ('delivered'), (NULL)))", true
		default:
			if g.subqDepth > 0 {
				return g.one("", "NOT ") + "EXISTS (" + g.setOpSub(g.one2(tInt, tDate)) + ")", true
			}
			return "(" + sub(tInt) + " " + g.one("", "NOT ") + "IN (SELECT * FROM (VALUES (1), (2), (NULL)) AS v(x) " + g.one("INTERSECT ALL", "EXCEPT ALL") + " VALUES (2), (3)))", true
		}
	case tIval:
		switch g.r.IntN(5) {
		case 0:
			return "(" + bounded(50) + " || ' " + g.one("hours", "days", "mons", "minutes", "years") + " " + g.one("", "ago", "30 seconds") + "')::interval", true
		case 1:
			return "('P" + fmt.Sprint(g.r.IntN(3)) + "Y" + fmt.Sprint(g.r.IntN(13)) + "M" + fmt.Sprint(g.r.IntN(40)) + "DT" + fmt.Sprint(g.r.IntN(30)) + "H" +
				fmt.Sprint(g.r.IntN(90)) + "M')::interval", true
		case 2:
			return g.one("interval '1.5 months'", "interval '0.5 years'", "interval '1.25 days'", "interval '-1.5 weeks'", "interval '25:30:00'", "interval '1 day -2 hours'") +
				" " + g.one("*", "/") + " " + g.one("3", "1.5", "0.4", "-2"), true
		case 3:
			return g.one("justify_interval", "justify_hours", "justify_days") + "(" + sub(tIval) + ")", true
		default:
			return "(" + sub(tTs) + " - " + sub(tTs) + ")", true
		}
	case tTstz:
		switch g.r.IntN(3) {
		case 0:
			return "date_trunc(" + g.one("'day'", "'hour'", "'month'", "'week'", "'year'") + ", " + sub(tTstz) + ", " +
				g.one("'Asia/Kolkata'", "'America/St_Johns'", "'UTC'", "'Australia/Lord_Howe'", "'Europe/Berlin'") + ")", true
		case 1:
			return "(to_char(" + sub(tTs) + ", 'YYYY-MM-DD HH24:MI:SS') || '" + g.one(" +05:30", " -03", "Z", " America/New_York", "") + "')::timestamptz", true
		default:
			return "timezone(" + g.one("'Asia/Kolkata'", "'UTC'", "'America/Sao_Paulo'") + ", " + sub(tTs) + ")", true
		}
	case tTs:
		switch g.r.IntN(2) {
		case 0:
			return "((" + sub(tDate) + ")::text || ' " + g.one("12:34:56.5", "00:00", "23:59:59.999999", "T08:15") + "')::timestamp", true
		default:
			return "date_trunc(" + g.one("'day'", "'hour'", "'month'") + ", " + sub(tTstz) + ", " + g.one("'Asia/Kolkata'", "'America/St_Johns'") + ") AT TIME ZONE 'UTC'", true
		}
	case tDate:
		switch g.r.IntN(3) {
		case 0:
			pat := g.one("'YYYY-DDD'", "'DD Mon YYYY'", "'YYYYMMDD'", "'IYYY-IW-ID'", "'FMMonth FMDD, YYYY'")
			return "to_date(to_char(" + sub(tDate) + ", " + pat + "), " + pat + ")", true
		case 1:
			return "(to_char(" + sub(tDate) + ", " + g.one("'DD Mon YYYY'", "'YYYYMMDD'", "'Month DD, YYYY'", "'YYYY-MM-DD'") + "))::date", true
		default:
			return "(" + sub(g.one2(tTs, tTstz)) + ")::date", true
		}
	case tJsonb:
		switch g.r.IntN(4) {
		case 0:
			return "((" + sub(tInt) + ")::text::jsonb)", true
		case 1:
			return "to_jsonb(" + sub(g.one2(tBool, tDate)) + ")", true
		case 2:
			return "jsonb_build_array(" + sub(tInt) + ", " + sub(tText) + ", NULL, " + sub(tNum) + ")", true
		default:
			return "('{\"a\": [' || " + sub(tInt) + " || ', ' || " + sub(tInt) + " || '], \"k\": ' || to_jsonb(" + sub(tText) + ")::text || '}')::jsonb", true
		}
	case tIArr:
		switch g.r.IntN(4) {
		case 0:
			return "(" + sub(tIArr) + ")" + g.one("[2:]", "[:2]", "[2:3]", "[0:1]", "[3:2]"), true
		case 1:
			if g.chance(1, 3) {
				return "array_prepend((" + sub(tInt) + ")::int, " + sub(tIArr) + ")", true
			}
			return g.one("array_remove", "array_append") + "(" + sub(tIArr) + ", (" + sub(tInt) + ")::int)", true
		case 2:
			return "trim_array(" + sub(tIArr) + " || 0, " + g.one("1", "0") + ")", true
		default:
			return "array_replace(" + sub(tIArr) + ", (" + sub(tInt) + ")::int, NULL)", true
		}
	}
	return "", false
}

// numericDigits is a numeric expression whose every digit PostgreSQL
// defines: a quotient, root, logarithm, exponential or power of tNum
// values (two decimals), or an aggregate-free product.
func (g *qgen) numericDigits(sc []gcol, d int) string {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	switch g.r.IntN(9) {
	case 0:
		return "(" + sub(tNum) + " / " + g.one("3", "7", "0.3", "-11", "4", "1.5", "1000") + ")"
	case 1:
		return "(" + sub(tNum) + " / NULLIF(" + sub(tNum) + ", 0))"
	case 2:
		return "sqrt(abs(" + sub(tNum) + "))"
	case 3:
		return g.one("ln", "log10", "log") + "(abs(" + sub(tNum) + ") + 1)"
	case 4:
		return "exp(mod(" + sub(tNum) + ", 5.00))"
	case 5:
		return "power(abs(mod(" + sub(tNum) + ", 10.00)) + 1, " + g.one("2", "3", "0.5", "-2", "2.5", "1.5") + ")"
	case 6:
		return "(" + sub(tNum) + " * " + sub(tNum) + " * " + g.one("1.005", "0.1", "-3") + ")"
	case 7:
		return "mod(" + sub(tNum) + ", " + g.one("0.07", "3", "-2.5") + ")"
	default:
		return "(" + sub(tInt) + ")::numeric / " + g.one("3", "8", "7.0", "0.25")
	}
}

// arrayEdge is an integer array of one or two dimensions: slices of both,
// or constructors of two. (meshql has no lower bounds but 1: 0A000.)
func (g *qgen) arrayEdge(sc []gcol, d int) string {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	i := func() string { return "(" + sub(tInt) + ")::int" }
	switch g.r.IntN(4) {
	case 0:
		return "ARRAY[[" + i() + ", " + i() + "], [" + i() + ", NULL]]"
	case 1:
		return "(ARRAY[[" + i() + ", 2, 3], [4, " + i() + ", 6]])" + g.one("[1:2][2:3]", "[2:2][1:2]", "[1:1]", "[2:]", "[:1][2:]")
	case 2:
		return "(" + sub(tIArr) + ")" + g.one("[2:]", "[:2]", "[2:3]", "[0:1]")
	default:
		return "ARRAY[ARRAY[" + i() + ", " + i() + "], ARRAY[" + i() + ", " + i() + "]]"
	}
}

// setOpSub is a SELECT of one column of type t (tInt, tText or tDate)
// from two of the small tables joined by a set operation: both
// operands share the column's domain where the tables do.
func (g *qgen) setOpSub(t gtype) string {
	g.subqDepth--
	defer func() { g.subqDepth++ }()
	operand := func() string {
		tb := genTables[2+g.r.IntN(2)] // the product tables: 40 and 50 rows
		if g.chance(1, 3) {
			tb = genTables[1] // customers: 1,000
		}
		inner := g.table(tb, nil)
		cs := ofType(inner.cols, t)
		var sel string
		switch {
		case len(cs) > 0:
			sel = g.pick(cs).sql
		case t == tInt:
			sel = "length(" + g.pick(ofType(inner.cols, tText)).sql + ")"
		case t == tDate:
			sel = "DATE '2024-01-01' + length(" + g.pick(ofType(inner.cols, tText)).sql + ")"
		default:
			sel = "NULL::text"
		}
		where := ""
		if g.chance(1, 2) {
			where = " WHERE " + g.pred(inner.cols, 0)
		}
		return "SELECT " + sel + " FROM " + inner.sql + where
	}
	op := g.one("INTERSECT ALL", "EXCEPT ALL", "INTERSECT", "EXCEPT", "UNION ALL")
	s := operand() + " " + op + " " + operand()
	if g.chance(1, 3) {
		s += " " + g.one("EXCEPT ALL", "INTERSECT ALL", "UNION") + " (" + operand() + ")"
	}
	return strings.TrimSpace(s)
}

// edgeAggregate returns an aggregate of type t from edgeExpr's areas:
// arrays of arrays, the digits of a sum of quotients, extremes of arrays.
func (g *qgen) edgeAggregate(sc []gcol, t gtype, f string) (string, bool) {
	e := func(t gtype) string { return g.expr(sc, t, 1) }
	switch t {
	case tText:
		switch g.r.IntN(3) {
		case 0:
			x, y := "("+e(tInt)+")::int", "("+e(tInt)+")::int"
			return "(array_agg(ARRAY[" + x + ", " + y + "] ORDER BY " + x + g.one("", " DESC NULLS LAST", " NULLS FIRST") + ", " + y + ")" + f + ")::text", true
		case 1:
			return "(sum(" + e(tNum) + " / " + g.one("3", "7", "-6") + ")" + f + ")::text", true
		default:
			return "(" + g.one("min", "max") + "(" + e(g.one2(tIArr, tTArr)) + ")" + f + ")::text", true
		}
	case tNum:
		return "percentile_disc(" + g.one("0", "0.5", "1", "0.33") + ") WITHIN GROUP (ORDER BY " + e(tNum) + g.one("", " DESC", " NULLS FIRST") + ")" + f, true
	}
	return "", false
}

// valuesMixed is a VALUES list whose rows write each column in another
// type: smallint, integer and bigint (a bigint column), date and
// timestamp (a timestamp column), varchar(n), char(n) and text (whose
// common type drops char's trailing blanks), NULLs in any row but the
// first (whose timestamp and text keep the columns a timestamp and text:
// a bpchar column's DISTINCT and UNION show meshql's values without
// their trailing blanks, PostgreSQL's as the first row had them).
func (g *qgen) valuesMixed(a string) gitem {
	n := 2 + g.r.IntN(4)
	rows := make([]string, n)
	null := make([]bool, 3)
	for i := range rows {
		v := []string{
			fmt.Sprintf("%d", g.r.IntN(1000)) + g.one("", "::smallint", "::bigint", "::int"),
			map[bool]string{true: "TIMESTAMP ", false: g.one("DATE ", "TIMESTAMP ")}[i == 0] + "'2024-0" + fmt.Sprint(1+g.r.IntN(9)) + "-1" + fmt.Sprint(g.r.IntN(10)) + "'",
			"'" + g.one("EU", "a b ", "delivered", "x") + "'" + map[bool]string{true: "::text", false: g.one("::varchar(4)", "::char(6)", "::text", "")}[i == 0],
		}
		for j := range v {
			if i > 0 && g.chance(1, 6) {
				v[j], null[j] = "NULL", true
			}
		}
		rows[i] = "(" + strings.Join(v, ", ") + ")"
	}
	it := gitem{sql: fmt.Sprintf("(VALUES %s) AS %s(v, w, x)", strings.Join(rows, ", "), a), rows: n}
	for j, c := range []struct {
		name string
		t    gtype
		dom  string
	}{{"v", tInt, "qty"}, {"w", tTs, ""}, {"x", tText, "region"}} {
		it.cols = append(it.cols, gcol{sql: a + "." + c.name, t: c.t, dom: c.dom, null: null[j], small: true})
	}
	return it
}
