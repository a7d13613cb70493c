package pgwire

import (
	"context"
	"encoding/binary"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgtype"
	wire "github.com/jeroenrinzema/psql-wire"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// Two ways rows reach the client, both through the encoders in encode.go:
//
//   - simple query: RowDescription and DataRow frames are built here and
//     written to the connection in 64 KiB chunks (writeRowsRaw). Nothing in
//     psql-wire sits in between, and the column list is read when the
//     statement runs, after the statements before it.
//   - extended query: psql-wire must see every row (it implements row limits
//     and portal suspension), so rows go through DataWriter.Rows as []any.
//     Each value is a *cell pointing at (encoder, row); the connection's
//     pgtype.Map has cellCodec registered for every result OID, whose plan
//     appends the encoder's output directly into psql-wire's frame. No value
//     is boxed or re-encoded.

const (
	rawFlushSize = 64 << 10
	cellChunk    = 1024 // rows per DataWriter.Rows call
)

// wireColumns describes result columns for psql-wire. The typmod rides in
// the name (see frameRewriter) because psql-wire always writes -1.
func wireColumns(cols []engine.Column) wire.Columns {
	out := make(wire.Columns, len(cols))
	for i, c := range cols {
		out[i] = wire.Column{
			Table:  int32(c.TableOID),
			AttrNo: c.ColumnNumber,
			Name:   c.Name + typmodMarker + strconv.Itoa(int(c.Type.TypeModifier())),
			Oid:    c.Type.OID(),
			Width:  c.Type.Size(),
		}
	}
	return out
}

// appendRowDescription builds a RowDescription frame for text results.
func appendRowDescription(buf []byte, cols []engine.Column) []byte {
	at := len(buf)
	buf = append(buf, 'T', 0, 0, 0, 0)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(cols)))
	for _, c := range cols {
		buf = append(append(buf, c.Name...), 0)
		buf = binary.BigEndian.AppendUint32(buf, c.TableOID)
		buf = binary.BigEndian.AppendUint16(buf, uint16(c.ColumnNumber))
		buf = binary.BigEndian.AppendUint32(buf, c.Type.OID())
		buf = binary.BigEndian.AppendUint16(buf, uint16(c.Type.Size()))
		buf = binary.BigEndian.AppendUint32(buf, uint32(c.Type.TypeModifier()))
		buf = binary.BigEndian.AppendUint16(buf, 0)
	}
	binary.BigEndian.PutUint32(buf[at+1:], uint32(len(buf)-at-1))
	return buf
}

// encoders builds one encoder per column of b, checking the batch against
// the promised columns.
func encoders(dst []colEncoder, cols []engine.Column, b arrow.RecordBatch, env encEnv) ([]colEncoder, error) {
	if int(b.NumCols()) != len(cols) {
		return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: result batch has %d columns, statement promised %d", b.NumCols(), len(cols)).
			WithHint("This is a bug in meshql; please report it with the query.")
	}
	dst = dst[:0]
	for i, c := range cols {
		e, err := newEncoder(c.Type, b.Column(i), env)
		if err != nil {
			return nil, err
		}
		dst = append(dst, e)
	}
	return dst, nil
}

// appendDataRows appends DataRow frames (text format) for rows [from, to).
func appendDataRows(buf []byte, encs []colEncoder, from, to int) []byte {
	for r := from; r < to; r++ {
		at := len(buf)
		buf = append(buf, 'D', 0, 0, 0, 0)
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(encs)))
		for _, e := range encs {
			if e.isNull(r) {
				buf = append(buf, 0xff, 0xff, 0xff, 0xff)
				continue
			}
			vat := len(buf)
			buf = append(buf, 0, 0, 0, 0)
			buf = e.text(buf, r)
			binary.BigEndian.PutUint32(buf[vat:], uint32(len(buf)-vat-4))
		}
		binary.BigEndian.PutUint32(buf[at+1:], uint32(len(buf)-at-1))
	}
	return buf
}

