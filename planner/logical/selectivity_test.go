package logical

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// statsTable is a table of 1000 rows whose column v has the given
// statistics.
type statsTable struct{ cs connectors.ColumnStats }

func (s statsTable) Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
}
func (s statsTable) Stats() connectors.Stats {
	return connectors.Stats{RowCount: 1000, Columns: map[string]connectors.ColumnStats{"v": s.cs}}
}
func (s statsTable) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}
func (s statsTable) Partitions(context.Context, connectors.ScanRequest) ([]connectors.Partition, error) {
	return nil, nil
}

// TestScanSelectivity: estimates follow the statistics as PostgreSQL's
// planner reads them (most common values first, the rest spread over the
// other distinct values or the histogram), and a source without such
// statistics keeps the fixed guess.
func TestScanSelectivity(t *testing.T) {
	// 10% NULL; 7 is 40% of the rows; the other 50% of the rows hold 50
	// distinct values between 0 and 100, histogram bounds every 10.
	var hist []any
	for v := int64(0); v <= 100; v += 10 {
		hist = append(hist, v)
	}
	pg := connectors.ColumnStats{NullCount: 100, Distinct: 51, MostCommon: []connectors.ValueFreq{{Value: int64(7), Freq: 0.4}}, Histogram: hist}
	cmp := func(op expr.BinaryOp, v int64, constLeft bool) Expr {
		c, k := Expr(&ColRef{ID: 1, T: sqltypes.TypeInt8}), Expr(&Const{T: sqltypes.TypeInt4, V: int32(v)})
		if constLeft {
			c, k = k, c
		}
		return &Binary{Op: op, L: c, R: k, T: sqltypes.TypeBool}
	}
	for _, tc := range []struct {
		name string
		cs   connectors.ColumnStats
		e    Expr
		want float64
	}{
		{"most common value", pg, cmp(expr.OpEq, 7, false), 0.4},
		{"constant on the left", pg, cmp(expr.OpEq, 7, true), 0.4},
		{"other value", pg, cmp(expr.OpEq, 50, false), 0.5 / 50},
		{"not equal", pg, cmp(expr.OpNe, 7, false), 0.9 - 0.4},
		{"range below 25", pg, cmp(expr.OpLt, 25, false), 0.4 + 0.25*0.5},
		{"flipped range: 25 > v", pg, cmp(expr.OpGt, 25, true), 0.4 + 0.25*0.5},
		{"range above 25", pg, cmp(expr.OpGe, 25, false), 0.75 * 0.5},
		{"no statistics", connectors.ColumnStats{NullCount: 0, Distinct: -1, Min: int64(0), Max: int64(100)}, cmp(expr.OpEq, 7, false), defaultSelectivity},
		{"no statistics, range", connectors.ColumnStats{NullCount: 0, Distinct: -1, Min: int64(0), Max: int64(100)}, cmp(expr.OpLt, 7, false), defaultSelectivity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := &Scan{Table: statsTable{tc.cs}, Cols: []ColumnID{1}, SourceIdx: []int{0}, SourceTypes: []sqltypes.Type{sqltypes.TypeInt8}, Filters: []Expr{tc.e}}
			if got := scanSelectivity(x, tc.e); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("selectivity %v, want %v", got, tc.want)
			}
			if got := Estimate(x); math.Abs(got-1000*tc.want) > 1e-6 {
				t.Errorf("estimate %v rows, want %v", got, 1000*tc.want)
			}
		})
	}
}

// TestLikeSelectivity: a LIKE keeps less the more literal characters its
// pattern has (escaped wildcards count as literal), NOT LIKE keeps the
// rest, and a pattern that is not a constant keeps the fixed guess.
func TestLikeSelectivity(t *testing.T) {
	like := func(pat Expr, negated bool) Expr {
		return &Like{E: &ColRef{ID: 1, T: sqltypes.TypeText}, Pattern: pat, Negated: negated}
	}
	text := func(s string) Expr { return &Const{T: sqltypes.TypeText, V: s} }
	p := func(n int) float64 { return defaultSelectivity * math.Pow(likeFixedCharSel, float64(n)) }
	for _, tc := range []struct {
		name string
		e    Expr
		want float64
	}{
		{"contains a word", like(text("%green%"), false), p(5)},
		{"suffix", like(text("%BRASS"), false), p(5)},
		{"two words", like(text("%Customer%Complaints%"), false), p(18)},
		{"wildcards only", like(text("%_%"), false), defaultSelectivity},
		{"escaped wildcard", like(text(`100\%%`), false), p(4)},
		{"multibyte characters count once", like(text("%Müller%"), false), p(6)},
		{"not like", like(text("%special%requests%"), true), 1 - p(15)},
		{"pattern from a column", like(&ColRef{ID: 2, T: sqltypes.TypeText}, false), defaultSelectivity},
		{"very long pattern", like(text("%"+strings.Repeat("x", 200)+"%"), false), 1e-4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := &Scan{Table: statsTable{}, Cols: []ColumnID{1}, SourceIdx: []int{0}, SourceTypes: []sqltypes.Type{sqltypes.TypeText}, Filters: []Expr{tc.e}}
			if got := scanSelectivity(x, tc.e); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("selectivity %v, want %v", got, tc.want)
			}
		})
	}
	if p(5) >= defaultSelectivity/2 {
		t.Errorf("LIKE '%%green%%' keeps %v of the rows: a join would still build a table three times its size instead of the filtered side (TPC-H Q9)", p(5))
	}
}
