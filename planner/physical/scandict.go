package physical

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/planner/logical"
)

// Dictionary-encoded scans. A source that stores a text column
// dictionary-encoded (connectors.DictionaryReader) is asked for it as Arrow
// dictionary arrays when meshql filters on it right after the scan: the
// filter runs once per distinct value (expr.OverDictionaries), the rows it
// drops are never turned into strings, and a projection right after the
// filter decodes the survivors, so every operator above the scan sees
// plain text as before.
//
// A scan that a hash aggregate reads straight (TPC-H Q1) is not finished
// by that projection: the aggregate evaluates its own expressions on the
// scan's batches (decoding dictionaries as they read them), reads through
// the scan's filter without a copy (ops/hashaggfilter.go), and groups by
// the codes of dictionary-encoded key columns, so text group keys are
// read as dictionaries too and never decoded row by row; a key computed
// from one text column (split_part(p_type, ' ', 1)) is computed once per
// dictionary entry and grouped by the same codes. So are the text
// columns that only the aggregates' FILTER clauses read (a pivot's
// count(*) FILTER (WHERE l_returnflag = 'R')): the aggregate evaluates
// those predicates once per dictionary entry (expr.OverDictionaries).

// noteAggScan remembers the input of x when it is a scan, with the
// text columns x groups by or reads only in FILTER clauses, until the
// returned function is called.
func (b *builder) noteAggScan(x *logical.Aggregate) (forget func()) {
	sc, ok := x.Input.(*logical.Scan)
	if !ok {
		return func() {}
	}
	keys := logical.ColSet{}
	other := logical.ColSet{} // columns read elsewhere, where a dictionary would be decoded row by row
	for _, g := range x.Groups {
		if c, ok := g.(*logical.ColRef); ok && c.T.IsString() {
			keys.Add(c.ID)
		} else if id, ok := oneTextColumn(g, sc); ok {
			keys.Add(id) // computed per dictionary entry (expr.OverDictionary)
		} else {
			other.AddSet(logical.ColumnsOf(g))
		}
	}
	filtered := logical.ColSet{}
	for _, a := range x.Aggs {
		for _, e := range a.Args {
			other.AddSet(logical.ColumnsOf(e))
		}
		for _, k := range a.Order {
			other.AddSet(logical.ColumnsOf(k.Expr))
		}
		if a.Filter != nil {
			filtered.AddSet(logical.ColumnsOf(a.Filter))
		}
	}
	for i, id := range sc.Cols {
		if filtered.Has(id) && !other.Has(id) && sc.SourceTypes[i].IsString() {
			keys.Add(id)
		}
	}
	if b.aggScans == nil {
		b.aggScans = map[*logical.Scan]logical.ColSet{}
	}
	b.aggScans[sc] = keys
	return func() { delete(b.aggScans, sc) }
}

// oneTextColumn returns the column of sc that e reads when it reads one
// text column of sc and nothing else, and calls no volatile function.
func oneTextColumn(e logical.Expr, sc *logical.Scan) (logical.ColumnID, bool) {
	cols := logical.ColumnsOf(e)
	if len(cols) != 1 || logical.IsVolatile(e) {
		return 0, false
	}
	for i, id := range sc.Cols {
		if cols.Has(id) {
			return id, sc.SourceTypes[i].IsString()
		}
	}
	return 0, false
}

// askDictionaries marks in p the columns of x to read as dictionaries:
// text columns the source can deliver that way and that a residual filter
// reads or an aggregate reading the scan groups by. It reports whether it
// marked any. Scans with casts are left alone: the casts would decode the
// columns before the filter.
func (b *builder) askDictionaries(x *logical.Scan, p *scanPlan) bool {
	keys := b.aggScans[x]
	if p.needCast || (len(p.residual) == 0 && len(keys) == 0) {
		return false
	}
	dr, ok := connectors.As[connectors.DictionaryReader](x.Table)
	if !ok {
		return false
	}
	can := dr.DictionaryColumns()
	filtered := logical.ColSet{}
	for _, e := range p.residual {
		filtered.AddSet(logical.ColumnsOf(e))
	}
	// The request holds the columns p.ids (p.keep indexes x.Cols).
	marks := make([]bool, len(p.ids))
	any := false
	for j, id := range p.ids {
		i := p.keep[j]
		src := x.SourceIdx[i]
		if src < len(can) && can[src] && (filtered.Has(id) || keys.Has(id)) && x.SourceTypes[i].IsString() {
			marks[j], any = true, true
		}
	}
	if !any {
		return false
	}
	// A source column read twice is read once: mark every copy alike.
	bySrc := map[int]bool{}
	for j, m := range marks {
		bySrc[p.req.Columns[j]] = bySrc[p.req.Columns[j]] || m
	}
	for j := range marks {
		marks[j] = bySrc[p.req.Columns[j]]
		if marks[j] {
			p.fields[j].Type = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: p.fields[j].Type}
		}
	}
	p.req.Dictionary = marks
	return true
}

// dictionaryNames lists, for EXPLAIN, the columns read as dictionaries:
// "[l_shipmode]", or "" for none.
func dictionaryNames(x *logical.Scan, p *scanPlan) string {
	var names []string
	for i, d := range p.req.Dictionary {
		if d {
			names = append(names, p.fields[i].Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "[" + strings.Join(names, ", ") + "]"
}
