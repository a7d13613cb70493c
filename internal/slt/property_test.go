package slt

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// TestPredicatePartition checks meshql's three-valued logic on random
// predicates over the demo fixture: for every predicate p over the columns
// of sales.orders_v1 or sales.customers_v1 (comparisons with constants and
// with other columns, IN lists, BETWEEN, LIKE/ILIKE, IS [NOT] NULL,
// AND/OR/NOT nesting, NULLs from customers.segment, NULLIF, CASE and NULL
// constants), the rows where p is true, false and NULL partition the
// table:
//
//	count(*) WHERE p + count(*) WHERE NOT p + count(*) WHERE (p) IS NULL = count(*)
//
// and each of the three counts equals PostgreSQL's for the same query over
// the same rows. The predicates come from a fixed seed: a failure names
// the predicate, and the run is the same every time.
func TestPredicatePartition(t *testing.T) {
	const perTable = 100 // predicates per table
	pg := PostgresFixture(t)
	mesh, err := GenerateFixture(t.Context(), filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	mq := newMeshQLConn(t, mesh, nil)
	ctx := t.Context()
	count := func(conn Conn, engine, sql string) (string, error) {
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			return "", fmt.Errorf("%s: %w", engine, err)
		}
		if len(rows.Values) != 1 || len(rows.Values[0]) != 1 || rows.Values[0][0] == nil {
			return "", fmt.Errorf("%s: want one count, got %d rows", engine, len(rows.Values))
		}
		return *rows.Values[0][0], nil
	}
	rng := rand.New(rand.NewPCG(20260115, 3))
	for _, tbl := range predicateTables {
		t.Run(tbl.name, func(t *testing.T) {
			total, err := count(mq, EngineMeshQL, "SELECT count(*) FROM "+tbl.name)
			if err != nil {
				t.Fatal(err)
			}
			failures := 0
			for i := range perTable {
				p := tbl.pred(rng, 3)
				var got [3]int64
				for k, where := range []string{"(%s)", "NOT (%s)", "(%s) IS NULL"} {
					sql := "SELECT count(*) FROM " + tbl.name + " WHERE " + fmt.Sprintf(where, p)
					want, err := count(pg, EnginePostgres, sql)
					if err != nil {
						t.Fatalf("predicate %d is not valid PostgreSQL (fix the generator): %v\n%s", i, err, sql)
					}
					have, err := count(mq, EngineMeshQL, sql)
					if err == nil && have != want {
						err = fmt.Errorf("meshql counts %s rows, PostgreSQL %s", have, want)
					}
					if err != nil {
						t.Errorf("predicate %d: %v\n%s", i, err, sql)
						failures++
						break
					}
					_, _ = fmt.Sscan(have, &got[k])
				}
				if failures > 0 {
					if failures >= 10 {
						t.Fatal("too many failures; stopping")
					}
					continue
				}
				var sum int64
				for _, n := range got {
					sum += n
				}
				if fmt.Sprint(sum) != total {
					t.Errorf("predicate %d: true %d + false %d + null %d = %d rows, but the table has %s\n%s",
						i, got[0], got[1], got[2], sum, total, p)
				}
			}
		})
	}
}

// predKind is the type of an operand: it selects the constants an operand
// is compared with.
type predKind int

const (
	kindInt predKind = iota
	kindNum
	kindDate
	kindText
)

// operand is a column or an expression over columns that predicates
// compare; nullable ones yield NULLs on some rows.
type operand struct {
	expr string
	kind predKind
	gen  func(r *rand.Rand) string // a constant of the operand's type and range
}

type predTable struct {
	name     string
	operands []operand
	pairs    [][2]string // operand expressions of the same type, compared with each other
	patterns []string    // LIKE patterns for the text operands
}

func intIn(lo, hi int) func(r *rand.Rand) string {
	return func(r *rand.Rand) string { return fmt.Sprint(lo + r.IntN(hi-lo+1)) }
}

func numIn(lo, hi int) func(r *rand.Rand) string {
	return func(r *rand.Rand) string {
		cents := lo*100 + r.IntN((hi-lo)*100+1)
		s := fmt.Sprintf("%d.%02d", cents/100, cents%100)
		switch r.IntN(4) {
		case 0:
			s += fmt.Sprint(r.IntN(10)) // three decimals
		case 1:
			s = fmt.Sprint(cents / 100) // an integer
		}
		return s
	}
}

func dateIn(fromYear, toYear int) func(r *rand.Rand) string {
	return func(r *rand.Rand) string {
		return fmt.Sprintf("DATE '%04d-%02d-%02d'", fromYear+r.IntN(toYear-fromYear+1), 1+r.IntN(12), 1+r.IntN(28))
	}
}

func oneOf(vals ...string) func(r *rand.Rand) string {
	return func(r *rand.Rand) string { return "'" + vals[r.IntN(len(vals))] + "'" }
}

