package slt

import (
	"fmt"
	"slices"
	"strings"
)

// This file generates the types analysts reach for after numbers, text and
// dates: timestamp and timestamptz (DST changes and half-hour zones, as
// the session's TimeZone is one of queryGenZones), interval, integer[] and
// text[], and jsonb built from columns. typedExpr makes an expression of
// one of these types; crossExpr makes one of the older types from them
// (extract, to_char, ->>, array_length, ANY, @>, ...).

// atZones are AT TIME ZONE's zones: names and offsets as intervals.
var atZones = append([]string{"INTERVAL '-03:30'", "INTERVAL '05:45'"}, truncZones...)

// truncZones are date_trunc's zone names (it takes no interval).
var truncZones = []string{"'UTC'", "'Europe/Berlin'", "'America/Sao_Paulo'", "'Asia/Kolkata'", "'+02'", "'America/New_York'"}

// tsUnits are date_trunc's units that apply to timestamps.
var tsUnits = []string{"'year'", "'quarter'", "'month'", "'week'", "'day'", "'hour'", "'minute'", "'second'"}

// tsFormats are to_char templates analysts use for timestamps.
var tsFormats = []string{"'YYYY-MM-DD HH24:MI:SS'", "'Dy DD Mon YYYY HH12:MI AM'", "'IYYY-IW'", "'YYYY\"Q\"Q'",
	"'HH24:MI:SS.MS'", "'HH24:MI:SS.US'", "'FMDay, FMDDth FMMonth'", "'YYYY-MM-DD\"T\"HH24:MI'", "'DDD J'", "'SSSS'"}

// tsFields are extract's fields for timestamps, cast to a bigint (extract
// returns numeric; epoch and seconds carry six decimals).
var tsFields = []string{"year", "month", "day", "hour", "minute", "dow", "isodow", "doy", "week", "quarter", "epoch", "isoyear"}

