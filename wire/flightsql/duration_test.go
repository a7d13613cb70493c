package flightsql

import (
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
)

// TestDurationParameter: an Arrow duration parameter (what pyarrow makes
// of a timedelta) binds as an interval of that time, in each unit, its
// nanoseconds rounded to microseconds; one past the 292 years an
// interval holds in meshql is 22008. The expected texts are
// PostgreSQL 15's for make_interval(secs => …) of the same time.
func TestDurationParameter(t *testing.T) {
	eng, mem := demoEngine(t)
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	prep, err := cl.Prepare(ctx, "SELECT $1::interval::text, $1::interval > interval '1 day'")
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close(ctx)
	for _, tc := range []struct {
		unit  arrow.TimeUnit
		value int64
		want  []string
	}{
		{arrow.Second, 90061, []string{"25:01:01", "t"}},
		{arrow.Millisecond, -1500, []string{"-00:00:01.5", "f"}},
		{arrow.Microsecond, 93600000005, []string{"26:00:00.000005", "t"}},
		{arrow.Nanosecond, 1600, []string{"00:00:00.000002", "f"}},
		{arrow.Second, 1 << 40, nil}, // past 292 years: 22008
	} {
		bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "p", Type: &arrow.DurationType{Unit: tc.unit}}}, nil))
		bld.Field(0).(*array.DurationBuilder).Append(arrow.Duration(tc.value))
		params := bld.NewRecordBatch()
		bld.Release()
		prep.SetParameters(params)
		params.Release()
		info, err := prep.Execute(ctx)
		if tc.want == nil {
			checkStatus(t, "a duration past an interval's range", err, codes.InvalidArgument, "22008")
			continue
		}
		if err != nil {
			t.Fatalf("%d %s: %v", tc.value, tc.unit, err)
		}
		if _, got, err := fetch(ctx, cl, info); err != nil || !reflect.DeepEqual(got, [][]string{tc.want}) {
			t.Errorf("%d %s: got %v, %v, want %v", tc.value, tc.unit, got, err, tc.want)
		}
	}
}
