package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestVolatileFiltersStay: a conjunct drawing random values (random(), a
// TABLESAMPLE's draw) reads no column, so column sets would send it into
// any join input or below any grouping, where it would draw for other
// rows: it stays over the node it was written over, while a stable
// conjunct beside it still moves.
func TestVolatileFiltersStay(t *testing.T) {
	draw := &logical.Binary{Op: expr.OpLt, L: &logical.Func{Name: "random", T: sqltypes.TypeFloat8}, R: &logical.Const{T: sqltypes.TypeFloat8, V: 0.5}, T: sqltypes.TypeBool}
	sample := &logical.Func{Name: expr.SampleFunc, Args: []logical.Expr{&logical.Const{T: sqltypes.TypeFloat8, V: 10.0}}, T: sqltypes.TypeBool}
	stable := &logical.Binary{Op: expr.OpGt, L: int8Col(1), R: &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}, T: sqltypes.TypeBool}
	join := func(jt logical.JoinType, cond logical.Expr) logical.Node {
		return &logical.Join{Type: jt, Left: int8Row(1, 2), Right: int8Row(3), Cond: cond}
	}
	grouped := &logical.Aggregate{Input: int8Row(1, 2), Groups: []logical.Expr{int8Col(1)}, GroupCols: []logical.ColumnID{1},
		Aggs: []logical.AggCall{{Func: "count_star", T: sqltypes.TypeInt8}}, AggCols: []logical.ColumnID{9}}
	eq := &logical.Binary{Op: expr.OpEq, L: int8Col(1), R: int8Col(3), T: sqltypes.TypeBool}
	tests := []struct {
		name string
		in   logical.Node
	}{
		{"over an inner join", &logical.Filter{Input: join(logical.InnerJoin, eq), Pred: logical.And([]logical.Expr{draw, stable})}},
		{"over a left join", &logical.Filter{Input: join(logical.LeftJoin, eq), Pred: logical.And([]logical.Expr{sample, stable})}},
		{"in an inner join's condition", &logical.Filter{Input: join(logical.InnerJoin, logical.And([]logical.Expr{eq, draw})), Pred: stable}},
		{"in a full join's condition", &logical.Filter{Input: join(logical.FullJoin, logical.And([]logical.Expr{eq, draw})), Pred: stable}},
		{"over grouping", &logical.Filter{Input: grouped, Pred: logical.And([]logical.Expr{sample, stable})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := PushDownFilters(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var top logical.Expr
			switch x := out.(type) {
			case *logical.Filter:
				top = x.Pred
			case *logical.Join:
				top = x.Cond
			default:
				t.Fatalf("plan starts with %T", out)
			}
			s := describe(out, "")
			if !strings.Contains(top.String(), "random") && !strings.Contains(top.String(), expr.SampleFunc) {
				t.Errorf("the volatile conjunct left the top node:\n%s", s)
			}
			if strings.Count(s, "random")+strings.Count(s, expr.SampleFunc) != 1 {
				t.Errorf("the volatile conjunct is drawn more than once or lost:\n%s", s)
			}
			if strings.Contains(top.String(), "> 0") && tc.name != "in a full join's condition" {
				t.Errorf("the stable conjunct did not move:\n%s", s)
			}
		})
	}
}

func int8Col(id logical.ColumnID) *logical.ColRef {
	return &logical.ColRef{ID: id, T: sqltypes.TypeInt8}
}

// int8Row is one row of bigint constants in columns ids.
func int8Row(ids ...logical.ColumnID) *logical.Values {
	row := make([]logical.Expr, len(ids))
	for i := range row {
		row[i] = &logical.Const{T: sqltypes.TypeInt8, V: int64(i)}
	}
	return &logical.Values{Rows: [][]logical.Expr{row}, Cols: ids}
}

// describe lists n's nodes with their predicates, one a line.
func describe(n logical.Node, indent string) string {
	line := fmt.Sprintf("%s%T", indent, n)
	switch x := n.(type) {
	case *logical.Filter:
		line += " " + x.Pred.String()
	case *logical.Join:
		if x.Cond != nil {
			line += " " + x.Cond.String()
		}
	}
	out := line + "\n"
	for _, c := range n.Children() {
		out += describe(c, indent+"  ")
	}
	return out
}

// TestFiltersBelowWindow: a conjunct over columns the partition keys fix
// keeps or drops whole partitions, so it moves below the window; one over
// other columns or the window's values stays. Decorrelated LATERAL
// subqueries partition by a number of the outer rows, which fixes every
// outer column: the outer WHERE then filters the outer rows before the
// join (seed 28's query joined all 10000 orders first).
func TestFiltersBelowWindow(t *testing.T) {
	gt := func(id logical.ColumnID) logical.Expr {
		return &logical.Binary{Op: expr.OpGt, L: int8Col(id), R: &logical.Const{T: sqltypes.TypeInt8, V: int64(0)}, T: sqltypes.TypeBool}
	}
	window := func(in logical.Node, part logical.ColumnID) *logical.Window {
		return &logical.Window{Input: in, PartitionBy: []logical.Expr{int8Col(part)},
			Calls: []logical.WindowCall{{Func: "sum", Args: []logical.Expr{int8Col(2)}, T: sqltypes.TypeInt8}}, Cols: []logical.ColumnID{9}}
	}
	numbered := func(in logical.Node) logical.Node {
		return &logical.Window{Input: in, Calls: []logical.WindowCall{{Func: "row_number", T: sqltypes.TypeInt8}}, Cols: []logical.ColumnID{5}}
	}
	lateral := func(jt logical.JoinType) logical.Node {
		return window(&logical.Join{Type: jt, Left: numbered(int8Row(1, 2)), Right: int8Row(3), Cond: gt(3)}, 5)
	}
	// A LEFT JOIN LATERAL aggregate whose correlation is no equality
	// groups the joined rows by the outer row's number and columns.
	grouped := window(&logical.Aggregate{
		Input:     &logical.Join{Type: logical.LeftJoin, Left: numbered(int8Row(1, 2)), Right: int8Row(3), Cond: gt(3)},
		Groups:    []logical.Expr{int8Col(5), int8Col(2)},
		GroupCols: []logical.ColumnID{5, 2},
		Aggs:      []logical.AggCall{{Func: "count_star", T: sqltypes.TypeInt8}},
		AggCols:   []logical.ColumnID{8},
	}, 5)
	tests := []struct {
		name       string
		in         logical.Node
		pred       logical.Expr
		moves      bool
		underneath string // the node the conjunct must end over when it moves
	}{
		{"partition key", window(int8Row(1, 2), 1), gt(1), true, "*logical.Values"},
		{"other column", window(int8Row(1, 2), 1), gt(2), false, ""},
		{"window value", window(int8Row(1, 2), 1), gt(9), false, ""},
		{"outer column of an inner lateral join", lateral(logical.InnerJoin), gt(2), true, "*logical.Window"},
		{"outer column of a left lateral join", lateral(logical.LeftJoin), gt(1), true, "*logical.Window"},
		{"subquery column of an inner lateral join", lateral(logical.InnerJoin), gt(3), false, ""},
		{"outer column of a grouped lateral join", grouped, gt(2), true, "*logical.Window"},
		{"aggregate of a grouped lateral join", grouped, gt(8), false, ""},
		{"subquery column of a left lateral join", lateral(logical.LeftJoin), &logical.Unary{Op: logical.OpIsNull, E: int8Col(3), T: sqltypes.TypeBool}, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := PushDownFilters(&logical.Filter{Input: tc.in, Pred: tc.pred})
			if err != nil {
				t.Fatal(err)
			}
			s := describe(out, "")
			_, stayed := out.(*logical.Filter)
			if stayed == tc.moves {
				t.Fatalf("moved = %v, want %v:\n%s", !stayed, tc.moves, s)
			}
			if !tc.moves {
				return
			}
			lines := strings.Split(s, "\n")
			for i, l := range lines {
				if strings.TrimSpace(l) == "*logical.Filter "+tc.pred.String() {
					if i+1 == len(lines) || strings.TrimSpace(lines[i+1]) != tc.underneath {
						t.Fatalf("the conjunct is not over a %s:\n%s", tc.underneath, s)
					}
					return
				}
			}
			t.Fatalf("the conjunct is lost:\n%s", s)
		})
	}
}

