package rules

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// sourceTable is a table of a join-capable source with a row count.
type sourceTable struct {
	source string
	rows   int64
}

func (s *sourceTable) Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "f", Type: arrow.PrimitiveTypes.Int64}}, nil)
}
func (s *sourceTable) Stats() connectors.Stats { return connectors.Stats{RowCount: s.rows} }
func (s *sourceTable) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}
func (s *sourceTable) Partitions(context.Context, connectors.ScanRequest) ([]connectors.Partition, error) {
	return nil, nil
}
func (s *sourceTable) PushJoin(context.Context, connectors.Join) (connectors.JoinScan, bool) {
	return connectors.JoinScan{}, false
}
func (s *sourceTable) JoinSource() string { return s.source }

// TestReorderGroupsSameSource: a big Parquet-like table (no JoinPusher)
// joined to a, a joined to b, with a and b in one database. Ordering by
// size alone would join big with a first and b last; the same-source pair
// must become one subtree, so it can run as one remote join.
func TestReorderGroupsSameSource(t *testing.T) {
	scan := func(tbl connectors.Table, k, f logical.ColumnID) *logical.Scan {
		return &logical.Scan{Table: tbl, Name: "t", Cols: []logical.ColumnID{k, f}, SourceIdx: []int{0, 1},
			SourceTypes: []sqltypes.Type{sqltypes.TypeInt8, sqltypes.TypeInt8}}
	}
	eq := func(a, b logical.ColumnID) logical.Expr {
		return &logical.Binary{Op: expr.OpEq, L: &logical.ColRef{ID: a, T: sqltypes.TypeInt8}, R: &logical.ColRef{ID: b, T: sqltypes.TypeInt8}, T: sqltypes.TypeBool}
	}
	big := scan(&sourceTable{rows: 1e6}, 1, 2) // source "": never grouped
	a := scan(&sourceTable{source: "db1", rows: 1000}, 3, 4)
	b := scan(&sourceTable{source: "db1", rows: 10}, 5, 6)
	c := scan(&sourceTable{source: "db2", rows: 10}, 7, 8) // another database
	tree := &logical.Join{Type: logical.InnerJoin, Cond: eq(4, 7),
		Left: &logical.Join{Type: logical.InnerJoin, Cond: eq(6, 3),
			Left:  &logical.Join{Type: logical.InnerJoin, Left: big, Right: a, Cond: eq(1, 3)},
			Right: b},
		Right: c}
	out, err := ReorderJoins(tree)
	if err != nil {
		t.Fatal(err)
	}
	var grouped bool
	_, _ = logical.Transform(out, func(n logical.Node) (logical.Node, error) {
		if j, ok := n.(*logical.Join); ok {
			l, lok := j.Left.(*logical.Scan)
			r, rok := j.Right.(*logical.Scan)
			if lok && rok && (l == a && r == b || l == b && r == a) {
				grouped = true
			}
			if lok && rok && (l == c || r == c) {
				t.Errorf("a table of another database joined alone with %v", j)
			}
		}
		return n, nil
	})
	if !grouped {
		t.Errorf("a and b are not one subtree: %#v", out)
	}
	if got := len(out.Output()); got != 8 {
		t.Errorf("%d output columns, want 8", got)
	}
}
