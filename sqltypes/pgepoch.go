package sqltypes

import "github.com/apache/arrow-go/v18/arrow"

// PostgreSQL's binary date and timestamps (date_send, timestamp_send)
// count from 2000-01-01; meshql's, as Arrow's, from 1970-01-01. The
// wire's parameters and results, range_recv's bounds and the PostgreSQL
// connector's scans all convert by the functions below, so that ±infinity
// (the integer extremes on both sides) and the range checks of
// date_recv and timestamp_recv are the same everywhere.

// PGEpochDays and PGEpochMicros are 2000-01-01 in days and µs since
// 1970-01-01.
const (
	PGEpochDays   = 10_957
	PGEpochMicros = PGEpochDays * MicrosPerDay
)

// DateFromPG converts date_send's days since 2000-01-01. ±infinity carry
// over; any other value outside PostgreSQL's date range is 22008, as
// date_recv answers.
func DateFromPG(d int32) (arrow.Date32, error) {
	days := int64(d)
	if !IsFiniteDate(days) {
		return arrow.Date32(d), nil
	}
	days += PGEpochDays
	if days < MinDateDays || days > MaxDateDays {
		return 0, New(CodeDatetimeFieldOverflow, "date out of range")
	}
	return arrow.Date32(days), nil
}

// DateToPG is DateFromPG's inverse, for a day number meshql holds (in
// range, or ±infinity).
func DateToPG(days int64) int32 {
	if IsFiniteDate(days) {
		days -= PGEpochDays
	}
	return int32(days)
}

// TimestampFromPG converts timestamp_send's µs since 2000-01-01 (of
// timestamp or timestamptz). ±infinity carry over; a value before
// 4714-11-24 BC is 22008, as timestamp_recv answers, and so is one whose
// µs since 1970 pass int64 (years after 294246, which PostgreSQL holds
// and meshql cannot).
func TimestampFromPG(us int64) (arrow.Timestamp, error) {
	if !IsFiniteTimestamp(us) {
		return arrow.Timestamp(us), nil
	}
	if us < MinTimestampMicros-PGEpochMicros || us >= MaxTimestampMicros-PGEpochMicros {
		return 0, New(CodeDatetimeFieldOverflow, "timestamp out of range")
	}
	return arrow.Timestamp(us + PGEpochMicros), nil
}

// TimestampToPG is TimestampFromPG's inverse, for microseconds meshql
// holds (in range, or ±infinity).
func TimestampToPG(us int64) int64 {
	if IsFiniteTimestamp(us) {
		us -= PGEpochMicros
	}
	return us
}
