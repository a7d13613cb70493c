package expr

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// caseExpr is CASE WHEN c1 THEN v1 … ELSE e END. Conditions are tested
// in order on the rows no earlier condition took; each THEN is evaluated
// only for the rows it produces (see evalSelective), so a branch that
// would fail elsewhere (1/x where x = 0) does not raise.
type caseExpr struct {
	whens []When
	els   Expr // nil: NULL
	t     sqltypes.Type
}

// Case returns a CASE expression of type t. Conditions are boolean; each
// THEN and the ELSE are of type t (an Unknown NULL is converted); els nil
// means ELSE NULL.
func Case(whens []When, els Expr, t sqltypes.Type) Expr {
	ws := make([]When, len(whens))
	for i, w := range whens {
		ws[i] = When{Cond: coerceTo(w.Cond, sqltypes.TypeBool), Then: coerceTo(w.Then, t)}
	}
	if els != nil {
		els = coerceTo(els, t)
	}
	return &caseExpr{whens: ws, els: els, t: t}
}

// coerceTo casts e to t when that is possible and needed (best effort:
// the planner is expected to have done it).
func coerceTo(e Expr, t sqltypes.Type) Expr {
	if e.Type().Equal(t) || e.Type().IsString() && t.IsString() {
		return e
	}
	if l, ok := integerLiteralAs(e, t); ok {
		return l
	}
	if c, err := Cast(e, t); err == nil {
		return c
	}
	return e
}

// integerLiteralAs returns the integer literal e as a literal of the
// integer type t, when t holds its value: a builder that reads a constant
// argument (round's places) sees 2::int2 coerced to int4 as the literal 2,
// as it sees 2.
func integerLiteralAs(e Expr, t sqltypes.Type) (Expr, bool) {
	v, ok := IsLiteral(e)
	if !ok || !e.Type().IsInteger() || !t.IsInteger() {
		return nil, false
	}
	var n int64
	switch x := v.(type) {
	case nil:
		return Literal(t, nil), true
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	default:
		return nil, false
	}
	switch {
	case t.Kind == sqltypes.Int8:
		return Literal(t, n), true
	case t.Kind == sqltypes.Int4 && n == int64(int32(n)):
		return Literal(t, int32(n)), true
	case t.Kind == sqltypes.Int2 && n == int64(int16(n)):
		return Literal(t, int16(n)), true
	}
	return nil, false // out of range: the cast raises when it runs
}

func (e *caseExpr) Type() sqltypes.Type { return e.t }

func (e *caseExpr) children() []Expr {
	var ch []Expr
	for _, w := range e.whens {
		ch = append(ch, w.Cond, w.Then)
	}
	if e.els != nil {
		ch = append(ch, e.els)
	}
	return ch
}

func (e *caseExpr) withChildren(ch []Expr) Expr {
	c := &caseExpr{t: e.t, whens: make([]When, len(e.whens))}
	for i := range e.whens {
		c.whens[i] = When{Cond: ch[2*i], Then: ch[2*i+1]}
	}
	if e.els != nil {
		c.els = ch[len(ch)-1]
	}
	return c
}

func (e *caseExpr) String() string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for _, w := range e.whens {
		fmt.Fprintf(&sb, " WHEN %s THEN %s", w.Cond, w.Then)
	}
	if e.els != nil {
		fmt.Fprintf(&sb, " ELSE %s", e.els)
	}
	sb.WriteString(" END")
	return sb.String()
}

func (e *caseExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var br branches
	br.init(env.Mem, int(b.NumRows()))
	defer br.release()
	n := br.n
	selB, sel := allocBitmap(env.Mem, n)
	defer selB.Release()
	for _, w := range e.whens {
		if br.left == 0 {
			break
		}
		c, err := evalSelective(ctx, env, b, w.Cond, br.rem, br.left)
		if err != nil {
			return nil, err
		}
		vals, valid := boolBits(env.Mem, c)
		c.Release()
		vb, mb := vals.Bytes(), valid.Bytes()
		for i := range sel {
			sel[i] = br.rem[i] & vb[i] & mb[i]
		}
		vals.Release()
		valid.Release()
		cnt := countBits(sel, n)
		if cnt == 0 {
			continue
		}
		if _, err := br.eval(ctx, env, b, w.Then, sel, cnt); err != nil {
			return nil, err
		}
		br.take(sel, cnt)
	}
	if e.els != nil && br.left > 0 {
		if _, err := br.eval(ctx, env, b, e.els, br.rem, br.left); err != nil {
			return nil, err
		}
		br.take(br.rem, br.left)
	}
	return br.merge(e.t), nil
}

// branches is what CASE and COALESCE keep while they evaluate their
// branches over a batch: the rows no branch has taken yet (rem, left),
// each branch's result, computed on the rows it may take only
// (evalSelective), and which result each row takes (src; -1: none, so
// NULL).
type branches struct {
	mem     memory.Allocator
	n       int
	remB    *memory.Buffer
	rem     []byte
	left    int
	src     []int32
	results []arrow.Array
}

// init starts with n rows, none taken.
func (br *branches) init(mem memory.Allocator, n int) {
	br.remB, br.rem = allocBitmap(mem, n)
	setBitsTrue(br.rem, n)
	br.src = make([]int32, n)
	for i := range br.src {
		br.src[i] = -1
	}
	br.mem, br.n, br.left = mem, n, n
}

