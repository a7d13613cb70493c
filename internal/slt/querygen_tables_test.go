package slt

import (
	"fmt"
	"math/rand/v2"
)

// gtype is the type of a generated expression. The types are chosen so
// that PostgreSQL and meshql print every value of a column alike: tNum is
// numeric with exactly two decimals except in the outermost select list,
// which may show quotients and averages (each value with its own scale,
// which meshql keeps only there), tDec is a numeric with no decimals (sum
// of integers) kept apart from tNum, and tFloat values are compared with
// a relative tolerance.
type gtype uint8

const (
	tInt gtype = iota
	tNum
	tDec
	tText
	tDate
	tBool
	tFloat
	tTs    // timestamp
	tTstz  // timestamptz, printed in the session's TimeZone
	tIval  // interval
	tIArr  // integer[]
	tTArr  // text[]
	tJsonb // jsonb (never of floats: their digits are not compared with a tolerance inside a document)
	tIRng  // int4range
	tNRng  // numrange, bounds with two decimals
	tDRng  // daterange
	tTsRng // tsrange
	tTzRng // tstzrange
	tInet  // inet, IPv4 (mixed families fail & | - with 22023)
	numTypes
)

func (t gtype) String() string {
	return [...]string{"int", "num", "dec", "text", "date", "bool", "float", "timestamp", "timestamptz", "interval", "int[]", "text[]", "jsonb", "int4range", "numrange", "daterange", "tsrange", "tstzrange", "inet"}[t]
}

// sqlName is t's name in a cast.
func (t gtype) sqlName() string {
	return [...]string{"int", "numeric", "numeric", "text", "date", "boolean", "float8", "timestamp", "timestamptz", "interval", "int[]", "text[]", "jsonb", "int4range", "numrange", "daterange", "tsrange", "tstzrange", "inet"}[t]
}

// orderable says whether min/max, <, ORDER BY and RANGE apply.
func (t gtype) orderable() bool { return t != tBool }

// gcol is a column (or expression) a generated query can reference.
type gcol struct {
	sql   string // how to reference it: "o1.amount"
	t     gtype
	dom   string // value domain ("cust", "status", ...): equal domains make sensible join and IN keys; "" = none
	null  bool   // may be NULL
	small bool   // few distinct values: a good GROUP BY or PARTITION BY key
	// scaled: a numeric of a derived table or CTE, whose values may carry
	// their own display scales (quotients, averages).
	scaled bool
	// long: an array aggregated over a group, of up to thousands of
	// elements (seed 38's query 696 expanded 6 of them per row of a join:
	// 2.4 million rows).
	long bool
}

// gtableCol describes one column of a fixture table.
type gtableCol struct {
	name  string
	t     gtype
	dom   string
	null  bool
	small bool
}

// gtable is a fixture table the generator reads.
type gtable struct {
	name   string
	prefix string // alias prefix
	cols   []gtableCol
	key    string // unique column
	rows   int
	// window restricts the table to a range of its key so that joins stay
	// small: lo and the width are drawn at random.
	keyMax int
}

// genTables are the demo fixture's tables (see FixtureOptions): orders has
// 10000 lines over 938 of the 1000 customers and all 50 products;
// products_v1 holds only products 1-40; customers.segment and
// products_v2.brand have NULLs.
var genTables = []gtable{
	{
		name: "sales.orders_v1", prefix: "o", key: "order_id", rows: 10000, keyMax: 10000,
		cols: []gtableCol{
			{name: "order_id", t: tInt, dom: "order"},
			{name: "customer_id", t: tInt, dom: "cust"},
			{name: "product_id", t: tInt, dom: "prod"},
			{name: "order_date", t: tDate, dom: "date"},
			{name: "quantity", t: tInt, dom: "qty", small: true},
			{name: "amount", t: tNum, dom: "money"},
			{name: "status", t: tText, dom: "status", small: true},
		},
	},
	{
		name: "sales.customers_v1", prefix: "c", key: "customer_id", rows: 1000, keyMax: 1000,
		cols: []gtableCol{
			{name: "customer_id", t: tInt, dom: "cust"},
			{name: "name", t: tText, dom: "cname"},
			{name: "email", t: tText, dom: "email"},
			{name: "country", t: tText, dom: "country", small: true},
			{name: "region", t: tText, dom: "region", small: true},
			{name: "segment", t: tText, dom: "segment", null: true, small: true},
			{name: "signup_date", t: tDate, dom: "date"},
		},
	},
	{
		name: "catalog.products_v2", prefix: "p", key: "product_id", rows: 50,
		cols: []gtableCol{
			{name: "product_id", t: tInt, dom: "prod"},
			{name: "name", t: tText, dom: "pname"},
			{name: "category", t: tText, dom: "cat", small: true},
			{name: "brand", t: tText, dom: "brand", null: true, small: true},
			{name: "price", t: tNum, dom: "money"},
		},
	},
	{
		name: "catalog.products_v1", prefix: "q", key: "product_id", rows: 40,
		cols: []gtableCol{
			{name: "product_id", t: tInt, dom: "prod"},
			{name: "title", t: tText, dom: "pname"},
			{name: "category_name", t: tText, dom: "cat", small: true},
			{name: "price", t: tNum, dom: "money"},
		},
	},
	{
		// Written by queryGenFixture: 3000 events, several per order.
		name: "sales.events_v1", prefix: "e", key: "event_id", rows: eventsRows, keyMax: eventsRows,
		cols: []gtableCol{
			{name: "event_id", t: tInt, dom: "event"},
			{name: "order_id", t: tInt, dom: "order"},
			{name: "customer_id", t: tInt, dom: "cust", null: true},
			{name: "kind", t: tText, dom: "kind", small: true},
			{name: "happened_at", t: tTs, null: true},
			{name: "logged_at", t: tTstz, null: true},
			{name: "tags", t: tTArr, null: true},
			{name: "scores", t: tIArr, null: true},
		},
	},
}

