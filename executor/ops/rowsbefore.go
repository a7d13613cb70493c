package ops

import (
	"context"
	"errors"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// PostgreSQL computes a projection or a WHERE clause row by row and sends
// each row as it goes: when row k fails (a division by zero, a value a
// cast rejects), the client has rows 0..k-1 and then the error of row k.
// Over a batch an expression fails as a whole. rowsBeforeError finds the
// first failing row of a batch that failed so, by evaluating ever shorter
// prefixes (a binary search: about log2(n) evaluations, on the error path
// only), so that the operator can emit the rows before it and then that
// row's error, as PostgreSQL does.
//
// It applies to data exceptions (SQLSTATE class 22) of expressions that
// give the same values when evaluated again (expr.Repeatable: no
// random(), no pg_sleep()); for anything else the batch fails as a whole
// (ok 0, err unchanged).

// salvageable reports whether the rows before a failing one may be found
// by evaluating exprs again after err.
func salvageable(err error, exprs ...expr.Expr) bool {
	var se *sqltypes.Error
	if !errors.As(err, &se) || !strings.HasPrefix(se.Code, "22") {
		return false
	}
	for _, e := range exprs {
		if !expr.Repeatable(e) {
			return false
		}
	}
	return true
}

// rowsBeforeError returns how many leading rows of an n-row batch pass
// (try(k) == nil for a prefix of k rows) given that all n fail with err,
// and the error of the first failing row. try must release what it
// builds.
func rowsBeforeError(n int, err error, try func(k int) error) (ok int, firstErr error) {
	lo, hi := 0, n // the prefix of lo rows passes, that of hi fails with err
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if e := try(mid); e != nil {
			hi, err = mid, e
		} else {
			lo = mid
		}
	}
	return lo, err
}

// prefix is the first k rows of b (to be released).
func prefix(b arrow.RecordBatch, k int) arrow.RecordBatch { return b.NewSlice(0, int64(k)) }

// projectPrefix evaluates exprs over the rows of b before the first one
// that fails with a data exception (err: the error of the whole batch):
// the columns of those rows (nil when none), their count, and the error
// of the failing row, which the caller reports after them.
func projectPrefix(ctx context.Context, o *projectOp, b arrow.RecordBatch, err error) ([]arrow.Array, int, error) {
	if !salvageable(err, o.exprs...) || ctx.Err() != nil {
		return nil, 0, err
	}
	eval := func(k int) ([]arrow.Array, error) {
		p := prefix(b, k)
		defer p.Release()
		return evalAll(ctx, o.env, o.exprs, p)
	}
	k, err := rowsBeforeError(int(b.NumRows()), err, func(k int) error {
		cols, e := eval(k)
		releaseArrays(cols)
		return e
	})
	if k == 0 {
		return nil, 0, err
	}
	cols, e := eval(k)
	if e != nil {
		return nil, 0, e
	}
	return cols, k, err
}

// filterPrefix is projectPrefix for a filter: the positions of the rows
// that pass among those before the first failing one.
func filterPrefix(ctx context.Context, o *filterOp, b arrow.RecordBatch, err error) ([]int32, error) {
	if !salvageable(err, o.where.pred) || ctx.Err() != nil {
		return nil, err
	}
	var sel []int32
	k, err := rowsBeforeError(int(b.NumRows()), err, func(k int) error {
		p := prefix(b, k)
		defer p.Release()
		var e error
		sel, e = o.where.selectRows(ctx, o.env, p, sel)
		return e
	})
	if k == 0 {
		return nil, err
	}
	p := prefix(b, k)
	defer p.Release()
	sel, e := o.where.selectRows(ctx, o.env, p, sel)
	if e != nil {
		return nil, e
	}
	return sel, err
}
