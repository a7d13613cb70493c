package csv

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/klauspost/compress/zstd"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

const defaultBatchSize = 8192

// Connector opens CSV and NDJSON sources. It holds no state; one value
// serves any number of engines and goroutines.
type Connector struct{}

var _ connectors.Connector = (*Connector)(nil)

// New returns a Connector.
func New() *Connector { return &Connector{} }

// Kind returns "csv".
func (c *Connector) Kind() string { return "csv" }

// Open implements connectors.Connector; see OpenTable.
func (c *Connector) Open(ctx context.Context, src catalog.Source) (connectors.Table, error) {
	t, err := c.OpenTable(ctx, src)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// column is one column of the table: its name, its type and whether the
// connector parses it (false: text as read).
type column struct {
	name  string
	typ   sqltypes.Type
	parse bool
}

// options are a source's parsed settings.
type options struct {
	ndjson    bool
	header    bool
	delimiter rune
	null      string
	batchSize int
}

func parseOptions(src catalog.Source) (options, error) {
	o := options{header: true, delimiter: ',', batchSize: defaultBatchSize}
	get := func(k string) (string, bool) { v, ok := src.Options[k]; return v, ok }
	base := strings.ToLower(src.Path)
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".gz"), ".zst")
	o.ndjson = strings.HasSuffix(base, ".ndjson") || strings.HasSuffix(base, ".jsonl")
	if v, ok := get("format"); ok {
		switch strings.ToLower(v) {
		case "csv":
			o.ndjson = false
		case "ndjson", "jsonl":
			o.ndjson = true
		default:
			return o, sqltypes.New(sqltypes.CodeFDWError, "csv source: unknown format %q (csv or ndjson)", v)
		}
	}
	if v, ok := get("header"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, sqltypes.New(sqltypes.CodeFDWError, "csv source: option header must be true or false, not %q", v)
		}
		o.header = b
	}
	if v, ok := get("delimiter"); ok {
		switch v {
		case "tab", `\t`:
			v = "\t"
		}
		r := []rune(v)
		if len(r) != 1 || r[0] == '"' || r[0] == '\r' || r[0] == '\n' {
			return o, sqltypes.New(sqltypes.CodeFDWError, "csv source: delimiter must be one character other than a quote or newline, not %q", v)
		}
		o.delimiter = r[0]
	}
	o.null = src.Options["null"]
	if v, ok := get("batch_size"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return o, sqltypes.New(sqltypes.CodeFDWError, "csv source: option batch_size must be a positive integer, not %q", v)
		}
		o.batchSize = min(n, 1<<20)
	}
	return o, nil
}

// parseColumns parses "name type, name type"; commas inside parentheses
// (numeric(12,2)) do not separate columns.
func parseColumns(s string) ([]column, error) {
	var items []string
	depth, start := 0, 0
	for i, ch := range s {
		switch ch {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				items = append(items, s[start:i])
				start = i + 1
			}
		}
	}
	items = append(items, s[start:])
	cols := make([]column, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		it = strings.TrimSpace(it)
		name, typ, ok := strings.Cut(it, " ")
		if !ok || name == "" {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "csv source: option columns: %q is not \"name type\"", it)
		}
		name = strings.Trim(name, `"`)
		t, err := sqltypes.ParseType(typ)
		if err != nil {
			return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "csv source: option columns: column %s: %v", name, err)
		}
		if t.Kind == sqltypes.List || t.Kind == sqltypes.Unknown {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "csv source: column %s: type %s is not supported", name, t)
		}
		if seen[strings.ToLower(name)] {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "csv source: option columns: column %s appears twice", name)
		}
		seen[strings.ToLower(name)] = true
		cols = append(cols, column{name: name, typ: t, parse: !t.IsString()})
	}
	return cols, nil
}

// listFiles resolves a source's glob into sorted regular files.
func listFiles(src catalog.Source) ([]string, error) {
	return connectors.ListFiles(src, "csv", "*")
}

// openFile opens path, undoes its compression (by extension) and skips a
// UTF-8 byte order mark. Closing the result closes the file.
func openFile(path string, read *int64) (io.ReadCloser, error) {
	rc, err := openRaw(path, read)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(rc, 1<<16)
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" {
		_, _ = br.Discard(3)
	}
	return readCloser{br, func() { rc.Close() }}, nil
}

// openRaw opens a file, decompressing it by its extension; when read is
// not nil, the bytes read from the file (compressed) are added to it.
func openRaw(path string, read *int64) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, sqltypes.Wrap(err, sqltypes.CodeFDWTableNotFound, "file %q does not exist", path)
		}
		return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not open file %q: %v", path, err)
	}
	var r io.Reader = f
	if read != nil {
		r = &countingReader{r: f, n: read}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".gz":
		z, err := gzip.NewReader(r)
		if err != nil {
			f.Close()
			return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not read gzip file %q: %v", path, err)
		}
		return readCloser{z, func() { z.Close(); f.Close() }}, nil
	case ".zst":
		z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			f.Close()
			return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not read zstd file %q: %v", path, err)
		}
		return readCloser{z, func() { z.Close(); f.Close() }}, nil
	}
	return readCloser{r, func() { f.Close() }}, nil
}

// countingReader adds the bytes read through it to n.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	*c.n += int64(k)
	return k, err
}

type readCloser struct {
	io.Reader
	close func()
}

func (r readCloser) Close() error { r.close(); return nil }

// displayName is how errors name a file: relative to the base directory
// when it is inside it.
func displayName(src catalog.Source, path string) string {
	if src.BaseDir != "" {
		if rel, err := filepath.Rel(src.BaseDir, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return path
}

func schemaOf(cols []column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.typ.Field(c.name)
	}
	return arrow.NewSchema(fields, nil)
}

func fileError(name string, err error) error {
	return sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not read %s: %v", name, err)
}

func valueError(name string, line int, col string, err error) error {
	e := sqltypes.AsError(err)
	return sqltypes.Wrap(err, e.Code, "%s:%d: column %s: %s", name, line, col, e.Msg)
}
