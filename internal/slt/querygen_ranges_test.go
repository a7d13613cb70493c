package slt

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// This file generates the newest types and functions: the six built-in
// range types (constructors over columns, + * - guarded so they cannot
// fail on some rows only, containment, position and adjacency operators,
// lower/upper/isempty, and ranges as GROUP BY, DISTINCT and ORDER BY keys),
// IPv4 inet and cidr (built from integer columns, & | ~ + -, masks,
// network/broadcast/host), regular expressions from a pool of patterns
// that exercise PostgreSQL's ARE rules (non-greedy quantifiers deciding a
// whole match's greediness, alternation, anchors, classes, back
// references, captures) with flags, and ordered-set aggregates.

// rangeElem is the element type of range type t, and the function that
// constructs it.
func rangeElem(t gtype) (gtype, string) {
	switch t {
	case tIRng:
		return tInt, "int4range"
	case tNRng:
		return tNum, "numrange"
	case tDRng:
		return tDate, "daterange"
	case tTsRng:
		return tTs, "tsrange"
	default:
		return tTstz, "tstzrange"
	}
}

var rangeBounds = []string{"'[)'", "'[]'", "'(]'", "'()'"}

func newLit(r *rand.Rand, t gtype) string {
	switch t {
	case tIRng:
		return pick(r, "'[1,5)'", "'[3,3]'", "'empty'", "'(,10]'", "'[-5,)'", "'(0,100)'", "'(,)'") + "::int4range"
	case tNRng:
		return pick(r, "'[1.50,20.00)'", "'empty'", "'(,100.00]'", "'[250.00,)'", "'(0.00,2500.00]'", "'[10.00,10.00]'") + "::numrange"
	case tDRng:
		return pick(r, "'[2024-01-01,2024-04-01)'", "'empty'", "'(,2023-06-30]'", "'[2025-01-01,)'", "'[2022-02-28,2024-02-29]'", "'(2024-03-01,2024-03-02)'") + "::daterange"
	case tTsRng:
		return pick(r, "'[2024-03-31 01:00,2024-03-31 04:00)'", "'empty'", "'(,2024-01-01)'", "'[2024-06-01 12:30:00.5,)'", "'[2023-01-01,2026-01-01]'") + "::tsrange"
	case tTzRng:
		return pick(r, "'[2024-10-27 00:00+00,2024-10-27 04:00+00)'", "'empty'", "'(,2024-01-01 00:00+02)'", "'[2024-06-01 12:30-03:30,)'", "'[2023-01-01,2026-01-01]'") + "::tstzrange"
	default:
		return "inet '" + pick(r, inetLits...) + "'"
	}
}

// inetLits are IPv4 addresses far from both ends of the family, so that
// adding or subtracting an integer below 1000 cannot leave it.
var inetLits = []string{"192.168.1.5/24", "10.0.0.1", "10.1.2.3/8", "172.16.254.3/20", "192.168.0.0/16", "10.20.30.40/32", "10.0.3.255/22", "100.64.0.0/10"}

// inetV6 are addresses of the other family, for comparisons (IPv4 sorts first).
var inetV6 = []string{"inet '::1'", "inet '2001:db8::1/64'", "inet '::ffff:10.0.0.1'"}

