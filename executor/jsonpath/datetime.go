package jsonpath

import (
	"cmp"
	"time"

	"github.com/meshql/meshql/executor/datetmpl"
	"github.com/meshql/meshql/sqltypes"
)

// Zone is the session's time zone, which the _tz functions use to compare
// datetimes of which only one has a time zone (a date or timestamp read
// as local time there, a time given the zone's offset at Now). A nil
// *Zone is the other functions, which refuse those comparisons (0A000).
type Zone struct {
	Loc *time.Location
	Now time.Time
}

type dtKind uint8

const (
	dtDate dtKind = iota
	dtTime
	dtTimeTZ
	dtTimestamp
	dtTimestampTZ
)

// dtTypeNames are .type()'s answers; dtCastNames the names PostgreSQL's
// "cannot convert" errors use.
var (
	dtTypeNames = [...]string{"date", "time without time zone", "time with time zone", "timestamp without time zone", "timestamp with time zone"}
	dtCastNames = [...]string{"date", "time", "timetz", "timestamp", "timestamptz"}
)

// datetime is the value of a .datetime() item: the wall-clock date and
// time read, and the offset read with it (seconds east of UTC).
type datetime struct {
	kind   dtKind
	days   int64
	micros int64
	tz     int
}

// isoTemplates are the formats .datetime() without a template tries, in
// PostgreSQL's order (executeDateTimeMethod in jsonpath_exec.c).
var isoTemplates = []string{
	"yyyy-mm-dd",
	"HH24:MI:SS.USTZH:TZM", "HH24:MI:SS.USTZH", "HH24:MI:SSTZH:TZM", "HH24:MI:SSTZH",
	"HH24:MI:SS.US", "HH24:MI:SS",
	"yyyy-mm-dd HH24:MI:SS.USTZH:TZM", "yyyy-mm-dd HH24:MI:SS.USTZH", "yyyy-mm-dd HH24:MI:SSTZH:TZM", "yyyy-mm-dd HH24:MI:SSTZH",
	"yyyy-mm-dd HH24:MI:SS.US", "yyyy-mm-dd HH24:MI:SS",
}

// datetimeMethod is .datetime() and .datetime(template): a string read
// as a date, time or timestamp, with or without time zone as the
// template (or the first ISO format that reads the whole string) says.
func (x *exec) datetimeMethod(n *node, cur item, s *sink) error {
	if cur.v.Kind != sqltypes.JSONBString || cur.dt != nil {
		return sqltypes.New("22031", "jsonpath item method .datetime() can only be applied to a string")
	}
	var v datetmpl.Value
	var err error
	if n.l != nil {
		v, err = datetmpl.Parse(cur.v.Scalar, n.l.s, true)
	} else {
		err = sqltypes.New("22031", "datetime format is not recognized: \"%s\"", cur.v.Scalar).
			WithHint("Use a datetime template argument to specify the input data format.")
		for _, t := range isoTemplates {
			if iv, ierr := datetmpl.Parse(cur.v.Scalar, t, true); ierr == nil {
				v, err = iv, nil
				break
			}
		}
	}
	if err != nil {
		return err
	}
	d := &datetime{days: v.Days, micros: v.Micros, tz: v.TZSec}
	switch {
	case v.Dated && v.Timed && v.Zoned:
		d.kind = dtTimestampTZ
	case v.Dated && v.Timed:
		d.kind = dtTimestamp
	case v.Dated:
		d.kind, d.micros = dtDate, 0
	case v.Zoned:
		d.kind = dtTimeTZ
	default:
		d.kind = dtTime
	}
	return x.next(n, item{v: &jv{Kind: sqltypes.JSONBString, Scalar: string(d.appendISO(nil))}, dt: d}, s)
}