// eval evaluates e on the cnt rows of sel and keeps the result, which
// merge releases.
func (br *branches) eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch, e Expr, sel []byte, cnt int) (arrow.Array, error) {
	r, err := evalSelective(ctx, env, b, e, sel, cnt)
	if err != nil {
		return nil, err
	}
	br.results = append(br.results, r)
	return r, nil
}

// take gives the cnt rows of sel (rows not taken yet; sel may be rem
// itself) the value of the result eval kept last.
func (br *branches) take(sel []byte, cnt int) {
	k := int32(len(br.results) - 1)
	for i := 0; i < br.n; i++ {
		if bitutil.BitIsSet(sel, i) {
			br.src[i] = k
		}
	}
	for i := range sel {
		br.rem[i] &^= sel[i]
	}
	br.left -= cnt
}

// takeValid gives the rows not taken yet on which the result eval kept
// last, r, is not NULL its value (COALESCE).
func (br *branches) takeValid(r arrow.Array) {
	if r.DataType().ID() == arrow.NULL {
		return
	}
	k := int32(len(br.results) - 1)
	bm, off := bitmapOf(r)
	for i := 0; i < br.n; i++ {
		if bitutil.BitIsSet(br.rem, i) && validAt(bm, off, i) {
			br.src[i] = k
			clearBit(br.rem, i)
			br.left--
		}
	}
}

// merge builds the result of type t, each row from the branch that took it.
func (br *branches) merge(t sqltypes.Type) arrow.Array {
	return mergeRows(br.mem, t, br.n, br.results, br.src)
}

func (br *branches) release() {
	br.remB.Release()
	releaseAll(br.results)
}

// mergeRows builds row i from results[src[i]] at row i (NULL for -1).
func mergeRows(mem memory.Allocator, t sqltypes.Type, n int, results []arrow.Array, src []int32) arrow.Array {
	if len(results) == 0 {
		return nullArray(mem, t, n)
	}
	if len(results) == 1 && results[0].NullN() == 0 && allSet(src) {
		results[0].Retain()
		return results[0]
	}
	dt := t.Arrow()
	switch dt.ID() {
	case arrow.INT16:
		return mergeFixed[int16](mem, dt, n, results, src)
	case arrow.INT32, arrow.DATE32:
		return mergeFixed[int32](mem, dt, n, results, src)
	case arrow.UINT32:
		return mergeFixed[uint32](mem, dt, n, results, src)
	case arrow.INT64, arrow.TIMESTAMP, arrow.TIME64:
		return mergeFixed[int64](mem, dt, n, results, src)
	case arrow.FLOAT32:
		return mergeFixed[float32](mem, dt, n, results, src)
	case arrow.FLOAT64:
		return mergeFixed[float64](mem, dt, n, results, src)
	case arrow.DECIMAL128:
		return mergeFixed[decimal128.Num](mem, dt, n, results, src)
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return mergeFixed[arrow.MonthDayNanoInterval](mem, dt, n, results, src)
	case arrow.STRING, arrow.BINARY:
		views := make([]strView, len(results))
		for i, r := range results {
			views[i] = viewOf(r)
		}
		out, _ := mapRowsStr(mem, dt, n, nil, func(i int, dst []byte) ([]byte, bool, error) {
			s := src[i]
			if s < 0 || results[s].IsNull(i) {
				return dst, true, nil
			}
			return append(dst, views[s].bytes(i)...), false, nil
		})
		return out
	case arrow.BOOL:
		out, _ := boolRows(mem, n, nil, func(i int) (bool, bool, error) {
			s := src[i]
			if s < 0 || results[s].IsNull(i) {
				return false, true, nil
			}
			return results[s].(*array.Boolean).Value(i), false, nil
		})
		return out
	}
	bld := array.NewBuilder(mem, dt)
	defer bld.Release()
	for i := 0; i < n; i++ {
		if s := src[i]; s >= 0 {
			appendDatum(bld, t, datumAt(results[s], t, i))
		} else {
			bld.AppendNull()
		}
	}
	return bld.NewArray()
}

func allSet(src []int32) bool {
	for _, s := range src {
		if s != 0 {
			return false
		}
	}
	return true
}

func mergeFixed[T fixedT](mem memory.Allocator, dt arrow.DataType, n int, results []arrow.Array, src []int32) arrow.Array {
	vals := make([][]T, len(results))
	bms := make([][]byte, len(results))
	offs := make([]int, len(results))
	for i, r := range results {
		if r.DataType().ID() == arrow.NULL {
			continue
		}
		vals[i] = values[T](r)
		bms[i], offs[i] = bitmapOf(r)
	}
	buf, out := allocFixed[T](mem, n)
	valid, vb := allocBitmap(mem, n)
	nulls := false
	for i := range out {
		var z T
		out[i] = z
		s := src[i]
		if s < 0 || vals[s] == nil || !validAt(bms[s], offs[s], i) {
			nulls = true
			continue
		}
		out[i] = vals[s][i]
		setBit(vb, i)
	}
	if !nulls {
		valid.Release()
		valid = nil
	}
	return finish(dt, n, valid, buf)
}
