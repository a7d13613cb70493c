package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Values computed from dictionary-encoded text. A group key such as
// split_part(p_type, ' ', 1) reads one text column; when that column
// arrives as a dictionary array, the key has one value per dictionary
// entry, so it is computed on the entries (150 for p_type) and the rows
// keep their codes, instead of computing it for every row and then
// hashing every row's string (predicates do the same through
// OverDictionaries).

// DictValue is an expression that can also be evaluated per dictionary
// entry of the one text column it reads (EvalDict). Eval is the
// expression's own.
type DictValue struct {
	orig   Expr
	col    int  // the text column it reads
	onDict Expr // orig reading column 0 of a batch of dictionary values
}

// OverDictionary returns e as a *DictValue when e reads exactly one text
// column and nothing else but literals, through nodes whose value for a
// row depends only on that row's value (no volatile function), else e.
// A bare column is returned as it is: the aggregate groups by its codes
// already.
func OverDictionary(e Expr) Expr {
	col, ok := oneTextColumn(e, func(x Expr) bool {
		switch c := x.(type) {
		case *callExpr:
			return !IsVolatile(c.name)
		case *caseExpr, *castExpr, *coalesceExpr, *cmpExpr, *likeExpr, *inExpr, *distinctExpr,
			*logicExpr, *unaryExpr, *regexExpr, *dictExpr:
			return true
		}
		return false
	})
	if !ok {
		return e
	}
	return &DictValue{orig: e, col: col, onDict: Remap(e, func(int) int { return 0 })}
}

func (d *DictValue) Type() sqltypes.Type         { return d.orig.Type() }
func (d *DictValue) String() string              { return d.orig.String() }
func (d *DictValue) children() []Expr            { return []Expr{d.orig} }
func (d *DictValue) withChildren(ch []Expr) Expr { return OverDictionary(ch[0]) }

// Eval implements Expr: the expression evaluated row by row.
func (d *DictValue) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	return d.orig.Eval(ctx, env, b)
}

// EvalDict returns the expression's values over b as a dictionary array
// (the caller releases it): the column's codes, with a NULL row's code
// pointing at one more entry, the expression's value for NULL, over the
// expression's values of the column's entries. It returns nil, and no
// error, when the column is not a dictionary array with int32 codes and
// fewer entries than b has rows, or when an entry raised a data error
// (the entry may belong to no row, or to a row a filter drops: evaluated
// row by row, only the rows' own values can raise one).
func (d *DictValue) EvalDict(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (*array.Dictionary, error) {
	if d.col >= int(b.NumCols()) {
		return nil, nil
	}
	da, ok := b.Column(d.col).(*array.Dictionary)
	if !ok || da.Dictionary().Len() >= int(b.NumRows()) {
		return nil, nil
	}
	codes, ok := da.Indices().(*array.Int32)
	dict, ok2 := da.Dictionary().(*array.String)
	if !ok || !ok2 {
		return nil, nil
	}
	res, err := evalEntries(ctx, env, d.onDict, dict)
	if err != nil {
		if IsDataError(err) {
			return nil, nil
		}
		return nil, err
	}
	defer res.Release()
	if res.Len() != dict.Len()+1 || !arrow.TypeEqual(res.DataType(), d.orig.Type().Arrow()) {
		return nil, internalErr("%s over a dictionary returned %d values of %s", d, res.Len(), res.DataType())
	}
	idx := nullCodesLast(env.Mem, codes, int32(dict.Len()))
	defer idx.Release()
	return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: res.DataType()}, idx, res), nil
}

// nullCodesLast returns codes (retained) when none is NULL, else a copy
// in which the NULL rows hold code null and are valid.
func nullCodesLast(mem memory.Allocator, codes *array.Int32, null int32) arrow.Array {
	if codes.NullN() == 0 {
		codes.Retain()
		return codes
	}
	buf, out := allocFixed[int32](mem, codes.Len())
	for i, c := range codes.Int32Values() {
		if codes.IsNull(i) {
			c = null
		}
		out[i] = c
	}
	data := array.NewData(arrow.PrimitiveTypes.Int32, codes.Len(), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	buf.Release()
	return array.NewInt32Data(data)
}
