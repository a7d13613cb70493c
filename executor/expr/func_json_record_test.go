package expr

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// jsonRecordRows is json_to_recordset's split of doc into the fields
// named by keys of each object (raw: keep their JSON text).
func jsonRecordRows(t testing.TB, doc Expr, keys []string, raw []bool) Expr {
	t.Helper()
	args := []Expr{doc}
	for i, k := range keys {
		args = append(args, lit(sqltypes.TypeText, k), lit(sqltypes.TypeBool, raw[i]))
	}
	e, err := Call(JSONRecordRowsFunc("json_to_recordset"), args)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A document is split once into every declared field of each object,
// rows after rows of differently shaped documents in one batch (the
// kernel reuses its scratch space from row to row); each column then
// takes its field; malformed documents are 22P02 or 22023, never a panic.
func TestJSONRecordRows(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env, testCol{sqltypes.TypeJSON, []any{
		`[{"a":1,"b":"x"},{"b":"y\u0041","b":"z"},{"a":null,"\u0062":"esc"}]`, `[]`, nil, `[{"a":"long text value"}]`,
	}})
	defer b.Release()
	doc := Column(0, sqltypes.TypeJSON, "doc")
	rows := jsonRecordRows(t, doc, []string{"b", "a", "b"}, []bool{false, true, true})
	got, err := evalStrings(t, env, rows, b)
	if err != nil {
		t.Fatal(errString(err))
	}
	want := `{{x,1,"\"x\""},{z,NULL,"\"z\""},{esc,NULL,"\"esc\""}}|{}|NULL|{{NULL,"\"long text value\"",NULL}}`
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("rows: got %s, want %s", g, want)
	}

	// The columns read the unnested elements.
	fields := makeBatch(t, env, testCol{textListType, []any{[]any{"x", "1", nil}, nil, []any{}}})
	defer fields.Release()
	for _, tc := range []struct {
		k    int32
		raw  bool
		want string
	}{
		{0, false, "x|NULL|NULL"},
		{1, true, "1|NULL|NULL"},
		{2, false, "NULL|NULL|NULL"},
	} {
		f, err := Call(JSONRecordFieldFunc("json_to_recordset"), []Expr{Column(0, textListType, "f"), lit(sqltypes.TypeInt4, tc.k), lit(sqltypes.TypeBool, tc.raw)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := evalStrings(t, env, f, fields)
		if err != nil {
			t.Fatal(errString(err))
		}
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("field %d: got %s, want %s", tc.k, g, tc.want)
		}
	}

	for _, in := range []string{``, ` `, `{"a":`, `"\`, `[{"a":1},2]`, `{"a":1}`} {
		bad := makeBatch(t, env, testCol{sqltypes.TypeJSON, []any{in}})
		_, err := evalStrings(t, env, jsonRecordRows(t, doc, []string{"a"}, []bool{false}), bad)
		bad.Release()
		if c := sqltypes.Code(err); c != sqltypes.CodeInvalidParameterValue && c != "22P02" {
			t.Errorf("%q: got %v, want 22023 or 22P02", in, errString(err))
		}
	}
}

// BenchmarkJSONToRecordset reads documents of 100 objects of 16 keys into
// 1, 4 or 16 columns as the planner does: the split, then each column's
// field of every object. The split walks each document once whatever
// the number of columns, so the cost per column stays small.
func BenchmarkJSONToRecordset(b *testing.B) {
	env := newTestEnv(b)
	var doc strings.Builder
	doc.WriteString("[")
	for o := range 100 {
		if o > 0 {
			doc.WriteString(",")
		}
		doc.WriteString("{")
		for k := range 16 {
			if k > 0 {
				doc.WriteString(",")
			}
			fmt.Fprintf(&doc, `"key%d":"value %d of %d"`, k, k, o)
		}
		doc.WriteString("}")
	}
	doc.WriteString("]")
	docs := make([]any, 64)
	for i := range docs {
		docs[i] = doc.String()
	}
	batch := makeBatch(b, env, testCol{sqltypes.TypeJSON, docs})
	defer batch.Release()
	for _, ncols := range []int{1, 4, 16} {
		keys, raw := make([]string, ncols), make([]bool, ncols)
		fields := make([]Expr, ncols)
		for k := range ncols {
			keys[k] = fmt.Sprintf("key%d", k)
			fields[k] = must(Call(JSONRecordFieldFunc("json_to_recordset"), []Expr{Column(0, textListType, "f"), lit(sqltypes.TypeInt4, int32(k)), lit(sqltypes.TypeBool, false)}))
		}
		rows := jsonRecordRows(b, Column(0, sqltypes.TypeJSON, "doc"), keys, raw)
		b.Run(fmt.Sprintf("cols=%d", ncols), func(b *testing.B) {
			for b.Loop() {
				l, err := rows.Eval(ctxBG, env, batch)
				if err != nil {
					b.Fatal(err)
				}
				objs := l.(*array.List).ListValues()
				unnested := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "f", Type: objs.DataType(), Nullable: true}}, nil), []arrow.Array{objs}, int64(objs.Len()))
				for _, f := range fields {
					a, err := f.Eval(ctxBG, env, unnested)
					if err != nil {
						b.Fatal(err)
					}
					a.Release()
				}
				unnested.Release()
				l.Release()
			}
		})
	}
}
