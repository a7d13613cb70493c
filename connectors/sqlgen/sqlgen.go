package sqlgen

import (
	"strconv"
	"strings"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// Gen renders filters for one remote source.
type Gen struct {
	// Column returns the type of the remote column called name, whether
	// it exists, and whether comparisons on it may be pushed (a type whose
	// remote semantics differ, such as char(n), may not).
	Column func(name string) (typ sqltypes.Type, exists, pushable bool)
	// Value returns the SQL for a value: a placeholder whose value the
	// caller binds, or an inline literal. ok=false keeps the filter local.
	Value func(lit connectors.Literal) (sql string, ok bool)
	// StringOrder is appended to ordered comparisons (<, <=, >, >=) of
	// strings and to LIKE so that the remote side orders and matches
	// bytes as meshql does (` COLLATE "C"` for PostgreSQL). Ordered string
	// comparisons are not pushed when NoStringOrder is set.
	StringOrder   string
	NoStringOrder bool
	// Prefix qualifies column names ("t0." in a join of several tables).
	Prefix string
}

// Quote returns name as a double-quoted SQL identifier.
func Quote(name string) string {
	name = strings.ReplaceAll(name, "\x00", "")
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// column returns the pushable column called name and its quoted name.
func (g *Gen) column(name string) (sqltypes.Type, string, bool) {
	typ, ok, pushable := g.Column(name)
	if !ok || !pushable {
		return typ, "", false
	}
	return typ, g.Prefix + Quote(name), true
}

// literal returns the SQL of lit compared with a column of type col, with
// a cast when lit's type differs from the column's so that the remote side
// resolves the same operator meshql would.
func (g *Gen) literal(col sqltypes.Type, lit connectors.Literal) (string, bool) {
	lk, ck := lit.Type.Kind, col.Kind
	same := lk == ck || (isString(lk) && isString(ck)) || (lk == sqltypes.Unknown && isString(ck))
	if !same && !comparable(lit.Type, col) {
		return "", false
	}
	p, ok := g.Value(lit)
	if !ok {
		return "", false
	}
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

// Filter returns the SQL of f, or false when f cannot be applied remotely
// with meshql's meaning.
func (g *Gen) Filter(f connectors.Filter) (string, bool) {
	switch x := f.(type) {
	case connectors.Compare:
		col, name, ok := g.column(x.Column)
		if !ok {
			return "", false
		}
		ordered := x.Op != connectors.OpEq && x.Op != connectors.OpNe
		switch x.Op {
		case connectors.OpEq, connectors.OpNe, connectors.OpLt, connectors.OpLe, connectors.OpGt, connectors.OpGe:
		default:
			return "", false
		}
		if ordered && isString(col.Kind) && g.NoStringOrder {
			return "", false
		}
		p, ok := g.literal(col, x.Value)
		if !ok {
			return "", false
		}
		s := name + " " + string(x.Op) + " " + p
		if ordered && isString(col.Kind) {
			s += g.StringOrder
		}
		return s, true
	case connectors.InList:
		col, name, ok := g.column(x.Column)
		if !ok || len(x.Values) == 0 {
			return "", false
		}
		ps := make([]string, len(x.Values))
		for i, v := range x.Values {
			if ps[i], ok = g.literal(col, v); !ok {
				return "", false
			}
		}
		op := " IN ("
		if x.Negated {
			op = " NOT IN ("
		}
		return name + op + strings.Join(ps, ", ") + ")", true
	case connectors.IsNull:
		if _, ok, _ := g.Column(x.Column); !ok {
			return "", false
		}
		if x.Negated {
			return g.Prefix + Quote(x.Column) + " IS NOT NULL", true
		}
		return g.Prefix + Quote(x.Column) + " IS NULL", true
	case connectors.Like:
		col, name, ok := g.column(x.Column)
		if !ok || x.CaseInsensitive || !isString(col.Kind) {
			return "", false
		}
		p, ok := g.Value(connectors.Literal{Type: sqltypes.TypeText, Value: x.Pattern})
		if !ok {
			return "", false
		}
		op := " LIKE "
		if x.Negated {
			op = " NOT LIKE "
		}
		return name + op + p + g.StringOrder, true
	case connectors.And:
		return g.join(x.Filters, " AND ", "TRUE")
	case connectors.Or:
		return g.join(x.Filters, " OR ", "FALSE")
	case connectors.Not:
		if x.Filter == nil {
			return "", false
		}
		s, ok := g.Filter(x.Filter)
		if !ok {
			return "", false
		}
		return "NOT (" + s + ")", true
	}
	return "", false
}

func (g *Gen) join(fs []connectors.Filter, sep, empty string) (string, bool) {
	if len(fs) == 0 {
		return empty, true
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		s, ok := g.Filter(f)
		if !ok {
			return "", false
		}
		parts[i] = "(" + s + ")"
	}
	return "(" + strings.Join(parts, sep) + ")", true
}

// Select renders `SELECT cols FROM from [WHERE filters AND extra()] [LIMIT
// n]`; an empty cols list selects no column (row counts only); extra, when
// not nil, is called after the filters are rendered (so placeholders
// number in order). ok is false if a filter cannot be rendered.
func (g *Gen) Select(cols []string, from string, filters []connectors.Filter, extra func() string, limit int64) (string, bool) {
	return g.Render(Query{Cols: cols, From: from, Filters: filters, Extra: extra, Limit: limit})
}

// Query is one remote SELECT. Cols, GroupBy and OrderBy are SQL the
// caller renders (quoted names, casts, directions).
type Query struct {
	Cols    []string
	From    string
	Filters []connectors.Filter
	Extra   func() string // an extra WHERE conjunct, rendered after the filters
	GroupBy []string
	OrderBy []string
	Limit   int64 // -1 = none
}

// Render renders `SELECT cols FROM from [WHERE …] [GROUP BY …] [ORDER BY
// …] [LIMIT n]`; ok is false if a filter cannot be rendered.
func (g *Gen) Render(q Query) (string, bool) {
	var where []string
	for _, f := range q.Filters {
		s, ok := g.Filter(f)
		if !ok {
			return "", false
		}
		where = append(where, s)
	}
	if q.Extra != nil {
		if s := q.Extra(); s != "" {
			where = append(where, s)
		}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(strings.Join(q.Cols, ", "))
	if len(q.Cols) > 0 {
		b.WriteByte(' ')
	}
	b.WriteString("FROM ")
	b.WriteString(q.From)
	if len(where) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(where, " AND "))
	}
	if len(q.GroupBy) > 0 {
		b.WriteString(" GROUP BY ")
		b.WriteString(strings.Join(q.GroupBy, ", "))
	}
	if len(q.OrderBy) > 0 {
		b.WriteString(" ORDER BY ")
		b.WriteString(strings.Join(q.OrderBy, ", "))
	}
	if q.Limit >= 0 {
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.FormatInt(q.Limit, 10))
	}
	return b.String(), true
}