// newTypeExpr returns an expression of one of the range types or inet.
func (g *qgen) newTypeExpr(sc []gcol, t gtype, d int) string {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	if t == tInet {
		small := func() string { return "(abs(" + sub(tInt) + ") % " + g.one("256", "1000", "8") + ")" }
		octet := func() string { return "(abs(" + sub(tInt) + ") % " + g.one("256", "8") + ")" }
		switch g.r.IntN(9) {
		case 0, 1:
			return fmt.Sprintf("('10.' || %s || '.' || %s || '.%d/' || (8 + abs(%s) %% 25))::inet", octet(), octet(), g.r.IntN(256), sub(tInt))
		case 2:
			return "(" + sub(tInet) + g.one(" + ", " - ") + small() + ")"
		case 3:
			return fmt.Sprintf("set_masklen(%s, %d)", sub(tInet), g.r.IntN(33))
		case 4:
			return g.one("network", "broadcast") + "(" + sub(tInet) + ")" + g.one("", "::inet")
		case 5:
			return "(" + sub(tInet) + g.one(" & ", " | ") + g.one("inet '255.255.0.0'", "inet '0.0.0.255'", "inet '10.0.0.0/8'") + ")"
		case 6:
			return "(" + sub(tInet) + ")::cidr::inet"
		case 7:
			return "inet_merge(" + sub(tInet) + ", " + sub(tInet) + ")::inet"
		default:
			return "set_masklen(~" + sub(tInet) + ", 32)"
		}
	}
	et, ctor := rangeElem(t)
	elem := func() string {
		if t == tIRng {
			return "(" + sub(tInt) + ")::int"
		}
		return sub(et)
	}
	switch g.r.IntN(9) {
	case 0, 1:
		a, b := elem(), elem()
		return fmt.Sprintf("%s(LEAST(%s, %s), GREATEST(%s, %s)%s)", ctor, a, b, a, b, g.one("", ", "+g.one(rangeBounds...)))
	case 2:
		// One side unbounded (NULL).
		if g.chance(1, 2) {
			return fmt.Sprintf("%s(%s, NULL%s)", ctor, elem(), g.one("", ", '(]'", ", '[]'"))
		}
		return fmt.Sprintf("%s(NULL, %s%s)", ctor, elem(), g.one("", ", '(]'", ", '()'"))
	case 3:
		// From an element to a step above it.
		e := elem()
		// Steps up only: a lower bound above the upper one is 22000,
		// which PostgreSQL never raises for a column it prunes unread.
		iv := g.one("interval '1 day'", "interval '36 hours'", "interval '1 month 2 days'", "interval '90 minutes'", "interval '1 year'")
		step := map[gtype]string{tInt: fmt.Sprint(g.r.IntN(20)), tNum: numLit(g.r, ""), tDate: fmt.Sprint(g.r.IntN(90)),
			tTs: iv, tTstz: iv}[et]
		return fmt.Sprintf("%s(%s, %s + %s%s)", ctor, e, e, step, g.one("", ", "+g.one(rangeBounds...)))
	case 4:
		return "(" + sub(t) + " * " + sub(t) + ")"
	case 5:
		// A union is 22000 unless the ranges overlap or touch (or one is
		// empty): guarded, so no row fails on one engine only.
		a, b := sub(t), sub(t)
		return fmt.Sprintf("CASE WHEN %s && %s OR %s -|- %s OR isempty(%s) OR isempty(%s) THEN %s + %s ELSE range_merge(%s, %s) END", a, b, a, b, a, b, a, b, a, b)
	case 6:
		// A difference is 22000 when b splits a: not when a does not
		// extend past b on one side.
		a, b := sub(t), sub(t)
		return fmt.Sprintf("CASE WHEN %s %s %s THEN %s - %s ELSE %s END", a, g.one("&<", "&>"), b, a, b, a)
	case 7:
		// Subtracting a range unbounded on one side never splits.
		if g.chance(1, 2) {
			return "(" + sub(t) + " - " + ctor + "(" + elem() + ", NULL))"
		}
		return "(" + sub(t) + " - " + ctor + "(NULL, " + elem() + "))"
	default:
		return "range_merge(" + sub(t) + ", " + sub(t) + ")"
	}
}

