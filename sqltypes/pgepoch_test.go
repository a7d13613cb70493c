package sqltypes

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestPGEpochConversions checks the binary date and timestamp conversions
// at 2000-01-01, ±infinity and the edges where date_recv and
// timestamp_recv answer 22008.
func TestPGEpochConversions(t *testing.T) {
	for _, c := range []struct {
		pg   int32
		want int64
		err  bool
	}{
		{0, PGEpochDays, false},
		{-PGEpochDays, 0, false},
		{math.MaxInt32, DateInfinity, false},
		{math.MinInt32, DateNegInfinity, false},
		{int32(MinDateDays - PGEpochDays), MinDateDays, false},
		{int32(MinDateDays - PGEpochDays - 1), 0, true},
		{int32(MaxDateDays - PGEpochDays), MaxDateDays, false},
		{int32(MaxDateDays - PGEpochDays + 1), 0, true},
		{math.MaxInt32 - 1, 0, true}, // would wrap past int32
	} {
		got, err := DateFromPG(c.pg)
		if c.err {
			if Code(err) != CodeDatetimeFieldOverflow {
				t.Errorf("DateFromPG(%d): %v, want 22008", c.pg, err)
			}
			continue
		}
		if err != nil || got != arrow.Date32(c.want) {
			t.Errorf("DateFromPG(%d) = %d, %v; want %d", c.pg, got, err, c.want)
		}
		if back := DateToPG(int64(got)); back != c.pg {
			t.Errorf("DateToPG(%d) = %d, want %d", got, back, c.pg)
		}
	}
	for _, c := range []struct {
		pg   int64
		want int64
		err  bool
	}{
		{0, PGEpochMicros, false},
		{math.MaxInt64, TimestampInfinity, false},
		{math.MinInt64, TimestampNegInfinity, false},
		{MinTimestampMicros - PGEpochMicros, MinTimestampMicros, false},
		{MinTimestampMicros - PGEpochMicros - 1, 0, true},
		{math.MaxInt64 - PGEpochMicros - 1, math.MaxInt64 - 1, false},
		{math.MaxInt64 - PGEpochMicros, 0, true}, // would read as infinity
		{math.MaxInt64 - 1, 0, true},
	} {
		got, err := TimestampFromPG(c.pg)
		if c.err {
			if Code(err) != CodeDatetimeFieldOverflow {
				t.Errorf("TimestampFromPG(%d): %v, want 22008", c.pg, err)
			}
			continue
		}
		if err != nil || got != arrow.Timestamp(c.want) {
			t.Errorf("TimestampFromPG(%d) = %d, %v; want %d", c.pg, got, err, c.want)
		}
		if back := TimestampToPG(int64(got)); back != c.pg {
			t.Errorf("TimestampToPG(%d) = %d, want %d", got, back, c.pg)
		}
	}
}