var predicateTables = []predTable{
	{
		name: "sales.orders_v1",
		operands: []operand{
			{"order_id", kindInt, intIn(0, 10001)},
			{"customer_id", kindInt, intIn(0, 1001)},
			{"product_id", kindInt, intIn(0, 51)},
			{"quantity", kindInt, intIn(0, 6)},
			{"amount", kindNum, numIn(0, 1500)},
			{"order_date", kindDate, dateIn(2023, 2026)},
			{"status", kindText, oneOf("placed", "shipped", "delivered", "returned", "cancelled", "lost")},
			{"nullif(quantity, 1)", kindInt, intIn(0, 6)},
			{"nullif(status, 'delivered')", kindText, oneOf("placed", "returned", "delivered", "zzz")},
			{"CASE WHEN quantity > 1 THEN amount END", kindNum, numIn(0, 1000)},
			{"amount / quantity", kindNum, numIn(0, 500)},
			{"quantity * 2 + product_id", kindInt, intIn(0, 60)},
			{"order_date + 30", kindDate, dateIn(2024, 2026)},
		},
		pairs: [][2]string{
			{"quantity", "product_id"},
			{"amount", "quantity * 100"},
			{"customer_id", "product_id * 20"},
			{"nullif(quantity, 2)", "nullif(product_id, 3) / 10"},
		},
		patterns: []string{"%e%", "de%", "_e%", "%ed", "placed", "%E%", "s_i%", "%"},
	},
	{
		name: "sales.customers_v1",
		operands: []operand{
			{"customer_id", kindInt, intIn(0, 1001)},
			{"signup_date", kindDate, dateIn(2020, 2026)},
			{"region", kindText, oneOf("EU", "NA", "APAC", "LATAM", "XX")},
			{"segment", kindText, oneOf("consumer", "small_business", "enterprise", "none")},
			{"country", kindText, oneOf("DE", "US", "BR", "IE", "FR", "JP", "ZZ", "A", "M")},
			{"name", kindText, oneOf("Lea Costa", "M", "Noah Moreau", "zzz")},
			{"coalesce(segment, region)", kindText, oneOf("consumer", "EU", "enterprise")},
			{"CASE WHEN region = 'EU' THEN customer_id END", kindInt, intIn(0, 1001)},
			{"nullif(country, 'DE')", kindText, oneOf("DE", "FR", "US")},
		},
		pairs: [][2]string{
			{"country", "region"},
			{"segment", "region"},
			{"segment", "nullif(country, 'US')"},
			{"signup_date", "DATE '2023-06-01' + customer_id::int"},
		},
		patterns: []string{"%a%", "E%", "_U", "%ness", "con%", "%A%", "%", "L%a %"},
	},
}

var compareOps = []string{"=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM", "IS NOT DISTINCT FROM"}

// pred returns a random predicate over tbl nested at most depth levels.
func (tbl predTable) pred(r *rand.Rand, depth int) string {
	if depth > 0 && r.IntN(10) < 6 {
		switch r.IntN(5) {
		case 0:
			return "NOT (" + tbl.pred(r, depth-1) + ")"
		case 1, 2:
			return "(" + tbl.pred(r, depth-1) + " AND " + tbl.pred(r, depth-1) + ")"
		default:
			return "(" + tbl.pred(r, depth-1) + " OR " + tbl.pred(r, depth-1) + ")"
		}
	}
	return tbl.atom(r)
}

// constOrNull returns one of o's constants, or rarely a NULL of its type.
func (o operand) constOrNull(r *rand.Rand) string {
	if r.IntN(12) == 0 {
		return "NULL::" + map[predKind]string{kindInt: "int", kindNum: "numeric", kindDate: "date", kindText: "text"}[o.kind]
	}
	return o.gen(r)
}

// atom returns a random predicate without AND/OR/NOT.
func (tbl predTable) atom(r *rand.Rand) string {
	o := tbl.operands[r.IntN(len(tbl.operands))]
	not := func() string {
		if r.IntN(3) == 0 {
			return "NOT "
		}
		return ""
	}
	switch r.IntN(14) {
	case 0, 1, 2, 3:
		op := compareOps[r.IntN(len(compareOps))]
		if r.IntN(3) > 0 {
			op = compareOps[r.IntN(6)] // mostly plain comparisons
		}
		return o.expr + " " + op + " " + o.constOrNull(r)
	case 4, 5:
		n := 1 + r.IntN(4)
		vals := make([]string, n)
		for i := range vals {
			vals[i] = o.gen(r)
			if r.IntN(8) == 0 {
				vals[i] = "NULL"
			}
		}
		return o.expr + " " + not() + "IN (" + strings.Join(vals, ", ") + ")"
	case 6, 7:
		a, b := o.gen(r), o.gen(r)
		sym := ""
		if r.IntN(4) == 0 {
			sym = "SYMMETRIC "
		}
		return o.expr + " " + not() + "BETWEEN " + sym + a + " AND " + b
	case 8, 9:
		if o.kind != kindText {
			return o.expr + " IS " + not() + "NULL"
		}
		like := "LIKE"
		if r.IntN(3) == 0 {
			like = "ILIKE"
		}
		return o.expr + " " + not() + like + " '" + tbl.patterns[r.IntN(len(tbl.patterns))] + "'"
	case 10:
		return o.expr + " IS " + not() + "NULL"
	case 11, 12:
		p := tbl.pairs[r.IntN(len(tbl.pairs))]
		return p[0] + " " + compareOps[r.IntN(len(compareOps))] + " " + p[1]
	default:
		return []string{"true", "false", "NULL::boolean", "(" + o.expr + " > " + o.gen(r) + ") IS NOT FALSE",
			"(" + o.expr + " = " + o.gen(r) + ") IS UNKNOWN"}[r.IntN(5)]
	}
}