// newCrossExpr returns an expression of one of the older types computed
// from ranges or inet, or ok false.
func (g *qgen) newCrossExpr(sc []gcol, t gtype, d int) (string, bool) {
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	rt := []gtype{tIRng, tNRng, tDRng, tTsRng, tTzRng}[g.r.IntN(5)]
	if cs := append(append(append(append(ofType(sc, tIRng), ofType(sc, tNRng)...), ofType(sc, tDRng)...), ofType(sc, tTsRng)...), ofType(sc, tTzRng)...); len(cs) > 0 && g.chance(2, 3) {
		rt = g.pick(cs).t
	}
	et, _ := rangeElem(rt)
	elem := func() string {
		if rt == tIRng {
			return "(" + sub(tInt) + ")::int"
		}
		return sub(et)
	}
	switch t {
	case tBool:
		if g.chance(1, 3) {
			a, b := sub(tInet), sub(tInet)
			switch g.r.IntN(4) {
			case 0:
				return a + " " + g.one("<<", "<<=", ">>", ">>=", "&&") + " " + b, true
			case 1:
				return a + " " + g.one(cmpOps...) + " " + g.one(append(inetV6, b)...), true
			case 2:
				return "network(" + a + ") " + g.one(">>=", ">>", "=") + " " + b, true
			default:
				return "inet_same_family(" + a + ", " + g.one(append(inetV6, b)...) + ")", true
			}
		}
		switch g.r.IntN(6) {
		case 0:
			return sub(rt) + " @> " + elem(), true
		case 1:
			return elem() + " <@ " + sub(rt), true
		case 2:
			return sub(rt) + " " + g.one("@>", "<@", "&&", "<<", ">>", "&<", "&>", "-|-") + " " + sub(rt), true
		case 3:
			return sub(rt) + " " + g.one(cmpOps...) + " " + sub(rt), true
		case 4:
			return g.one("isempty", "lower_inc", "upper_inc", "lower_inf", "upper_inf") + "(" + sub(rt) + ")", true
		default:
			// int8range: a bigint element (tInt may be a bigint).
			a, b := sub(tInt), sub(tInt)
			return fmt.Sprintf("int8range(LEAST(%s, %s), GREATEST(%s, %s)%s) @> (%s)::bigint", a, b, a, b, g.one("", ", '[]'"), sub(tInt)), true
		}
	case tInt:
		switch g.r.IntN(5) {
		case 0:
			return g.one("lower", "upper") + "(" + sub(tIRng) + ")", true
		case 1:
			return "(upper(" + sub(tDRng) + ") - lower(" + sub(tDRng) + "))", true
		case 2:
			return g.one("masklen", "family") + "(" + sub(tInet) + ")", true
		case 3:
			// A difference of addresses is a bigint, far past an int's
			// range (which tInt must fit: it is cast to int).
			return "((" + sub(tInet) + " - " + sub(tInet) + ") % 100000)", true
		default:
			return g.regexInt(sc, d), true
		}
	case tNum:
		return g.one("lower", "upper") + "(" + sub(tNRng) + ")", true
	case tDate:
		return g.one("lower", "upper") + "(" + sub(tDRng) + ")", true
	case tTs:
		return g.one("lower", "upper") + "(" + sub(tTsRng) + ")", true
	case tTstz:
		return g.one("lower", "upper") + "(" + sub(tTzRng) + ")", true
	case tText:
		switch g.r.IntN(4) {
		case 0:
			return "(" + sub(rt) + ")::text", true
		case 1:
			return g.one("host", "abbrev", "text") + "(" + sub(tInet) + ")", true
		case 2:
			return "(" + g.one("network", "broadcast") + "(" + sub(tInet) + "))::text", true
		default:
			return "abbrev((" + sub(tInet) + ")::cidr)", true
		}
	}
	return "", false
}

// newAggregate returns an aggregate of a range type or inet.
func (g *qgen) newAggregate(sc []gcol, t gtype, f string) string {
	e := g.expr(sc, t, 1)
	if t == tInet {
		return g.one("min", "max") + "(" + e + ")" + f
	}
	if g.chance(1, 2) {
		return "range_intersect_agg(" + e + ")" + f
	}
	// The smallest or largest range: ranges have no min or max.
	return "(array_agg(" + e + " ORDER BY " + e + g.one("", " DESC") + " NULLS LAST)" + f + ")[1]"
}