// writeRowsRaw streams rows as raw frames (simple query): appendRows
// appends the frames of rows from..to of a batch (appendDataRows: text
// DataRows).
func (st *connState) writeRowsRaw(ctx context.Context, rows Rows, cols []engine.Column, appendRows func(buf []byte, encs []colEncoder, from, to int) []byte) error {
	var encs []colEncoder
	buf := st.out[:0]
	defer func() {
		if cap(buf) <= 4*rawFlushSize { // do not keep a huge row's buffer
			st.out = buf[:0]
		}
	}()
	for {
		b, err := rows.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		encs, err = encoders(encs, cols, b, st.env)
		if err != nil {
			b.Release()
			return err
		}
		n := int(b.NumRows())
		for r := 0; r < n; {
			end := min(n, r+256)
			buf = appendRows(buf, encs, r, end)
			r = end
			if len(buf) >= rawFlushSize {
				if err := st.rw.writeRaw(buf); err != nil {
					b.Release()
					return err
				}
				buf = buf[:0]
			}
		}
		b.Release()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if len(buf) > 0 {
		return st.rw.writeRaw(buf)
	}
	return nil
}

// cell is one value handed to psql-wire: row row of the column encoder enc.
type cell struct {
	enc colEncoder
	row int
}

// cellRows holds the reusable []any rows of the extended path.
type cellRows struct {
	cells []cell
	rows  [][]any
	flat  []any
	encs  []colEncoder
}

// writeRowsCells streams rows through psql-wire's DataWriter (extended query).
func (st *connState) writeRowsCells(ctx context.Context, dw wire.DataWriter, rows Rows, cols []engine.Column) error {
	cr := &st.rows
	ncol := len(cols)
	for {
		b, err := rows.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		cr.encs, err = encoders(cr.encs, cols, b, st.env)
		if err != nil {
			b.Release()
			return err
		}
		n := int(b.NumRows())
		for r := 0; r < n; r += cellChunk {
			m := min(cellChunk, n-r)
			cr.grow(m, ncol)
			for i := range m {
				row := cr.rows[i]
				for j, e := range cr.encs {
					if e.isNull(r + i) {
						row[j] = nil
						continue
					}
					c := &cr.cells[i*ncol+j]
					c.enc, c.row = e, r+i
					row[j] = c
				}
			}
			if err := wire.WriteRows(dw, cr.rows[:m]); err != nil {
				b.Release()
				return err
			}
		}
		b.Release()
		clear(cr.cells) // drop references to the batch's arrays
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func (cr *cellRows) grow(m, ncol int) {
	if len(cr.rows) >= m && (m == 0 || len(cr.rows[0]) == ncol) {
		return
	}
	m = max(m, len(cr.rows))
	cr.cells = make([]cell, m*ncol)
	cr.flat = make([]any, m*ncol)
	cr.rows = make([][]any, m)
	for i := range cr.rows {
		cr.rows[i] = cr.flat[i*ncol : (i+1)*ncol : (i+1)*ncol]
	}
}

// cellCodec wraps a pgtype codec: *cell values encode through their column
// encoder, everything else through the wrapped codec.
type cellCodec struct{ pgtype.Codec }

func (c cellCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(*cell); ok {
		return cellPlan{binary: format == pgtype.BinaryFormatCode}
	}
	return c.Codec.PlanEncode(m, oid, format, value)
}

type cellPlan struct{ binary bool }

func (p cellPlan) Encode(value any, buf []byte) ([]byte, error) {
	c := value.(*cell)
	if p.binary {
		return c.enc.binary(buf, c.row), nil
	}
	return c.enc.text(buf, c.row), nil
}

// resultOIDs lists every OID sqltypes.Type.OID can return.
func resultOIDs() []uint32 {
	var out []uint32
	for k := sqltypes.Unknown; k < sqltypes.List; k++ {
		t := sqltypes.Type{Kind: k}
		out = append(out, t.OID(), sqltypes.ListOf(t).OID())
	}
	return out
}
