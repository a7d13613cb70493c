package slt

import (
	"fmt"
	"strconv"
	"strings"
)

// This file generates scalar expressions, predicates, aggregates, window
// functions and subqueries over a scope of columns. Every generator is
// typed: expr(sc, t, d) returns an expression of type t, so a query built
// from them is valid by construction (a query PostgreSQL rejects is a
// generator bug and fails the test).

func ofType(sc []gcol, t gtype) []gcol {
	var out []gcol
	for _, c := range sc {
		if c.t == t {
			out = append(out, c)
		}
	}
	return out
}

func (g *qgen) pick(cs []gcol) gcol { return cs[g.r.IntN(len(cs))] }

func (g *qgen) one(opts ...string) string { return opts[g.r.IntN(len(opts))] }

// chance is true with probability n/d.
func (g *qgen) chance(n, d int) bool { return g.r.IntN(d) < n }

// operand returns an expression of type t and its value domain: a column
// most of the time, so that constants compared with it come from its range.
func (g *qgen) operand(sc []gcol, t gtype, d int) (string, string) {
	if cs := ofType(sc, t); len(cs) > 0 && (d <= 0 || g.chance(6, 10)) {
		c := g.pick(cs)
		return c.sql, c.dom
	}
	return g.expr(sc, t, d), ""
}

