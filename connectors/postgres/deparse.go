package postgres

import (
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/sqlgen"
	"github.com/meshql/meshql/sqltypes"
)

// deparser turns filters into remote SQL. Values never enter the SQL
// text: each becomes a $n parameter in args.
type deparser struct {
	t    *Table
	args []any
	lits []connectors.Literal
}

// param appends a parameter and returns its placeholder.
func (d *deparser) param(v any, lit connectors.Literal) string {
	d.args = append(d.args, v)
	d.lits = append(d.lits, lit)
	return "$" + strconv.Itoa(len(d.args))
}

// gen is the shared filter generator with PostgreSQL's choices: $n
// parameters, and byte order (COLLATE "C") for ordered string
// comparisons and LIKE, as meshql compares strings.
func (d *deparser) gen() *sqlgen.Gen {
	return &sqlgen.Gen{
		Column: func(name string) (sqltypes.Type, bool, bool) {
			i, ok := d.t.byName[name]
			if !ok || i < 0 {
				return sqltypes.Type{}, false, false
			}
			return d.t.cols[i].typ, true, d.t.cols[i].pushable
		},
		Value: func(lit connectors.Literal) (string, bool) {
			v, ok := toParam(lit)
			if !ok {
				return "", false
			}
			return d.param(v, lit), true
		},
		StringOrder: ` COLLATE "C"`,
	}
}

// filter returns the SQL of f, or false when f cannot be applied remotely
// with meshql's meaning.
func (d *deparser) filter(f connectors.Filter) (string, bool) { return d.gen().Filter(f) }

// toParam converts a literal's Datum into a value pgx encodes as the
// literal's type; ok is false for types that are not pushed.
func toParam(l connectors.Literal) (any, bool) {
	switch l.Type.Kind {
	case sqltypes.Bool:
		v, ok := l.Value.(bool)
		return v, ok
	case sqltypes.Int2:
		v, ok := l.Value.(int16)
		return v, ok
	case sqltypes.Int4:
		v, ok := l.Value.(int32)
		return v, ok
	case sqltypes.Int8:
		v, ok := l.Value.(int64)
		return v, ok
	case sqltypes.Float4:
		v, ok := l.Value.(float32)
		return v, ok
	case sqltypes.Float8:
		v, ok := l.Value.(float64)
		return v, ok
	case sqltypes.Numeric:
		v, ok := l.Value.(decimal128.Num)
		if !ok {
			return nil, false
		}
		switch {
		case sqltypes.IsNumericNaN(v):
			return pgtype.Numeric{NaN: true, Valid: true}, true
		case sqltypes.IsNumericSpecial(v) && v.Sign() > 0:
			return pgtype.Numeric{InfinityModifier: pgtype.Infinity, Valid: true}, true
		case sqltypes.IsNumericSpecial(v):
			return pgtype.Numeric{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, true
		}
		return pgtype.Numeric{Int: v.BigInt(), Exp: -l.Type.Scale, Valid: true}, true
	case sqltypes.Unknown, sqltypes.Text, sqltypes.Varchar:
		v, ok := l.Value.(string)
		return v, ok
	case sqltypes.Bytea:
		v, ok := l.Value.([]byte)
		return v, ok
	case sqltypes.Date:
		v, ok := l.Value.(arrow.Date32)
		if !ok {
			return nil, false
		}
		y, m, dd := sqltypes.CivilFromDays(int64(v))
		if y < 1 || y > 9999 {
			return nil, false
		}
		return time.Date(int(y), time.Month(m), dd, 0, 0, 0, 0, time.UTC), true
	case sqltypes.Timestamp, sqltypes.TimestampTZ:
		v, ok := l.Value.(arrow.Timestamp)
		if !ok {
			return nil, false
		}
		return time.UnixMicro(int64(v)).UTC(), true
	case sqltypes.Time:
		v, ok := l.Value.(arrow.Time64)
		return pgtype.Time{Microseconds: int64(v), Valid: ok}, ok
	case sqltypes.Interval:
		v, ok := l.Value.(arrow.MonthDayNanoInterval)
		if !ok || v.Nanoseconds%1000 != 0 {
			return nil, false
		}
		return pgtype.Interval{Months: v.Months, Days: v.Days, Microseconds: v.Nanoseconds / 1000, Valid: true}, true
	case sqltypes.UUID:
		v, ok := l.Value.([16]byte)
		return v, ok
	case sqltypes.Macaddr:
		v, ok := l.Value.([]byte)
		return net.HardwareAddr(v), ok && len(v) == 6
	case sqltypes.Inet, sqltypes.Cidr:
		// netip.Prefix keeps the host bits, which pgx sends as inet_send does.
		b, ok := l.Value.([]byte)
		if !ok {
			return nil, false
		}
		ip, ok := sqltypes.DecodeInet(b)
		if !ok {
			return nil, false
		}
		a := netip.AddrFrom4([4]byte(ip.Addr[:4]))
		if ip.V6 {
			a = netip.AddrFrom16(ip.Addr)
		}
		return netip.PrefixFrom(a, int(ip.Bits)), true
	}
	return nil, false
}
