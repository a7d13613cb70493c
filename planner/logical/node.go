package logical

import (
	"sync"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/sqltypes"
)

// Node is a relational operator of a logical plan.
type Node interface {
	// Output lists the columns the node produces, in order.
	Output() []ColumnID
	Children() []Node
	// WithChildren returns a copy with new children (same count and order).
	WithChildren(ch []Node) Node
}

// Scan reads a table. Filters are conjuncts that apply to the scan's rows;
// the physical planner offers them to the source and re-checks whatever the
// source does not apply exactly.
type Scan struct {
	Product     *catalog.Product // nil for tables that are not data products
	Table       connectors.Table
	Name        string          // qualified name for EXPLAIN
	Alias       string          // range alias
	Cols        []ColumnID      // output columns
	SourceIdx   []int           // Cols[i] is field SourceIdx[i] of Table.Schema()
	SourceTypes []sqltypes.Type // type the source delivers for Cols[i] (cast to the column type when it differs)
	Filters     []Expr
	// HideStats withholds from EXPLAIN what the source derives from its
	// statistics (files, row groups or partitions a filter keeps): set
	// when the session may not see every row of the source (a policy row
	// filter, or a derived product read with its definer's rights).
	HideStats bool
	// Barrier marks Filters as holding an access policy's row filter, a
	// security barrier: only leakproof predicates (IsLeakproof) may join
	// them; the others run above the scan, on the rows the row filter
	// kept, so that none can fail on, or otherwise reveal, a hidden row.
	Barrier bool
	// FilterOnly are the columns of Cols that only Filters read (set by
	// PruneColumns): a source that applies those filters itself need not
	// return them.
	FilterOnly ColSet
}

// Filter keeps rows where Pred is TRUE.
type Filter struct {
	Input Node
	Pred  Expr
	// Barrier marks Pred as an access policy's row filter (PostgreSQL's
	// security barrier qual): a predicate from above may move below it
	// only when it is leakproof (IsLeakproof), and Pred itself moves
	// down into a Scan only to become its Barrier filters.
	Barrier bool
}

// Project computes Exprs; a plain ColRef keeps its ID in Cols.
type Project struct {
	Input Node
	Exprs []Expr
	Cols  []ColumnID
}

// JoinType is the kind of join.
type JoinType uint8

const (
	InnerJoin JoinType = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin
	AntiJoin
	// MarkJoin outputs the left rows plus a boolean column Mark: whether
	// the condition holds for some right row, with SQL's IN/ANY
	// three-valued semantics (NULL when no row matched but some
	// comparison was NULL).
	MarkJoin
	// SingleJoin is a LEFT join for scalar subqueries: a left row may
	// match at most one right row (21000 otherwise).
	SingleJoin
)

var joinNames = [...]string{"Inner", "Left", "Right", "Full", "Semi", "Anti", "Mark", "Single"}

func (t JoinType) String() string { return joinNames[t] }

// Join combines two inputs; Cond nil means a cross join. Semi and Anti
// output only the left columns.
type Join struct {
	Type        JoinType
	Left, Right Node
	Cond        Expr
	Mark        ColumnID // MarkJoin's output column
	// ExistsMark: the mark is read as EXISTS (its NULL as FALSE), so the
	// join may skip the work of telling NULL from FALSE.
	ExistsMark bool
	// Needed are the output columns read above the join (set by
	// PruneColumns; nil: all). The others only serve Cond, which a
	// source running the join itself evaluates without returning them.
	Needed ColSet
}

// AggCall is one aggregate function call.
type AggCall struct {
	Func     string // count_star, count, sum, avg, min, max, array_agg, …
	Args     []Expr
	Distinct bool
	Filter   Expr // nil = none
	T        sqltypes.Type
	// Order is the call's own ORDER BY when the aggregates of one
	// Aggregate need different orders (otherwise InputOrder serves all).
	Order []SortKey
}

