package logical

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// ordersTable is 1.5M orders: custkey in [1, 150000] without a distinct
// count (as Parquet's statistics), orderdate from 1992-01-01 to
// 1998-08-02, status with 3 distinct values.
type ordersTable struct{}

func (ordersTable) Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "custkey", Type: arrow.PrimitiveTypes.Int64},
		{Name: "orderdate", Type: arrow.FixedWidthTypes.Date32},
		{Name: "status", Type: arrow.BinaryTypes.String},
	}, nil)
}
func (ordersTable) Stats() connectors.Stats {
	return connectors.Stats{RowCount: 1_500_000, Columns: map[string]connectors.ColumnStats{
		"custkey":   {Distinct: -1, Min: int64(1), Max: int64(150_000)},
		"orderdate": {Distinct: -1, Min: arrow.Date32(sqltypes.DaysFromCivil(1992, 1, 1)), Max: arrow.Date32(sqltypes.DaysFromCivil(1998, 8, 2))},
		"status":    {Distinct: 3},
	}}
}
func (ordersTable) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}
func (ordersTable) Partitions(context.Context, connectors.ScanRequest) ([]connectors.Partition, error) {
	return nil, nil
}

// TestAggregateGroups: the groups of the analyst cohort query's
// DISTINCT o_custkey, extract(year FROM o_orderdate) are estimated
// through the projection computing the year (7 years, not the 2406
// days), the two counts combined with damping (150000·√7, not the
// product), and a key the estimate cannot follow reports false.
func TestAggregateGroups(t *testing.T) {
	scan := &Scan{Table: ordersTable{}, Cols: []ColumnID{1, 2, 3}, SourceIdx: []int{0, 1, 2},
		SourceTypes: []sqltypes.Type{sqltypes.TypeInt8, sqltypes.TypeDate, sqltypes.TypeText}}
	cust := &ColRef{ID: 1, T: sqltypes.TypeInt8}
	date := &ColRef{ID: 2, T: sqltypes.TypeDate}
	status := &ColRef{ID: 3, T: sqltypes.TypeText}
	year := &Func{Name: "extract", Args: []Expr{&Const{T: sqltypes.TypeText, V: "year"}, date}, T: sqltypes.NumericType(0, 0)}
	month := &Func{Name: "extract", Args: []Expr{&Const{T: sqltypes.TypeText, V: "month"}, date}, T: sqltypes.NumericType(0, 0)}
	proj := &Project{Input: scan, Exprs: []Expr{cust, year, month, status}, Cols: []ColumnID{4, 5, 6, 7}}
	ref := func(id ColumnID) Expr { return &ColRef{ID: id, T: sqltypes.TypeInt8} }
	for _, tc := range []struct {
		name   string
		groups []Expr
		want   float64
		ok     bool
	}{
		{"customer", []Expr{ref(4)}, 150_000, true},
		{"year", []Expr{ref(5)}, 7, true},
		{"customer and year", []Expr{ref(4), ref(5)}, 150_000 * math.Sqrt(7), true},
		{"year and status: damped in decreasing order", []Expr{ref(7), ref(5)}, 7 * math.Sqrt(3), true},
		// Another function of a column is bounded by that column's count,
		// which a date without statistics lacks.
		{"month: unknown", []Expr{ref(6)}, 0, false},
		{"lower(status): the status's count", []Expr{&Func{Name: "lower", Args: []Expr{status}, T: sqltypes.TypeText}}, 3, true},
		{"three keys, capped by the rows", []Expr{ref(4), ref(7), ref(5)}, math.Min(1.5e6, 150_000*math.Sqrt(7)*math.Pow(3, 0.25)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cols []ColumnID
			for i := range tc.groups {
				cols = append(cols, ColumnID(100+i))
			}
			a := &Aggregate{Input: proj, Groups: tc.groups, GroupCols: cols}
			got, rows, ok := AggregateGroups(a)
			if ok != tc.ok || ok && math.Abs(got-tc.want) > 1e-6*tc.want || rows != 1.5e6 {
				t.Errorf("AggregateGroups = %v, %v rows, %v; want %v, 1.5e6, %v", got, rows, ok, tc.want, tc.ok)
			}
		})
	}
	if !ExactRows(proj) || ExactRows(&Filter{Input: proj, Pred: &Const{T: sqltypes.TypeBool, V: true}}) {
		t.Error("ExactRows: a projected scan's rows are known, a filter's are not")
	}
}