// rePatterns are regular expressions over the fixture's texts (names,
// e-mails, statuses, product names, dates as text). Each exercises a rule
// of PostgreSQL's ARE engine: a whole match's greediness is its first
// quantifier's, alternation takes the longest, classes,
// word boundaries (\m \M \y), non-capturing groups, and embedded options.
var rePatterns = []string{
	`(a|e)+?`, `e.*?d`, `^[A-Z][a-z]+`, `(\w+)@(\w+)`, `[[:digit:]]+`, `\m\w`, `\w\M`, `a{1,2}`,
	`(.)(.)?$`, `[^ ]+$`, `(.*?)(e+)(.*)`, `(\d+)(?:\.(\d+))?`, `(?:e|o)(\w)`, `er|ed|es$`, `\s(\w)`,
	`^(\w)(\w*?)(\w)$`, `[a-c]*`, `(a|ab)(c|bcd)?`, `\y\w{4}\y`, `o.?e`, `.{3}`, `[A-Z]{2,}`, `(e)|(o)`,
	`(?i)EU|DE`, `[[:upper:]][[:lower:]]*`, `(\w+?)(\w*)`, `(l+)`, `\.[a-z]{2,3}$`, `(x|y)?z?`, `[^aeiou\s]{3,}`,
}

// reFlags are flags for the regexp_* functions (g only where allowed).
var reFlags = []string{"", "", "i", "c", "n", "x"}

var reReplacements = []string{"'#'", `'<\1>'`, `'\&\&'`, "''", `'[\2]'`, `'\\'`}

var similarPatterns = []string{"'%(a|e)%'", "'[A-Z]%'", "'_{2}%'", "'%[0-9]+'", "'(de|pl)%'", "'%@%.com'", "'%(ed|ng)'", "'[a-z]*'", "'%(s|t){2}%'", "'L%|N%'"}

func (g *qgen) rePat() string { return "'" + g.one(rePatterns...) + "'" }

// regexText returns a text expression made by a regular expression.
func (g *qgen) regexText(sc []gcol, d int) string {
	s, _ := g.operand(sc, tText, d)
	n := g.r.IntN(6)
	if n == 5 && g.subqDepth <= 0 {
		// No subquery where none may nest: over a grouped query's
		// aggregates regexp_matches(max(...)) in a subquery's FROM is
		// 42803 (seed 19001's query 1093).
		n = 0
	}
	switch n {
	case 0, 1:
		fl := g.one(append(reFlags, "g", "gi")...)
		if fl != "" {
			fl = ", '" + fl + "'"
		}
		return "regexp_replace(" + s + ", " + g.rePat() + ", " + g.one(reReplacements...) + fl + ")"
	case 2:
		return fmt.Sprintf("(regexp_match(%s, %s%s))[%d]", s, g.rePat(), g.reFlag(), 1+g.r.IntN(2))
	case 3:
		return "substring(" + s + " FROM " + g.rePat() + ")"
	case 4:
		return "substring(" + s + " SIMILAR " + g.one("'%#\"[a-z]+#\"%'", "'#\"_#\"%'", "'%#\"(ed|er)#\"'") + " ESCAPE '#')"
	default:
		// Every match, with its groups, in order.
		return "(SELECT string_agg(array_to_string(m.v, '/', '-'), ',' ORDER BY m.n) FROM regexp_matches(" + s + ", " +
			g.rePat() + ", '" + g.one("g", "gi", "") + "') WITH ORDINALITY AS m(v, n))"
	}
}

func (g *qgen) reFlag() string {
	if fl := g.one(reFlags...); fl != "" {
		return ", '" + fl + "'"
	}
	return ""
}

