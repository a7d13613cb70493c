package postgres

import (
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/connectors"
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

// column returns the pushable column called name and its quoted name.
func (d *deparser) column(name string) (*column, string, bool) {
	i, ok := d.t.byName[name]
	if !ok || i < 0 || !d.t.cols[i].pushable {
		return nil, "", false
	}
	return &d.t.cols[i], pgx.Identifier{name}.Sanitize(), true
}

// literal returns the placeholder for lit compared with col, with a cast
// when lit's type differs from the column's so that PostgreSQL resolves
// the same operator meshql would.
func (d *deparser) literal(col *column, lit connectors.Literal) (string, bool) {
	lk, ck := lit.Type.Kind, col.typ.Kind
	same := lk == ck || (isString(lk) && isString(ck)) || (lk == sqltypes.Unknown && isString(ck))
	if !same && !comparable(lit.Type, col.typ) {
		return "", false
	}
	v, ok := toParam(lit)
	if !ok {
		return "", false
	}
	p := d.param(v, lit)
	if !same {
		p += "::" + lit.Type.String()
	}
	return p, true
}

// comparable reports whether values of two different types compare
// remotely as in meshql: numbers with numbers, and date with timestamp.
// Mixing timestamptz with the others depends on the session time zone,
// so it stays in meshql.
func comparable(a, b sqltypes.Type) bool {
	if a.IsNumeric() && b.IsNumeric() {
		return true
	}
	plain := func(k sqltypes.Kind) bool { return k == sqltypes.Date || k == sqltypes.Timestamp }
	return plain(a.Kind) && plain(b.Kind)
}

func isString(k sqltypes.Kind) bool { return k == sqltypes.Text || k == sqltypes.Varchar }

// filter returns the SQL of f, or false when f cannot be applied remotely
// with meshql's meaning.
func (d *deparser) filter(f connectors.Filter) (string, bool) {
	switch x := f.(type) {
	case connectors.Compare:
		col, name, ok := d.column(x.Column)
		if !ok {
			return "", false
		}
		switch x.Op {
		case connectors.OpEq, connectors.OpNe, connectors.OpLt, connectors.OpLe, connectors.OpGt, connectors.OpGe:
		default:
			return "", false
		}
		p, ok := d.literal(col, x.Value)
		if !ok {
			return "", false
		}
		s := name + " " + string(x.Op) + " " + p
		if isString(col.typ.Kind) && x.Op != connectors.OpEq && x.Op != connectors.OpNe {
			s += ` COLLATE "C"`
		}
		return s, true
	case connectors.InList:
		col, name, ok := d.column(x.Column)
		if !ok || len(x.Values) == 0 {
			return "", false
		}
		ps := make([]string, len(x.Values))
		for i, v := range x.Values {
			if ps[i], ok = d.literal(col, v); !ok {
				return "", false
			}
		}
		op := " IN ("
		if x.Negated {
			op = " NOT IN ("
		}
		return name + op + strings.Join(ps, ", ") + ")", true
	case connectors.IsNull:
		i, ok := d.t.byName[x.Column]
		if !ok || i < 0 {
			return "", false
		}
		name := pgx.Identifier{x.Column}.Sanitize()
		if x.Negated {
			return name + " IS NOT NULL", true
		}
		return name + " IS NULL", true
	case connectors.Like:
		col, name, ok := d.column(x.Column)
		if !ok || x.CaseInsensitive || !isString(col.typ.Kind) {
			return "", false
		}
		op := " LIKE "
		if x.Negated {
			op = " NOT LIKE "
		}
		return name + op + d.param(x.Pattern, connectors.Literal{Type: sqltypes.TypeText, Value: x.Pattern}) + ` COLLATE "C"`, true
	case connectors.And:
		return d.join(x.Filters, " AND ", "TRUE")
	case connectors.Or:
		return d.join(x.Filters, " OR ", "FALSE")
	case connectors.Not:
		if x.Filter == nil {
			return "", false
		}
		s, ok := d.filter(x.Filter)
		if !ok {
			return "", false
		}
		return "NOT (" + s + ")", true
	}
	return "", false
}

func (d *deparser) join(fs []connectors.Filter, sep, empty string) (string, bool) {
	if len(fs) == 0 {
		return empty, true
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		s, ok := d.filter(f)
		if !ok {
			return "", false
		}
		parts[i] = "(" + s + ")"
	}
	return "(" + strings.Join(parts, sep) + ")", true
}

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
	case sqltypes.Interval:
		v, ok := l.Value.(arrow.MonthDayNanoInterval)
		if !ok || v.Nanoseconds%1000 != 0 {
			return nil, false
		}
		return pgtype.Interval{Months: v.Months, Days: v.Days, Microseconds: v.Nanoseconds / 1000, Valid: true}, true
	case sqltypes.UUID:
		v, ok := l.Value.([16]byte)
		return v, ok
	}
	return nil, false
}