func (g *qgen) typedExpr(sc []gcol, t gtype, d int) string {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	switch t {
	case tTs:
		switch g.r.IntN(9) {
		case 0:
			return "(" + sub(tDate) + ")::timestamp"
		case 1:
			return "(" + sub(tDate) + " + " + sub(tIval) + ")"
		case 2:
			return "(" + sub(tTs) + g.one(" + ", " - ") + sub(tIval) + ")"
		case 3:
			return "date_trunc(" + g.one(tsUnits...) + ", " + sub(tTs) + ")"
		case 4:
			return "(" + sub(tTstz) + " AT TIME ZONE " + g.one(atZones...) + ")"
		case 5:
			return fmt.Sprintf("make_timestamp(%d, %d, %d, %d, %d, %s)", 2023+g.r.IntN(3), 1+g.r.IntN(12), 1+g.r.IntN(28),
				g.r.IntN(24), g.r.IntN(60), g.one("0", "7.5", "59.999999"))
		case 6:
			return "(" + sub(tTstz) + ")::timestamp"
		case 7:
			return "(" + sub(tDate) + " + " + g.one("TIME '10:30'", "TIME '23:59:59.5'", "TIME '00:00'") + ")"
		default:
			return "(" + sub(tTs) + " + " + g.smallInt(sc, d) + " * interval '" + g.one("1 hour", "15 minutes", "1 day", "1 second") + "')"
		}
	case tTstz:
		switch g.r.IntN(8) {
		case 0:
			return "(" + sub(tTs) + ")::timestamptz"
		case 1:
			return "(" + sub(tTs) + " AT TIME ZONE " + g.one(atZones...) + ")"
		case 2:
			return "(" + sub(tTstz) + g.one(" + ", " - ") + sub(tIval) + ")"
		case 3:
			return "date_trunc(" + g.one(tsUnits...) + ", " + sub(tTstz) + ")"
		case 4:
			return "date_trunc(" + g.one("'day'", "'month'", "'hour'") + ", " + sub(tTstz) + ", " + g.one(truncZones...) + ")"
		case 5:
			return fmt.Sprintf("to_timestamp(%d + %s * %d)", 1700000000+g.r.IntN(50000000), g.smallInt(sc, d), g.one2i(3600, 86399))
		case 6:
			return fmt.Sprintf("make_timestamptz(%d, %d, %d, %d, %d, %s%s)", 2023+g.r.IntN(3), 1+g.r.IntN(12), 1+g.r.IntN(28),
				g.r.IntN(24), g.r.IntN(60), g.one("0", "30.25"), g.one("", ", 'Europe/Berlin'", ", 'Asia/Kolkata'", ", 'UTC'"))
		default:
			return "(" + sub(tDate) + ")::timestamptz"
		}
	case tIval:
		switch g.r.IntN(10) {
		case 0:
			return "(" + sub(tTs) + " - " + sub(tTs) + ")"
		case 1:
			return "(" + sub(tTstz) + " - " + sub(tTstz) + ")"
		case 2:
			return "age(" + sub(tTs) + ", " + sub(tTs) + ")"
		case 3:
			return "age(" + sub(tTstz) + ", " + sub(tTstz) + ")"
		case 4:
			return fmt.Sprintf("(%s * %s)", sub(tIval), g.one("2", "-1", "0.5", "3"))
		case 5:
			return fmt.Sprintf("(%s / %d)", sub(tIval), 1+g.r.IntN(7))
		case 6:
			return "(" + sub(tIval) + g.one(" + ", " - ") + sub(tIval) + ")"
		case 7:
			return g.one("justify_days", "justify_hours", "justify_interval") + "(" + sub(tIval) + ")"
		case 8:
			return fmt.Sprintf("make_interval(0, %d, 0, %d, %d)", g.r.IntN(3), g.r.IntN(40)-5, g.r.IntN(30))
		default:
			return "(" + g.smallInt(sc, d) + " * " + intervalLit(g.r) + ")"
		}
	case tIArr:
		// Elements cast to integer: tInt may be a bigint, and int[] and
		// bigint[] do not mix.
		elem := func() string { return "(" + sub(tInt) + ")::int" }
		switch g.r.IntN(7) {
		case 0:
			return "ARRAY[" + elem() + ", " + elem() + "]"
		case 1:
			return "(" + sub(tIArr) + " || " + elem() + ")"
		case 2:
			return "(" + sub(tIArr) + " || " + sub(tIArr) + ")"
		case 3:
			return "(" + sub(tIArr) + ")" + g.one("[1:2]", "[2:]", "[:2]", "[2:3]")
		case 4:
			return "array_remove(" + sub(tIArr) + ", " + elem() + ")"
		case 5:
			return "array_append(" + sub(tIArr) + ", " + elem() + ")"
		default:
			return "string_to_array(" + g.one("'1,2,3'", "'4'", "''", "'10,,7'") + ", ',', '')::int[]"
		}
	case tTArr:
		switch g.r.IntN(6) {
		case 0:
			return "ARRAY[" + sub(tText) + ", " + sub(tText) + "]"
		case 1:
			return "string_to_array(" + sub(tText) + ", " + g.one("' '", "'e'", "','", "NULL") + ")"
		case 2:
			return "(" + sub(tTArr) + " || " + sub(tText) + ")"
		case 3:
			return "(" + sub(tTArr) + ")" + g.one("[1:2]", "[2:]", "[:1]")
		case 4:
			return "array_prepend(" + sub(tText) + ", " + sub(tTArr) + ")"
		default:
			return "(" + sub(tTArr) + " || " + sub(tTArr) + ")"
		}
	case tJsonb:
		switch g.r.IntN(8) {
		case 0, 1:
			return "jsonb_build_object('k', " + sub(tText) + ", 'n', " + sub(g.one2(tInt, tNum)) + ", 'a', " + sub(tIArr) +
				", 'd', " + sub([]gtype{tDate, tTs, tTstz, tIval}[g.r.IntN(4)]) + ")"
		case 2:
			return "to_jsonb(" + sub([]gtype{tInt, tNum, tText, tDate, tTs, tTstz, tIArr, tTArr, tBool}[g.r.IntN(9)]) + ")"
		case 3:
			return "jsonb_build_array(" + sub(tInt) + ", " + sub(tText) + ", " + sub(tTArr) + ")"
		case 4:
			return "(" + sub(tJsonb) + " -> " + g.one("'o'", "'a'", "'k'", "1", "0", "-1") + ")"
		case 5:
			return "(" + sub(tJsonb) + " #> " + g.one("'{a,1}'", "'{o}'", "'{}'", "'{3,k}'") + ")"
		case 6:
			return "(" + sub(tJsonb) + " || " + sub(tJsonb) + ")"
		default:
			return "jsonb_strip_nulls(" + sub(tJsonb) + ")"
		}
	}
	return lit(g.r, t, "")
}

