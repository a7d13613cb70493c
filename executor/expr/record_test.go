package expr

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestRowAndRecordNulls: a row constructor of NULL fields is the record
// `(,)` (ROW(NULL, NULL) in PostgreSQL), while json_each's padding record
// of NULL fields is NULL; fields print as their output functions do.
func TestRowAndRecordNulls(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeBool, []sqltypes.Datum{true, nil, false}},
		testCol{sqltypes.TypeText, []sqltypes.Datum{"a b", nil, ""}},
		testCol{sqltypes.TypeInt4, []sqltypes.Datum{int32(1), nil, nil}})
	defer b.Release()
	flag, text, num := Column(0, sqltypes.TypeBool, "a"), Column(1, sqltypes.TypeText, "b"), Column(2, sqltypes.TypeInt4, "c")
	row := must(Call(RowFunc, []Expr{flag, text, num}))
	expectRows(t, env, "row", row, b, []string{`(t,"a b",1)`, `(,,)`, `(f,"",)`})
	record := must(Call(RecordFunc, []Expr{text, text}))
	expectRows(t, env, "record", record, b, []string{`("a b","a b")`, `NULL`, `("","")`})
	nested := must(Call(RowFunc, []Expr{row, must(Call(RowFunc, nil))}))
	expectRows(t, env, "nested", nested, b, []string{`("(t,""a b"",1)","()")`, `("(,,)","()")`, `("(f,"""",)","()")`})
}
