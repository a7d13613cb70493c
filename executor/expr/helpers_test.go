package expr

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

var ctxBG = context.Background()

// newTestEnv returns an Env on a checked allocator that must be empty
// when the test ends.
func newTestEnv(t testing.TB) *executor.Env {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return &executor.Env{Mem: mem, Location: time.UTC, Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
}

// testCol is one input column given as Datums.
type testCol struct {
	t    sqltypes.Type
	vals []sqltypes.Datum
}

// makeBatch builds a batch from columns of equal length.
func makeBatch(t testing.TB, env *executor.Env, cols ...testCol) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := 0
	for i, c := range cols {
		fields[i] = arrow.Field{Name: string(rune('a' + i)), Type: c.t.Arrow(), Nullable: true}
		b := array.NewBuilder(env.Mem, c.t.Arrow())
		for _, v := range c.vals {
			nv, err := normalizeDatum(c.t, v)
			if err != nil {
				t.Fatalf("column %d value %v: %v", i, v, err)
			}
			appendDatum(b, c.t, nv)
		}
		arrs[i] = b.NewArray()
		b.Release()
		n = len(c.vals)
	}
	rb := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(n))
	releaseAll(arrs)
	return rb
}

// emptyBatch is a batch of n rows and no columns.
func emptyBatch(n int) arrow.RecordBatch {
	return array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, int64(n))
}

// evalStrings evaluates e on b and renders each row as psql prints it.
func evalStrings(t testing.TB, env *executor.Env, e Expr, b arrow.RecordBatch) ([]string, error) {
	t.Helper()
	a, err := e.Eval(context.Background(), env, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	if a.Len() != int(b.NumRows()) {
		t.Fatalf("%s: %d rows for a batch of %d", e, a.Len(), b.NumRows())
	}
	if got, want := a.DataType(), e.Type().Arrow(); e.Type().Kind != sqltypes.Unknown && !arrow.TypeEqual(got, want) {
		t.Fatalf("%s: result type %s, Type() says %s", e, got, want)
	}
	out := make([]string, a.Len())
	for i := range out {
		out[i] = formatDatum(env, e.Type(), datumAt(a, e.Type(), i))
	}
	return out, nil
}

// expectRows evaluates e over b and checks each row's text against want.
func expectRows(t testing.TB, env *executor.Env, name string, e Expr, b arrow.RecordBatch, want []string) {
	t.Helper()
	got, err := evalStrings(t, env, e, b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s row %d: got %s, want %s", name, i, got[i], want[i])
		}
	}
}

func formatDatum(env *executor.Env, t sqltypes.Type, v sqltypes.Datum) string {
	if ts, ok := v.(arrow.Timestamp); ok && t.Kind == sqltypes.TimestampTZ {
		return sqltypes.FormatTimestamp(int64(ts), env.Location, true)
	}
	return sqltypes.FormatValue(t, v)
}

// errString renders an error as "SQLSTATE message".
func errString(err error) string {
	if err == nil {
		return ""
	}
	return sqltypes.Code(err) + " " + err.Error()
}

// mustType parses a type name for tests.
func mustType(t testing.TB, s string) sqltypes.Type {
	t.Helper()
	typ, err := sqltypes.ParseType(s)
	if err != nil {
		t.Fatalf("type %q: %v", s, err)
	}
	return typ
}

// naturalScale is the number of digits after the decimal point of s.
func naturalScale(s string) int32 {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return int32(len(strings.TrimSpace(s)) - i - 1)
	}
	return 0
}
