package expr

import (
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// TestDictValue: an expression of one text column evaluated per entry of
// the column's dictionary gives, decoded, what it gives row by row,
// including NULL rows (concat maps them to a value) and entries that map
// to one value; an entry that raises a data error leaves the batch to
// row-by-row evaluation; expressions of other columns, of two columns or
// volatile ones are not wrapped.
func TestDictValue(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	s := Column(0, sqltypes.TypeText, "s")
	i := Column(1, sqltypes.TypeInt8, "i")
	lit := func(v string) Expr { return Literal(sqltypes.TypeText, v) }
	call := func(name string, args ...Expr) Expr {
		t.Helper()
		e, err := Call(name, args)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	dict := []string{"STANDARD BRUSHED TIN", "SMALL PLATED COPPER", "STANDARD POLISHED TIN", "x", "42", ""}
	codes := []int32{0, 1, -1, 2, 0, 5, 1, -1, 2, 2, 0, 1, 4, 0, 2, 1}
	enc, plain := dictBatch(t, env.Mem, dict, codes)
	defer enc.Release()
	defer plain.Release()
	for _, e := range []Expr{
		call("split_part", s, lit(" "), Literal(sqltypes.TypeInt4, int64(1))),
		call("upper", call("substr", s, Literal(sqltypes.TypeInt4, int32(3)))),
		call("concat", s, lit("!")),
		call("length", s),
	} {
		dv, ok := OverDictionary(e).(*DictValue)
		if !ok {
			t.Fatalf("%s: not a *DictValue", e)
		}
		want, err := evalStrings(t, env, e, plain)
		if err != nil {
			t.Fatal(err)
		}
		d, err := dv.EvalDict(ctx, env, enc)
		if err != nil || d == nil {
			t.Fatalf("%s: EvalDict = %v, %v", e, d, err)
		}
		got := make([]string, d.Len())
		for r := range got {
			k := d.GetValueIndex(r)
			got[r] = formatDatum(env, e.Type(), datumAt(d.Dictionary(), e.Type(), k))
		}
		d.Release()
		if !slices.Equal(got, want) {
			t.Errorf("%s per dictionary entry: %v, want %v", e, got, want)
		}
		if got, err := evalStrings(t, env, dv, enc); err != nil || !slices.Equal(got, want) {
			t.Errorf("%s row by row: %v (%v), want %v", e, got, err, want)
		}
	}
	// 'x' and 'STANDARD …' are no integers: no row is one of them here,
	// but the dictionary holds them.
	onlyInts, plainInts := dictBatch(t, env.Mem, dict, []int32{4, 4, -1, 4, 4, 4, 4, 4})
	defer onlyInts.Release()
	defer plainInts.Release()
	cast, err := Cast(s, sqltypes.TypeInt4)
	if err != nil {
		t.Fatal(err)
	}
	dv, ok := OverDictionary(cast).(*DictValue)
	if !ok {
		t.Fatalf("%s: not a *DictValue", cast)
	}
	if d, err := dv.EvalDict(ctx, env, onlyInts); d != nil || err != nil {
		t.Errorf("EvalDict with an entry that fails the cast = %v, %v; want nil, nil", d, err)
		if d != nil {
			d.Release()
		}
	}
	if _, ok := OverDictionary(s).(*DictValue); ok {
		t.Error("a bare column was wrapped")
	}
	for _, e := range []Expr{call("concat", s, i), call("abs", i), call("concat", s, call("random"))} {
		if _, ok := OverDictionary(e).(*DictValue); ok {
			t.Errorf("%s was wrapped", e)
		}
	}
}

// TestLengthASCII: length counts characters whether the batch's text is
// all ASCII (bytes counted) or not, also in a slice of a larger array.
func TestLengthASCII(t *testing.T) {
	env := newTestEnv(t)
	e, err := Call("length", []Expr{Column(0, sqltypes.TypeText, "s")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		vals []string
		want []string
	}{
		{[]string{"abc", "", "hello world!"}, []string{"3", "0", "12"}},
		{[]string{"abc", "héllo", "日本"}, []string{"3", "5", "2"}},
	} {
		b := array.NewStringBuilder(env.Mem)
		b.AppendValues(append(append([]string{"ü"}, tc.vals...), "ü"), nil)
		whole := b.NewArray()
		b.Release()
		sliced := array.NewSlice(whole, 1, int64(1+len(tc.vals)))
		whole.Release()
		batch := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{sliced}, int64(sliced.Len()))
		sliced.Release()
		got, err := evalStrings(t, env, e, batch)
		batch.Release()
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("length(%q) = %v (%v), want %v", tc.vals, got, err, tc.want)
		}
	}
}