func (g *qgen) one2i(a, b int) int {
	if g.chance(1, 2) {
		return a
	}
	return b
}

// crossExpr returns an expression of one of the older types computed from
// the new ones, or ok false.
func (g *qgen) crossExpr(sc []gcol, t gtype, d int) (string, bool) {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	tsOrTz := func() string { return sub(g.one2(tTs, tTstz)) }
	arr := func() string { return sub(g.one2(tIArr, tTArr)) }
	switch t {
	case tInt:
		switch g.r.IntN(8) {
		case 0:
			return "extract(" + g.one(tsFields...) + " FROM " + tsOrTz() + ")::bigint", true
		case 1:
			return "date_part(" + g.one("'hour'", "'day'", "'dow'", "'minute'", "'month'") + ", " + tsOrTz() + ")::int", true
		case 2:
			return "array_length(" + arr() + ", 1)", true
		case 3:
			return "cardinality(" + arr() + ")", true
		case 4:
			return "(" + sub(tIArr) + ")[" + g.one("1", "2", "0", "4") + "]", true
		case 5:
			return "extract(" + g.one("epoch", "day", "hour", "month", "minute") + " FROM " + sub(tIval) + ")::bigint", true
		case 6:
			return "jsonb_array_length(to_jsonb(" + arr() + "))", true
		default:
			return "array_position(" + sub(tTArr) + ", " + g.one("'vip'", "'new'", "'eu'") + ")", true
		}
	case tText:
		switch g.r.IntN(11) {
		case 0, 1:
			return "to_char(" + tsOrTz() + ", " + g.one(tsFormats...) + ")", true
		case 2:
			return "(" + sub([]gtype{tTs, tTstz, tIval, tIArr, tTArr, tJsonb}[g.r.IntN(6)]) + ")::text", true
		case 3:
			return "array_to_string(" + arr() + ", " + g.one("','", "' | '", "''") + g.one("", ", '*'") + ")", true
		case 4:
			return "(" + sub(tTArr) + ")[" + g.one("1", "2", "3") + "]", true
		case 5, 6:
			return "(" + sub(tJsonb) + " ->> " + g.one("'k'", "'n'", "'a'", "'d'", "0", "1") + ")", true
		case 7:
			return "(" + sub(tJsonb) + " #>> " + g.one("'{o,x}'", "'{a,0}'", "'{d}'", "'{}'", "'{1,k}'") + ")", true
		case 8:
			return "jsonb_typeof(" + sub(tJsonb) + ")", true
		case 9:
			return "to_char(" + sub(tIval) + ", " + g.one("'HH24:MI:SS'", "'DD \"days\" HH24\"h\"'", "'MM-DD'") + ")", true
		default:
			return "(jsonb_build_object('v', " + sub(g.one2(tInt, tText)) + ") ->> 'v')", true
		}
	case tDate:
		switch g.r.IntN(3) {
		case 0:
			return "(" + sub(tTs) + ")::date", true
		case 1:
			return "(" + sub(tTstz) + ")::date", true
		default:
			return "(" + sub(tTstz) + " AT TIME ZONE " + g.one(atZones...) + ")::date", true
		}
	case tNum:
		switch g.r.IntN(2) {
		case 0:
			return "round(extract(epoch FROM " + sub(tIval) + ") / 3600, 2)", true
		default:
			return "round(extract(" + g.one("second", "epoch", "julian") + " FROM " + tsOrTz() + "), 2)", true
		}
	case tBool:
		switch g.r.IntN(10) {
		case 0:
			return sub(tInt) + " = " + g.one("ANY", "ALL") + " (" + sub(tIArr) + ")", true
		case 1:
			return sub(tText) + " " + g.one("=", "<>", "<") + " " + g.one("ANY", "ALL") + " (" + sub(tTArr) + ")", true
		case 2:
			a := g.one2(tIArr, tTArr)
			return sub(a) + " " + g.one("@>", "<@", "&&") + " " + sub(a), true
		case 3:
			return sub(tJsonb) + " @> " + g.one(`'{"k": "view"}'`, `'[1]'`, `'{}'`, `'{"n": 3}'`, `'"str"'`), true
		case 4:
			if g.chance(1, 2) {
				return sub(tJsonb) + " ? " + g.one("'k'", "'a'", "'vip'", "'two'"), true
			}
			return sub(tJsonb) + " " + g.one("?|", "?&") + " " + g.one("ARRAY['k', 'zz']", "ARRAY['a', 'n']", "'{}'::text[]"), true
		case 5:
			a := g.one2(tIArr, tTArr)
			return sub(a) + " " + g.one(cmpOps...) + " " + sub(a), true
		case 6:
			return sub(tJsonb) + " " + g.one(cmpOps...) + " " + sub(tJsonb), true
		case 7:
			return "isfinite(" + sub(g.one2(tTs, tIval)) + ")", true
		default:
			tt := []gtype{tTs, tTstz, tIval}[g.r.IntN(3)]
			return sub(tt) + " " + g.one(cmpOps...) + " " + sub(tt), true
		}
	}
	return "", false
}

