package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Predicates over dictionary-encoded text. A scan may deliver a text
// column as an Arrow dictionary array (Parquet stores low-cardinality
// strings that way); a predicate that reads only that column then has one
// answer per distinct value, so it is computed on the dictionary's values
// and looked up by each row's code, instead of decoding every row's string
// and comparing or hashing it.

// OverDictionaries returns e with each largest boolean subtree that reads
// one text column and nothing but literals, through comparisons, IN, LIKE,
// IS [NOT] DISTINCT FROM, NOT, IS [NOT] NULL, AND and OR, evaluated per
// dictionary entry whenever that column arrives as a dictionary array
// (with int32 codes and no more entries than the batch has rows). Other
// batches evaluate e as before. The result is the same either way: these
// nodes are deterministic and their answer for a row depends only on the
// row's value. e is not modified.
func OverDictionaries(e Expr) Expr {
	if col, ok := dictPredicate(e); ok {
		return &dictExpr{orig: e, col: col, onDict: Remap(e, func(int) int { return 0 })}
	}
	n, ok := e.(node)
	if !ok {
		return e
	}
	ch := n.children()
	nch := make([]Expr, len(ch))
	changed := false
	for i, c := range ch {
		nch[i] = OverDictionaries(c)
		changed = changed || nch[i] != c
	}
	if !changed {
		return e
	}
	return n.withChildren(nch)
}

// dictPredicate reports whether e is a boolean tree of the nodes listed
// at OverDictionaries over exactly one text column, and which.
func dictPredicate(e Expr) (int, bool) {
	if e.Type().Kind != sqltypes.Bool {
		return 0, false
	}
	return oneTextColumn(e, func(x Expr) bool {
		switch c := x.(type) {
		case *cmpExpr, *inExpr, *likeExpr, *distinctExpr, *logicExpr:
			return true
		case *unaryExpr:
			return c.t.Kind == sqltypes.Bool // NOT and the IS tests, not negation
		}
		return false
	})
}

// oneTextColumn reports whether e reads exactly one text column, and
// which, through literals and nodes that allow accepts only; e itself
// must not be the bare column.
func oneTextColumn(e Expr, allow func(Expr) bool) (int, bool) {
	return oneColumn(e, sqltypes.Type.IsString, allow)
}

// oneColumn reports whether e reads exactly one column, of a type that
// want accepts, and which, through literals and nodes that allow
// accepts only; e itself must not be the bare column.
func oneColumn(e Expr, want func(sqltypes.Type) bool, allow func(Expr) bool) (int, bool) {
	if _, isCol := e.(*ColumnExpr); isCol {
		return 0, false
	}
	col, ok := -1, true
	var walk func(Expr)
	walk = func(x Expr) {
		switch c := x.(type) {
		case *ColumnExpr:
			if !want(c.T) || (col >= 0 && col != c.Index) {
				ok = false
			}
			col = c.Index
			return
		case *LiteralExpr:
			return
		}
		if !allow(x) {
			ok = false
			return
		}
		for _, ch := range x.(node).children() {
			walk(ch)
		}
	}
	walk(e)
	return col, ok && col >= 0
}

// dictExpr is a predicate evaluated per dictionary entry (see
// OverDictionaries).
type dictExpr struct {
	orig   Expr // the predicate, for batches where col is not a dictionary
	col    int  // the text column it reads
	onDict Expr // orig reading column 0 of a batch of dictionary values
}

func (d *dictExpr) Type() sqltypes.Type         { return sqltypes.TypeBool }
func (d *dictExpr) String() string              { return d.orig.String() }
func (d *dictExpr) children() []Expr            { return []Expr{d.orig} }
func (d *dictExpr) withChildren(ch []Expr) Expr { return OverDictionaries(ch[0]) }

