package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Interval constructors and normalizers: justify_days, justify_hours,
// justify_interval, make_interval, make_time, and isfinite. The rules are
// PostgreSQL 15's (timestamp.c): a month is 30 days, a day 24 hours, and a
// justified interval never mixes signs between its parts.

const nanosPerDay = 86_400 * 1_000_000_000

type ivNormalizer func(iv arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error)

// buildJustify: justify_days|justify_hours|justify_interval(interval).
func buildJustify(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args, sqltypes.TypeInterval)
	if err != nil {
		return nil, err
	}
	f := map[string]ivNormalizer{"justify_days": justifyDays, "justify_hours": justifyHours, "justify_interval": justifyInterval}[name]
	return &callExpr{name: name, args: a, t: sqltypes.TypeInterval, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return mapUnary(env.Mem, sqltypes.TypeInterval.Arrow(), in[0], f)
	}}, nil
}

// addIntervalField adds delta to an interval's months or days, failing
// on int32 overflow.
func addIntervalField(field *int32, delta int64) error {
	v := int64(*field) + delta
	if v != int64(int32(v)) {
		return errIntervalRange()
	}
	*field = int32(v)
	return nil
}

func justifyDays(iv arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error) {
	whole := iv.Days / 30
	iv.Days -= whole * 30
	if err := addIntervalField(&iv.Months, int64(whole)); err != nil {
		return iv, err
	}
	switch {
	case iv.Months > 0 && iv.Days < 0:
		iv.Days += 30
		iv.Months--
	case iv.Months < 0 && iv.Days > 0:
		iv.Days -= 30
		iv.Months++
	}
	return iv, nil
}

// alignTimeSign moves a day into the time of day when days and time have
// opposite signs, as PostgreSQL's justify_hours ends.
func alignTimeSign(iv *arrow.MonthDayNanoInterval) {
	switch {
	case iv.Days > 0 && iv.Nanoseconds < 0:
		iv.Nanoseconds += nanosPerDay
		iv.Days--
	case iv.Days < 0 && iv.Nanoseconds > 0:
		iv.Nanoseconds -= nanosPerDay
		iv.Days++
	}
}

func justifyHours(iv arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error) {
	whole := iv.Nanoseconds / nanosPerDay
	iv.Nanoseconds -= whole * nanosPerDay
	if err := addIntervalField(&iv.Days, whole); err != nil {
		return iv, err
	}
	alignTimeSign(&iv)
	return iv, nil
}

func justifyInterval(iv arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error) {
	if (iv.Days > 0 && iv.Nanoseconds > 0) || (iv.Days < 0 && iv.Nanoseconds < 0) {
		// Pre-justify the days first, as PostgreSQL does against overflow.
		whole := iv.Days / 30
		iv.Days -= whole * 30
		if err := addIntervalField(&iv.Months, int64(whole)); err != nil {
			return iv, err
		}
	}
	whole := iv.Nanoseconds / nanosPerDay
	iv.Nanoseconds -= whole * nanosPerDay
	if err := addIntervalField(&iv.Days, whole); err != nil {
		return iv, err
	}
	wm := iv.Days / 30
	iv.Days -= wm * 30
	if err := addIntervalField(&iv.Months, int64(wm)); err != nil {
		return iv, err
	}
	switch {
	case iv.Months > 0 && (iv.Days < 0 || iv.Days == 0 && iv.Nanoseconds < 0):
		iv.Days += 30
		iv.Months--
	case iv.Months < 0 && (iv.Days > 0 || iv.Days == 0 && iv.Nanoseconds > 0):
		iv.Days -= 30
		iv.Months++
	}
	alignTimeSign(&iv)
	return iv, nil
}