// typedAggregate returns an aggregate of one of the new types, or of an
// older one over them; ok is false when it has none for t.
func (g *qgen) typedAggregate(sc []gcol, t gtype, distinct, f string) (string, bool) {
	e := func(t gtype) string { return g.expr(sc, t, 1) }
	// Ordered by the value itself, and by another key first sometimes:
	// rows tied on both give equal elements, so the result is
	// deterministic.
	agg := func(fn string, t gtype) string {
		x := e(t)
		if t == tInt && fn == "array_agg" {
			x = "(" + x + ")::int" // an int[], not a bigint[]
		}
		dir := g.one("", " DESC", " NULLS FIRST")
		if distinct != "" || g.inDerived {
			return fn + "(DISTINCT " + x + " ORDER BY " + x + dir + ")" + f
		}
		if g.chance(1, 2) {
			return fn + "(" + x + " ORDER BY " + g.expr(sc, []gtype{tInt, tText, tDate, tTs}[g.r.IntN(4)], 0) + dir + ", " + x + ")" + f
		}
		return fn + "(" + x + " ORDER BY " + x + dir + ")" + f
	}
	switch t {
	case tTs, tTstz:
		return g.one("min", "max") + "(" + e(t) + ")" + f, true
	case tIval:
		switch g.r.IntN(3) {
		case 0:
			// Hours justified into days: a sum's time part past
			// ±2,562,047 hours is 22008 in meshql (README).
			return "sum(" + distinct + "justify_hours(" + e(tIval) + "))" + f, true
		case 1:
			return "avg(" + distinct + e(tIval) + ")" + f, true
		default:
			return g.one("min", "max") + "(" + e(tIval) + ")" + f, true
		}
	case tIArr:
		return agg("array_agg", tInt), true
	case tTArr:
		return agg("array_agg", tText), true
	case tJsonb:
		switch g.r.IntN(3) {
		case 0:
			return agg("jsonb_agg", []gtype{tInt, tText, tTs, tTArr}[g.r.IntN(4)]), true
		case 1:
			return "jsonb_build_object('n', count(*)" + f + ", 'max', max(" + e(g.one2(tTs, tText)) + ")" + f + ")", true
		default:
			return "to_jsonb(" + g.one("min", "max") + "(" + e(g.one2(tTstz, tText)) + ")" + f + ")", true
		}
	case tText:
		if g.chance(1, 6) {
			return "array_to_string(" + agg("array_agg", tText) + ", '/')", true
		}
	case tNum:
		if g.chance(1, 8) {
			return "round(extract(epoch FROM " + g.one("avg", "max", "min") + "(" + e(tIval) + ")" + f + ") / 60, 2)", true
		}
	}
	return "", false
}

