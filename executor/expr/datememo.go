package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/gather"
	"github.com/meshql/meshql/sqltypes"
)

// Values computed from one date column. A group key such as
// date_trunc('month', l_shipdate)::date converts each row's date to
// timestamptz in the session's zone, truncates it there and converts it
// back, some 50 ns a row, while a batch of 8,192 lineitem rows holds
// about 2,400 distinct dates (the whole table 2,526). Such an expression
// is computed once per distinct date of the batch and gathered to the
// rows, as OverDictionary does for text arriving as dictionaries.

// minDateMemoRows is the smallest batch worth deduplicating.
const minDateMemoRows = 256

// OverDates returns e computed once per distinct value of a batch when
// e reads exactly one date column, and nothing else but literals,
// through nodes whose value for a row depends only on that row's value,
// at least one of them a function call or a cast (the nodes that cost
// per row) other than extract/date_part, which read a date's fields by
// table for less than the gathering costs; otherwise it returns e.
func OverDates(e Expr) Expr {
	costly := false
	col, ok := oneColumn(e, func(t sqltypes.Type) bool { return t.Kind == sqltypes.Date }, func(x Expr) bool {
		switch c := x.(type) {
		case *callExpr:
			costly = costly || c.name != "extract" && c.name != "date_part"
			return !IsVolatile(c.name) && !c.acts
		case *castExpr:
			costly = true
			return true
		case *caseExpr, *coalesceExpr, *cmpExpr, *inExpr, *distinctExpr, *logicExpr, *unaryExpr:
			return true
		}
		return false
	})
	if !ok || !costly {
		return e
	}
	return &dateMemo{orig: e, col: col, onDays: Remap(e, func(int) int { return 0 })}
}

// dateMemo is an expression of one date column evaluated per distinct
// date of a batch (see OverDates).
type dateMemo struct {
	orig   Expr
	col    int  // the date column it reads
	onDays Expr // orig reading column 0 of a batch of distinct dates
}

func (d *dateMemo) Type() sqltypes.Type         { return d.orig.Type() }
func (d *dateMemo) String() string              { return d.orig.String() }
func (d *dateMemo) children() []Expr            { return []Expr{d.orig} }
func (d *dateMemo) withChildren(ch []Expr) Expr { return OverDates(ch[0]) }

// Eval computes the expression on the batch's distinct dates, in the
// order of their first row (so that the first value to raise an error is
// the first row's to, as row by row), NULL being one more value, and
// gathers the answers to the rows. A batch whose dates spread over more
// than twice its rows' days, or a small one, is evaluated row by row.
func (d *dateMemo) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	n := int(b.NumRows())
	if n < minDateMemoRows || d.col >= int(b.NumCols()) {
		return d.orig.Eval(ctx, env, b)
	}
	col, ok := b.Column(d.col).(*array.Date32)
	if !ok {
		return d.orig.Eval(ctx, env, b)
	}
	lo, hi, some := validRange(col)
	if !some || int64(hi)-int64(lo) >= 2*int64(n) {
		return d.orig.Eval(ctx, env, b)
	}
	// slot[v-lo] is 1 + the index in uniq of date v once seen.
	slot := make([]int32, int(hi-lo)+1)
	codes := make([]int32, n)
	uniq := make([]arrow.Date32, 0, min(n, len(slot)))
	var valid []bool // nil while no NULL was seen
	nullCode := int32(-1)
	days := col.Date32Values()
	if col.NullN() == 0 {
		for i, v := range days {
			s := &slot[v-lo]
			if *s == 0 {
				uniq = append(uniq, v)
				*s = int32(len(uniq))
			}
			codes[i] = *s - 1
		}
	} else {
		valid = make([]bool, 0, cap(uniq))
		for i, v := range days {
			if col.IsNull(i) {
				if nullCode < 0 {
					nullCode = int32(len(uniq))
					uniq = append(uniq, 0)
					valid = append(valid, false)
				}
				codes[i] = nullCode
				continue
			}
			s := &slot[v-lo]
			if *s == 0 {
				uniq = append(uniq, v)
				valid = append(valid, true)
				*s = int32(len(uniq))
			}
			codes[i] = *s - 1
		}
	}
	bld := array.NewDate32Builder(env.Mem)
	bld.AppendValues(uniq, valid)
	vals := bld.NewArray()
	bld.Release()
	defer vals.Release()
	vb := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true}}, nil), []arrow.Array{vals}, int64(vals.Len()))
	defer vb.Release()
	res, err := d.onDays.Eval(ctx, env, vb)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	if res.Len() != len(uniq) {
		return nil, internalErr("%s over %d distinct dates returned %d values", d, len(uniq), res.Len())
	}
	return gather.Array(env.Mem, res, codes)
}

// validRange returns the least and greatest non-NULL value of col, and
// whether it has one.
func validRange(col *array.Date32) (lo, hi arrow.Date32, some bool) {
	nulls := col.NullN() > 0
	for i, v := range col.Date32Values() {
		if nulls && col.IsNull(i) {
			continue
		}
		if !some {
			lo, hi, some = v, v, true
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi, some
}