// Merge is the aggregate that combines partial results of c computed
// over parts of its input (per finer group: below a join, or the finest
// grouping set): counts add up, sums of integers (bigint), double
// precision and fixed-scale numeric add up at their own type, min and max
// combine with themselves. Other aggregates (avg, DISTINCT, ordered,
// statistical, collecting ones) do not decompose this way.
func (c AggCall) Merge() (string, bool) {
	if c.Distinct || len(c.Order) > 0 {
		return "", false
	}
	switch c.Func {
	case "count", "count_star":
		return "count_merge", true
	case "min", "max":
		return c.Func, true
	case "sum":
		// The sums sum_merge adds at their own type (ops' merge types).
		if t, err := ops.AggregateType("sum_merge", []sqltypes.Type{c.T}); err == nil && t.Equal(c.T) {
			return "sum_merge", true
		}
	}
	return "", false
}

// Aggregate groups Input by Groups and computes Aggs. Output is GroupCols
// then AggCols; a group expression that is a plain ColRef keeps its ID.
type Aggregate struct {
	Input     Node
	Groups    []Expr
	GroupCols []ColumnID
	Aggs      []AggCall
	AggCols   []ColumnID
	// InputOrder, when set, is the order order-sensitive aggregates
	// (array_agg(x ORDER BY y), string_agg) see their input in: the input
	// is sorted and aggregated in one stream.
	InputOrder []SortKey
}

// SortKey is one ORDER BY key.
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

// Sort orders its input.
type Sort struct {
	Input Node
	Keys  []SortKey
}

// Limit skips Offset rows and returns at most Count (-1 = all). When the
// bounds are not constants (a parameter, a volatile call, a scalar
// subquery), Bounds is a plan of one row whose two int8 columns are the
// count (NULL = all) and the offset (NULL = 0): it runs once, before the
// first input row is read, and Count and Offset are then -1 and 0.
type Limit struct {
	Input         Node
	Offset, Count int64
	Bounds        Node
}

// Unnest expands the arrays Lists of each input row into rows, in
// lockstep as PostgreSQL's unnest(a, b) and several set-returning
// functions in one select list do: as many rows as the longest array, the
// shorter ones padded with NULLs. Output: the input columns, then element
// k as Cols[k], then the 1-based ordinality as Ord (0 when WITH
// ORDINALITY was not asked for).
type Unnest struct {
	Input Node
	Lists []Expr
	Cols  []ColumnID
	Ord   ColumnID
	Outer bool // LEFT JOIN LATERAL: rows with no elements are kept, with NULLs
	// Cond, when not nil, is the ON condition of `LEFT JOIN LATERAL f(...)
	// ON Cond` (Outer) or of an inner join: only the element rows for
	// which it is true are output, and with Outer an input row none of
	// whose element rows pass yields one row with the elements (and Ord)
	// NULL. It reads the output columns; it is not evaluated on that row.
	Cond Expr
}

// WindowCall is one window function call.
type WindowCall struct {
	Func   string // row_number, rank, …, or an aggregate (count_star, sum…)
	Args   []Expr
	Filter Expr
	Frame  ops.Frame
	// RangeKey, RangeStart and RangeEnd place rows for a RANGE frame with
	// offsets (see ops.RangeExprs); nil otherwise.
	RangeKey, RangeStart, RangeEnd Expr
	// Offsets are the frame's start and end offsets that were not
	// constants while binding (ROWS $1 PRECEDING, ROWS 1+1 PRECEDING):
	// the optimizer folds them, physical planning checks them
	// (ops.CheckFrameOffset) and puts ROWS and GROUPS offsets in Frame.
	// nil where the offset is absent or was known.
	Offsets [2]Expr
	T       sqltypes.Type
}