// regexInt counts or locates matches.
func (g *qgen) regexInt(sc []gcol, d int) string {
	s, _ := g.operand(sc, tText, d)
	if g.chance(1, 2) {
		return "regexp_count(" + s + ", " + g.rePat() + g.one("", ", 2") + ")"
	}
	return "regexp_instr(" + s + ", " + g.rePat() + g.one("", ", 1, 2", ", 1, 1, 1") + ")"
}

// regexBool is a match predicate.
func (g *qgen) regexBool(sc []gcol, d int) string {
	s, _ := g.operand(sc, tText, d)
	switch g.r.IntN(4) {
	case 0, 1:
		return s + " " + g.one("~", "~*", "!~", "!~*") + " " + g.rePat()
	case 2:
		return s + g.one(" ", " NOT ") + "SIMILAR TO " + g.one(similarPatterns...)
	default:
		return "regexp_like(" + s + ", " + g.rePat() + g.reFlag() + ")"
	}
}

// regexArr is regexp_match's array of captures.
func (g *qgen) regexArr(sc []gcol, d int) string {
	s, _ := g.operand(sc, tText, d)
	return "regexp_match(" + s + ", " + g.rePat() + g.reFlag() + ")"
}

// orderedSet returns an ordered-set aggregate of type t, or ok false.
func (g *qgen) orderedSet(sc []gcol, t gtype, f string) (string, bool) {
	frac := g.one("0", "0.25", "0.5", "0.9", "1", "0.333")
	dir := g.one("", " DESC")
	switch t {
	case tFloat:
		return "percentile_cont(" + frac + ") WITHIN GROUP (ORDER BY " + g.expr(sc, g.one2(tNum, tInt), 1) + dir + ")" + f, true
	case tIval:
		return "percentile_cont(" + frac + ") WITHIN GROUP (ORDER BY " + g.expr(sc, tIval, 1) + dir + ")" + f, true
	case tIArr:
		return "percentile_disc(ARRAY[" + frac + ", " + g.one("0.5", "0.1", "1") + "]) WITHIN GROUP (ORDER BY (" + g.expr(sc, tInt, 1) + ")::int" + dir + ")" + f, true
	case tInt, tNum, tText, tDate, tTs, tTstz, tInet:
		e := g.expr(sc, t, 1)
		if g.chance(1, 2) {
			return "mode() WITHIN GROUP (ORDER BY " + e + dir + ")" + f, true
		}
		return "percentile_disc(" + frac + ") WITHIN GROUP (ORDER BY " + e + dir + ")" + f, true
	}
	return "", false
}

// wfilter is a window aggregate's FILTER clause, sometimes.
func (g *qgen) wfilter(sc []gcol) string {
	if !g.chance(1, 5) || g.overGroups {
		return ""
	}
	saved := g.subqDepth
	g.subqDepth = 0
	defer func() { g.subqDepth = saved }()
	return " FILTER (WHERE " + g.pred(sc, 1) + ")"
}

// groupingSets returns a GROUP BY clause with grouping sets over keys.
func (g *qgen) groupingSets(ks []string) string {
	list := strings.Join(ks, ", ")
	switch n := g.r.IntN(7); {
	case n == 0:
		return " GROUP BY ROLLUP (" + list + ")"
	case n == 1:
		return " GROUP BY CUBE (" + list + ")"
	case n == 2 || len(ks) < 2:
		return " GROUP BY GROUPING SETS ((" + list + "), (" + ks[0] + "), ())"
	case n == 3:
		return " GROUP BY " + ks[0] + ", ROLLUP (" + strings.Join(ks[1:], ", ") + ")"
	case n == 4:
		return " GROUP BY GROUPING SETS (" + strings.Join(ks, ", ") + ")"
	case n == 5:
		return " GROUP BY ROLLUP ((" + ks[0] + ", " + ks[1] + ")" + strings.Join(append([]string{""}, ks[2:]...), ", ") + ")"
	default:
		return " GROUP BY CUBE (" + ks[0] + "), GROUPING SETS ((" + strings.Join(ks[1:], ", ") + "), ())"
	}
}
