package parquet

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/objstore"
	"github.com/meshql/meshql/sqltypes"
)

// Table is an opened Parquet source: a sorted list of files sharing one
// schema, with their footers. It is immutable and safe for concurrent use;
// it holds no open files and needs no Close.
type Table struct {
	schema *arrow.Schema
	cols   []colInfo      // per top-level field
	byName map[string]int // column name → field index; -1 if ambiguous
	files  []*fileInfo
	stats  connectors.Stats
	groups int // row groups over all files
	store  objstore.Store
	nFile  int      // columns from the files; the rest are hive partition keys
	hive   hiveKeys // partition keys, columns nFile.. of schema

	batchSize        int64
	minPartitionRows int64

	dictCols []bool // per field: may be read as a dictionary (dict.go)
}

var (
	_ connectors.Table         = (*Table)(nil)
	_ connectors.ScanExplainer = (*Table)(nil)
)

func (t *Table) setSchema(fileSchema *arrow.Schema, first *fileInfo, hk hiveKeys, hvals [][]any) {
	t.nFile, t.hive = fileSchema.NumFields(), hk
	sch := fileSchema
	if len(hk.names) > 0 {
		md := fileSchema.Metadata()
		sch = arrow.NewSchema(append(append([]arrow.Field(nil), fileSchema.Fields()...), hk.fields(hvals)...), &md)
	}
	t.schema = sch
	t.cols = make([]colInfo, sch.NumFields())
	t.byName = make(map[string]int, sch.NumFields())
	for i, f := range sch.Fields() {
		c := &t.cols[i]
		c.name = f.Name
		c.flat = i >= t.nFile || first.flatLeaf[i] >= 0
		typ, err := sqltypes.FromArrow(f.Type)
		c.typ, c.typeOK = typ, err == nil
		c.minMax, c.tsExact = minMaxSupported(f.Type)
		c.minMax = c.minMax && c.typeOK
		if _, dup := t.byName[f.Name]; dup {
			t.byName[f.Name] = -1
		} else {
			t.byName[f.Name] = i
		}
	}
	t.initDictColumns(first)
}

// loadRowGroups decodes one file's row-group statistics. Corrupt metadata
// is an HV000 error, never a panic.
func (t *Table) loadRowGroups(fi *fileInfo) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = corrupt(fi.path, fmt.Errorf("%v", p))
		}
	}()
	n := fi.meta.NumRowGroups()
	fi.groups = make([]rowGroup, n)
	for g := range n {
		rg := fi.meta.RowGroup(g)
		fi.groups[g] = rowGroup{rows: rg.NumRows(), ranges: make([]connectors.ColumnRange, len(t.cols))}
		for k, v := range fi.hive {
			i := t.nFile + k
			fi.groups[g].ranges[i] = hiveRange(t.cols[i].typ, v, rg.NumRows())
		}
		for i := range t.nFile {
			leaf := fi.flatLeaf[i]
			if leaf < 0 || !t.cols[i].flat {
				continue
			}
			var st metadata.TypedStatistics
			cc, err := rg.ColumnChunk(leaf)
			if err != nil {
				return corrupt(fi.path, err)
			}
			if st, err = cc.Statistics(); err != nil {
				st = nil // undecodable statistics: prune nothing
			}
			t.dictCols[i] = t.dictCols[i] && dictEncoded(cc)
			f := t.schema.Field(i)
			fi.groups[g].ranges[i] = columnRange(&t.cols[i], f.Type, f.Nullable, st, rg.NumRows())
		}
	}
	t.groups += n
	return nil
}

// computeStats aggregates the row-group statistics into t.stats.
func (t *Table) computeStats() {
	accs := make([]statsAcc, len(t.cols))
	for i := range accs {
		accs[i] = newStatsAcc()
	}
	var rows int64
	for _, fi := range t.files {
		for _, g := range fi.groups {
			rows += g.rows
			for i := range t.cols {
				if t.cols[i].flat {
					accs[i].add(g.ranges[i])
				}
			}
		}
	}
	t.stats = connectors.Stats{RowCount: rows, Columns: make(map[string]connectors.ColumnStats, len(t.cols))}
	for i, c := range t.cols {
		if !c.flat || t.byName[c.name] < 0 {
			continue
		}
		t.stats.Columns[c.name] = accs[i].result(c.tsExact)
	}
}