// expr returns an expression of type t over sc nested at most d levels.
func (g *qgen) expr(sc []gcol, t gtype, d int) string {
	cs := ofType(sc, t)
	if d <= 0 || g.chance(4, 10) {
		if len(cs) > 0 && g.chance(9, 10) {
			return g.pick(cs).sql
		}
		if t == tBool {
			return g.pred(sc, 0)
		}
		if t == tFloat || t == tDec {
			return g.expr(sc, t, 1)
		}
		if t == tText {
			// Typed: a bare string literal is of unknown type, which
			// PostgreSQL cannot resolve as lag's or nth_value's argument.
			return lit(g.r, t, "") + "::text"
		}
		return lit(g.r, t, "")
	}
	d--
	if g.chance(1, 10) {
		if s, ok := g.edgeExpr(sc, t, d); ok {
			return s
		}
	}
	if g.chance(1, 5) {
		if s, ok := g.moreExpr(sc, t, d); ok {
			return s
		}
	}
	if g.chance(1, 12) {
		if s, ok := g.clauseExpr(sc, t, d); ok {
			return s
		}
	}
	if g.chance(1, 8) || t == tFloat && g.chance(1, 2) {
		if s, ok := g.widerExpr(sc, t, d); ok {
			return s
		}
	}
	if g.chance(1, 15) {
		if s, ok := g.shapeExpr(sc, t, d); ok {
			return s
		}
	}
	if g.chance(1, 12) || g.newTypesIn(sc) && g.chance(1, 6) {
		if s, ok := g.newCrossExpr(sc, t, d); ok {
			return s
		}
	}
	if g.chance(1, 8) || g.newTypesIn(sc) && g.chance(1, 4) {
		if s, ok := g.crossExpr(sc, t, d); ok {
			return s
		}
	}
	sub := func(t gtype) string { return g.expr(sc, t, d) }
	switch g.r.IntN(12) {
	case 0:
		return "CASE WHEN " + g.pred(sc, d) + " THEN " + sub(t) + " ELSE " + sub(t) + " END"
	case 1:
		if t != tBool {
			return "COALESCE(" + sub(t) + ", " + lit(g.r, t, "") + ")"
		}
	case 2:
		if t != tBool && t != tFloat {
			o, dom := g.operand(sc, t, d)
			return "NULLIF(" + o + ", " + lit(g.r, t, dom) + ")"
		}
	case 3:
		if t.orderable() && t != tFloat {
			return g.one("GREATEST", "LEAST") + "(" + sub(t) + ", " + sub(t) + ")"
		}
	case 4:
		if t != tBool {
			return "CASE " + g.expr(sc, tText, d) + " WHEN " + lit(g.r, tText, "status") + " THEN " + sub(t) +
				" WHEN " + lit(g.r, tText, "region") + " THEN " + sub(t) + " END"
		}
	}
	switch t {
	case tInt:
		switch g.r.IntN(10) {
		case 0:
			return "(" + sub(tInt) + " + " + sub(tInt) + ")"
		case 1:
			return "(" + sub(tInt) + " - " + sub(tInt) + ")"
		case 2:
			return fmt.Sprintf("(%s * %d)", sub(tInt), 1+g.r.IntN(3))
		case 3:
			return fmt.Sprintf("(%s %s %d)", sub(tInt), g.one("%", "/"), 2+g.r.IntN(6))
		case 4:
			return "length(" + sub(tText) + ")"
		case 5:
			return fmt.Sprintf("extract(%s FROM %s)::int", g.one("year", "month", "day", "dow", "quarter"), sub(tDate))
		case 6:
			return "(" + sub(tDate) + " - " + sub(tDate) + ")"
		case 7:
			return "abs(" + sub(tInt) + ")"
		case 8:
			return "strpos(" + sub(tText) + ", " + g.one("'a'", "'e'", "'@'", "'_'") + ")"
		default:
			return "(" + sub(tNum) + ")::int"
		}
	case tNum:
		switch g.r.IntN(9) {
		case 0:
			return "(" + sub(tNum) + " + " + sub(tNum) + ")"
		case 1:
			return "(" + sub(tNum) + " - " + sub(tNum) + ")"
		case 2:
			return "(" + sub(tNum) + fmt.Sprintf(" * %d)", 1+g.r.IntN(4))
		case 3:
			return fmt.Sprintf("round(%s / %d, 2)", sub(tNum), 2+g.r.IntN(7))
		case 4:
			return "round(" + sub(tNum) + " * 1.15, 2)"
		case 5:
			return "abs(" + sub(tNum) + ")"
		case 6:
			return "(" + sub(tInt) + ")::numeric(12,2)"
		case 7:
			return "(" + sub(tNum) + " * " + sub(tInt) + ")"
		default:
			return "(-" + sub(tNum) + ")"
		}
	case tDec:
		return "(" + sub(tInt) + ")::numeric"
	case tText:
		switch g.r.IntN(12) {
		case 0:
			return "upper(" + sub(tText) + ")"
		case 1:
			return "lower(" + sub(tText) + ")"
		case 2:
			return "(" + sub(tText) + " || " + g.one("'-'", "' '", "''") + " || " + sub(tText) + ")"
		case 3:
			return fmt.Sprintf("substr(%s, %d, %d)", sub(tText), 1+g.r.IntN(3), g.r.IntN(5))
		case 4:
			return fmt.Sprintf("%s(%s, %d)", g.one("left", "right"), sub(tText), g.r.IntN(7)-2)
		case 5:
			return "replace(" + sub(tText) + ", " + g.one("'a'", "'e'", "'EU'") + ", " + g.one("'o'", "''", "'XY'") + ")"
		case 6:
			return "(" + sub(tInt) + ")::text"
		case 7:
			return "to_char(" + sub(tDate) + ", " + g.one("'YYYY-MM'", "'YYYY-MM-DD'", "'Mon YYYY'", "'IYYY-IW'", "'DD/MM'") + ")"
		case 8:
			return "split_part(" + sub(tText) + ", " + g.one("'@'", "'.'", "' '", "'_'") + fmt.Sprintf(", %d)", 1+g.r.IntN(2))
		case 9:
			return fmt.Sprintf("lpad(%s, %d, '*')", sub(tText), g.r.IntN(12))
		case 10:
			return "(" + sub(tText) + " || " + sub(tInt) + ")"
		default:
			return "trim(" + sub(tText) + ")"
		}
	case tDate:
		switch g.r.IntN(5) {
		case 0:
			return fmt.Sprintf("(%s + %d)", sub(tDate), g.r.IntN(400))
		case 1:
			return fmt.Sprintf("(%s - %d)", sub(tDate), g.r.IntN(400))
		case 2:
			return "date_trunc(" + g.one("'month'", "'year'", "'week'", "'quarter'") + ", " + sub(tDate) + ")::date"
		case 3:
			return "(" + sub(tDate) + " + interval '1 month')::date"
		default:
			return fmt.Sprintf("make_date(%d, %d, %d)", 2022+g.r.IntN(4), 1+g.r.IntN(12), 1+g.r.IntN(28))
		}
	case tFloat:
		switch g.r.IntN(3) {
		case 0:
			return "(" + sub(tNum) + ")::float8"
		case 1:
			return fmt.Sprintf("(%s)::float8 / %d", sub(tInt), 3+g.r.IntN(5))
		default:
			return "sqrt(abs((" + sub(tNum) + ")::float8))"
		}
	case tBool:
		return g.pred(sc, d)
	case tTs, tTstz, tIval, tIArr, tTArr, tJsonb:
		return g.typedExpr(sc, t, d)
	case tIRng, tNRng, tDRng, tTsRng, tTzRng, tInet:
		return g.newTypeExpr(sc, t, d)
	}
	return g.expr(sc, t, d)
}

