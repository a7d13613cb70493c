package ops

import (
	"context"
	"math/bits"
	"runtime/debug"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/arrbuf"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// errInternal reports a broken invariant (a planner or executor bug).
func errInternal(format string, args ...any) *sqltypes.Error {
	e := sqltypes.New(sqltypes.CodeInternal, "internal error: "+format, args...)
	return e.WithHint("This is a bug in meshql; please report it with the query.")
}

// errUnsupported reports a feature meshql does not implement (0A000).
func errUnsupported(format string, args ...any) *sqltypes.Error {
	return sqltypes.New(sqltypes.CodeFeatureNotSupported, format, args...)
}

// ctxErr returns nil while ctx is live, else a 57014 error.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return sqltypes.AsError(err)
	}
	return nil
}

// panicError turns a recovered panic value into an XX000 error that
// carries the stack for the server log (not for the client).
func panicError(r any) error {
	e := errInternal("panic in executor: %v", r)
	e.Stack = string(debug.Stack())
	return e
}

// The buffer accessors are executor/arrbuf's, under the names the
// operators have always used.
type validity = arrbuf.Validity

func validityOf(arr arrow.Array) validity                  { return arrbuf.ValidityOf(arr) }
func fixedVals[T any](arr arrow.Array) []T                 { return arrbuf.Values[T](arr) }
func offsetsOf[O int32 | int64](arr arrow.Array) []O       { return arrbuf.Offsets[O](arr) }
func dataBytes(arr arrow.Array) []byte                     { return arrbuf.Data(arr) }
func boolBits(arr arrow.Array) ([]byte, int)               { return arrbuf.BoolBits(arr) }
func fixedSliceOf[T any](b []byte) []T                     { return arrbuf.SliceOf[T](b) }
func sizeOf[T any]() uintptr                               { return arrbuf.SizeOf[T]() }
func newBuffer(mem memory.Allocator, n int) *memory.Buffer { return arrbuf.NewBuffer(mem, n) }
func makeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, children []arrow.ArrayData, nulls int) arrow.Array {
	return arrbuf.MakeArray(dt, n, bufs, children, nulls)
}

// buildValidity builds a bitmap from a per-row predicate; it returns nil
// and 0 when every row is valid.
func buildValidity(mem memory.Allocator, n int, valid func(i int) bool) (*memory.Buffer, int) {
	nulls := 0
	for i := 0; i < n; i++ {
		if !valid(i) {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	bits := buf.Bytes()
	clear(bits)
	for i := 0; i < n; i++ {
		if valid(i) {
			bitutil.SetBit(bits, i)
		}
	}
	return buf, nulls
}

func releaseArrays(arrs []arrow.Array) {
	for i, a := range arrs {
		if a != nil {
			a.Release()
			arrs[i] = nil
		}
	}
}

func releaseBatches(bs []arrow.RecordBatch) {
	for i, b := range bs {
		if b != nil {
			b.Release()
			bs[i] = nil
		}
	}
}

// evalAll evaluates exprs over b. On error nothing is left retained.
func evalAll(ctx context.Context, env *executor.Env, exprs []expr.Expr, b arrow.RecordBatch) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(exprs))
	for i, e := range exprs {
		a, err := evalOne(ctx, env, e, b)
		if err != nil {
			releaseArrays(out)
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// safeNext is op.Next for a caller that holds op's earlier batches in
// locals across the call: a panic below becomes an XX000 error, so that
// the caller's error path releases them.
func safeNext(ctx context.Context, op executor.Operator) (b arrow.RecordBatch, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, panicError(r)
		}
	}()
	return op.Next(ctx)
}

// evalOne evaluates e over b and checks the result's length and type.
//
// A panic in e (a kernel bug) becomes an XX000 error here, at the
// operator's call, rather than in the query's recover further up: every
// operator's error path then releases the batch it holds and the columns
// it computed so far, which a panic unwinding through it would leak.
func evalOne(ctx context.Context, env *executor.Env, e expr.Expr, b arrow.RecordBatch) (a arrow.Array, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, panicError(r)
		}
	}()
	a, err = e.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	if int64(a.Len()) != b.NumRows() {
		n := a.Len()
		a.Release()
		return nil, errInternal("expression %s returned %d rows for a batch of %d", e.String(), n, b.NumRows())
	}
	if want := e.Type().Arrow(); !arrow.TypeEqual(a.DataType(), want) {
		got := a.DataType()
		a.Release()
		return nil, errInternal("expression %s returned %s, declared %s", e.String(), got, want)
	}
	return a, nil
}

// checkBool checks that a predicate is boolean (or an untyped NULL).
func checkBool(what string, e expr.Expr) error {
	if e == nil {
		return errInternal("%s is nil", what)
	}
	if k := e.Type().Kind; k != sqltypes.Bool && k != sqltypes.Unknown {
		return sqltypes.New(sqltypes.CodeDatatypeMismatch, "argument of %s must be type boolean, not type %s", what, e.Type())
	}
	return nil
}

// appendTrue appends to sel the rows where a boolean predicate result is
// TRUE (NULL and FALSE rows are skipped). A Null-typed array selects nothing.
func appendTrue(sel []int32, pred arrow.Array) []int32 {
	b, ok := pred.(*array.Boolean)
	if !ok {
		return sel
	}
	data, off := boolBits(b)
	if data == nil {
		return sel
	}
	v := validityOf(b)
	n := b.Len()
	if off%8 != 0 || (v.Bits != nil && v.Off%8 != 0) {
		for i := range n {
			if bitutil.BitIsSet(data, off+i) && v.OK(i) {
				sel = append(sel, int32(i))
			}
		}
		return sel
	}
	data = data[off/8:]
	var valid []byte
	if v.Bits != nil {
		valid = v.Bits[v.Off/8:]
	}
	for i := 0; i < n; i += 8 {
		x := data[i/8]
		if valid != nil {
			x &= valid[i/8]
		}
		if rem := n - i; rem < 8 {
			x &= byte(1)<<rem - 1
		}
		for x != 0 {
			sel = append(sel, int32(i+bits.TrailingZeros8(x)))
			x &= x - 1
		}
	}
	return sel
}

// fieldsOf returns the fields of s, optionally marked nullable.
func fieldsOf(s *arrow.Schema, nullable bool) []arrow.Field {
	fs := append([]arrow.Field(nil), s.Fields()...)
	if nullable {
		for i := range fs {
			fs[i].Nullable = true
		}
	}
	return fs
}
