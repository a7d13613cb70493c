package expr

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// dictBatch returns a batch whose column 0 is a dictionary<int32, utf8>
// over dict with the given codes (-1 = NULL row) and column 1 an int8
// column, and the same batch with column 0 decoded to plain text.
func dictBatch(t testing.TB, mem memory.Allocator, dict []string, codes []int32) (encoded, plain arrow.RecordBatch) {
	t.Helper()
	db := array.NewStringBuilder(mem)
	db.AppendValues(dict, nil)
	d := db.NewArray()
	db.Release()
	cb := array.NewInt32Builder(mem)
	pb := array.NewStringBuilder(mem)
	ib := array.NewInt64Builder(mem)
	for i, c := range codes {
		ib.Append(int64(i))
		if c < 0 {
			cb.AppendNull()
			pb.AppendNull()
			continue
		}
		cb.Append(c)
		pb.Append(dict[c])
	}
	idx, p, ints := cb.NewArray(), pb.NewArray(), ib.NewArray()
	cb.Release()
	pb.Release()
	ib.Release()
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	da := array.NewDictionaryArray(dt, idx, d)
	enc := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "s", Type: dt, Nullable: true}, {Name: "i", Type: arrow.PrimitiveTypes.Int64}}, nil), []arrow.Array{da, ints}, int64(len(codes)))
	pl := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "i", Type: arrow.PrimitiveTypes.Int64}}, nil), []arrow.Array{p, ints}, int64(len(codes)))
	for _, a := range []arrow.Array{d, idx, p, ints, da} {
		a.Release()
	}
	return enc, pl
}

// TestOverDictionaries checks that predicates over a dictionary-encoded
// column give, row for row, what the same predicates give over the
// decoded column (NULL rows, unused and repeated dictionary entries,
// values mixed with another column included).
func TestOverDictionaries(t *testing.T) {
	env := newTestEnv(t)
	s := Column(0, sqltypes.TypeText, "s")
	i := Column(1, sqltypes.TypeInt8, "i")
	lit := func(v string) Expr { return Literal(sqltypes.TypeText, v) }
	must := func(e Expr, err error) Expr {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	preds := []Expr{
		must(Binary(OpEq, s, lit("MAIL"))),
		must(Binary(OpLt, lit("MAIL"), s)),
		In(s, []Expr{lit("MAIL"), lit("SHIP")}, false),
		In(s, []Expr{lit("MAIL"), Literal(sqltypes.TypeText, nil)}, true),
		must(Like(s, lit("%AI%"), false, false)),
		must(Like(s, lit("s%"), true, true)),
		IsNull(s, false),
		Not(must(Binary(OpIsDistinctFrom, s, lit("AIR")))),
		must(Binary(OpOr, must(Binary(OpEq, s, lit("AIR"))), IsNull(s, false))),
		// Only the IN subtree reads s alone; the AND also reads i. With
		// i first, the right side runs on the few rows i passes (a
		// dictionary column gathered by evalOnRows).
		must(Binary(OpAnd, must(Binary(OpGt, i, Literal(sqltypes.TypeInt8, int64(400)))), must(Binary(OpEq, s, lit("SHIP"))))),
		must(Binary(OpAnd, In(s, []Expr{lit("AIR"), lit("RAIL")}, false), must(Binary(OpGt, i, Literal(sqltypes.TypeInt8, int64(10)))))),
	}
	dict := []string{"MAIL", "SHIP", "AIR", "RAIL", "TRUCK", "", "MAIL "}
	rng := rand.New(rand.NewPCG(1, 2))
	codes := make([]int32, 500)
	for k := range codes {
		codes[k] = int32(rng.IntN(len(dict)+1)) - 1
	}
	codes[0] = 4 // TRUCK used; entry 6 may stay unused
	enc, plain := dictBatch(t, env.Mem, dict, codes)
	defer enc.Release()
	defer plain.Release()
	for _, p := range preds {
		d := OverDictionaries(p)
		if _, ok := d.(*dictExpr); !ok && !slices.Contains([]string{"AND"}, topOp(p)) {
			t.Errorf("%s: not evaluated over dictionaries", p)
		}
		if d.String() != p.String() {
			t.Errorf("String changed: %s → %s", p, d)
		}
		want, err := evalStrings(t, env, p, plain)
		if err != nil {
			t.Fatal(err)
		}
		got, err := evalStrings(t, env, d, enc)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s over dictionary: %v, want %v", p, got, want)
		}
		// Plain batches take the ordinary path.
		if got, err = evalStrings(t, env, d, plain); err != nil || !slices.Equal(got, want) {
			t.Errorf("%s over plain text: %v (%v), want %v", p, got, err, want)
		}
	}
}

func topOp(e Expr) string {
	if l, ok := e.(*logicExpr); ok {
		return fmt.Sprint(l.op)
	}
	return ""
}

// TestOverDictionariesLeavesOthers checks that expressions the
// dictionary path must not take stay as they are: several columns, a
// non-text column, a bare column.
func TestOverDictionariesLeavesOthers(t *testing.T) {
	s := Column(0, sqltypes.TypeText, "s")
	s2 := Column(2, sqltypes.TypeText, "t")
	i := Column(1, sqltypes.TypeInt8, "i")
	b := Column(3, sqltypes.TypeBool, "b")
	two, _ := Binary(OpEq, s, s2)
	ints, _ := Binary(OpGt, i, Literal(sqltypes.TypeInt8, int64(1)))
	for _, e := range []Expr{two, ints, b, Not(b)} {
		if d := OverDictionaries(e); d != e {
			t.Errorf("%s was rewritten", e)
		}
	}
}

// BenchmarkDictFilter compares an IN list over a low-cardinality text
// column delivered as a dictionary with the same column as plain text.
func BenchmarkDictFilter(b *testing.B) {
	env := newTestEnv(b)
	dict := []string{"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"}
	codes := make([]int32, 8192)
	for k := range codes {
		codes[k] = int32(k*7919) % int32(len(dict))
	}
	enc, plain := dictBatch(b, env.Mem, dict, codes)
	defer enc.Release()
	defer plain.Release()
	s := Column(0, sqltypes.TypeText, "s")
	pred := In(s, []Expr{Literal(sqltypes.TypeText, "MAIL"), Literal(sqltypes.TypeText, "SHIP")}, false)
	for _, c := range []struct {
		name string
		e    Expr
		b    arrow.RecordBatch
	}{{"plain", pred, plain}, {"dictionary", OverDictionaries(pred), enc}, {"dictionary_decoded", pred, enc}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a, err := c.e.Eval(ctxBG, env, c.b)
				if err != nil {
					b.Fatal(err)
				}
				a.Release()
			}
		})
	}
}