// srfItem returns a set-returning function as a FROM item: a series of
// timestamps, an unnested constant array or the elements of a constant
// jsonb array.
func (g *qgen) srfItem() gitem {
	a := g.alias("s")
	ord := g.chance(1, 3)
	with := ""
	if ord {
		with = " WITH ORDINALITY"
	}
	var it gitem
	if g.chance(1, 4) {
		if g.chance(1, 3) {
			return g.valuesMixed(a)
		}
		return g.valuesItem(a)
	}
	switch g.r.IntN(4) {
	case 0, 1:
		t := g.one2(tTs, tTstz)
		lo := lit(g.r, t, "")
		// Steps and spans in hours: a step against the span's sign makes
		// an empty series, now and then.
		steps := map[string]int{"interval '1 day'": 24, "interval '1 week'": 168, "interval '1 month'": 720, "interval '6 hours'": 6,
			"interval '1 month 15 days'": 1080, "interval '-1 day'": -24}
		spans := map[string]int{"interval '40 days'": 960, "interval '1 year'": 8760, "interval '3 days'": 72, "interval '-20 days'": -480}
		step := g.one("interval '1 day'", "interval '1 week'", "interval '1 month'", "interval '6 hours'", "interval '1 month 15 days'", "interval '-1 day'")
		span := g.one("interval '40 days'", "interval '1 year'", "interval '3 days'", "interval '-20 days'")
		if (spans[span] < 0) != (steps[step] < 0) && !g.chance(1, 6) {
			step = map[bool]string{true: "interval '-1 day'", false: "interval '1 day'"}[spans[span] < 0]
		}
		// The row estimate bounds joins and frames: a year in six-hour
		// steps is 1461 rows (seed 18's query 1005 took PostgreSQL
		// minutes when it counted 100).
		n := max(spans[span]/steps[step]+1, 1)
		it = gitem{sql: fmt.Sprintf("generate_series(%s, %s + %s, %s)%s AS %s(v", lo, lo, span, step, with, a), rows: n}
		it.cols = []gcol{{sql: a + ".v", t: t, dom: ""}}
		it.order = []string{a + ".v"}
	case 2:
		t := g.one2(tIArr, tTArr)
		et := tInt
		if t == tTArr {
			et = tText
		}
		it = gitem{sql: fmt.Sprintf("unnest(%s)%s AS %s(v", lit(g.r, t, ""), with, a), rows: 4}
		it.cols = []gcol{{sql: a + ".v", t: et, null: true, small: true}}
	default:
		fn, t := "jsonb_array_elements", tJsonb
		if g.chance(1, 2) {
			fn, t = "jsonb_array_elements_text", tText
		}
		doc := g.one(`[1, "two", null, {"k": "buy"}, [3]]`, `[{"k": "view", "n": 3}, {"k": "cart", "n": 1.50}, {"k": null}]`, `[]`, `["eu", "vip", "eu"]`)
		it = gitem{sql: fmt.Sprintf("%s('%s')%s AS %s(v", fn, doc, with, a), rows: 5}
		it.cols = []gcol{{sql: a + ".v", t: t, null: true, small: true}}
	}
	if ord {
		it.sql += ", n)"
		it.cols = append(it.cols, gcol{sql: a + ".n", t: tInt})
		it.order = []string{a + ".n"}
	} else {
		it.sql += ")"
	}
	it.keyed = len(it.order) > 0
	return it
}