// litLess says whether constant a sorts before b (both of type t).
func litLess(a, b string, t gtype) bool {
	if t == tInt || t == tNum {
		x, _ := strconv.ParseFloat(a, 64)
		y, _ := strconv.ParseFloat(b, 64)
		return x < y
	}
	return a < b
}

func nullable(sc []gcol) []gcol {
	var out []gcol
	for _, c := range sc {
		if c.null {
			out = append(out, c)
		}
	}
	return out
}

var cmpOps = []string{"=", "<>", "<", "<=", ">", ">="}

// pred returns a boolean expression over sc, nested at most d levels.
func (g *qgen) pred(sc []gcol, d int) string {
	if d > 0 && g.chance(4, 10) {
		switch g.r.IntN(5) {
		case 0:
			return "NOT (" + g.pred(sc, d-1) + ")"
		case 1, 2:
			return "(" + g.pred(sc, d-1) + " AND " + g.pred(sc, d-1) + ")"
		default:
			return "(" + g.pred(sc, d-1) + " OR " + g.pred(sc, d-1) + ")"
		}
	}
	if d > 0 && g.subqDepth > 0 && g.chance(1, 5) {
		if g.chance(1, 4) {
			return g.aggSubPred(sc)
		}
		return g.subPred(sc)
	}
	return g.atom(sc, max(d-1, 0))
}

// scalarTypes are the types a comparison picks its operands from.
var scalarTypes = []gtype{tInt, tInt, tNum, tText, tText, tDate, tTs, tTstz, tIval}

// atom returns a comparison, mostly of a column of sc: one of constants
// only is as often false as true, and a WHERE that is false leaves the
// query with no rows to compare.
func (g *qgen) atom(sc []gcol, d int) string {
	s := g.atom1(sc, d)
	for try := 0; try < 3 && len(sc) > 0 && !mentionsAny(s, sc) && !g.chance(1, 6); try++ {
		s = g.atom1(sc, d)
	}
	return s
}

func mentionsAny(s string, sc []gcol) bool {
	for _, c := range sc {
		if strings.Contains(s, c.sql) {
			return true
		}
	}
	return false
}

