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

// JoinSource implements connectors.JoinPusher: one name per database
// (connection URL and password) the connector reaches, not the URL itself.
func (t *Table) JoinSource() string { return t.pool.id }

// PushJoin implements connectors.JoinPusher: when every input is a table
// or query of the same server and database (the same connection URL) and
// every key column has a type whose equality is meshql's (see ordered),
// the join runs as one remote SELECT over the inputs, aliased t0, t1, …,
// with each input's filters. The result is one partition.
//
// An inner join is a list of inputs with the keys and filters in WHERE.
// A tree with outer joins nests JOIN … ON keys; an input's filters go to
// the WHERE clause only when no outer join above it makes it nullable,
// and otherwise into a derived table (SELECT * FROM input WHERE filters),
// so that they remove rows before the join instead of null-extending
// them after it.
func (t *Table) PushJoin(ctx context.Context, j connectors.Join) (connectors.JoinScan, bool) {
	if len(j.Inputs) < 2 || ctx.Err() != nil {
		return connectors.JoinScan{}, false
	}
	jr := joinRender{tables: make([]*Table, len(j.Inputs))}
	for i, in := range j.Inputs {
		pt, ok := connectors.As[*Table](in.Table)
		if !ok || pt.pool.id != t.pool.id {
			return connectors.JoinScan{}, false
		}
		jr.tables[i] = pt
	}
	q := sqlgen.Query{Limit: -1}
	var out []column
	for i, in := range j.Inputs {
		pt := jr.tables[i]
		for _, c := range in.Columns {
			if c < 0 || c >= len(pt.cols) {
				return connectors.JoinScan{}, false
			}
			out = append(out, pt.cols[c])
			q.Cols = append(q.Cols, alias(i)+pt.cols[c].selectExpr())
		}
	}
	var where []string
	if !j.Tree.Outer() {
		var from []string
		for i, pt := range jr.tables {
			from = append(from, pt.rel+" AS t"+strconv.Itoa(i))
		}
		q.From = strings.Join(from, ", ")
		on := j.On
		if j.Tree != nil {
			on = nil
			j.Tree.Walk(func(n *connectors.JoinTree) { on = append(on, n.On...) })
		}
		keys, ok := jr.keys(on)
		if !ok {
			return connectors.JoinScan{}, false
		}
		where = keys
		for i, in := range j.Inputs {
			fs, ok := jr.filters(i, in.Filters)
			if !ok {
				return connectors.JoinScan{}, false
			}
			where = append(where, fs...)
		}
	} else {
		jr.inputs = j.Inputs
		from, ok := jr.tree(j.Tree, true, &where)
		if !ok || len(jr.seen) != len(j.Inputs) {
			return connectors.JoinScan{}, false
		}
		q.From = from
	}
	if len(where) > 0 {
		q.Extra = func() string { return strings.Join(where, " AND ") }
	}
	sql, ok := jr.d.gen().Render(q)
	if !ok {
		return connectors.JoinScan{}, false
	}
	fields := make([]arrow.Field, len(out))
	for i, c := range out {
		fields[i] = c.typ.Field(c.name)
	}
	schema := arrow.NewSchema(fields, nil)
	pq := query{sql: sql, args: jr.d.args, lits: jr.d.lits}
	return connectors.JoinScan{
		Schema:     schema,
		Partitions: []connectors.Partition{&partition{t: t, q: pq, schema: schema, cols: out}},
		Explain:    append(explainQuery(pq), "partitions=1"),
	}, true
}

func alias(i int) string { return "t" + strconv.Itoa(i) + "." }

// joinRender renders one pushed join; parameters of every input number in
// one sequence.
type joinRender struct {
	tables []*Table
	inputs []connectors.JoinInput
	d      deparser
	seen   map[int]bool
}

// keys renders equalities of two inputs' columns. Strings compare COLLATE
// "C" (from ordered) on the left: byte equality, as meshql's, and no
// conflict between the two columns' own collations.
func (jr *joinRender) keys(on []connectors.JoinKey) ([]string, bool) {
	var out []string
	n := len(jr.tables)
	for _, k := range on {
		if k.Left < 0 || k.Left >= n || k.Right < 0 || k.Right >= n || k.Left == k.Right {
			return nil, false
		}
		l, lok := jr.tables[k.Left].ordered(k.LeftCol)
		r, rok := jr.tables[k.Right].ordered(k.RightCol)
		if !lok || !rok || !sameEquality(jr.tables[k.Left].cols[k.LeftCol].typ.Kind, jr.tables[k.Right].cols[k.RightCol].typ.Kind) {
			return nil, false
		}
		out = append(out, alias(k.Left)+l+" = "+alias(k.Right)+strings.TrimSuffix(r, collateC))
	}
	return out, true
}

// filters renders input i's filters qualified with its alias.
func (jr *joinRender) filters(i int, fs []connectors.Filter) ([]string, bool) {
	jr.d.t = jr.tables[i]
	g := jr.d.gen()
	g.Prefix = alias(i)
	var out []string
	for _, f := range fs {
		s, ok := g.Filter(f)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// tree renders n as a FROM item. preserved says no outer join above n
// null-extends it: its inputs' filters may then go to where.
func (jr *joinRender) tree(n *connectors.JoinTree, preserved bool, where *[]string) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Leaf() {
		i := n.Input
		if i < 0 || i >= len(jr.tables) || jr.seen[i] {
			return "", false
		}
		if jr.seen == nil {
			jr.seen = map[int]bool{}
		}
		jr.seen[i] = true
		item := jr.tables[i].rel + " AS t" + strconv.Itoa(i)
		fs, ok := jr.filters(i, jr.inputs[i].Filters)
		if !ok {
			return "", false
		}
		if len(fs) == 0 {
			return item, true
		}
		if preserved {
			*where = append(*where, fs...)
			return item, true
		}
		return "(SELECT * FROM " + item + " WHERE " + strings.Join(fs, " AND ") + ") AS t" + strconv.Itoa(i), true
	}
	var kind string
	lp, rp := preserved, preserved
	switch n.Kind {
	case connectors.JoinInner:
		kind = "JOIN"
	case connectors.JoinLeft:
		kind, rp = "LEFT JOIN", false
	case connectors.JoinRight:
		kind, lp = "RIGHT JOIN", false
	case connectors.JoinFull:
		kind, lp, rp = "FULL JOIN", false, false
	default:
		return "", false
	}
	l, ok := jr.tree(n.Left, lp, where)
	if !ok {
		return "", false
	}
	r, ok := jr.tree(n.Right, rp, where)
	if !ok {
		return "", false
	}
	keys, ok := jr.keys(n.On)
	if !ok || (n.Kind != connectors.JoinInner && len(keys) == 0) {
		return "", false
	}
	cond := "TRUE"
	if len(keys) > 0 {
		cond = strings.Join(keys, " AND ")
	}
	return "(" + l + " " + kind + " " + r + " ON " + cond + ")", true
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
