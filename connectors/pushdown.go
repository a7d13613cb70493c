package connectors

import (
	"context"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// SortKey is one key of an ORDER BY offered to a source: a source column
// (an index into Schema()), ascending unless Desc, with NULLs placed as
// PostgreSQL places them (NullsFirst defaults to Desc).
type SortKey struct {
	Column     int
	Desc       bool
	NullsFirst bool
}

// OrderPusher is implemented by tables that can return their rows in an
// order. The planner sets ScanRequest.Order only when SupportsOrder says
// yes, and only together with a Limit: each partition then returns at
// most Limit rows, the first ones in that order (meshql merges the
// partitions and applies the limit again). A source says yes only if it
// orders every value exactly as meshql does (byte order for strings).
type OrderPusher interface {
	SupportsOrder(keys []SortKey) bool
}

// AggFunc is an aggregate a source may compute partially.
type AggFunc string

const (
	AggCountStar AggFunc = "count_star" // count(*): bigint
	AggCount     AggFunc = "count"      // count(col): bigint
	AggSum       AggFunc = "sum"        // sum(col): as AggregatePusher says
	AggMin       AggFunc = "min"        // min(col): the column's type
	AggMax       AggFunc = "max"        // max(col): the column's type
)

// AggCall is one partial aggregate: Func over source column Column
// (ignored for AggCountStar).
type AggCall struct {
	Func   AggFunc
	Column int
}

// Aggregate asks a source to group the filtered rows by GroupBy (source
// columns) and compute Aggs per group. Partitions then return one row per
// group they saw: the group columns, then one column per call. Groups may
// repeat across partitions; meshql combines the partial rows (counts and
// sums are added, minima and maxima compared), so every call must be
// decomposable. A scan with no GroupBy returns one row per partition,
// even over no rows (count 0, other aggregates NULL).
type Aggregate struct {
	GroupBy []int
	Aggs    []AggCall
}

// AggregatePusher is implemented by tables that can compute partial
// aggregates. AggregateSchema returns the schema partitions will have for
// req (whose Aggregate is set), or false when the source cannot compute
// it with meshql's meaning; the planner sets ScanRequest.Aggregate only
// after it said yes. Sums must be exact: a sum of integers is a bigint
// (smallint, integer) or numeric(38,0) (bigint), a sum of numeric(p,s)
// is numeric(38,s), as meshql's own sum.
type AggregatePusher interface {
	AggregateSchema(req ScanRequest) (*arrow.Schema, bool)
}

// format renders the call for EXPLAIN with the source's column names.
func (a AggCall) format(schema *arrow.Schema) string {
	if a.Func == AggCountStar {
		return "count(*)"
	}
	return string(a.Func) + "(" + schema.Field(a.Column).Name + ")"
}

// Describe renders the parts of req beyond columns and filters (order,
// limit, aggregate) as EXPLAIN properties, with schema's column names.
func (req ScanRequest) Describe(schema *arrow.Schema) []string {
	var out []string
	if a := req.Aggregate; a != nil {
		var g, c []string
		for _, i := range a.GroupBy {
			g = append(g, schema.Field(i).Name)
		}
		for _, x := range a.Aggs {
			c = append(c, x.format(schema))
		}
		out = append(out, "pushed_aggregate=[group by ["+strings.Join(g, ", ")+"]: "+strings.Join(c, ", ")+"]")
	}
	if len(req.Order) > 0 {
		ks := make([]string, len(req.Order))
		for i, k := range req.Order {
			ks[i] = schema.Field(k.Column).Name
			if k.Desc {
				ks[i] += " DESC"
			}
			if k.NullsFirst != k.Desc {
				if k.NullsFirst {
					ks[i] += " NULLS FIRST"
				} else {
					ks[i] += " NULLS LAST"
				}
			}
		}
		out = append(out, "pushed_order=["+strings.Join(ks, ", ")+"]")
	}
	if req.Limit >= 0 {
		out = append(out, "pushed_limit="+strconv.FormatInt(req.Limit, 10))
	}
	return out
}

// Unwrapper is implemented by tables that wrap another (to annotate its
// errors, say) and so hide its optional interfaces.
type Unwrapper interface {
	Unwrap() Table
}

// As returns the first table in t's chain of wrapped tables that
// implements T: how the planner finds a source's optional capabilities
// (OrderPusher, AggregatePusher) behind wrappers. Scans still go through
// t itself.
func As[T any](t Table) (T, bool) {
	for t != nil {
		if x, ok := t.(T); ok {
			return x, true
		}
		u, ok := t.(Unwrapper)
		if !ok {
			break
		}
		t = u.Unwrap()
	}
	var zero T
	return zero, false
}

// JoinInput is one table of a join offered to a source: the columns read
// from it (indexes into its Schema()) and the filters on it, all of which
// it said it applies exactly.
type JoinInput struct {
	Table   Table
	Columns []int
	Filters []Filter
}

// JoinKey says source column LeftCol of input Left equals source column
// RightCol of input Right.
type JoinKey struct {
	Left, LeftCol, Right, RightCol int
}

// Join is a join of several tables. Without a Tree it is an inner
// equi-join: the rows of the cross product of the filtered inputs for
// which every key of On holds (SQL equality: NULL matches nothing). With a
// Tree, On is unused and the tree gives the joins' shape, kinds and keys.
// Either way each input's Filters apply to that input before it is joined
// (a filter on the nullable side of an outer join removes rows from that
// side, it does not turn them into NULLs), and the rows are every input's
// Columns, in input order.
type Join struct {
	Inputs []JoinInput
	On     []JoinKey
	Tree   *JoinTree
}

// JoinKind is the kind of one join of a JoinTree.
type JoinKind uint8

const (
	JoinInner JoinKind = iota
	JoinLeft           // every row of Left, NULLs for Right when nothing matches
	JoinRight          // every row of Right
	JoinFull           // every row of both
)

// JoinTree is a leaf (Left and Right nil: input Input of Join.Inputs) or
// a join of two trees on the equalities On, all of which must hold (an
// inner join without keys is a cross join). The inputs appear in the
// tree, left to right, in Join.Inputs order.
type JoinTree struct {
	Input       int
	Kind        JoinKind
	Left, Right *JoinTree
	On          []JoinKey
}

// Leaf reports whether the tree is one input.
func (t *JoinTree) Leaf() bool { return t.Left == nil && t.Right == nil }

// Walk calls f on t and every tree below it, parents first.
func (t *JoinTree) Walk(f func(*JoinTree)) {
	if t == nil {
		return
	}
	f(t)
	t.Left.Walk(f)
	t.Right.Walk(f)
}

// Outer reports whether the tree holds an outer join.
func (t *JoinTree) Outer() bool {
	if t == nil || t.Leaf() {
		return false
	}
	return t.Kind != JoinInner || t.Left.Outer() || t.Right.Outer()
}

// JoinScan is a join a source runs itself.
type JoinScan struct {
	Schema     *arrow.Schema
	Partitions []Partition
	Explain    []string // as ScanExplainer's lines
}

// JoinPusher is implemented by tables whose source can run a join of
// several of its tables in one remote query (one PostgreSQL database).
// PushJoin returns false when it cannot, with meshql's meaning: another
// source among the inputs, a key type whose equality differs. JoinSource
// names the source: tables whose JoinSource is the same non-empty string
// may be joined by one PushJoin (the planner groups them so); it names no
// secret.
type JoinPusher interface {
	PushJoin(ctx context.Context, j Join) (JoinScan, bool)
	JoinSource() string
}
