package csv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// Table is an opened CSV or NDJSON source: a sorted list of files with one
// column layout. It is immutable, safe for concurrent use, and holds no
// open file.
type Table struct {
	files  []string
	names  []string // files as errors name them
	cols   []column
	schema *arrow.Schema
	opts   options
}

var _ connectors.Table = (*Table)(nil)

// OpenTable lists the files matching src.Path, decides the columns (from
// options.columns, else the first file's header or first object) and
// checks every CSV file's header against them. Errors: HV00R when no
// file matches, HV000 for bad options and unreadable or inconsistent
// files, 57014 when ctx ends.
func (c *Connector) OpenTable(ctx context.Context, src catalog.Source) (*Table, error) {
	opts, err := parseOptions(src)
	if err != nil {
		return nil, err
	}
	files, err := listFiles(src)
	if err != nil {
		return nil, err
	}
	t := &Table{files: files, opts: opts}
	for _, f := range files {
		t.names = append(t.names, displayName(src, f))
	}
	if spec := src.Options["columns"]; spec != "" {
		if t.cols, err = parseColumns(spec); err != nil {
			return nil, err
		}
	}
	for i := range files {
		if err := ctx.Err(); err != nil {
			return nil, sqltypes.AsError(err)
		}
		if opts.ndjson && (i > 0 || t.cols != nil) {
			break // NDJSON matches by key: nothing to check
		}
		if !opts.ndjson && !opts.header && (i > 0 || t.cols != nil) {
			break
		}
		names, err := t.firstRecord(i)
		if err != nil {
			return nil, err
		}
		if t.cols == nil {
			for j, n := range names {
				if !opts.header && !opts.ndjson {
					n = "column" + strconv.Itoa(j+1)
				}
				t.cols = append(t.cols, column{name: n, typ: sqltypes.TypeText})
			}
			continue
		}
		if err := t.checkHeader(i, names); err != nil {
			return nil, err
		}
	}
	if len(t.cols) == 0 {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "%s has no columns", t.names[0])
	}
	t.schema = schemaOf(t.cols)
	return t, nil
}

// firstRecord returns the first CSV record, or the keys of the first JSON
// object, of file i.
func (t *Table) firstRecord(i int) ([]string, error) {
	rc, err := openFile(t.files[i], nil)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if t.opts.ndjson {
		br := bufio.NewReader(rc)
		for line := 1; ; line++ {
			b, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(b)) > 0 {
				keys, kerr := objectKeys(b)
				if kerr != nil {
					return nil, sqltypes.Wrap(kerr, sqltypes.CodeInvalidTextRepr, "%s:%d: invalid input syntax for type json: %v", t.names[i], line, kerr)
				}
				return keys, nil
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					return nil, sqltypes.New(sqltypes.CodeFDWError, "%s is empty: the columns option is needed to read it", t.names[i])
				}
				return nil, fileError(t.names[i], err)
			}
		}
	}
	r := t.newCSVReader(rc)
	rec, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "%s is empty: the columns option is needed to read it", t.names[i])
	}
	if err != nil {
		return nil, fileError(t.names[i], err)
	}
	return rec, nil
}

func (t *Table) checkHeader(i int, names []string) error {
	ok := len(names) == len(t.cols)
	for j := 0; ok && j < len(names); j++ {
		ok = strings.EqualFold(strings.TrimSpace(names[j]), t.cols[j].name)
	}
	if !ok {
		want := make([]string, len(t.cols))
		for j, c := range t.cols {
			want[j] = c.name
		}
		return sqltypes.New(sqltypes.CodeFDWError, "the header of %s does not match the source's columns", t.names[i]).
			WithDetail("Header: %s. Columns: %s.", strings.Join(names, ", "), strings.Join(want, ", "))
	}
	return nil
}

// objectKeys returns the keys of a JSON object in their order.
func objectKeys(b []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := tok.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func (t *Table) newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = t.opts.delimiter
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 0
	return cr
}

// Schema returns the columns: text unless options.columns typed them.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Stats knows nothing without reading the files.
func (t *Table) Stats() connectors.Stats { return connectors.Stats{RowCount: -1} }

// SupportsFilters answers Unsupported for every filter: meshql applies them.
func (t *Table) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}

// Partitions returns one partition per file (with a limit, the files are
// still all offered; each reader stops at the limit). It does no I/O.
func (t *Table) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	fields := make([]arrow.Field, len(req.Columns))
	for i, c := range req.Columns {
		if c < 0 || c >= len(t.cols) {
			return nil, sqltypes.New(sqltypes.CodeInternal, "scan column index %d out of range (table has %d columns)", c, len(t.cols))
		}
		fields[i] = t.schema.Field(c)
	}
	schema := arrow.NewSchema(fields, nil)
	out := make([]connectors.Partition, len(t.files))
	for i := range t.files {
		out[i] = &partition{t: t, file: i, cols: append([]int(nil), req.Columns...), schema: schema, limit: req.Limit}
	}
	return out, nil
}

// partition reads one file. It is immutable; Open may be called any
// number of times, concurrently.
type partition struct {
	t      *Table
	file   int
	cols   []int
	schema *arrow.Schema
	limit  int64
}

// Open opens the file and returns a reader of its rows, projected to the
// requested columns, in batches allocated from mem. The file stays open
// until the stream ends or the reader is released. Parse errors name the
// file, line and column.
func (p *partition) Open(ctx context.Context, mem memory.Allocator) (array.RecordReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &source{p: p, name: p.t.names[p.file]}
	rc, err := openFile(p.t.files[p.file], &s.read)
	if err != nil {
		return nil, err
	}
	s.rc = rc
	if len(p.cols) > 0 {
		s.b = array.NewRecordBuilder(mem, p.schema)
	}
	if p.t.opts.ndjson {
		s.br = bufio.NewReader(rc)
	} else {
		s.cr = p.t.newCSVReader(rc)
		s.cr.FieldsPerRecord = len(p.t.cols)
		if p.t.opts.header {
			if _, err := s.cr.Read(); err != nil && !errors.Is(err, io.EOF) {
				s.Close()
				return nil, s.readError(err)
			}
		}
	}
	return connectors.NewSourceReader(ctx, p.schema, s, p.limit), nil
}
