package slt

import "fmt"

// This file widens the scalar functions the random queries call beyond
// expr's core set: text functions with edge arguments (negative counts,
// NULL arguments, empty strings), regular expressions, numeric rounding
// to scale 0 and 2, date arithmetic through timestamps and intervals, and
// float math, each typed so that PostgreSQL and meshql print its values
// alike. expr calls it now and then; ok is false when it has nothing for t.

func (g *qgen) moreExpr(sc []gcol, t gtype, d int) (string, bool) {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	if g.chance(1, 4) {
		switch t {
		case tText:
			return g.regexText(sc, d), true
		case tInt:
			return g.regexInt(sc, d), true
		case tTArr:
			return g.regexArr(sc, d), true
		case tBool:
			return g.regexBool(sc, d), true
		}
	}
	switch t {
	case tText:
		switch g.r.IntN(16) {
		case 0:
			return "initcap(" + sub(tText) + ")", true
		case 1:
			return "reverse(" + sub(tText) + ")", true
		case 2:
			return fmt.Sprintf("repeat(%s, %d)", sub(tText), g.r.IntN(4)-1), true
		case 3:
			return "concat(" + sub(tText) + ", " + g.one("NULL", "'-'", "1") + ", " + sub(tInt) + ")", true
		case 4:
			return "concat_ws(" + g.one("'-'", "','", "''") + ", " + sub(tText) + ", NULL, " + sub(tDate) + ")", true
		case 5:
			return "translate(" + sub(tText) + ", " + g.one("'ae'", "'EU'", "'.@'") + ", " + g.one("'AE'", "'x'", "''") + ")", true
		case 6:
			return g.one("btrim", "ltrim", "rtrim") + "(" + sub(tText) + ", " + g.one("'ae'", "'lE '", "'dp'") + ")", true
		case 7:
			return fmt.Sprintf("rpad(%s, %d, %s)", sub(tText), g.r.IntN(10), g.one("'.'", "'ab'", "''")), true
		case 8:
			return "regexp_replace(" + sub(tText) + ", " + g.one("'[aeiou]'", "'(.)e'", "'^(\\w)(\\w*)'", "'e.'") + ", " +
				g.one("'#'", "'<\\1>'", "''") + g.one("", ", 'g'", ", 'i'") + ")", true
		case 9:
			return "COALESCE((regexp_match(" + sub(tText) + ", " + g.one("'([a-z]+)'", "'(\\d+)'", "'([A-Z])([a-z]*)'") + "))[1], '?')", true
		case 10:
			// Never position 0: over a column its error depends on which
			// rows each engine evaluates first (PostgreSQL runs an
			// uncorrelated subquery only when a row needs it).
			return fmt.Sprintf("split_part(%s, %s, %s)", sub(tText), g.one("' '", "'e'", "'.'"), g.one("-2", "-1", "1", "2", "3")), true
		case 11:
			if g.chance(1, 4) {
				// %I of NULL is an error (22004), which over a column depends
				// on the rows each engine evaluates.
				return "format('%I.%L', COALESCE(" + sub(tText) + ", 'x'), " + sub(tInt) + ")", true
			}
			return "format(" + g.one("'%s|%s'", "'[%-6s]%s'", "'%2$s-%1$s'") + ", " + sub(tText) + ", " + sub(tInt) + ")", true
		case 12:
			return "to_char(" + sub(tNum) + ", " + g.one("'FM9990.00'", "'99999.9'", "'S00000.00'", "'FM9,999.99'") + ")", true
		case 13:
			return "to_char(" + sub(tInt) + ", " + g.one("'FM0000'", "'999'", "'FMRN'", "'9th'") + ")", true
		case 14:
			return "to_char((" + sub(tDate) + ")::timestamp + " + g.interval() + ", " +
				g.one("'YYYY-MM-DD HH24:MI'", "'Dy DD Mon'", "'Q/WW/DDD'", "'FMMonth FMDDth'", "'HH12 AM'") + ")", true
		default:
			// Interval output: age, justify_days and the difference of
			// timestamps print in PostgreSQL's style.
			switch g.r.IntN(3) {
			case 0:
				return "age(" + sub(tDate) + ", " + sub(tDate) + ")::text", true
			case 1:
				return "justify_days(" + g.interval() + " * (" + sub(tInt) + "))::text", true
			default:
				return "((" + sub(tDate) + ")::timestamp - (" + sub(tDate) + ")::timestamp + " + g.interval() + ")::text", true
			}
		}
	case tInt:
		switch g.r.IntN(9) {
		case 0:
			return "sign(" + sub(tInt) + ")::int", true
		case 1:
			return fmt.Sprintf("mod(%s, %s)", sub(tInt), g.one("-3", "-1", "2", "3", "7", "10")), true
		case 2:
			return "width_bucket(" + sub(tNum) + ", 0, 2500, " + fmt.Sprint(1+g.r.IntN(10)) + ")", true
		case 3:
			return "char_length(" + sub(tText) + ") + octet_length(" + sub(tText) + ")", true
		case 4:
			return fmt.Sprintf("date_part(%s, %s)::int", g.one("'doy'", "'week'", "'isodow'", "'isoyear'", "'decade'"), sub(tDate)), true
		case 5:
			return "extract(" + g.one("epoch", "hour", "minute") + " FROM (" + sub(tDate) + ")::timestamp + " + g.interval() + ")::bigint", true
		case 6:
			return "position(" + g.one("'e'", "'de'", "''") + " IN " + sub(tText) + ")", true
		case 7:
			return fmt.Sprintf("(%s / %s)", sub(tInt), g.one("-3", "-1", "2", "5", "7")), true
		default:
			return "ascii(" + sub(tText) + ")", true
		}
	case tNum:
		switch g.r.IntN(4) {
		case 0:
			return "trunc(" + sub(tNum) + ", 2)", true
		case 1:
			return fmt.Sprintf("mod(%s, %d.50)", sub(tNum), 1+g.r.IntN(20)), true
		case 2:
			return "round(" + sub(tNum) + " * " + sub(tNum) + " / 100, 2)", true
		default:
			return "round((" + sub(tFloat) + ")::numeric, 2)", true
		}
	case tDec:
		return g.one("ceil", "floor", "round", "trunc", "sign") + "(" + sub(tNum) + ")", true
	case tDate:
		switch g.r.IntN(4) {
		case 0:
			return "(" + sub(tDate) + " + " + g.interval() + " * " + fmt.Sprint(g.r.IntN(5)-2) + ")::date", true
		case 1:
			return "to_date(to_char(" + sub(tDate) + ", 'YYYYMMDD'), 'YYYYMMDD')", true
		case 2:
			return "date_trunc(" + g.one("'month'", "'week'", "'quarter'", "'decade'") + ", (" + sub(tDate) + ")::timestamp + " + g.interval() + ")::date", true
		default:
			return "make_date(extract(year FROM " + sub(tDate) + ")::int, " + fmt.Sprint(1+g.r.IntN(12)) + ", 1)", true
		}
	case tFloat:
		switch g.r.IntN(4) {
		case 0:
			return "power((" + sub(tNum) + ")::float8 / 100, " + g.one("2", "0.5", "-1") + ")", true
		case 1:
			return g.one("ln", "log", "cbrt") + "(abs((" + sub(tInt) + ")::float8) + 1)", true
		case 2:
			return g.one("sin", "cos", "atan", "degrees") + "((" + sub(tInt) + ")::float8 / 7)", true
		default:
			return "(" + sub(tInt) + ")::float8 / NULLIF(" + sub(tInt) + ", 0)", true
		}
	case tBool:
		o, _ := g.operand(sc, tText, d)
		switch g.r.IntN(3) {
		case 0:
			return o + " " + g.one("~", "!~", "~*") + " " + g.one("'^[a-m]'", "'e.$'", "'[0-9]'", "'(a|e)r'"), true
		case 1:
			return o + " SIMILAR TO " + g.one("'%(a|e)%'", "'[A-Z]%'", "'_{2}%'"), true
		default:
			return "starts_with(" + o + ", " + g.one("'de'", "'E'", "''") + ")", true
		}
	}
	return "", false
}

// interval returns an interval constant of mixed units.
func (g *qgen) interval() string {
	return g.one("interval '1 day'", "interval '36 hours'", "interval '1 month 2 days'", "interval '-3 hours 15 minutes'",
		"interval '1 year'", "interval '90 minutes'")
}
