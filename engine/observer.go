package engine

import (
	"crypto/rand"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meshql/meshql/planner/bind"
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
	Start        time.Time
	End          time.Time // zero in QueryStarted
	Rows         int64
	Err          error // nil on success
}

// observe tells the engine's observer, if any, that a query starts, and
// returns the function that reports its end.
func (s *Session) observe(sql string, plan logical.Node, access *bind.Access) func(rows int64, err error) {
	o := s.engine.observer
	if o == nil {
		return func(int64, error) {}
	}
	ev := QueryEvent{RunID: newRunID(), Mesh: s.engine.Mesh().Name, User: s.user, SQL: sql, Inputs: inputsRead(plan), Start: s.engine.clock()}
	ev.InputColumns = columnsRead(ev.Inputs, access)
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
	var walk func(n logical.Node)
	walk = func(n logical.Node) {
		if n == nil {
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

// newRunID returns a random (version 4) UUID.
func newRunID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