// RangeExprs returns the call's non-nil RANGE frame expressions.
func (c WindowCall) RangeExprs() []Expr {
	var out []Expr
	for _, e := range []Expr{c.RangeKey, c.RangeStart, c.RangeEnd} {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// Window computes window functions sharing one PARTITION BY / ORDER BY;
// its output is the input's columns then Cols (one per call).
type Window struct {
	Input       Node
	PartitionBy []Expr
	OrderBy     []SortKey
	Calls       []WindowCall
	Cols        []ColumnID
	// RowKey marks the row_number() decorrelation adds to tell the outer
	// rows apart once joined with a subquery's rows: its numbers only
	// identify rows, so a filter that does not read them may run below
	// it (a user's row_number() OVER () must number the rows the filter
	// sees).
	RowKey bool
}

func (n *Window) Output() []ColumnID {
	return append(append([]ColumnID(nil), n.Input.Output()...), n.Cols...)
}
func (n *Window) Children() []Node            { return []Node{n.Input} }
func (n *Window) WithChildren(ch []Node) Node { c := *n; c.Input = ch[0]; return &c }

// SetOpKind is UNION, INTERSECT or EXCEPT.
type SetOpKind uint8

const (
	Union SetOpKind = iota
	Intersect
	Except
)

var setOpNames = [...]string{"Union", "Intersect", "Except"}

func (k SetOpKind) String() string { return setOpNames[k] }

// SetOp combines two inputs of the same column types positionally; All
// keeps duplicates (multiset semantics), otherwise the result is distinct.
type SetOp struct {
	Kind        SetOpKind
	All         bool
	Left, Right Node
	Cols        []ColumnID
	// Appends marks a UNION ALL that PostgreSQL would flatten into an
	// append relation (is_simple_union_all: UNION ALL all the way
	// down, no ORDER BY, LIMIT or WITH of its own, every branch's
	// columns already of the result's types). PostgreSQL plans each
	// branch with the outputs nobody reads replaced by NULL, so an error
	// in such a column is never raised; column pruning does the same.
	Appends bool
}

func (n *SetOp) Output() []ColumnID          { return n.Cols }
func (n *SetOp) Children() []Node            { return []Node{n.Left, n.Right} }
func (n *SetOp) WithChildren(ch []Node) Node { c := *n; c.Left, c.Right = ch[0], ch[1]; return &c }

// Shared is one reference to a WITH query that is referenced more than
// once: every reference holds its own copy of the bound query (with its
// own column IDs), and the copies with one Key are computed once and their
// rows shared (positionally). Optimizer rules treat Shared as a fence, so
// that the copies stay alike: no predicate moves into it and every output
// of its input is kept.
type Shared struct {
	Key   int    // identifies the WITH query within the statement
	Name  string // the WITH query's name, for EXPLAIN
	Input Node
	// Materialized is set by AS MATERIALIZED: computed once even when
	// referenced once.
	Materialized bool
	// Memo, when set, is shared by references holding one Input node,
	// so that estimating each of them does not estimate the input again
	// (WITH queries reading each other twice, level after level).
	Memo *SharedMemo
}

// SharedMemo remembers facts about the Input of the Shared references
// that hold it; a fact is kept for one Input node and recomputed when a
// rewrite gave a reference another.
type SharedMemo struct {
	mu    sync.Mutex
	input Node
	rows  float64
}

func (m *SharedMemo) estimate(in Node) float64 {
	m.mu.Lock()
	if m.input == in {
		defer m.mu.Unlock()
		return m.rows
	}
	m.mu.Unlock()
	rows := Estimate(in)
	m.mu.Lock()
	m.input, m.rows = in, rows
	m.mu.Unlock()
	return rows
}

func (n *Shared) Output() []ColumnID          { return n.Input.Output() }
func (n *Shared) Children() []Node            { return []Node{n.Input} }
func (n *Shared) WithChildren(ch []Node) Node { c := *n; c.Input = ch[0]; return &c }

// Values is a constant relation.
type Values struct {
	Rows [][]Expr
	Cols []ColumnID
}

func (n *Scan) Output() []ColumnID    { return n.Cols }
func (n *Filter) Output() []ColumnID  { return n.Input.Output() }
func (n *Project) Output() []ColumnID { return n.Cols }
func (n *Sort) Output() []ColumnID    { return n.Input.Output() }
func (n *Limit) Output() []ColumnID   { return n.Input.Output() }
func (n *Values) Output() []ColumnID  { return n.Cols }
func (n *Aggregate) Output() []ColumnID {
	return append(append([]ColumnID(nil), n.GroupCols...), n.AggCols...)
}
func (n *Join) Output() []ColumnID {
	switch n.Type {
	case SemiJoin, AntiJoin:
		return n.Left.Output()
	case MarkJoin:
		return append(append([]ColumnID(nil), n.Left.Output()...), n.Mark)
	}
	return append(append([]ColumnID(nil), n.Left.Output()...), n.Right.Output()...)
}
func (n *Unnest) Output() []ColumnID {
	out := append(append([]ColumnID(nil), n.Input.Output()...), n.Cols...)
	if n.Ord != 0 {
		out = append(out, n.Ord)
	}
	return out
}

func (n *Scan) Children() []Node    { return nil }
func (n *Values) Children() []Node  { return nil }
func (n *Filter) Children() []Node  { return []Node{n.Input} }
func (n *Project) Children() []Node { return []Node{n.Input} }
func (n *Sort) Children() []Node    { return []Node{n.Input} }
func (n *Limit) Children() []Node {
	if n.Bounds != nil {
		return []Node{n.Input, n.Bounds}
	}
	return []Node{n.Input}
}
func (n *Aggregate) Children() []Node { return []Node{n.Input} }
func (n *Unnest) Children() []Node    { return []Node{n.Input} }
func (n *Join) Children() []Node      { return []Node{n.Left, n.Right} }

func (n *Scan) WithChildren([]Node) Node       { return n }
func (n *Values) WithChildren([]Node) Node     { return n }
func (n *Filter) WithChildren(ch []Node) Node  { c := *n; c.Input = ch[0]; return &c }
func (n *Project) WithChildren(ch []Node) Node { c := *n; c.Input = ch[0]; return &c }
func (n *Sort) WithChildren(ch []Node) Node    { c := *n; c.Input = ch[0]; return &c }
func (n *Limit) WithChildren(ch []Node) Node {
	c := *n
	c.Input = ch[0]
	if len(ch) > 1 {
		c.Bounds = ch[1]
	}
	return &c
}
func (n *Aggregate) WithChildren(ch []Node) Node { c := *n; c.Input = ch[0]; return &c }
func (n *Unnest) WithChildren(ch []Node) Node    { c := *n; c.Input = ch[0]; return &c }
func (n *Join) WithChildren(ch []Node) Node      { c := *n; c.Left, c.Right = ch[0], ch[1]; return &c }

// OutputSet returns n's output columns as a set.
func OutputSet(n Node) ColSet { return NewColSet(n.Output()...) }

// RecursiveUnion is a WITH RECURSIVE query: Anchor runs once, then
// Recursive runs again and again, its WorkTable leaves (of the same Key)
// reading the rows the round before produced, until a round produces
// none; the result is every row produced, positionally as Cols (the
// anchor's types; the binder casts the recursive term to them). Distinct
// (UNION without ALL) drops rows produced before, which ends cycles.
// Rules treat it as a fence: no predicate moves into it and both inputs
// keep every column, since each round feeds the next.
type RecursiveUnion struct {
	Key               int    // identifies the WorkTable leaves of Recursive
	Name              string // the WITH query's name, for EXPLAIN
	Anchor, Recursive Node
	Cols              []ColumnID
	Distinct          bool
}

func (n *RecursiveUnion) Output() []ColumnID { return n.Cols }
func (n *RecursiveUnion) Children() []Node   { return []Node{n.Anchor, n.Recursive} }
func (n *RecursiveUnion) WithChildren(ch []Node) Node {
	c := *n
	c.Anchor, c.Recursive = ch[0], ch[1]
	return &c
}

// WorkTable reads the rows the previous round of the RecursiveUnion with
// the same Key produced (its working table), positionally as Cols.
type WorkTable struct {
	Key  int
	Name string
	Cols []ColumnID
}

func (n *WorkTable) Output() []ColumnID       { return n.Cols }
func (n *WorkTable) Children() []Node         { return nil }
func (n *WorkTable) WithChildren([]Node) Node { return n }
