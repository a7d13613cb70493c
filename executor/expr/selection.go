package expr

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/gather"
	"github.com/meshql/meshql/sqltypes"
)

// Evaluation on a subset of a batch's rows, for CASE, COALESCE and the
// error-retry of AND/OR: an expression must not raise errors for rows it
// is not asked about.

// IsDataError reports whether err is a SQL error about data (worth
// retrying on fewer rows) rather than cancellation or a bug.
func IsDataError(err error) bool {
	var se *sqltypes.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqltypes.CodeQueryCanceled, sqltypes.CodeInternal, sqltypes.CodeOutOfMemory:
		return false
	}
	return true
}

// isCheap reports whether evaluating e on a whole batch costs about
// nothing and cannot fail (columns and literals).
func isCheap(e Expr) bool {
	switch e.(type) {
	case *ColumnExpr, *LiteralExpr:
		return true
	}
	return false
}

// actsOnRows reports whether e calls a function with an effect per row
// (a signal to a session): it runs on the selected rows only, never on a
// whole batch first.
func actsOnRows(e Expr) bool {
	if c, ok := e.(*callExpr); ok && c.acts {
		return true
	}
	if n, ok := e.(node); ok {
		for _, ch := range n.children() {
			if actsOnRows(ch) {
				return true
			}
		}
	}
	return false
}

// evalSelective evaluates e for the cnt rows set in sel (bitmap at offset
// 0) and returns a batch-length array whose other rows are unspecified
// (callers only read selected rows). Cheap expressions and large
// selections are evaluated on the whole batch, falling back to the
// selected rows only if that raises a data error.
func evalSelective(ctx context.Context, env *executor.Env, b arrow.RecordBatch, e Expr, sel []byte, cnt int) (arrow.Array, error) {
	n := int(b.NumRows())
	if cnt == 0 {
		return nullArray(env.Mem, e.Type(), n), nil
	}
	if cnt == n || isCheap(e) || cnt*2 >= n && !actsOnRows(e) {
		a, err := e.Eval(ctx, env, b)
		if err == nil || cnt == n || !IsDataError(err) {
			return a, err
		}
	}
	return evalOnRows(ctx, env, b, e, sel, cnt)
}

// evalOnRows evaluates e on only the cnt rows set in sel and scatters the
// results back to a batch-length array (NULL elsewhere).
func evalOnRows(ctx context.Context, env *executor.Env, b arrow.RecordBatch, e Expr, sel []byte, cnt int) (arrow.Array, error) {
	n := int(b.NumRows())
	if cnt == n {
		return e.Eval(ctx, env, b)
	}
	if cnt == 0 {
		return nullArray(env.Mem, e.Type(), n), nil
	}
	cctx := compute.WithAllocator(ctx, env.Mem)
	// gather positions of selected rows; scatter index per row (NULL = not selected)
	takeB, take := allocFixed[int32](env.Mem, cnt)
	scatB, scat := allocFixed[int32](env.Mem, n)
	k := int32(0)
	for i := 0; i < n; i++ {
		scat[i] = 0
		if validAt(sel, 0, i) {
			take[k] = int32(i)
			scat[i] = k
			k++
		}
	}
	takeIdx := finish(arrow.PrimitiveTypes.Int32, cnt, nil, takeB)
	defer takeIdx.Release()
	scatIdx := finish(arrow.PrimitiveTypes.Int32, n, copyBitmap(env.Mem, sel, 0, n), scatB)
	defer scatIdx.Release()

	used := Columns(e)
	fields := make([]arrow.Field, b.NumCols())
	cols := make([]arrow.Array, b.NumCols())
	defer releaseAll(cols)
	for i := range cols {
		fields[i] = arrow.Field{Name: b.Schema().Field(i).Name, Type: arrow.Null, Nullable: true}
	}
	for _, c := range used {
		if c < 0 || c >= len(cols) {
			return nil, internalErr("column #%d of a batch with %d columns", c, len(cols))
		}
		t, err := takeArray(cctx, b.Column(c), takeIdx)
		if err != nil {
			return nil, internalErr("selecting rows: %v", err)
		}
		cols[c] = t
		fields[c] = b.Schema().Field(c)
	}
	for i := range cols {
		if cols[i] == nil {
			cols[i] = array.NewNull(cnt)
		}
	}
	sub := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(cnt))
	defer sub.Release()
	res, err := e.Eval(ctx, env, sub)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	if res.DataType().ID() == arrow.NULL {
		return array.NewNull(n), nil
	}
	out, err := takeArray(cctx, res, scatIdx)
	if err != nil {
		return nil, internalErr("scattering rows: %v", err)
	}
	return out, nil
}

// takeArray gathers arr's rows at the positions idx holds (an Int32 or
// Int64 array; a NULL position gives NULL) through executor/gather, which
// handles every type the executor holds (arrow compute's take has no
// kernel for 16-byte values such as intervals, nested or not).
func takeArray(ctx context.Context, arr, idx arrow.Array) (arrow.Array, error) {
	pos := make([]int32, idx.Len())
	switch ix := idx.(type) {
	case *array.Int32:
		for k := range pos {
			pos[k] = ix.Value(k)
		}
	case *array.Int64:
		for k := range pos {
			pos[k] = int32(ix.Value(k))
		}
	default:
		return nil, internalErr("take with indices of type %s", idx.DataType())
	}
	for k := range pos {
		if idx.IsNull(k) {
			pos[k] = -1
		}
	}
	return gather.Array(compute.GetAllocator(ctx), arr, pos)
}