// buildMakeInterval: make_interval([years [, months [, weeks [, days [,
// hours [, mins [, secs]]]]]]]) with integer fields and double precision
// seconds; missing arguments are 0. Overflow is 22008.
func buildMakeInterval(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 0, 7); err != nil {
		return nil, err
	}
	ints, err := coerceArgs(name, args[:min(len(args), 6)], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	all := ints
	if len(args) == 7 {
		sec, err := coerceArgs(name, args[6:], sqltypes.TypeFloat8)
		if err != nil {
			return nil, err
		}
		all = append(all, sec...)
	}
	return &callExpr{name: name, args: all, t: sqltypes.TypeInterval, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		var f [6][]int32
		for j := range in[:len(ints)] {
			f[j] = values[int32](in[j])
		}
		field := func(j, i int) int64 {
			if f[j] == nil {
				return 0
			}
			return int64(f[j][i])
		}
		return mapRows(env.Mem, sqltypes.TypeInterval.Arrow(), n, in, func(i int) (arrow.MonthDayNanoInterval, bool, error) {
			months := field(0, i)*12 + field(1, i)
			days := field(2, i)*7 + field(3, i)
			secs := 0.0
			if len(in) == 7 {
				secs = values[float64](in[6])[i]
			}
			us := float64(field(4, i))*3600e6 + float64(field(5, i))*60e6 + math.RoundToEven(secs*1e6)
			if months != int64(int32(months)) || days != int64(int32(days)) || math.IsNaN(us) || math.Abs(us) >= math.MaxInt64/1000 {
				return arrow.MonthDayNanoInterval{}, false, errIntervalRange()
			}
			return arrow.MonthDayNanoInterval{Months: int32(months), Days: int32(days), Nanoseconds: int64(us) * 1000}, false, nil
		})
	}}, nil
}

// buildMakeTime: make_time(hour int, min int, sec double precision) → time.
// 24:00:00 is allowed, as in PostgreSQL; anything past it is 22008.
func buildMakeTime(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 3); err != nil {
		return nil, err
	}
	ints, err := coerceArgs(name, args[:2], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	sec, err := coerceArgs(name, args[2:], sqltypes.TypeFloat8)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append(ints, sec...), t: sqltypes.TypeTime, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		h, m, s := values[int32](in[0]), values[int32](in[1]), values[float64](in[2])
		return mapRows(env.Mem, sqltypes.TypeTime.Arrow(), n, in, func(i int) (arrow.Time64, bool, error) {
			us, ok := clockMicros(h[i], m[i], s[i])
			if !ok {
				return 0, false, errTimeField(h[i], m[i], s[i])
			}
			return arrow.Time64(us), false, nil
		})
	}}, nil
}

// buildIsFinite: isfinite(date|timestamp|timestamptz|interval) → bool;
// intervals are always finite in PostgreSQL 15.
func buildIsFinite(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	k := args[0].Type().Kind
	switch k {
	case sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ, sqltypes.Interval:
	default:
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
			switch k {
			case sqltypes.Date:
				return sqltypes.IsFiniteDate(int64(values[int32](in[0])[i])), false, nil
			case sqltypes.Timestamp, sqltypes.TimestampTZ:
				return sqltypes.IsFiniteTimestamp(values[int64](in[0])[i]), false, nil
			}
			return true, false, nil
		})
	}}, nil
}

// buildDateBin: date_bin(stride, source, origin) over timestamp or
// timestamptz: the start of the stride-wide bin, counted from origin, that
// holds source. The stride must be positive and hold no months (22023).
func buildDateBin(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 3); err != nil {
		return nil, err
	}
	t := sqltypes.TypeTimestamp
	untyped := args[1].Type().Kind == sqltypes.Unknown && args[2].Type().Kind == sqltypes.Unknown
	if args[1].Type().Kind == sqltypes.TimestampTZ || args[2].Type().Kind == sqltypes.TimestampTZ || untyped {
		// Two untyped literals are timestamptz, the preferred type of
		// PostgreSQL's date/time category.
		t = sqltypes.TypeTimestampTZ
	}
	stride, err := coerceArgs(name, args[:1], sqltypes.TypeInterval)
	if err != nil {
		return nil, err
	}
	ts, err := coerceArgs(name, args[1:], t)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append(stride, ts...), t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		st, src, org := values[arrow.MonthDayNanoInterval](in[0]), values[int64](in[1]), values[int64](in[2])
		return mapRows(env.Mem, t.Arrow(), n, in, func(i int) (arrow.Timestamp, bool, error) {
			iv := st[i]
			if iv.Months != 0 {
				return 0, false, sqltypes.New(sqltypes.CodeFeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
			}
			stride := int64(iv.Days)*sqltypes.MicrosPerDay + iv.Nanoseconds/1000
			if stride <= 0 {
				return 0, false, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "stride must be greater than zero")
			}
			if !sqltypes.IsFiniteTimestamp(src[i]) || !sqltypes.IsFiniteTimestamp(org[i]) {
				return 0, false, errTSRange()
			}
			diff := src[i] - org[i]
			delta := diff - diff%stride
			if diff < 0 && diff%stride != 0 {
				delta -= stride // the bin starts before source
			}
			return arrow.Timestamp(org[i] + delta), false, nil
		})
	}}, nil
}