func (d *dictExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if d.col >= int(b.NumCols()) {
		return d.orig.Eval(ctx, env, b)
	}
	da, ok := b.Column(d.col).(*array.Dictionary)
	if !ok || da.Dictionary().Len() >= int(b.NumRows()) {
		return d.orig.Eval(ctx, env, b)
	}
	codes, ok := da.Indices().(*array.Int32)
	dict, ok2 := da.Dictionary().(*array.String)
	if !ok || !ok2 {
		return d.orig.Eval(ctx, env, b)
	}
	answer, err := d.answers(ctx, env, dict)
	if err != nil {
		return nil, err
	}
	nullAt := uint32(len(answer) - 1)
	n := int(b.NumRows())
	out, outBits := allocBitmap(env.Mem, n)
	valid, validBits := allocBitmap(env.Mem, n)
	cv := codes.Int32Values()
	cbits, coff := bitmapOf(codes)
	// Eight rows per output byte; a NULL row's code is unspecified, so it
	// is only clamped here and set to the NULL entry's answer below.
	for base := 0; base < n; base += 8 {
		var v, ok uint8
		for j, k := range cv[base:min(base+8, n)] {
			if uint32(k) >= nullAt {
				k = int32(nullAt)
			}
			a := answer[k]
			ok |= (a & 1) << j
			v |= (a >> 1) << j
		}
		outBits[base/8], validBits[base/8] = v, ok
	}
	if cbits != nil {
		a := answer[nullAt]
		for i := range n {
			if !bitutil.BitIsSet(cbits, coff+i) {
				bitutil.SetBitTo(validBits, i, a&1 != 0)
				bitutil.SetBitTo(outBits, i, a&2 != 0)
			}
		}
	}
	return boolArray(n, out, valid), nil
}

// answers evaluates the predicate on each entry of dict and on NULL
// (the answer for rows whose code is NULL: IS NULL is TRUE there, = is
// NULL), in that order: bit 0 is set unless the answer is NULL, bit 1 if
// it is TRUE.
func (d *dictExpr) answers(ctx context.Context, env *executor.Env, dict *array.String) ([]uint8, error) {
	res, err := evalEntries(ctx, env, d.onDict, dict)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	per := res.(*array.Boolean)
	answer := make([]uint8, per.Len())
	for k := range answer {
		if per.IsValid(k) {
			answer[k] = 1
			if per.Value(k) {
				answer[k] = 3
			}
		}
	}
	return answer, nil
}

// refine keeps the rows of sel (positions in b) where the predicate is
// TRUE, reading b's column as a dictionary; it reports false, having
// changed nothing, when the column is not one it can read that way.
func (d *dictExpr) refine(ctx context.Context, env *executor.Env, b arrow.RecordBatch, sel []int32) ([]int32, bool, error) {
	if d.col >= int(b.NumCols()) {
		return sel, false, nil
	}
	da, ok := b.Column(d.col).(*array.Dictionary)
	if !ok || da.Dictionary().Len() >= len(sel) {
		return sel, false, nil
	}
	codes, ok := da.Indices().(*array.Int32)
	dict, ok2 := da.Dictionary().(*array.String)
	if !ok || !ok2 {
		return sel, false, nil
	}
	answer, err := d.answers(ctx, env, dict)
	if err != nil {
		return sel, true, err
	}
	nullAt := uint32(len(answer) - 1)
	cv := codes.Int32Values()
	cbits, coff := bitmapOf(codes)
	k := 0
	for _, i := range sel {
		c := uint32(cv[i])
		if c >= nullAt || (cbits != nil && !bitutil.BitIsSet(cbits, coff+int(i))) {
			c = nullAt
		}
		sel[k] = i
		k += int(answer[c] >> 1)
	}
	return sel[:k], true, nil
}

// evalEntries evaluates e, which reads column 0, on each entry of dict
// and then on NULL, in that order.
func evalEntries(ctx context.Context, env *executor.Env, e Expr, dict *array.String) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	vals := withTrailingNull(env, dict)
	defer vals.Release()
	vb := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "v", Type: vals.DataType(), Nullable: true}}, nil), []arrow.Array{vals}, int64(vals.Len()))
	defer vb.Release()
	return e.Eval(ctx, env, vb)
}

// withTrailingNull copies a text array and appends one NULL.
func withTrailingNull(env *executor.Env, s *array.String) arrow.Array {
	bld := array.NewStringBuilder(env.Mem)
	defer bld.Release()
	bld.Reserve(s.Len() + 1)
	for k := range s.Len() {
		if s.IsNull(k) {
			bld.AppendNull()
		} else {
			bld.Append(s.Value(k))
		}
	}
	bld.AppendNull()
	return bld.NewArray()
}
