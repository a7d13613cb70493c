package engine

import (
	"crypto/rand"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/lineage"
	"github.com/meshql/meshql/planner/logical"
)

// QueryObserver is told when each query starts and ends, for lineage
// (OpenLineage run events) and audit. Calls come from the query's
// goroutine, so an implementation must return quickly (queue, don't send)
// and be safe for concurrent use. Events of one query share a RunID.
type QueryObserver interface {
	QueryStarted(ev QueryEvent)
	QueryEnded(ev QueryEvent)
}

// QueryEvent describes one query run.
type QueryEvent struct {
	RunID string // random UUID, the same for the start and the end of a run
	Mesh  string // mesh name
	User  string
	SQL   string
	// Inputs are the data products the query scans, sorted (a derived
	// product is expanded by the binder, so its own inputs show).
	Inputs []string
	// InputColumns are, per input, the columns the query reads of it,
	// sorted: every column it names or expands with *, in any clause, as
	// the audit log counts them (a derived product's definition included).
	InputColumns map[string][]string
	// Outputs are the result's columns in order, each with the input
	// product columns its values derive from (planner/lineage): the
	// column-level lineage of the query's result.
	Outputs []OutputColumn
	Start   time.Time
	End     time.Time // zero in QueryStarted
	Rows    int64
	Err     error // nil on success
}

// OutputColumn is a result column and where its values come from.
type OutputColumn struct {
	Name   string
	Type   string // SQL type, as format_type prints it
	Inputs []ColumnSource
}

// ColumnSource is an input product column a result column derives from.
type ColumnSource struct {
	Product, Column string
	// Transformation is identity, transformation or aggregation
	// (lineage.Transformation's names).
	Transformation string
	// Masked is set when the column was masked for the session's user:
	// the result derives from the masked values.
	Masked bool
}

// observe tells the engine's observer, if any, that a query starts, and
// returns the function that reports its end.
func (s *Session) observe(sql string, q *bind.Query, access *bind.Access) func(rows int64, err error) {
	o := s.engine.observer
	if o == nil {
		return func(int64, error) {}
	}
	ev := QueryEvent{RunID: newRunID(), Mesh: s.engine.Mesh().Name, User: s.user, SQL: sql, Inputs: inputsRead(q.Plan), Start: s.engine.clock()}
	ev.InputColumns = columnsRead(ev.Inputs, access)
	ev.Outputs = outputLineage(q, access)
	o.QueryStarted(ev)
	return func(rows int64, err error) {
		ev.End, ev.Rows, ev.Err = s.engine.clock(), rows, err
		o.QueryEnded(ev)
	}
}

// inputsRead lists the data products a plan scans, sorted.
func inputsRead(plan logical.Node) []string {
	seen := map[string]bool{}
	var out []string
	var shared logical.NodeSet
	var walk func(n logical.Node)
	walk = func(n logical.Node) {
		if n == nil || logical.Revisits(&shared, n) {
			return
		}
		if sc, ok := n.(*logical.Scan); ok && sc.Product != nil && !seen[sc.Product.QualifiedName()] {
			seen[sc.Product.QualifiedName()] = true
			out = append(out, sc.Product.QualifiedName())
		}
		for _, c := range n.Children() {
			walk(c)
		}
	}
	walk(plan)
	sort.Strings(out)
	return out
}

// columnsRead groups the audit record's "domain.product_vN.column" names
// by input product; products that are not inputs (a derived product
// itself) are left out.
func columnsRead(inputs []string, access *bind.Access) map[string][]string {
	if access == nil {
		return nil
	}
	out := map[string][]string{}
	for _, c := range access.Columns {
		i := strings.LastIndexByte(c, '.')
		if i > 0 && slices.Contains(inputs, c[:i]) {
			out[c[:i]] = append(out[c[:i]], c[i+1:])
		}
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out
}

// outputLineage describes the result's columns with their column-level
// lineage.
func outputLineage(q *bind.Query, access *bind.Access) []OutputColumn {
	masked := map[string]bool{}
	if access != nil {
		for _, m := range access.Masks {
			if i := strings.LastIndexByte(m, ':'); i > 0 {
				masked[m[:i]] = true
			}
		}
	}
	edges := lineage.Outputs(q.Plan, q.Columns)
	out := make([]OutputColumn, len(q.Columns))
	for i, c := range q.Columns {
		out[i] = OutputColumn{Name: c.Name, Type: c.Type.String()}
		for _, e := range edges[i] {
			out[i].Inputs = append(out[i].Inputs, ColumnSource{Product: e.Input, Column: e.InputColumn,
				Transformation: e.Transformation.String(), Masked: masked[e.Input+"."+e.InputColumn]})
		}
	}
	return out
}

// newRunID returns a random (version 4) UUID.
func newRunID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