// Schema returns the Arrow schema Parquet's own type mapping (pqarrow)
// gives the files, unconverted: timestamps keep the files' unit (INT96
// reads as timestamp[ns]; an adjusted-to-UTC timestamp carries time zone
// "UTC"), strings written from Arrow dictionaries are dictionary<int32,
// utf8> when the file's stored Arrow schema says so, unsigned integers
// stay unsigned. The planner casts these to meshql's types (sqltypes.FromArrow).
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Stats returns the exact row count from the footers and, per top-level
// primitive column, the null count (-1 unless every row group records it)
// and Min/Max when every row group holding values has min/max statistics.
// Min and Max are the writers' statistics: they ignore NaN and may be
// truncated for long strings by some writers; timestamps in units other
// than microseconds report no Min/Max. Distinct is always -1. The map is
// shared: treat it as read-only.
func (t *Table) Stats() connectors.Stats { return t.stats }

// SupportsFilters answers Inexact for comparisons, IN lists and IS [NOT]
// NULL on top-level primitive columns whose statistics the table can
// decode, and for AND/OR/NOT built only from such filters: they prune row
// groups and the executor re-checks the rows. Everything else (LIKE,
// nested or unknown columns, literals of another type family) is
// Unsupported.
func (t *Table) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	out := make([]connectors.PushSupport, len(fs))
	for i, f := range fs {
		if t.canPrune(f) {
			out[i] = connectors.Inexact
		}
	}
	return out
}

func (t *Table) canPrune(f connectors.Filter) bool {
	switch f := f.(type) {
	case connectors.Compare:
		c := t.column(f.Column)
		return c != nil && c.minMax && comparable(c.typ, f.Value)
	case connectors.InList:
		c := t.column(f.Column)
		if c == nil || !c.minMax || len(f.Values) == 0 {
			return false
		}
		for _, v := range f.Values {
			if !comparable(c.typ, v) {
				return false
			}
		}
		return true
	case connectors.IsNull:
		return t.column(f.Column) != nil
	case connectors.And:
		return t.allPrune(f.Filters)
	case connectors.Or:
		return t.allPrune(f.Filters)
	case connectors.Not:
		return f.Filter != nil && t.canPrune(f.Filter)
	}
	return false
}

func (t *Table) allPrune(fs []connectors.Filter) bool {
	for _, f := range fs {
		if !t.canPrune(f) {
			return false
		}
	}
	return len(fs) > 0
}

// column returns the top-level primitive column named name, or nil.
func (t *Table) column(name string) *colInfo {
	i, ok := t.byName[name]
	if !ok || i < 0 || !t.cols[i].flat || !t.cols[i].typeOK {
		return nil
	}
	return &t.cols[i]
}

// comparable reports whether statistics of a column of type ct can be
// compared with lit.
func comparable(ct sqltypes.Type, lit connectors.Literal) bool {
	if lit.Value == nil || family(ct) != family(lit.Type) || family(ct) == "" {
		return false
	}
	_, ok := connectors.CompareDatums(lit.Type, lit.Value, lit.Type, lit.Value)
	return ok
}

func family(t sqltypes.Type) string {
	switch {
	case t.IsNumeric():
		return "number"
	case t.IsString() || t.IsJSON():
		return "string"
	}
	switch t.Kind {
	case sqltypes.Bool, sqltypes.Bytea, sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ:
		return t.String()
	}
	return ""
}

// ExplainScan describes the files and row groups a scan reads, e.g.
// "files=2/3 row_groups=4/12 (pruned 8 by statistics)" (files without a row
// group to read were pruned by their statistics or partition folders), then
// "partitions=2"; from a remote store also "fetch_bytes=N/M": the column
// chunks the scan fetches out of the files' total size, footers aside.
func (t *Table) ExplainScan(ctx context.Context, req connectors.ScanRequest) []string {
	p, err := t.plan(req)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	line := fmt.Sprintf("row_groups=%d/%d", p.kept, t.groups)
	switch {
	case p.pruned > 0 && p.limited > 0:
		line += fmt.Sprintf(" (pruned %d by statistics, %d beyond limit)", p.pruned, p.limited)
	case p.pruned > 0:
		line += fmt.Sprintf(" (pruned %d by statistics)", p.pruned)
	case p.limited > 0:
		line += fmt.Sprintf(" (%d beyond limit)", p.limited)
	}
	// One property each (EXPLAIN's JSON form shows a key per property).
	out := []string{fmt.Sprintf("files=%d/%d", p.files, len(t.files)), line, fmt.Sprintf("partitions=%d", len(p.parts))}
	if t.store.Remote() {
		var fetch, total int64
		for _, fi := range t.files {
			total += fi.obj.Size
		}
		for _, part := range p.parts {
			for _, r := range chunkRanges(part.file, part.leaves(), part.groups) {
				fetch += r.Len
			}
		}
		out = append(out, fmt.Sprintf("fetch_bytes=%d/%d", fetch, total))
	}
	return out
}