// appendISO appends the text a datetime item becomes in jsonb: ISO 8601
// with a "T" and the offset read ("2024-01-05T10:00:00+01:00").
func (d *datetime) appendISO(dst []byte) []byte {
	if d.kind == dtDate {
		return sqltypes.AppendDate(dst, d.days)
	}
	bc := false
	if d.kind == dtTimestamp || d.kind == dtTimestampTZ {
		start := len(dst)
		dst = sqltypes.AppendDate(dst, d.days)
		if bc = len(dst)-start > 3 && string(dst[len(dst)-3:]) == " BC"; bc {
			dst = dst[:len(dst)-3]
		}
		dst = append(dst, 'T')
	}
	dst = sqltypes.AppendTime(dst, d.micros)
	if d.kind == dtTimeTZ || d.kind == dtTimestampTZ {
		off := d.tz
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		dst = append(dst, sign, byte('0'+off/36000), byte('0'+off/3600%10), ':', byte('0'+off/600%6), byte('0'+off/60%10))
		if sec := off % 60; sec != 0 {
			dst = append(dst, ':', byte('0'+sec/10), byte('0'+sec%10))
		}
	}
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// compareDatetimes orders two datetime items as compareDatetime in
// jsonpath_exec.c does: a date widens to a timestamp, a value without
// time zone gains one (only with a Zone: 0A000 otherwise), dates and
// times do not compare (ok false: unknown).
func compareDatetimes(a, b *datetime, zone *Zone) (c int, ok bool, err error) {
	if a.kind == b.kind {
		return a.cmpSame(b), true, nil
	}
	if a.kind > b.kind {
		c, ok, err = compareDatetimes(b, a, zone)
		return -c, ok, err
	}
	// a.kind < b.kind from here.
	switch {
	case a.kind == dtDate && b.kind == dtTimestamp:
		return cmp.Compare(a.days*sqltypes.MicrosPerDay, b.wall()), true, nil
	case a.kind == dtDate && b.kind == dtTimestampTZ, a.kind == dtTimestamp && b.kind == dtTimestampTZ:
		if zone == nil {
			return 0, false, noZone(a.kind, b.kind)
		}
		wall := a.days * sqltypes.MicrosPerDay
		if a.kind == dtTimestamp {
			wall = a.wall()
		}
		return cmp.Compare(sqltypes.LocalToUTC(wall, zone.Loc), b.utc()), true, nil
	case a.kind == dtTime && b.kind == dtTimeTZ:
		if zone == nil {
			return 0, false, noZone(a.kind, b.kind)
		}
		_, off := zone.Now.In(zone.Loc).Zone()
		tt := &datetime{kind: dtTimeTZ, micros: a.micros, tz: off}
		return tt.cmpSame(b), true, nil
	}
	return 0, false, nil
}

func noZone(from, to dtKind) error {
	return sqltypes.New(sqltypes.CodeFeatureNotSupported, "cannot convert value from %s to %s without time zone usage", dtCastNames[from], dtCastNames[to]).
		WithHint("Use *_tz() function for time zone support.")
}

func (d *datetime) wall() int64 { return d.days*sqltypes.MicrosPerDay + d.micros }

func (d *datetime) utc() int64 { return d.wall() - int64(d.tz)*sqltypes.MicrosPerSecond }

// cmpSame compares two datetimes of one kind; times with time zone by
// their UTC time, then by offset, west first (timetz_cmp).
func (d *datetime) cmpSame(o *datetime) int {
	switch d.kind {
	case dtDate:
		return cmp.Compare(d.days, o.days)
	case dtTime:
		return cmp.Compare(d.micros, o.micros)
	case dtTimeTZ:
		if c := cmp.Compare(d.micros-int64(d.tz)*sqltypes.MicrosPerSecond, o.micros-int64(o.tz)*sqltypes.MicrosPerSecond); c != 0 {
			return c
		}
		return cmp.Compare(int64(o.tz), int64(d.tz))
	case dtTimestamp:
		return cmp.Compare(d.wall(), o.wall())
	}
	return cmp.Compare(d.utc(), o.utc())
}
