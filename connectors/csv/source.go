package csv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// source decodes one file into batches.
type source struct {
	p    *partition
	rc   io.ReadCloser
	name string
	cr   *csv.Reader   // CSV
	br   *bufio.Reader // NDJSON
	line int           // NDJSON: lines read
	b    *array.RecordBuilder
	eof  bool
	read int64 // bytes read from the file (compressed)
}

// SourceBytes implements connectors.ByteCounter.
func (s *source) SourceBytes() (int64, bool) { return s.read, true }

func (s *source) Close() {
	if s.rc != nil {
		s.rc.Close()
		s.rc = nil
	}
	if s.b != nil {
		s.b.Release()
		s.b = nil
	}
}

func (s *source) readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return sqltypes.Wrap(err, sqltypes.CodeFDWError, "%s:%d: %v", s.name, pe.Line, pe.Err)
	}
	return fileError(s.name, err)
}

func (s *source) NextBatch() (arrow.RecordBatch, error) {
	if s.eof {
		return nil, nil
	}
	n, err := 0, error(nil)
	if s.cr != nil {
		n, err = s.readCSV()
	} else {
		n, err = s.readNDJSON()
	}
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	if s.b == nil {
		return array.NewRecordBatch(s.p.schema, nil, int64(n)), nil
	}
	return s.b.NewRecordBatch(), nil
}

func (s *source) readCSV() (int, error) {
	n := 0
	for n < s.p.t.opts.batchSize {
		rec, err := s.cr.Read()
		if errors.Is(err, io.EOF) {
			s.eof = true
			break
		}
		if err != nil {
			return 0, s.readError(err)
		}
		for i, c := range s.p.cols {
			v := rec[c]
			if v == s.p.t.opts.null {
				s.b.Field(i).AppendNull()
				continue
			}
			if err := s.append(i, c, v); err != nil {
				line, _ := s.cr.FieldPos(c)
				return 0, valueError(s.name, line, s.p.t.cols[c].name, err)
			}
		}
		n++
	}
	return n, nil
}

func (s *source) readNDJSON() (int, error) {
	n := 0
	var obj map[string]json.RawMessage
	for n < s.p.t.opts.batchSize {
		b, err := s.br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, fileError(s.name, err)
		}
		if len(b) > 0 {
			s.line++
		}
		if errors.Is(err, io.EOF) {
			s.eof = true
		}
		if len(bytes.TrimSpace(b)) > 0 {
			clear(obj)
			if jerr := json.Unmarshal(b, &obj); jerr != nil || obj == nil {
				if jerr == nil {
					jerr = errors.New("not a JSON object")
				}
				return 0, sqltypes.Wrap(jerr, sqltypes.CodeInvalidTextRepr, "%s:%d: invalid input syntax for type json: %v", s.name, s.line, jerr)
			}
			for i, c := range s.p.cols {
				col := &s.p.t.cols[c]
				raw, ok := obj[col.name]
				if !ok || string(raw) == "null" {
					s.b.Field(i).AppendNull()
					continue
				}
				v := string(raw)
				if raw[0] == '"' {
					if err := json.Unmarshal(raw, &v); err != nil {
						return 0, valueError(s.name, s.line, col.name, err)
					}
				}
				if err := s.append(i, c, v); err != nil {
					return 0, valueError(s.name, s.line, col.name, err)
				}
			}
			n++
		}
		if s.eof {
			break
		}
	}
	return n, nil
}

// append parses v for column c and appends it to output field i.
func (s *source) append(i, c int, v string) error {
	col := &s.p.t.cols[c]
	if s.b == nil {
		return nil
	}
	b := s.b.Field(i)
	if !col.parse {
		b.(*array.StringBuilder).Append(v)
		return nil
	}
	d, err := sqltypes.ParseValue(col.typ, v)
	if err != nil {
		return err
	}
	return appendDatum(b, d)
}

// appendDatum appends a Datum to the builder of its type's Arrow type.
func appendDatum(b array.Builder, d sqltypes.Datum) error {
	switch v := d.(type) {
	case nil:
		b.AppendNull()
		return nil
	case bool:
		if bb, ok := b.(*array.BooleanBuilder); ok {
			bb.Append(v)
			return nil
		}
	case int16:
		if bb, ok := b.(*array.Int16Builder); ok {
			bb.Append(v)
			return nil
		}
	case int32:
		if bb, ok := b.(*array.Int32Builder); ok {
			bb.Append(v)
			return nil
		}
	case int64:
		if bb, ok := b.(*array.Int64Builder); ok {
			bb.Append(v)
			return nil
		}
	case float32:
		if bb, ok := b.(*array.Float32Builder); ok {
			bb.Append(v)
			return nil
		}
	case float64:
		if bb, ok := b.(*array.Float64Builder); ok {
			bb.Append(v)
			return nil
		}
	case decimal128.Num:
		if bb, ok := b.(*array.Decimal128Builder); ok {
			bb.Append(v)
			return nil
		}
	case string:
		if bb, ok := b.(*array.StringBuilder); ok {
			bb.Append(v)
			return nil
		}
	case []byte:
		if bb, ok := b.(*array.BinaryBuilder); ok {
			bb.Append(v)
			return nil
		}
	case arrow.Date32:
		if bb, ok := b.(*array.Date32Builder); ok {
			bb.Append(v)
			return nil
		}
	case arrow.Timestamp:
		if bb, ok := b.(*array.TimestampBuilder); ok {
			bb.Append(v)
			return nil
		}
	case arrow.Time64:
		if bb, ok := b.(*array.Time64Builder); ok {
			bb.Append(v)
			return nil
		}
	case arrow.MonthDayNanoInterval:
		if bb, ok := b.(*array.MonthDayNanoIntervalBuilder); ok {
			bb.Append(v)
			return nil
		}
	case [16]byte:
		if bb, ok := b.(*array.FixedSizeBinaryBuilder); ok {
			bb.Append(v[:])
			return nil
		}
	}
	return sqltypes.New(sqltypes.CodeInternal, "csv: cannot store a %T in a %s column", d, b.Type())
}
