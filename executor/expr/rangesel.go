package expr

import (
	"cmp"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// Range predicates as selection vectors. A filter that is a conjunction
// of comparisons of columns with constants (TPC-H Q6: a date range, a
// discount range and a quantity bound) keeps a row exactly when each
// column lies in an interval. Evaluated as expressions, every comparison
// fills a boolean array for the whole batch and every AND combines two;
// instead, the comparisons on one column are merged into one interval,
// the first column's interval selects row positions in one pass, and
// each further column only looks at the rows still selected. The
// comparisons cannot fail and do not depend on order, so the result is
// the set of rows for which the predicate is TRUE (NULLs are not in any
// interval).

// intervals is a predicate compiled into one interval per column.
type intervals struct {
	cols []colRange
}

type rangeKind uint8

const (
	range32  rangeKind = iota // int32 and date
	range64                   // bigint and timestamp
	rangeDec                  // decimal128 of one scale
)

// colRange is lo <= column <= hi (empty when no value can be in it).
type colRange struct {
	col      int
	kind     rangeKind
	lo, hi   int64
	dlo, dhi decimal128.Num
	empty    bool
	id       arrow.Type // the Arrow type of the column
	sqlType  sqltypes.Type
}

// compileIntervals returns e as per-column intervals when e is an AND tree
// of comparisons (=, <, <=, >, >=) of a column of an integer, date,
// timestamp or numeric type with a non-NULL constant of the same layout;
// else nil.
func compileIntervals(e Expr) *intervals {
	r := &intervals{}
	if !r.add(e) || len(r.cols) == 0 {
		return nil
	}
	return r
}

func (r *intervals) add(e Expr) bool {
	if l, ok := e.(*logicExpr); ok {
		return l.op == OpAnd && r.add(l.l) && r.add(l.r)
	}
	c, ok := e.(*cmpExpr)
	if !ok {
		return false
	}
	op := c.op
	col, isCol := c.l.(*ColumnExpr)
	lit := c.r
	if !isCol {
		if col, isCol = c.r.(*ColumnExpr); !isCol {
			return false
		}
		lit = c.l
		op = FlipComparison(op)
	}
	v, ok := IsLiteral(lit)
	if !ok || v == nil || !sameScalarLayout(col.T, lit.Type()) {
		return false
	}
	switch op {
	case OpEq, OpLt, OpLe, OpGt, OpGe:
	default:
		return false
	}
	var kind rangeKind
	switch v.(type) {
	case int32, arrow.Date32:
		kind = range32
	case int64, arrow.Timestamp:
		kind = range64
	case decimal128.Num:
		kind = rangeDec
	default:
		return false
	}
	if k, ok := kindOf(col.T); !ok || k != kind {
		return false
	}
	cr := r.column(col)
	if cr == nil {
		return false
	}
	switch x := v.(type) {
	case int32:
		return cr.bound(op, int64(x), math.MinInt32, math.MaxInt32)
	case arrow.Date32:
		return cr.bound(op, int64(x), math.MinInt32, math.MaxInt32)
	case int64:
		return cr.bound(op, x, math.MinInt64, math.MaxInt64)
	case arrow.Timestamp:
		return cr.bound(op, int64(x), math.MinInt64, math.MaxInt64)
	}
	return cr.boundDec(op, v.(decimal128.Num))
}

// kindOf is the interval kind of columns of type t.
func kindOf(t sqltypes.Type) (rangeKind, bool) {
	switch t.Arrow().ID() {
	case arrow.INT32, arrow.DATE32:
		return range32, true
	case arrow.INT64, arrow.TIMESTAMP:
		return range64, true
	case arrow.DECIMAL128:
		return rangeDec, true
	}
	return 0, false
}

// FlipComparison is op with its operands swapped (c < x is x > c).
func FlipComparison(op BinaryOp) BinaryOp {
	switch op {
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	}
	return op
}

// column returns the interval of column c, adding an unbounded one; nil
// for a type without intervals.
func (r *intervals) column(c *ColumnExpr) *colRange {
	for i := range r.cols {
		if r.cols[i].col == c.Index {
			if !r.cols[i].sqlType.Equal(c.T) {
				return nil
			}
			return &r.cols[i]
		}
	}
	cr := colRange{col: c.Index, sqlType: c.T}
	switch id := c.T.Arrow().ID(); id {
	case arrow.INT32, arrow.DATE32:
		cr.kind, cr.id = range32, id
		cr.lo, cr.hi = math.MinInt32, math.MaxInt32
	case arrow.INT64, arrow.TIMESTAMP:
		cr.kind, cr.id = range64, id
		cr.lo, cr.hi = math.MinInt64, math.MaxInt64
	case arrow.DECIMAL128:
		cr.kind, cr.id = rangeDec, id
		cr.dlo, cr.dhi = decimal128.New(math.MinInt64, 0), decimal128.New(math.MaxInt64, math.MaxUint64)
	default:
		return nil
	}
	r.cols = append(r.cols, cr)
	return &r.cols[len(r.cols)-1]
}

// intersect narrows the interval of c's column by c (adding it when the
// column has none yet); false when the column already has an interval
// of another type.
func (r *intervals) intersect(c colRange) bool {
	for i := range r.cols {
		cr := &r.cols[i]
		if cr.col != c.col {
			continue
		}
		if !cr.sqlType.Equal(c.sqlType) {
			return false
		}
		cr.empty = cr.empty || c.empty
		if cr.kind == rangeDec {
			if c.dlo.Greater(cr.dlo) {
				cr.dlo = c.dlo
			}
			if c.dhi.Less(cr.dhi) {
				cr.dhi = c.dhi
			}
			cr.empty = cr.empty || cr.dlo.Greater(cr.dhi)
		} else {
			cr.lo, cr.hi = max(cr.lo, c.lo), min(cr.hi, c.hi)
			cr.empty = cr.empty || cr.lo > cr.hi
		}
		return true
	}
	r.cols = append(r.cols, c)
	return true
}

// bound narrows an integer interval by "column op s"; minV and maxV are
// the type's limits.
func (cr *colRange) bound(op BinaryOp, s, minV, maxV int64) bool {
	lo, hi := minV, maxV
	switch op {
	case OpEq:
		lo, hi = s, s
	case OpLt:
		if s == minV {
			cr.empty = true
		}
		hi = s - 1
	case OpLe:
		hi = s
	case OpGt:
		if s == maxV {
			cr.empty = true
		}
		lo = s + 1
	case OpGe:
		lo = s
	}
	cr.lo, cr.hi = max(cr.lo, lo), min(cr.hi, hi)
	if cr.lo > cr.hi {
		cr.empty = true
	}
	return true
}

// boundDec is bound for decimals: their values are scaled integers far
// from the 128-bit limits, so s ± 1 cannot overflow.
func (cr *colRange) boundDec(op BinaryOp, s decimal128.Num) bool {
	one := decimal128.FromI64(1)
	lo, hi := cr.dlo, cr.dhi
	switch op {
	case OpEq:
		lo, hi = s, s
	case OpLt:
		hi = s.Sub(one)
	case OpLe:
		hi = s
	case OpGt:
		lo = s.Add(one)
	case OpGe:
		lo = s
	}
	if lo.Greater(cr.dlo) {
		cr.dlo = lo
	}
	if hi.Less(cr.dhi) {
		cr.dhi = hi
	}
	if cr.dlo.Greater(cr.dhi) {
		cr.empty = true
	}
	return true
}

// Select returns the positions of the rows of cols (a batch's columns)
// where the predicate is TRUE, reusing sel's storage. It reports false
// when a column does not have the layout the predicate was compiled for
// (a dictionary array, say): evaluate the expression instead.
func (r *intervals) Select(cols []arrow.Array, n int, sel []int32) ([]int32, bool) {
	for i := range r.cols {
		c := &r.cols[i]
		if c.col >= len(cols) {
			return sel, false
		}
		if cols[c.col].DataType().ID() != c.id {
			return sel, false
		}
	}
	if cap(sel) < n {
		sel = make([]int32, n)
	}
	sel = sel[:n]
	for i := range sel {
		sel[i] = int32(i)
	}
	for i := range r.cols {
		c := &r.cols[i]
		if c.empty {
			return sel[:0], true
		}
		a := cols[c.col]
		var valid []byte
		off := a.Data().Offset()
		if a.NullN() > 0 {
			valid = a.NullBitmapBytes()
		}
		switch c.kind {
		case range32:
			sel = refine(values[int32](a), int32(c.lo), int32(c.hi), valid, off, sel)
		case range64:
			sel = refine(values[int64](a), c.lo, c.hi, valid, off, sel)
		case rangeDec:
			sel = refineDec(values[decimal128.Num](a), c.dlo, c.dhi, valid, off, sel)
		}
		if len(sel) == 0 {
			break
		}
	}
	return sel, true
}

// refine keeps the rows of sel whose value is valid and in [lo, hi].
func refine[T int32 | int64](vals []T, lo, hi T, valid []byte, off int, sel []int32) []int32 {
	k := 0
	if valid == nil {
		for _, i := range sel {
			v := vals[i]
			sel[k] = i
			if v >= lo && v <= hi {
				k++
			}
		}
		return sel[:k]
	}
	for _, i := range sel {
		v := vals[i]
		sel[k] = i
		if v >= lo && v <= hi && bitutil.BitIsSet(valid, off+int(i)) {
			k++
		}
	}
	return sel[:k]
}

// refineDec is refine for decimals.
func refineDec(vals []decimal128.Num, lo, hi decimal128.Num, valid []byte, off int, sel []int32) []int32 {
	k := 0
	for _, i := range sel {
		v := vals[i]
		sel[k] = i
		if !decLess(v, lo) && !decLess(hi, v) && (valid == nil || bitutil.BitIsSet(valid, off+int(i))) {
			k++
		}
	}
	return sel[:k]
}

// intervalUnion is an OR of intervals of one column (TPC-H Q19's three
// quantity ranges).
type intervalUnion struct {
	orig  Expr
	parts []colRange
}

// compileUnion returns e as a union of intervals when e is an OR whose
// every branch is a conjunction of comparisons of one and the same column
// with constants (see compileIntervals); else nil.
func compileUnion(e Expr) *intervalUnion {
	branches := operands(e, OpOr)
	if len(branches) < 2 {
		return nil
	}
	u := &intervalUnion{orig: e}
	for _, br := range branches {
		iv := compileIntervals(br)
		if iv == nil || len(iv.cols) != 1 {
			return nil
		}
		if c := iv.cols[0]; len(u.parts) > 0 && (c.col != u.parts[0].col || !c.sqlType.Equal(u.parts[0].sqlType)) {
			return nil
		}
		u.parts = append(u.parts, iv.cols[0])
	}
	u.merge()
	return u
}

// merge sorts the intervals and joins those that overlap or touch, so
// that each row is compared with as few bounds as possible: Q19's
// quantities [1, 11] ∪ [10, 20] ∪ [20, 30] are the one interval [1, 30],
// which the Selector then checks with its other ranges. An empty union
// keeps one empty interval.
func (u *intervalUnion) merge() {
	first := u.parts[0] // DeleteFunc zeroes the elements it removes
	parts := slices.DeleteFunc(u.parts, func(c colRange) bool { return c.empty })
	if len(parts) == 0 {
		u.parts = append(u.parts[:0], colRange{col: first.col, kind: first.kind, id: first.id, sqlType: first.sqlType, empty: true})
		return
	}
	dec := parts[0].kind == rangeDec
	slices.SortFunc(parts, func(a, b colRange) int {
		if dec {
			return a.dlo.Cmp(b.dlo)
		}
		return cmp.Compare(a.lo, b.lo)
	})
	one := decimal128.FromI64(1)
	out := parts[:1]
	for _, c := range parts[1:] {
		last := &out[len(out)-1]
		switch {
		case dec && (!c.dlo.Greater(last.dhi) || c.dlo == last.dhi.Add(one)):
			if c.dhi.Greater(last.dhi) {
				last.dhi = c.dhi
			}
		case !dec && (last.hi == math.MaxInt64 || c.lo <= last.hi+1):
			last.hi = max(last.hi, c.hi)
		default:
			out = append(out, c)
		}
	}
	u.parts = out
}

// refine keeps the rows of sel whose value is valid and in one of the
// intervals; it reports false, having changed nothing, when the column
// does not have the layout the union was compiled for.
func (u *intervalUnion) refine(cols []arrow.Array, sel []int32) ([]int32, bool) {
	c0 := &u.parts[0]
	if c0.col >= len(cols) || cols[c0.col].DataType().ID() != c0.id {
		return sel, false
	}
	a := cols[c0.col]
	valid, off := bitmapOf(a)
	k := 0
	switch c0.kind {
	case range32, range64:
		var v32 []int32
		var v64 []int64
		if c0.kind == range32 {
			v32 = values[int32](a)
		} else {
			v64 = values[int64](a)
		}
		for _, i := range sel {
			var v int64
			if v32 != nil {
				v = int64(v32[i])
			} else {
				v = v64[i]
			}
			in := false
			for p := range u.parts {
				in = in || (!u.parts[p].empty && v >= u.parts[p].lo && v <= u.parts[p].hi)
			}
			sel[k] = i
			if in && (valid == nil || bitutil.BitIsSet(valid, off+int(i))) {
				k++
			}
		}
	case rangeDec:
		vals := values[decimal128.Num](a)
		for _, i := range sel {
			v := vals[i]
			in := false
			for p := range u.parts {
				in = in || (!u.parts[p].empty && !decLess(v, u.parts[p].dlo) && !decLess(u.parts[p].dhi, v))
			}
			sel[k] = i
			if in && (valid == nil || bitutil.BitIsSet(valid, off+int(i))) {
				k++
			}
		}
	}
	return sel[:k], true
}

// colCompare is a comparison of two columns of one interval type (TPC-H
// Q12's l_commitdate < l_receiptdate), normalized to =, <>, < or <=.
type colCompare struct {
	orig Expr
	l, r int
	op   BinaryOp
	kind rangeKind
	id   arrow.Type
}

// compileColCompare returns e as a colCompare, or nil.
func compileColCompare(e Expr) *colCompare {
	c, ok := e.(*cmpExpr)
	if !ok {
		return nil
	}
	l, lok := c.l.(*ColumnExpr)
	r, rok := c.r.(*ColumnExpr)
	if !lok || !rok || !l.T.Equal(r.T) {
		return nil
	}
	kind, ok := kindOf(l.T)
	if !ok {
		return nil
	}
	cc := &colCompare{orig: e, l: l.Index, r: r.Index, op: c.op, kind: kind, id: l.T.Arrow().ID()}
	switch c.op {
	case OpGt, OpGe:
		cc.l, cc.r, cc.op = r.Index, l.Index, FlipComparison(c.op)
	case OpEq, OpNe, OpLt, OpLe:
	default:
		return nil
	}
	return cc
}

// refine keeps the rows of sel where both values are valid and the
// comparison holds; it reports false, having changed nothing, when a
// column does not have the layout it was compiled for.
func (c *colCompare) refine(cols []arrow.Array, sel []int32) ([]int32, bool) {
	if c.l >= len(cols) || c.r >= len(cols) || cols[c.l].DataType().ID() != c.id || cols[c.r].DataType().ID() != c.id {
		return sel, false
	}
	la, ra := cols[c.l], cols[c.r]
	switch c.kind {
	case range32:
		return compareRows(values[int32](la), values[int32](ra), c.op, la, ra, sel), true
	case range64:
		return compareRows(values[int64](la), values[int64](ra), c.op, la, ra, sel), true
	}
	lv, rv := values[decimal128.Num](la), values[decimal128.Num](ra)
	lb, loff := bitmapOf(la)
	rb, roff := bitmapOf(ra)
	k := 0
	for _, i := range sel {
		x, y := lv[i], rv[i]
		var ok bool
		switch c.op {
		case OpEq:
			ok = x == y
		case OpNe:
			ok = x != y
		case OpLt:
			ok = decLess(x, y)
		default:
			ok = !decLess(y, x)
		}
		sel[k] = i
		if ok && bothValid(lb, loff, rb, roff, i) {
			k++
		}
	}
	return sel[:k], true
}

// compareRows is colCompare.refine for integers.
func compareRows[T int32 | int64](lv, rv []T, op BinaryOp, la, ra arrow.Array, sel []int32) []int32 {
	lb, loff := bitmapOf(la)
	rb, roff := bitmapOf(ra)
	k := 0
	for _, i := range sel {
		x, y := lv[i], rv[i]
		var ok bool
		switch op {
		case OpEq:
			ok = x == y
		case OpNe:
			ok = x != y
		case OpLt:
			ok = x < y
		default:
			ok = x <= y
		}
		sel[k] = i
		if ok && bothValid(lb, loff, rb, roff, i) {
			k++
		}
	}
	return sel[:k]
}

// bothValid reports whether row i is valid in two validity bitmaps (nil:
// every row valid) at offsets loff and roff.
func bothValid(lb []byte, loff int, rb []byte, roff int, i int32) bool {
	return (lb == nil || bitutil.BitIsSet(lb, loff+int(i))) && (rb == nil || bitutil.BitIsSet(rb, roff+int(i)))
}

// operands returns the operands of a chain of op (AND or OR) in e, left
// to right: e itself when e is not op.
func operands(e Expr, op BinaryOp) []Expr {
	if l, ok := e.(*logicExpr); ok && l.op == op {
		return append(operands(l.l, op), operands(l.r, op)...)
	}
	return []Expr{e}
}
