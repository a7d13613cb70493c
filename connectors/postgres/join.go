package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/sqlgen"
	"github.com/meshql/meshql/sqltypes"
)

var _ connectors.JoinPusher = (*Table)(nil)

// PushJoin implements connectors.JoinPusher: when every input is a table
// or query of the same server and database (the same connection URL) and
// every key column has a type whose equality is meshql's (see ordered),
// the join runs as one remote SELECT over the inputs, aliased t0, t1, …,
// with each input's filters. The result is one partition.
func (t *Table) PushJoin(ctx context.Context, j connectors.Join) (connectors.JoinScan, bool) {
	if len(j.Inputs) < 2 || ctx.Err() != nil {
		return connectors.JoinScan{}, false
	}
	tables := make([]*Table, len(j.Inputs))
	for i, in := range j.Inputs {
		pt, ok := connectors.As[*Table](in.Table)
		if !ok || pt.pool.source != t.pool.source {
			return connectors.JoinScan{}, false
		}
		tables[i] = pt
	}
	alias := func(i int) string { return "t" + strconv.Itoa(i) + "." }
	q := sqlgen.Query{Limit: -1}
	var from []string
	var out []column
	for i, in := range j.Inputs {
		pt := tables[i]
		from = append(from, pt.rel+" AS t"+strconv.Itoa(i))
		for _, c := range in.Columns {
			if c < 0 || c >= len(pt.cols) {
				return connectors.JoinScan{}, false
			}
			out = append(out, pt.cols[c])
			q.Cols = append(q.Cols, alias(i)+pt.cols[c].selectExpr())
		}
	}
	q.From = strings.Join(from, ", ")
	var where []string
	for _, k := range j.On {
		if k.Left < 0 || k.Left >= len(tables) || k.Right < 0 || k.Right >= len(tables) || k.Left == k.Right {
			return connectors.JoinScan{}, false
		}
		l, lok := tables[k.Left].ordered(k.LeftCol)
		r, rok := tables[k.Right].ordered(k.RightCol)
		lt, rt := tables[k.Left].cols[k.LeftCol].typ, tables[k.Right].cols[k.RightCol].typ
		if !lok || !rok || !sameEquality(lt.Kind, rt.Kind) {
			return connectors.JoinScan{}, false
		}
		// Strings compare COLLATE "C" (from ordered) on the left: byte
		// equality, as meshql's, and no conflict between the two
		// columns' own collations.
		where = append(where, alias(k.Left)+l+" = "+alias(k.Right)+strings.TrimSuffix(r, collateC))
	}
	// Each input's filters, rendered with its alias; parameters number in
	// one sequence.
	d := deparser{}
	for i, in := range j.Inputs {
		d.t = tables[i]
		g := d.gen()
		g.Prefix = alias(i)
		for _, f := range in.Filters {
			s, ok := g.Filter(f)
			if !ok {
				return connectors.JoinScan{}, false
			}
			where = append(where, s)
		}
	}
	q.Extra = func() string { return strings.Join(where, " AND ") }
	sql, ok := d.gen().Render(q)
	if !ok {
		return connectors.JoinScan{}, false
	}
	fields := make([]arrow.Field, len(out))
	for i, c := range out {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ.Arrow(), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	pq := query{sql: sql, args: d.args, lits: d.lits}
	return connectors.JoinScan{
		Schema:     schema,
		Partitions: []connectors.Partition{&partition{t: t, q: pq, schema: schema, cols: out}},
		Explain:    append(explainQuery(pq), "partitions=1"),
	}, true
}

// sameEquality reports whether PostgreSQL compares values of the two
// kinds for equality as meshql does: the same kind, or two integer kinds.
func sameEquality(a, b sqltypes.Kind) bool {
	isInt := func(k sqltypes.Kind) bool { return k == sqltypes.Int2 || k == sqltypes.Int4 || k == sqltypes.Int8 }
	return a == b || isInt(a) && isInt(b)
}

// explainQuery is the remote SQL and its parameters for EXPLAIN.
func explainQuery(q query) []string {
	out := []string{fmt.Sprintf("remote_sql=%q", q.sql)}
	if len(q.lits) > 0 {
		ps := make([]string, len(q.lits))
		for i, l := range q.lits {
			ps[i] = l.String()
		}
		out = append(out, "params=["+strings.Join(ps, ", ")+"]")
	}
	return out
}
