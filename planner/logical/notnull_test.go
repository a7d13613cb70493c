package logical

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// kvTable has the columns k and v.
type kvTable struct{ statsTable }

func (kvTable) Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
}

// TestNotNull: the columns a plan never makes NULL, which decide whether
// NOT IN may be an anti join; a column missing from the set costs speed,
// one wrongly in it a wrong answer.
func TestNotNull(t *testing.T) {
	product := &catalog.Product{Name: "kv", Columns: []*catalog.Column{{Name: "k", Constraints: []string{"not_null"}}, {Name: "v"}}}
	scan := func(k, v ColumnID) *Scan {
		return &Scan{Product: product, Table: kvTable{}, Cols: []ColumnID{k, v}, SourceIdx: []int{0, 1}}
	}
	ref := func(id ColumnID) *ColRef { return &ColRef{ID: id, T: sqltypes.TypeInt8} }
	cmp := func(op expr.BinaryOp, l, r Expr) Expr { return &Binary{Op: op, L: l, R: r, T: sqltypes.TypeBool} }
	three := &Const{T: sqltypes.TypeInt8, V: int64(3)}
	null := &Const{T: sqltypes.TypeInt8}
	a, b := scan(1, 2), scan(3, 4)
	for _, tc := range []struct {
		name string
		n    Node
		want []ColumnID
	}{
		{"declared", a, []ColumnID{1}},
		{"IS NOT NULL", &Filter{Input: a, Pred: &Unary{Op: OpIsNotNull, E: ref(2), T: sqltypes.TypeBool}}, []ColumnID{1, 2}},
		{"comparison", &Filter{Input: a, Pred: cmp(expr.OpGt, ref(2), three)}, []ColumnID{1, 2}},
		{"IS DISTINCT FROM", &Filter{Input: a, Pred: cmp(expr.OpIsDistinctFrom, ref(2), three)}, []ColumnID{1}},
		{"under OR", &Filter{Input: a, Pred: cmp(expr.OpOr, cmp(expr.OpGt, ref(2), three), &Unary{Op: OpIsNull, E: ref(2), T: sqltypes.TypeBool})}, []ColumnID{1}},
		{"both sides of OR", &Filter{Input: a, Pred: cmp(expr.OpOr, cmp(expr.OpGt, ref(2), three), cmp(expr.OpLt, ref(2), null))}, []ColumnID{1, 2}},
		{"arithmetic compared", &Filter{Input: a, Pred: cmp(expr.OpGt, cmp(expr.OpAdd, ref(2), three), three)}, []ColumnID{1, 2}},
		{"NOT comparison", &Filter{Input: a, Pred: &Unary{Op: OpNot, E: cmp(expr.OpEq, ref(2), three), T: sqltypes.TypeBool}}, []ColumnID{1, 2}},
		{"COALESCE compared", &Filter{Input: a, Pred: cmp(expr.OpEq, &Func{Name: "coalesce", Args: []Expr{ref(2), three}, T: sqltypes.TypeInt8}, three)}, []ColumnID{1}},
		{"scan filter", &Scan{Product: product, Table: kvTable{}, Cols: []ColumnID{1, 2}, SourceIdx: []int{0, 1}, Filters: []Expr{cmp(expr.OpEq, ref(2), three)}}, []ColumnID{1, 2}},
		{"inner join keys", &Join{Type: InnerJoin, Left: a, Right: b, Cond: cmp(expr.OpEq, ref(2), ref(4))}, []ColumnID{1, 2, 3, 4}},
		{"left join", &Join{Type: LeftJoin, Left: a, Right: b, Cond: cmp(expr.OpEq, ref(2), ref(4))}, []ColumnID{1}},
		{"right join", &Join{Type: RightJoin, Left: a, Right: b, Cond: cmp(expr.OpEq, ref(2), ref(4))}, []ColumnID{3}},
		{"full join", &Join{Type: FullJoin, Left: a, Right: b, Cond: cmp(expr.OpEq, ref(2), ref(4))}, nil},
		{"anti join", &Join{Type: AntiJoin, Left: a, Right: b, Cond: cmp(expr.OpEq, ref(1), ref(3))}, []ColumnID{1}},
		{"projection", &Project{Input: a, Exprs: []Expr{ref(1), ref(2), three, null, &Cast{E: ref(1), T: sqltypes.TypeText}, cmp(expr.OpAdd, ref(1), three)}, Cols: []ColumnID{1, 2, 5, 6, 7, 8}}, []ColumnID{1, 5, 7}},
		{"aggregate", &Aggregate{Input: a, Groups: []Expr{ref(1), ref(2)}, GroupCols: []ColumnID{5, 6}, Aggs: []AggCall{{Func: "count_star"}, {Func: "count", Args: []Expr{ref(2)}}, {Func: "sum", Args: []Expr{ref(1)}}}, AggCols: []ColumnID{7, 8, 9}}, []ColumnID{5, 7, 8}},
		{"values", &Values{Rows: [][]Expr{{three, three}, {three, null}}, Cols: []ColumnID{5, 6}}, []ColumnID{5}},
		{"union", &SetOp{Kind: Union, All: true, Left: a, Right: b, Cols: []ColumnID{5, 6}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NotNull(tc.n).Sorted()
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}