func (g *qgen) atom1(sc []gcol, d int) string {
	if g.chance(1, 12) {
		// LIKE with escapes, OVERLAPS, jsonb keys.
		s, _ := g.clauseExpr(sc, tBool, d)
		return s
	}
	if g.chance(1, 10) || g.newTypesIn(sc) && g.chance(1, 6) {
		// Ranges, inet and regular expressions.
		if g.chance(1, 3) {
			return g.regexBool(sc, d)
		}
		s, _ := g.newCrossExpr(sc, tBool, d)
		return s
	}
	if g.chance(1, 8) || g.newTypesIn(sc) && g.chance(1, 5) {
		// ANY over arrays, @> && ? and comparisons of timestamps, intervals,
		// arrays and jsonb.
		s, _ := g.crossExpr(sc, tBool, d)
		return s
	}
	t := scalarTypes[g.r.IntN(len(scalarTypes))]
	if len(ofType(sc, t)) == 0 && !g.chance(1, 8) {
		// Comparisons of constants only are as often false as true, and
		// WHERE clauses of them leave too many results empty: compare a
		// column instead.
		var have []gtype
		for _, st := range scalarTypes {
			if len(ofType(sc, st)) > 0 {
				have = append(have, st)
			}
		}
		if len(have) > 0 {
			t = have[g.r.IntN(len(have))]
		}
	}
	o, dom := g.operand(sc, t, d)
	not := ""
	if g.chance(1, 3) {
		not = "NOT "
	}
	switch g.r.IntN(12) {
	case 0, 1, 2:
		if g.chance(1, 12) {
			return o + " " + g.one(cmpOps...) + " " + nullOf(t)
		}
		return o + " " + g.cmpOp(dom) + " " + lit(g.r, t, dom)
	case 3, 4:
		o2, dom2 := g.operand(sc, t, d)
		if dom != "" && dom != dom2 {
			// Columns of different domains (a name and a title) are
			// almost never equal: compare within the domain when possible.
			for _, c := range ofType(sc, t) {
				if c.dom == dom && c.sql != o && g.chance(2, 3) {
					o2, dom2 = c.sql, c.dom
				}
			}
		}
		if o2 == o && !g.chance(1, 6) {
			// x < x is never true.
			return o + " " + g.cmpOp(dom) + " " + lit(g.r, t, dom)
		}
		if dom != dom2 || dom == "" {
			return o + " " + g.one("<>", "<", "<=", ">", ">=", "IS DISTINCT FROM") + " " + o2
		}
		return o + " " + g.one(append(cmpOps, "IS DISTINCT FROM", "IS NOT DISTINCT FROM")...) + " " + o2
	case 5:
		if ndv(dom) >= 50 && not == "" && g.chance(2, 3) {
			// A handful of values out of thousands: rarely any row.
			not = "NOT "
		}
		if g.subqDepth > 0 && g.chance(1, 4) {
			// A subquery to both engines.
			return g.inValues(o, t, dom, not)
		}
		n := 1 + g.r.IntN(4)
		vals := make([]string, n)
		for i := range vals {
			vals[i] = lit(g.r, t, dom)
			if g.chance(1, 8) {
				vals[i] = "NULL"
			}
		}
		return o + " " + not + "IN (" + strings.Join(vals, ", ") + ")"
	case 6:
		sym := ""
		if g.chance(1, 4) {
			sym = "SYMMETRIC "
		}
		lo, hi := lit(g.r, t, dom), lit(g.r, t, dom)
		if litLess(hi, lo, t) && (sym != "" || !g.chance(1, 8)) {
			lo, hi = hi, lo
		}
		return o + " " + not + "BETWEEN " + sym + lo + " AND " + hi
	case 7, 8:
		if t == tText {
			return o + " " + not + g.one("LIKE", "ILIKE") + " '" + g.one(likePatterns...) + "'"
		}
		return o + " " + g.cmpOp(dom) + " " + lit(g.r, t, dom)
	case 9:
		if nulls := nullable(sc); len(nulls) > 0 && g.chance(2, 3) {
			o = g.pick(nulls).sql
		} else if !g.chance(1, 4) {
			// Rarely NULL: IS NULL would keep no row.
			not = "NOT "
		}
		return o + " IS " + not + "NULL"
	case 10:
		return "(" + o + " " + g.cmpOp(dom) + " " + lit(g.r, t, dom) + ") IS " + not + g.one("TRUE", "FALSE", "TRUE", "FALSE", "UNKNOWN")
	default:
		if g.chance(1, 3) {
			return g.one("true", "false", "NULL::boolean")
		}
		return o + " = " + o
	}
}

