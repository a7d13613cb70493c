package postgres

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/sqlgen"
	"github.com/meshql/meshql/sqltypes"
)

// collateC makes PostgreSQL order and compare strings by their bytes, as
// meshql does, whatever the column's or database's collation.
const collateC = ` COLLATE "C"`

// ordered reports whether PostgreSQL orders values of column i exactly
// as meshql does, and returns the SQL that orders by it. Floats (NaN,
// -0) and intervals (30-day months) are left to meshql.
func (t *Table) ordered(i int) (string, bool) {
	if i < 0 || i >= len(t.cols) || !t.cols[i].pushable {
		return "", false
	}
	c := &t.cols[i]
	if n, ok := t.byName[c.name]; !ok || n != i {
		return "", false // a duplicate name cannot be referenced
	}
	name := sqlgen.Quote(c.name)
	switch c.typ.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric, sqltypes.Bool,
		sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ, sqltypes.Inet, sqltypes.Cidr, sqltypes.Macaddr:
		return name, true // inet: family, network, prefix length, host, as meshql's bytes
	case sqltypes.Text, sqltypes.Varchar:
		return name + collateC, true
	}
	return "", false
}

// SupportsOrder implements connectors.OrderPusher.
func (t *Table) SupportsOrder(keys []connectors.SortKey) bool {
	for _, k := range keys {
		if _, ok := t.ordered(k.Column); !ok {
			return false
		}
	}
	return len(keys) > 0
}

func (t *Table) orderExpr(k connectors.SortKey) string {
	s, _ := t.ordered(k.Column)
	if k.Desc {
		s += " DESC"
	}
	if k.NullsFirst {
		return s + " NULLS FIRST"
	}
	return s + " NULLS LAST"
}

// AggregateSchema implements connectors.AggregatePusher: group columns and
// min/max need an order meshql shares (see ordered), sums need exact
// remote arithmetic (integers and numerics, or double precision, which
// both sides accumulate in double).
func (t *Table) AggregateSchema(req connectors.ScanRequest) (*arrow.Schema, bool) {
	if req.Aggregate == nil {
		return nil, false
	}
	var q sqlgen.Query
	cols, ok := t.aggregate(*req.Aggregate, &q)
	if !ok {
		return nil, false
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.typ.Field(c.name)
	}
	return arrow.NewSchema(fields, nil), true
}

// aggregate fills q's select list and GROUP BY for a, and returns the
// columns the query returns; false when a cannot be computed remotely.
func (t *Table) aggregate(a connectors.Aggregate, q *sqlgen.Query) ([]column, bool) {
	var out []column
	for _, g := range a.GroupBy {
		// Grouping uses equality, which byte order implies; the ordered
		// types are exactly those whose equality is meshql's.
		if _, ok := t.ordered(g); !ok {
			return nil, false
		}
		c := t.cols[g]
		out = append(out, c)
		q.Cols = append(q.Cols, c.selectExpr())
		q.GroupBy = append(q.GroupBy, sqlgen.Quote(c.name))
	}
	for _, call := range a.Aggs {
		c, sql, ok := t.aggCall(call)
		if !ok {
			return nil, false
		}
		out = append(out, c)
		q.Cols = append(q.Cols, sql)
	}
	return out, true
}

// aggCall returns the column and SQL of one partial aggregate.
func (t *Table) aggCall(a connectors.AggCall) (column, string, bool) {
	count := column{name: "count", oid: sqltypes.OIDInt8, typ: sqltypes.TypeInt8, dec: decInt8}
	if a.Func == connectors.AggCountStar {
		return count, "count(*)", true
	}
	if a.Column < 0 || a.Column >= len(t.cols) {
		return column{}, "", false
	}
	src := t.cols[a.Column]
	if n, ok := t.byName[src.name]; !ok || n != a.Column || !src.pushable {
		return column{}, "", false
	}
	name := sqlgen.Quote(src.name)
	switch a.Func {
	case connectors.AggCount:
		count.name = "count_" + src.name
		return count, "count(" + name + ")", true
	case connectors.AggSum:
		c := column{name: "sum_" + src.name}
		switch src.typ.Kind {
		case sqltypes.Int2, sqltypes.Int4:
			c.oid, c.typ, c.dec = sqltypes.OIDInt8, sqltypes.TypeInt8, decInt8
			return c, "sum(" + name + ")", true
		case sqltypes.Int8, sqltypes.Numeric:
			// numeric(38,s) as meshql's sum: an overflow fails remotely
			// with 22003, as it would in meshql.
			c.oid, c.typ, c.dec = sqltypes.OIDNumeric, sqltypes.NumericType(sqltypes.MaxNumericPrecision, src.typ.Scale), decNumeric
			return c, "sum(" + name + ")::numeric(" + strconv.Itoa(int(c.typ.Precision)) + "," + strconv.Itoa(int(c.typ.Scale)) + ")", true
		case sqltypes.Float8:
			c.oid, c.typ, c.dec = sqltypes.OIDFloat8, sqltypes.TypeFloat8, decFloat8
			return c, "sum(" + name + ")", true
		}
	case connectors.AggMin, connectors.AggMax:
		expr, ok := t.ordered(a.Column)
		if !ok || src.typ.Kind == sqltypes.Bool { // min(bool) does not exist
			return column{}, "", false
		}
		c := src
		c.name = string(a.Func) + "_" + src.name
		if src.typ.IsString() {
			c.oid = sqltypes.OIDText // min(varchar) is min(text)
		}
		if src.typ.Kind == sqltypes.Cidr {
			c.oid, c.typ = sqltypes.OIDInet, sqltypes.TypeInet // max(cidr) is max(inet)
		}
		return c, string(a.Func) + "(" + expr + ")", true
	}
	return column{}, "", false
}
