package expr

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// temporalCastKernel converts among date, timestamp and timestamptz. A
// timestamptz is an instant; converting from or to it reads the wall clock
// of the session time zone.
func temporalCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	dt := to.Arrow()
	zone := func(loc *time.Location) *time.Location {
		if loc == nil {
			return time.UTC
		}
		return loc
	}
	switch {
	case from.Kind == sqltypes.Date && (to.Kind == sqltypes.Timestamp || to.Kind == sqltypes.TimestampTZ):
		tz := to.Kind == sqltypes.TimestampTZ
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			var l *time.Location
			if tz {
				l = zone(cx.loc)
			}
			return mapUnary(mem, dt, a, func(d arrow.Date32) (arrow.Timestamp, error) { return dateToTS(d, l) })
		}, true
	case (from.Kind == sqltypes.Timestamp || from.Kind == sqltypes.TimestampTZ) && to.Kind == sqltypes.Date:
		tz := from.Kind == sqltypes.TimestampTZ
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			return mapUnary(mem, dt, a, func(t arrow.Timestamp) (arrow.Date32, error) {
				us := int64(t)
				switch us {
				case sqltypes.TimestampInfinity:
					return arrow.Date32(sqltypes.DateInfinity), nil
				case sqltypes.TimestampNegInfinity:
					return arrow.Date32(sqltypes.DateNegInfinity), nil
				}
				d, _ := wallDayTime(us, tz, zone(cx.loc))
				return arrow.Date32(d), nil
			})
		}, true
	case from.Kind == sqltypes.Timestamp && to.Kind == sqltypes.TimestampTZ, from.Kind == sqltypes.TimestampTZ && to.Kind == sqltypes.Timestamp:
		shift := sqltypes.LocalToUTC
		if from.Kind == sqltypes.TimestampTZ {
			shift = sqltypes.UTCToLocal
		}
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			l := zone(cx.loc)
			return mapUnary(mem, dt, a, func(t arrow.Timestamp) (arrow.Timestamp, error) {
				if !sqltypes.IsFiniteTimestamp(int64(t)) {
					return t, nil
				}
				return arrow.Timestamp(shift(int64(t), l)), nil
			})
		}, true
	case (from.Kind == sqltypes.Timestamp || from.Kind == sqltypes.TimestampTZ) && to.Kind == sqltypes.Time:
		tz := from.Kind == sqltypes.TimestampTZ
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			ts := values[arrow.Timestamp](a)
			return mapRows(mem, dt, a.Len(), []arrow.Array{a}, func(i int) (arrow.Time64, bool, error) {
				us := int64(ts[i])
				if !sqltypes.IsFiniteTimestamp(us) {
					return 0, true, nil // PostgreSQL: infinity has no time of day, NULL
				}
				_, tod := wallDayTime(us, tz, zone(cx.loc))
				return arrow.Time64(tod), false, nil
			})
		}, true
	case from.Kind == sqltypes.Time && to.Kind == sqltypes.Interval:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return mapUnary(mem, dt, a, func(t arrow.Time64) (arrow.MonthDayNanoInterval, error) {
				return arrow.MonthDayNanoInterval{Nanoseconds: int64(t) * 1000}, nil
			})
		}, true
	case from.Kind == sqltypes.Interval && to.Kind == sqltypes.Time:
		// PostgreSQL keeps the interval's time part modulo a day.
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return mapUnary(mem, dt, a, func(iv arrow.MonthDayNanoInterval) (arrow.Time64, error) {
				_, tod := sqltypes.FloorDivMod(iv.Nanoseconds/1000, sqltypes.MicrosPerDay)
				return arrow.Time64(tod), nil
			})
		}, true
	case from.Kind == sqltypes.List && to.Kind == sqltypes.List && from.Elem.Equal(*to.Elem):
		return retypeKernel(dt), true
	}
	return nil, false
}

// wallDayTime splits a timestamp (a timestamptz in loc's wall clock when
// tz) into its day number and microseconds since midnight.
func wallDayTime(us int64, tz bool, loc *time.Location) (days, tod int64) {
	if tz {
		us = sqltypes.UTCToLocal(us, loc)
	}
	return sqltypes.FloorDivMod(us, sqltypes.MicrosPerDay)
}