// cmpOp returns a comparison operator for a value of domain dom and a
// constant: equality only now and then when the domain has many values,
// since an equality with one of thousands of values leaves a restricted
// table or a join of them with no row.
func (g *qgen) cmpOp(dom string) string {
	if ndv(dom) >= 50 && !g.chance(1, 8) {
		return g.one(cmpOps[1:]...)
	}
	return g.one(cmpOps...)
}

// aggregate returns an aggregate expression of type t over sc, sometimes
// with a FILTER clause.
func (g *qgen) aggregate(sc []gcol, t gtype) string {
	f := ""
	if !g.overGroups && g.chance(1, 6) {
		// No subqueries: PostgreSQL runs a correlated one once per input
		// row of the aggregate, which over a join takes minutes.
		saved := g.subqDepth
		g.subqDepth = 0
		f = " FILTER (WHERE " + g.pred(sc, 1) + ")"
		g.subqDepth = saved
	}
	distinct := ""
	if g.chance(1, 5) {
		distinct = "DISTINCT "
	}
	ordT := []gtype{tInt, tNum, tText, tDate}[g.r.IntN(4)]
	if g.chance(1, 6) {
		if s, ok := g.condAggregate(sc, t, f); ok {
			return s
		}
	}
	if g.chance(1, 10) {
		if s, ok := g.moreAggregate(sc, t, f); ok {
			return s
		}
	}
	if g.chance(1, 12) {
		if s, ok := g.edgeAggregate(sc, t, f); ok {
			return s
		}
	}
	if g.chance(1, 8) {
		if s, ok := g.orderedSet(sc, t, f); ok {
			return s
		}
	}
	if t >= tIRng && t < numTypes {
		return g.newAggregate(sc, t, f)
	}
	if s, ok := g.typedAggregate(sc, t, distinct, f); ok {
		return s
	}
	switch t {
	case tInt:
		switch g.r.IntN(6) {
		case 0, 1:
			if r := g.rangeOf(sc); r != "" && g.chance(1, 3) {
				// A whole row: NULL on the rows an outer join added.
				return "count(" + distinct + r + ".*)" + f
			}
			return "count(*)" + f
		case 2:
			return "count(" + distinct + g.expr(sc, ordT, 1) + ")" + f
		case 3:
			return g.one("min", "max") + "(" + g.expr(sc, tInt, 1) + ")" + f
		case 4:
			return "(count(*)" + f + " - count(" + g.expr(sc, ordT, 1) + ")" + f + ")"
		default:
			return "count(DISTINCT " + g.expr(sc, ordT, 1) + ")" + f
		}
	case tDec:
		return "sum(" + distinct + g.expr(sc, tInt, 1) + ")" + f
	case tNum:
		switch g.r.IntN(5) {
		case 0, 1:
			return "sum(" + distinct + g.expr(sc, tNum, 1) + ")" + f
		case 2:
			return g.one("min", "max") + "(" + g.expr(sc, tNum, 1) + ")" + f
		case 3:
			return "round(avg(" + distinct + g.expr(sc, g.one2(tNum, tInt), 1) + ")" + f + ", 2)"
		default:
			return "COALESCE(sum(" + g.expr(sc, tNum, 1) + ")" + f + ", 0.00)"
		}
	case tFloat:
		return g.one("avg", "stddev_samp", "stddev_pop", "var_samp") + "(" + distinct +
			g.expr(sc, g.one2(tNum, tInt), 1) + ")" + f + "::float8"
	case tText:
		if g.chance(1, 3) {
			return g.one("min", "max") + "(" + g.expr(sc, tText, 1) + ")" + f
		}
		e := g.expr(sc, tText, 1)
		dir := g.one("", " DESC")
		if distinct != "" || g.inDerived {
			return "string_agg(DISTINCT " + e + ", ',' ORDER BY " + e + dir + ")" + f
		}
		// Ordered by another key first, then by the value itself: rows
		// tied on both give equal strings, so the result is deterministic.
		if g.chance(1, 2) {
			return "string_agg(" + e + ", '|' ORDER BY " + g.expr(sc, ordT, 0) + dir + ", " + e + ")" + f
		}
		return "string_agg(" + e + ", ';' ORDER BY " + e + dir + ")" + f
	case tDate:
		return g.one("min", "max") + "(" + g.expr(sc, tDate, 1) + ")" + f
	case tBool:
		// No subqueries, as in FILTER: PostgreSQL runs a correlated one
		// per input row (seed 4's queries 24 and 94 took minutes).
		saved := g.subqDepth
		g.subqDepth = 0
		defer func() { g.subqDepth = saved }()
		return g.one("bool_and", "bool_or", "every") + "(" + g.pred(sc, 1) + ")" + f
	}
	return "count(*)" + f
}

