package pgwire

import (
	"context"
	"encoding/binary"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/planner"
	"github.com/meshql/meshql/sqltypes"
)

// COPY ... TO STDOUT (psql's \copy, psycopg's copy_expert) sends the rows
// of an ordinary query as CopyOutResponse, one CopyData message per row and
// CopyDone, in PostgreSQL's text, CSV or binary COPY format. The rows come
// from the same column encoders as DataRows, so values render exactly as
// in a result set.

// CopySource is an optional Rows interface: a result that is COPY data.
type CopySource interface {
	CopyTo() *engine.CopyOut
}

// copyBinarySignature starts a binary COPY stream, followed by the flags
// and header-extension length (both 0).
const copyBinarySignature = "PGCOPY\n\xff\r\n\x00"

// writeCopyOut streams rows as COPY data and ends it with CopyDone; the
// caller sends CommandComplete.
func (st *connState) writeCopyOut(ctx context.Context, rows Rows, c *engine.CopyOut) error {
	if enc := c.Encoding; enc == "" || enc == "UTF8" || enc == "SQL_ASCII" {
		// Without ENCODING, COPY's text is in the client's encoding;
		// UTF8 and SQL_ASCII are meshql's own text.
		cc := *c
		cc.Encoding = ""
		if enc == "" && st.cs != nil {
			cc.Encoding = st.cs.name
		}
		c = &cc
	}
	bin := c.Format == planner.CopyBinary
	buf := append(st.out[:0], 'H', 0, 0, 0, 0)
	format := byte(0)
	if bin {
		format = 1
	}
	buf = append(buf, format)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(c.Columns)))
	for range c.Columns {
		buf = binary.BigEndian.AppendUint16(buf, uint16(format))
	}
	binary.BigEndian.PutUint32(buf[1:], uint32(len(buf)-1))
	switch {
	case bin:
		buf = copyData(buf, func(b []byte) []byte { return append(b, copyBinarySignature+"\x00\x00\x00\x00\x00\x00\x00\x00"...) })
	case c.Header:
		at := len(buf)
		buf = copyData(buf, func(b []byte) []byte {
			for i, col := range c.Columns {
				if i > 0 {
					b = append(b, c.Delimiter...)
				}
				b = appendCopyField(b, []byte(col.Name), &c.CopyOptions, false, len(c.Columns) == 1)
			}
			return append(b, '\n')
		})
		if c.Encoding != "" {
			var err error
			if buf, err = recodeCopyData(buf, at, c.Encoding); err != nil {
				return err
			}
		}
	}
	if err := st.rw.writeRaw(buf); err != nil {
		return err
	}
	st.out = buf[:0]
	env := st.env
	env.cs = nil // the COPY's lines convert whole, to its ENCODING
	err := st.writeRowsRaw(ctx, rows, c.Columns, env, func(buf []byte, encs []colEncoder, from, to int) ([]byte, error) {
		return appendCopyRows(buf, encs, from, to, &c.CopyOptions)
	}, nil)
	if err != nil {
		return err
	}
	end := st.out[:0]
	if bin {
		end = copyData(end, func(b []byte) []byte { return append(b, 0xff, 0xff) })
	}
	return st.rw.writeRaw(append(end, 'c', 0, 0, 0, 4))
}

// copyData appends one CopyData message whose payload fill appends.
func copyData(buf []byte, fill func([]byte) []byte) []byte {
	at := len(buf)
	buf = fill(append(buf, 'd', 0, 0, 0, 0))
	binary.BigEndian.PutUint32(buf[at+1:], uint32(len(buf)-at-1))
	return buf
}

// appendCopyRows appends rows from..to as CopyData messages, in the COPY's
// ENCODING.
func appendCopyRows(buf []byte, encs []colEncoder, from, to int, o *planner.CopyOptions) ([]byte, error) {
	var scratch []byte
	single := len(encs) == 1
	for r := from; r < to; r++ {
		at := len(buf)
		buf = copyData(buf, func(b []byte) []byte {
			if o.Format == planner.CopyBinary {
				b = binary.BigEndian.AppendUint16(b, uint16(len(encs)))
				for _, e := range encs {
					if e.isNull(r) {
						b = append(b, 0xff, 0xff, 0xff, 0xff)
						continue
					}
					vat := len(b)
					b = e.binary(append(b, 0, 0, 0, 0), r)
					binary.BigEndian.PutUint32(b[vat:], uint32(len(b)-vat-4))
				}
				return b
			}
			for i, e := range encs {
				if i > 0 {
					b = append(b, o.Delimiter...)
				}
				if e.isNull(r) {
					b = append(b, o.Null...)
					continue
				}
				scratch = e.text(scratch[:0], r)
				force := o.ForceQuoteAll || (o.ForceQuoteCols != nil && o.ForceQuoteCols[i])
				b = appendCopyField(b, scratch, o, force, single)
			}
			return append(b, '\n')
		})
		if o.Encoding != "" && o.Format != planner.CopyBinary {
			var err error
			if buf, err = recodeCopyData(buf, at, o.Encoding); err != nil {
				return buf[:at], err
			}
		}
	}
	return buf, nil
}

// recodeCopyData converts the payload of the CopyData message at buf[at:]
// from UTF-8 to enc, a single-byte encoding: its text never grows.
func recodeCopyData(buf []byte, at int, enc string) ([]byte, error) {
	payload := buf[at+5:]
	if isASCII(payload) {
		return buf, nil
	}
	out, err := sqltypes.AppendEncoded(make([]byte, 0, len(payload)), payload, enc)
	if err != nil {
		return buf, err
	}
	buf = append(buf[:at+5], out...)
	binary.BigEndian.PutUint32(buf[at+1:], uint32(len(buf)-at-1))
	return buf, nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// appendCopyField appends one non-NULL value in text or CSV COPY format;
// force (FORCE_QUOTE) and single (the only column) are CSV's.
func appendCopyField(b, v []byte, o *planner.CopyOptions, force, single bool) []byte {
	if o.Format == planner.CopyCSV {
		return appendCSVField(b, v, o, force, single)
	}
	delim := o.Delimiter[0]
	for _, c := range v {
		switch c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\v':
			b = append(b, '\\', 'v')
		default:
			if c == delim {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
	}
	return b
}

// appendCSVField quotes a value that FORCE_QUOTE names, that contains the
// delimiter, the quote character, a line break, or that reads as the NULL
// string (PostgreSQL quotes an empty string when NULL is empty, so the two
// stay apart), and, as PostgreSQL's CopyAttributeOutCSV, a lone `\.` when
// it is the only column (a line reading `\.` would end the data).
func appendCSVField(b, v []byte, o *planner.CopyOptions, force, single bool) []byte {
	quote, esc, delim := o.Quote[0], o.Escape[0], o.Delimiter[0]
	need := force || string(v) == o.Null || (single && string(v) == `\.`)
	for _, c := range v {
		if need {
			break
		}
		if c == delim || c == quote || c == '\n' || c == '\r' {
			need = true
		}
	}
	if !need {
		return append(b, v...)
	}
	b = append(b, quote)
	for _, c := range v {
		if c == quote || c == esc {
			b = append(b, esc)
		}
		b = append(b, c)
	}
	return append(b, quote)
}
