package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/meshql/meshql/executor"
)

// Conjunctions as selection vectors. A filter keeps a row when every
// conjunct of its predicate is TRUE there, so each conjunct only needs
// the rows all earlier ones kept: comparisons of columns with constants
// go first, as intervals, then ORs of intervals of one column (TPC-H
// Q19's quantity ranges), then comparisons of two columns (Q12's dates);
// predicates over dictionary-encoded text next, answered once per
// dictionary entry and looked up by the codes of the rows still
// selected; any other conjunct last, evaluated on the whole
// batch when most rows are left and on just those rows otherwise. A
// conjunct thus sees no row an earlier conjunct rejected, so it raises no
// error for such a row either. The order is free because the conjuncts of
// one filter may run in any order: an access policy's row filter shares a
// filter only with leakproof conjuncts, which cannot fail; the planner
// keeps the others in a filter above it (rules.PushDownFilters).

// Selector evaluates a predicate into the positions of the rows where it
// is TRUE, conjunct by conjunct.
type Selector struct {
	ranges    *intervals
	rangeExpr Expr             // the conjuncts in ranges, for batches it cannot read
	unions    []*intervalUnion // conjuncts that are ORs of intervals of one column
	compares  []*colCompare    // conjuncts comparing two columns
	rest      []Expr           // the other conjuncts: over dictionaries first
}

// NewSelector returns a Selector for pred, or nil when pred has nothing
// to gain from one (a single conjunct that is not an interval).
func NewSelector(pred Expr) *Selector {
	leaves := operands(pred, OpAnd)
	s := &Selector{ranges: &intervals{}}
	var dicts, others []Expr
	addRange := func(e Expr) {
		if s.rangeExpr == nil {
			s.rangeExpr = e
		} else {
			s.rangeExpr = &logicExpr{op: OpAnd, l: s.rangeExpr, r: e}
		}
	}
	for _, e := range leaves {
		u := compileUnion(e)
		switch {
		case s.ranges.add(e):
			addRange(e)
		case u != nil && len(u.parts) == 1 && s.ranges.intersect(u.parts[0]):
			// The OR's intervals merged into one (Q19's quantities).
			addRange(e)
		case u != nil:
			s.unions = append(s.unions, u)
		case compileColCompare(e) != nil:
			s.compares = append(s.compares, compileColCompare(e))
		case isDictExpr(e):
			dicts = append(dicts, e)
		default:
			others = append(others, e)
		}
	}
	if len(s.ranges.cols) == 0 {
		if len(leaves) < 2 && len(s.unions) == 0 {
			return nil
		}
		s.ranges = nil
	}
	s.rest = append(dicts, others...)
	return s
}

func isDictExpr(e Expr) bool {
	_, ok := e.(*dictExpr)
	return ok
}

// Select returns the positions, ascending, of the rows of b where the
// predicate is TRUE, reusing sel's storage.
func (s *Selector) Select(ctx context.Context, env *executor.Env, b arrow.RecordBatch, sel []int32) ([]int32, error) {
	n := int(b.NumRows())
	rest := s.rest
	ok := false
	if s.ranges != nil {
		sel, ok = s.ranges.Select(b.Columns(), n, sel[:0])
		if !ok {
			rest = append([]Expr{s.rangeExpr}, rest...)
		}
	}
	if !ok {
		sel = allRows(sel, n)
	}
	for _, u := range s.unions {
		if len(sel) == 0 {
			break
		}
		out, done := u.refine(b.Columns(), sel)
		if !done {
			rest = append([]Expr{u.orig}, rest...)
			continue
		}
		sel = out
	}
	for _, c := range s.compares {
		if len(sel) == 0 {
			break
		}
		out, done := c.refine(b.Columns(), sel)
		if !done {
			rest = append(rest, c.orig)
			continue
		}
		sel = out
	}
	var bits []byte
	for _, e := range rest {
		if len(sel) == 0 {
			break
		}
		if d, isDict := e.(*dictExpr); isDict {
			out, done, err := d.refine(ctx, env, b, sel)
			if err != nil {
				return sel[:0], err
			}
			if done {
				sel = out
				continue
			}
		}
		var a arrow.Array
		var err error
		if len(sel) == n {
			a, err = e.Eval(ctx, env, b)
		} else {
			bits = selBitmap(bits, sel, n)
			a, err = evalSelective(ctx, env, b, e, bits, len(sel))
		}
		if err != nil {
			return sel[:0], err
		}
		sel = keepTrue(sel, a)
		a.Release()
	}
	return sel, nil
}

// allRows returns 0, 1, …, n-1 in sel's storage.
func allRows(sel []int32, n int) []int32 {
	if cap(sel) < n {
		sel = make([]int32, n)
	}
	sel = sel[:n]
	for i := range sel {
		sel[i] = int32(i)
	}
	return sel
}

// selBitmap returns a bitmap of n bits with those of sel set, in bits'
// storage.
func selBitmap(bits []byte, sel []int32, n int) []byte {
	m := bitutil.BytesForBits(int64(n))
	if cap(bits) < int(m) {
		bits = make([]byte, m)
	}
	bits = bits[:m]
	clear(bits)
	for _, i := range sel {
		bitutil.SetBit(bits, int(i))
	}
	return bits
}

// keepTrue keeps the rows of sel where the boolean a is TRUE (a
// Null-typed array keeps none).
func keepTrue(sel []int32, a arrow.Array) []int32 {
	bl, ok := a.(*array.Boolean)
	if !ok {
		return sel[:0]
	}
	vals, voff := bl.Data().Buffers()[1].Bytes(), bl.Data().Offset()
	valid, off := bitmapOf(bl)
	k := 0
	for _, i := range sel {
		sel[k] = i
		if bitutil.BitIsSet(vals, voff+int(i)) && (valid == nil || bitutil.BitIsSet(valid, off+int(i))) {
			k++
		}
	}
	return sel[:k]
}