// TestFiltersBelowRowNumbering: the number a decorrelation gives the
// outer rows only tells them apart, so a WHERE over the outer rows, a
// comma join's condition among them, joins them before they are numbered
// rather than numbering their cross product (4 s for PostgreSQL's 0.3 s).
// A user's row_number() keeps the filter above it: its values are the
// answer.
func TestFiltersBelowRowNumbering(t *testing.T) {
	eq := func(a, b logical.ColumnID) logical.Expr {
		return &logical.Binary{Op: expr.OpEq, L: int8Col(a), R: int8Col(b), T: sqltypes.TypeBool}
	}
	numbered := func(rowKey bool) logical.Node {
		cross := &logical.Join{Type: logical.InnerJoin, Left: int8Row(1, 2), Right: int8Row(3)}
		return &logical.Window{Input: cross, Calls: []logical.WindowCall{{Func: "row_number", T: sqltypes.TypeInt8}}, Cols: []logical.ColumnID{5}, RowKey: rowKey}
	}
	tests := []struct {
		name   string
		in     logical.Node
		pred   logical.Expr
		joined bool // the conjunct becomes the cross join's condition
	}{
		{"outer rows' join condition", numbered(true), eq(1, 3), true},
		{"the row number", numbered(true), eq(5, 3), false},
		{"a user's row_number", numbered(false), eq(1, 3), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := PushDownFilters(&logical.Filter{Input: tc.in, Pred: tc.pred})
			if err != nil {
				t.Fatal(err)
			}
			_, stayed := out.(*logical.Filter)
			if stayed == tc.joined {
				t.Fatalf("moved = %v, want %v:\n%s", !stayed, tc.joined, describe(out, ""))
			}
			if !tc.joined {
				return
			}
			w := out.(*logical.Window)
			j, ok := w.Input.(*logical.Join)
			if !ok || j.Cond == nil || j.Cond.String() != tc.pred.String() {
				t.Fatalf("the conjunct is not the join's condition:\n%s", describe(out, ""))
			}
		})
	}
}