// domainTexts are text constants per domain: mostly values that occur,
// some that do not.
var domainTexts = map[string][]string{
	"status":  {"placed", "shipped", "delivered", "returned", "cancelled", "lost"},
	"region":  {"EU", "NA", "APAC", "LATAM", "XX"},
	"segment": {"consumer", "small_business", "enterprise", "none"},
	"country": {"DE", "US", "FR", "BR", "JP", "IE", "ZZ"},
	"cat":     {"audio", "books", "phones", "outdoor", "toys", "tablets", "zzz"},
	"brand":   {"Acme", "Quartz", "Nimbus", "Stark", "Zenith", "none"},
	"pname":   {"Quartz Premium Headphones D414", "M", "Stark", "zzz"},
	"cname":   {"Lea Costa", "M", "N", "Noah Moreau", "zzz"},
	"email":   {"a", "lea.costa2@example.com", "m"},
	"kind":    {"view", "click", "cart", "buy", "refund", "none"},
	"":        {"a", "b", "delivered", "EU", "x y", ""},
}

var likePatterns = []string{"%e%", "de%", "_e%", "%ed", "%a%", "E%", "_U", "%ness", "con%", "%A%", "%", "L%a %", "%o_"}

// intLit returns an integer constant in dom's range.
func intLit(r *rand.Rand, dom string) string {
	hi := map[string]int{"order": 10001, "cust": 1001, "prod": 51, "qty": 6}[dom]
	if hi == 0 {
		hi = 100
	}
	return fmt.Sprint(r.IntN(hi + 1))
}

// numLit returns a numeric constant with exactly two decimals.
func numLit(r *rand.Rand, dom string) string {
	hi := 100
	if dom == "money" {
		hi = 2500
	}
	c := r.IntN(hi*100 + 1)
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}

func dateLit(r *rand.Rand) string {
	return fmt.Sprintf("DATE '%04d-%02d-%02d'", 2021+r.IntN(6), 1+r.IntN(12), 1+r.IntN(28))
}

func textLit(r *rand.Rand, dom string) string {
	vals, ok := domainTexts[dom]
	if !ok {
		vals = domainTexts[""]
	}
	return "'" + vals[r.IntN(len(vals))] + "'"
}

// lit returns a constant of type t, in dom's range where that matters.
func lit(r *rand.Rand, t gtype, dom string) string {
	switch t {
	case tInt:
		return intLit(r, dom)
	case tNum:
		return numLit(r, dom)
	case tDec:
		return intLit(r, dom) + "::numeric"
	case tText:
		return textLit(r, dom)
	case tDate:
		return dateLit(r)
	case tBool:
		return []string{"true", "false"}[r.IntN(2)]
	case tTs:
		return "TIMESTAMP '" + tsLit(r) + "'"
	case tTstz:
		return "TIMESTAMPTZ '" + tsLit(r) + pick(r, "+00", "+02", "-03:30", "") + "'"
	case tIval:
		return intervalLit(r)
	case tIArr:
		return pick(r, "ARRAY[1, 5, NULL]", "ARRAY[10, 3]", "'{}'::int[]", "ARRAY[-3, 42, 17, 80]", "'{7}'::int[]")
	case tTArr:
		return pick(r, "ARRAY['new', 'vip']", "ARRAY['promo']", "'{}'::text[]", "ARRAY['eu', NULL, 'x y']", "'{mobile,new,eu}'::text[]")
	case tJsonb:
		return "'" + pick(r, jsonbDocs...) + "'::jsonb"
	case tIRng, tNRng, tDRng, tTsRng, tTzRng, tInet:
		return newLit(r, t)
	default:
		return fmt.Sprintf("%d.5::float8", r.IntN(100))
	}
}

func pick(r *rand.Rand, opts ...string) string { return opts[r.IntN(len(opts))] }

// tsLit is a timestamp in the fixture's range, sometimes in a DST change
// (spring and autumn in both hemispheres) or with fractional seconds.
func tsLit(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return pick(r, "2024-03-31 02:30:00", "2024-10-27 02:30:00", "2024-03-10 02:30:00", "2024-11-03 01:30:00",
			"2024-04-07 02:30:00", "2025-02-28 23:59:59.999999", "2024-02-29 12:00:00")
	case 1:
		return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d.%03d", 2023+r.IntN(3), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000))
	default:
		return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:00", 2023+r.IntN(3), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(4)*15)
	}
}

func intervalLit(r *rand.Rand) string {
	return "interval '" + pick(r, "1 day", "36 hours", "1 month 2 days", "-3 hours 15 minutes", "1 year", "90 minutes",
		"2 weeks", "1.5 seconds", "1 mon -1 day", "00:00:00.000001", "0", "1 year 2 mons 3 days 04:05:06.789", "-1 month") + "'"
}

// jsonbDocs are jsonb constants: objects with the keys the queries ask
// for (k, n, a, o), arrays and scalars.
var jsonbDocs = []string{
	`{"k": "view", "n": 3, "a": [1, 2, 3], "o": {"x": "eu"}}`,
	`[1, "two", null, {"k": "buy"}]`,
	`{"k": null, "n": 1.50}`,
	`{"a": [], "o": {}, "n": -1}`,
	`"str"`, `42`, `true`, `null`, `[]`, `{}`,
}

// nullOf is a typed NULL.
func nullOf(t gtype) string { return "NULL::" + t.sqlName() }