// rangeOf returns the name of a range one of sc's columns is read from
// (`o1` of `o1.status`), or "" if none is qualified.
func (g *qgen) rangeOf(sc []gcol) string {
	var names []string
	for _, c := range sc {
		if r, col, ok := strings.Cut(c.sql, "."); ok && isIdent(r) && isIdent(col) {
			names = append(names, r)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return names[g.r.IntN(len(names))]
}

func isIdent(s string) bool {
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

func (g *qgen) one2(a, b gtype) gtype {
	if g.chance(1, 2) {
		return a
	}
	return b
}

// windowTypes are the types window() can produce.
var windowTypes = map[gtype]bool{tInt: true, tNum: true, tDec: true, tText: true, tDate: true, tFloat: true, tTs: true, tTstz: true, tIval: true,
	tIRng: true, tNRng: true, tDRng: true, tTsRng: true, tTzRng: true, tInet: true}

// extremum is min or max over t, or for a range type (which has neither)
// range_intersect_agg, the smallest range of a frame.
func (g *qgen) extremum(t gtype) string {
	if t >= tIRng && t <= tTzRng {
		return "range_intersect_agg"
	}
	return g.one("min", "max")
}

// window returns a window function call of type t over sc. total lists
// expressions that order the rows totally (a unique key): functions whose
// value depends on the order among peers get it appended. With total nil
// only functions that give peers the same value are used.
func (g *qgen) window(sc []gcol, total []string, t gtype) string {
	part := ""
	if g.chance(2, 3) {
		var ks []string
		for range 1 + g.r.IntN(2) {
			ks = append(ks, g.groupKey(sc).sql)
		}
		part = "PARTITION BY " + strings.Join(ks, ", ") + " "
	}
	ordT := []gtype{tInt, tNum, tText, tDate}[g.r.IntN(4)]
	oexpr, _ := g.operand(sc, ordT, 1)
	dir := g.one("", " DESC", " DESC NULLS LAST", " NULLS FIRST")
	partial := "ORDER BY " + oexpr + dir
	full := partial + ", " + strings.Join(total, ", ")
	if g.chance(1, 4) {
		full = "ORDER BY " + strings.Join(total, ", ")
	}
	// A frame for aggregates: peers-based frames are deterministic with a
	// partial order, ROWS frames need the total one.
	frame := func() (string, string) {
		if g.chance(1, 5) {
			if o, f, ok := g.moreFrame(sc, full, partial, total != nil); ok {
				return o, f
			}
		}
		n := g.r.IntN(8)
		if total == nil {
			n = 3 + g.r.IntN(5)
		}
		if g.bigFrom && (n == 2 || n == 3) {
			// A frame from the current row to the end restarts min and
			// max at every row in PostgreSQL: quadratic over a whole
			// table (seed 9's query 667 took PostgreSQL minutes).
			n = 7
		}
		switch n {
		case 0:
			return full, fmt.Sprintf(" ROWS BETWEEN %d PRECEDING AND CURRENT ROW", g.r.IntN(4))
		case 1:
			return full, fmt.Sprintf(" ROWS BETWEEN %d PRECEDING AND %d FOLLOWING", g.r.IntN(3), g.r.IntN(3))
		case 2:
			return full, " ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING"
		case 3:
			return partial, " RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING"
		case 4:
			return partial, fmt.Sprintf(" GROUPS BETWEEN %d PRECEDING AND %d FOLLOWING", g.r.IntN(3), g.r.IntN(2))
		case 5:
			// RANGE with an offset orders by one column of a type with
			// a distance.
			rt := []gtype{tInt, tNum, tDate, tTs, tTstz}[g.r.IntN(5)]
			if cs := ofType(sc, rt); len(cs) > 0 {
				c := g.pick(cs).sql
				off := map[gtype]string{tInt: fmt.Sprint(g.r.IntN(20)), tNum: numLit(g.r, ""), tDate: fmt.Sprintf("interval '%d days'", g.r.IntN(60)),
					tTs: fmt.Sprintf("interval '%d hours'", g.r.IntN(200)), tTstz: fmt.Sprintf("interval '%d days'", g.r.IntN(30))}[rt]
				return "ORDER BY " + c + g.one("", " DESC"), " RANGE BETWEEN " + off + " PRECEDING AND " + off + " FOLLOWING"
			}
			return partial, ""
		case 6:
			return "", ""
		default:
			return partial, ""
		}
	}
	over := func(order, fr string) string {
		if fr != "" && !g.bigFrom && g.chance(1, 6) {
			// Exclusions depend on the current row and its peers only,
			// so they keep an aggregate's value deterministic. PostgreSQL
			// recomputes an aggregate with exclusions at every row.
			fr += g.one(" EXCLUDE CURRENT ROW", " EXCLUDE GROUP", " EXCLUDE TIES", " EXCLUDE NO OTHERS")
		}
		if s, ok := g.namedWindow(part+order, fr); ok {
			return s
		}
		return " OVER (" + strings.TrimSpace(part+order+fr) + ")"
	}
	if total == nil {
		// No key orders the rows: identical rows are peers, and only
		// functions that give peers one value are deterministic (two
		// window functions could break the tie between two identical
		// rows in opposite ways).
		switch t {
		case tInt:
			if g.chance(1, 2) {
				return g.one("rank()", "dense_rank()") + over(partial, "")
			}
			o, f := frame()
			return "count(" + g.expr(sc, ordT, 1) + ")" + g.wfilter(sc) + over(o, f)
		case tDec:
			o, f := frame()
			return "sum(" + g.expr(sc, tInt, 1) + ")" + g.wfilter(sc) + over(o, f)
		case tFloat:
			return g.one("percent_rank()", "cume_dist()") + over(partial, "")
		default:
			o, f := frame()
			return g.extremum(t) + "(" + g.expr(sc, t, 1) + ")" + g.wfilter(sc) + over(o, f)
		}
	}
	switch t {
	case tInt:
		switch g.r.IntN(7) {
		case 0:
			return "row_number()" + over(full, "")
		case 1:
			return g.one("rank()", "dense_rank()") + over(partial, "")
		case 2:
			return fmt.Sprintf("ntile(%d)", 1+g.r.IntN(4)) + over(full, "")
		case 3:
			o, f := frame()
			return "count(" + g.expr(sc, ordT, 1) + ")" + g.wfilter(sc) + over(o, f)
		case 4:
			o, f := frame()
			return g.one("min", "max") + "(" + g.expr(sc, tInt, 1) + ")" + g.wfilter(sc) + over(o, f)
		default:
			return g.lagLead(sc, tInt) + over(full, "")
		}
	case tDec:
		o, f := frame()
		return "sum(" + g.expr(sc, tInt, 1) + ")" + g.wfilter(sc) + over(o, f)
	case tNum:
		switch g.r.IntN(4) {
		case 0, 1:
			o, f := frame()
			if g.topList && g.chance(1, 2) {
				// Shown as is: each value with PostgreSQL's own scale.
				return g.one("avg", "stddev", "var_pop") + "(" + g.expr(sc, g.one2(tNum, tInt), 1) + ")" + g.wfilter(sc) + over(o, f)
			}
			return g.one("sum", "min", "max") + "(" + g.expr(sc, tNum, 1) + ")" + g.wfilter(sc) + over(o, f)
		case 2:
			return g.lagLead(sc, tNum) + over(full, "")
		default:
			f := g.fullFrame()
			return g.valueFn(sc, tNum) + over(full, f)
		}
	case tFloat:
		switch g.r.IntN(3) {
		case 0:
			return g.one("percent_rank()", "cume_dist()") + over(partial, "")
		default:
			o, f := frame()
			return "(avg(" + g.expr(sc, g.one2(tNum, tInt), 1) + ")" + g.wfilter(sc) + over(o, f) + ")::float8"
		}
	case tText, tDate, tTs, tTstz, tIval, tIRng, tNRng, tDRng, tTsRng, tTzRng, tInet:
		switch g.r.IntN(3) {
		case 0:
			o, f := frame()
			return g.extremum(t) + "(" + g.expr(sc, t, 1) + ")" + g.wfilter(sc) + over(o, f)
		case 1:
			return g.lagLead(sc, t) + over(full, "")
		default:
			f := g.fullFrame()
			return g.valueFn(sc, t) + over(full, f)
		}
	}
	return "row_number()" + over(full, "")
}

// fullFrame is a frame clause for use with a total ORDER BY.
func (g *qgen) fullFrame() string {
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf(" ROWS BETWEEN %d PRECEDING AND %d FOLLOWING", g.r.IntN(3), g.r.IntN(3))
	case 1:
		return " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
	case 2:
		return fmt.Sprintf(" GROUPS BETWEEN CURRENT ROW AND %d FOLLOWING", g.r.IntN(3))
	default:
		return ""
	}
}

func (g *qgen) lagLead(sc []gcol, t gtype) string {
	e := g.expr(sc, t, 1)
	switch g.r.IntN(3) {
	case 0:
		return g.one("lag", "lead") + "(" + e + ")"
	case 1:
		return g.one("lag", "lead") + fmt.Sprintf("(%s, %d)", e, g.r.IntN(4))
	default:
		return g.one("lag", "lead") + fmt.Sprintf("(%s, %d, %s)", e, 1+g.r.IntN(3), lit(g.r, t, ""))
	}
}

func (g *qgen) valueFn(sc []gcol, t gtype) string {
	e := g.expr(sc, t, 1)
	switch g.r.IntN(3) {
	case 0:
		return "first_value(" + e + ")"
	case 1:
		return "last_value(" + e + ")"
	default:
		return fmt.Sprintf("nth_value(%s, %d)", e, 1+g.r.IntN(3))
	}
}

// groupKey returns an expression to group or partition by: mostly a
// column with few values.
func (g *qgen) groupKey(sc []gcol) gcol {
	var small []gcol
	for _, c := range sc {
		if c.small {
			small = append(small, c)
		}
	}
	switch {
	case len(small) > 0 && g.chance(6, 10):
		return g.pick(small)
	case g.chance(1, 4):
		if ts := append(ofType(sc, tTs), ofType(sc, tTstz)...); len(ts) > 0 {
			c := g.pick(ts)
			return gcol{sql: "date_trunc(" + g.one("'month'", "'year'", "'day'") + ", " + c.sql + ")", t: c.t, null: c.null, small: true}
		}
		if is := ofType(sc, tTArr); len(is) > 0 {
			// GROUP BY a jsonb field's text.
			c := g.pick(is)
			return gcol{sql: "(jsonb_build_object('t', " + c.sql + ") #>> '{t,0}')", t: tText, null: true, small: true}
		}
	case g.chance(1, 3):
		if ds := ofType(sc, tDate); len(ds) > 0 {
			return gcol{sql: g.one("date_trunc('year', ", "date_trunc('quarter', ") + g.pick(ds).sql + ")::date", t: tDate, small: true}
		}
	case g.chance(1, 2):
		if is := ofType(sc, tInt); len(is) > 0 {
			return gcol{sql: fmt.Sprintf("(%s %% %d)", g.pick(is).sql, 2+g.r.IntN(4)), t: tInt, small: true}
		}
	}
	var cs []gcol
	for _, c := range sc {
		if c.t != tFloat {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return gcol{sql: "1", t: tInt, small: true}
	}
	return g.pick(cs)
}