// TestRowFilterBarrier: below a row filter go only the leakproof
// conjuncts (a comparison with a constant, into the scan beside the row
// filter); a division stays above the scan, and stays there when
// filters are pushed again (the scan's Barrier holds it back), whether it
// came from WHERE or from a join's condition.
func TestRowFilterBarrier(t *testing.T) {
	one := &logical.Const{T: sqltypes.TypeInt8, V: int64(1)}
	cmp := func(op expr.BinaryOp, l, r logical.Expr) logical.Expr {
		return &logical.Binary{Op: op, L: l, R: r, T: sqltypes.TypeBool}
	}
	rowFilter := cmp(expr.OpEq, &logical.Func{Name: "upper", Args: []logical.Expr{int8Col(2)}, T: sqltypes.TypeText}, &logical.Const{T: sqltypes.TypeText, V: "EU"})
	cheap := cmp(expr.OpLt, int8Col(1), one)
	div := cmp(expr.OpEq, &logical.Binary{Op: expr.OpDiv, L: one, R: int8Col(1), T: sqltypes.TypeInt8}, one)
	secured := func() logical.Node {
		return &logical.Filter{Input: &logical.Scan{Name: "t", Cols: []logical.ColumnID{1, 2}}, Pred: rowFilter, Barrier: true}
	}
	check := func(t *testing.T, n logical.Node) {
		t.Helper()
		var scan *logical.Scan
		var above []string
		var walk func(n logical.Node)
		walk = func(n logical.Node) {
			switch x := n.(type) {
			case *logical.Scan:
				scan = x
				return
			case *logical.Filter:
				above = append(above, x.Pred.String())
			}
			for _, c := range n.Children() {
				walk(c)
			}
		}
		walk(n)
		got := fmt.Sprint(scan.Filters)
		if !scan.Barrier || !strings.Contains(got, rowFilter.String()) || !strings.Contains(got, cheap.String()) || strings.Contains(got, "/") {
			t.Errorf("scan filters %s (barrier %v), want the row filter and %s only", got, scan.Barrier, cheap)
		}
		if !strings.Contains(strings.Join(above, " "), div.String()) {
			t.Errorf("the division is not above the scan:\n%s", describe(n, ""))
		}
	}
	for _, tc := range []struct {
		name string
		in   logical.Node
	}{
		{"where", &logical.Filter{Input: secured(), Pred: logical.And([]logical.Expr{div, cheap})}},
		{"join condition", &logical.Join{Type: logical.InnerJoin, Left: int8Row(3), Right: secured(),
			Cond: logical.And([]logical.Expr{cmp(expr.OpEq, int8Col(3), int8Col(1)), div, cheap})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := PushDownFilters(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			check(t, out)
			// A filter over the result, as a later rule might leave one.
			again, err := PushDownFilters(&logical.Filter{Input: out, Pred: cmp(expr.OpGt, int8Col(1), one)})
			if err != nil {
				t.Fatal(err)
			}
			check(t, again)
		})
	}
}