// lateral expands an array of l's into rows: unnest or
// jsonb_array_elements over a column, cross or left joined; ok is false
// when l has no array column.
func (g *qgen) lateral(l gitem) (gitem, bool) {
	var arrs []gcol
	for _, c := range l.cols {
		if (c.t == tIArr || c.t == tTArr) && (!c.long || l.rows <= 20) {
			arrs = append(arrs, c)
		}
	}
	if len(arrs) == 0 {
		return gitem{}, false
	}
	c := g.pick(arrs)
	a := g.alias("u")
	et := tInt
	if c.t == tTArr {
		et = tText
	}
	fn := "unnest(" + c.sql + ")"
	if g.chance(1, 4) {
		fn, et = "jsonb_array_elements(to_jsonb("+c.sql+"))", tJsonb
	}
	ord := g.chance(1, 2)
	alias := a + "(v)"
	if ord {
		fn += " WITH ORDINALITY"
		alias = a + "(v, n)"
	}
	join := g.one("CROSS JOIN LATERAL ", ", LATERAL ", "LEFT JOIN LATERAL ")
	sql := l.sql + "\n  " + join + fn + " AS " + alias
	v := gcol{sql: a + ".v", t: et, null: true}
	if strings.HasPrefix(join, "LEFT") {
		// With another condition than true meshql numbers the left rows
		// and pads per row number (a WHERE on the left columns goes
		// below that, see TestFiltersBelowWindow).
		on := " ON true"
		if g.chance(1, 2) {
			on = " ON " + g.pred(append(slices.Clone(l.cols), v), 0)
		}
		sql += on
	}
	rows := l.rows * 3
	if c.long {
		rows = l.rows * 1000
	}
	out := gitem{sql: sql, rows: rows, cols: append(append([]gcol(nil), l.cols...), v)}
	out.order = append(append([]string(nil), l.totalOrder()...), a+".v")
	if ord {
		out.cols = append(out.cols, gcol{sql: a + ".n", t: tInt, null: strings.HasPrefix(join, "LEFT")})
		out.order = append(out.order[:len(out.order)-1], a+".n")
	}
	out.keyed = l.keyed && ord
	return out, true
}

// newTypesIn says whether sc has a column of one of this file's types.
func (g *qgen) newTypesIn(sc []gcol) bool {
	for _, c := range sc {
		if c.t >= tTs {
			return true
		}
	}
	return false
}

// smallInt is an integer expression below 1000 in magnitude, to scale an
// interval by: meshql's intervals hold ±2,562,047 hours below their days
// (README), where an epoch in seconds times an hour overflows.
func (g *qgen) smallInt(sc []gcol, d int) string {
	return "((" + g.expr(sc, tInt, d) + ") % 1000)"
}

// valuesItem is a VALUES list of two to five rows over two columns of the
// fixture's domains (so that joins on them match), NULLs now and then.
func (g *qgen) valuesItem(a string) gitem {
	var cols []gtableCol
	for _, i := range g.r.Perm(len(genTables))[:2] {
		tb := genTables[i]
		c := tb.cols[g.r.IntN(len(tb.cols))]
		if c.t != tInt && c.t != tNum && c.t != tText && c.t != tDate {
			c = tb.cols[0]
		}
		cols = append(cols, c)
	}
	n := 2 + g.r.IntN(4)
	rows := make([]string, n)
	null := make([]bool, len(cols))
	for i := range rows {
		var vals []string
		for j, c := range cols {
			v := lit(g.r, c.t, c.dom)
			if i > 0 && g.chance(1, 6) {
				// Not in the first row: it gives the column its type
				// where the others are NULL.
				v, null[j] = "NULL", true
			}
			vals = append(vals, v)
		}
		rows[i] = "(" + strings.Join(vals, ", ") + ")"
	}
	it := gitem{sql: fmt.Sprintf("(VALUES %s) AS %s(v, w)", strings.Join(rows, ", "), a), rows: n}
	for j, name := range []string{"v", "w"} {
		it.cols = append(it.cols, gcol{sql: a + "." + name, t: cols[j].t, dom: cols[j].dom, null: null[j], small: true})
	}
	return it
}
