package pgwire

import (
	"context"
	"encoding/binary"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgtype"
	wire "github.com/jeroenrinzema/psql-wire"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// Rows reach the client as DataRow frames built here from the Arrow
// columns (encode.go) and written to the connection 64 KiB at a time
// (writeRowsRaw), in text for a simple query and in the formats of the
// portal's Bind on the extended path. On the extended path psql-wire must
// still see the last row of each limited Execute, so that it suspends the
// portal after it (portals.go): that one row goes through DataWriter.Row as
// *cell values, which the cellCodec registered in the connection's
// pgtype.Map expands in place.

const (
	rawFlushSize = 64 << 10
	rawChunk     = 256 // rows appended between flush checks
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
			Oid:    c.OID(),
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
		buf = binary.BigEndian.AppendUint32(buf, c.OID())
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
		if c.RegOut != nil {
			if ids, ok := b.Column(i).(*array.Uint32); ok {
				var e colEncoder = regEnc{nulls{arr: ids, has: ids.NullN() > 0}, ids.Uint32Values(), c.RegOut()}
				if env.cs != nil {
					e = recodeEnc{e, env.cs, 0} // names
				}
				dst = append(dst, e)
				continue
			}
		}
		e, err := newEncoder(c.Type, b.Column(i), env)
		if err != nil {
			return nil, err
		}
		dst = append(dst, e)
	}
	return dst, nil
}

// appendDataRows appends DataRow frames for rows [from, to); bin marks the
// columns sent in binary (nil: all text). A value the client's encoding
// (cs) cannot hold ends the rows before its own, with its 22P05.
func appendDataRows(buf []byte, encs []colEncoder, bin []bool, from, to int, cs *clientCharset) ([]byte, error) {
	for r := from; r < to; r++ {
		at := len(buf)
		buf = append(buf, 'D', 0, 0, 0, 0)
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(encs)))
		for j, e := range encs {
			if e.isNull(r) {
				buf = append(buf, 0xff, 0xff, 0xff, 0xff)
				continue
			}
			vat := len(buf)
			buf = append(buf, 0, 0, 0, 0)
			if bin != nil && bin[j] {
				buf = e.binary(buf, r)
			} else {
				buf = e.text(buf, r)
			}
			binary.BigEndian.PutUint32(buf[vat:], uint32(len(buf)-vat-4))
		}
		if err := cs.takeErr(); err != nil {
			return buf[:at], err
		}
		binary.BigEndian.PutUint32(buf[at+1:], uint32(len(buf)-at-1))
	}
	return buf, nil
}

// portalFlow lets writeRowsRaw honour the row limits of the Execute
// messages of an extended-protocol portal: the last row of each limited
// Execute goes through psql-wire, which then suspends the portal until the
// next Execute (portals.go).
type portalFlow struct {
	st        *connState
	dw        wire.DataWriter
	remaining wire.Limit // rows left in this Execute, the psql-wire one included; 0: no limit
	cells     []cell
	row       []any
	// sent counts the rows sent so far, and before those sent up to the
	// Execute being served: PostgreSQL's CommandComplete of a resumed
	// portal counts only that Execute's rows.
	sent, before int64
}

// executeTag is tag with its row count (the last word, when it is a
// number) replaced by the rows of the Execute being served.
func (p *portalFlow) executeTag(tag string) string {
	if p == nil || p.before == 0 {
		return tag
	}
	return withRowCount(tag, p.sent-p.before)
}

// withRowCount replaces the row count of a tag such as "SELECT 5" or
// "FETCH 5"; a tag without one ("SHOW") is returned as it is.
func withRowCount(tag string, n int64) string {
	i := strings.LastIndexByte(tag, ' ')
	if i < 0 {
		return tag
	}
	if _, err := strconv.ParseInt(tag[i+1:], 10, 64); err != nil {
		return tag
	}
	return tag[:i+1] + strconv.FormatInt(n, 10)
}

func (st *connState) newPortalFlow(dw wire.DataWriter) *portalFlow {
	return &portalFlow{st: st, dw: dw, remaining: st.exec.limit}
}

// rawEnd is where the raw frames of rows [from, to) must stop so that the
// Execute's last row is left for countRow.
func (p *portalFlow) rawEnd(from, to int) int {
	if p == nil || p.remaining == 0 {
		return to
	}
	return min(to, from+int(p.remaining)-1)
}

func (p *portalFlow) wrote(n int) {
	if p != nil {
		p.sent += int64(n)
		if p.remaining != 0 {
			p.remaining -= wire.Limit(n)
		}
	}
}

// atLimit reports that the next row is the Execute's last.
func (p *portalFlow) atLimit() bool { return p != nil && p.remaining == 1 }

// countRow writes row r through psql-wire, which may suspend the portal;
// it returns when the client sent the next Execute (whose limit then
// applies) or with ErrSuspendedHandlerClosed when the portal was closed.
func (p *portalFlow) countRow(encs []colEncoder, r int) error {
	if len(p.row) != len(encs) {
		p.cells = make([]cell, len(encs))
		p.row = make([]any, len(encs))
	}
	for j, e := range encs {
		p.row[j] = nil
		if !e.isNull(r) {
			p.cells[j] = cell{enc: e, row: r}
			p.row[j] = &p.cells[j]
		}
	}
	err := p.dw.Row(p.row)
	clear(p.cells) // drop references to the batch's arrays
	p.sent++
	p.before = p.sent
	p.remaining = p.st.exec.limit
	return err
}

// writeRowsRaw streams rows as raw frames: appendRows appends the frames
// of rows from..to of a batch (DataRows, or CopyData for COPY). flow is
// nil except for the rows of an extended-protocol portal.
// env is the encoding environment (a COPY converts its lines itself).
// The rows before an error are sent, as PostgreSQL sends each row as it
// goes.
func (st *connState) writeRowsRaw(ctx context.Context, rows Rows, cols []engine.Column, env encEnv, appendRows func(buf []byte, encs []colEncoder, from, to int) ([]byte, error), flow *portalFlow) error {
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
			// The rows built before a failing batch (a division by zero
			// further on, a statement_timeout) go out before the error,
			// as PostgreSQL's rows do.
			return st.flushBefore(buf, err)
		}
		encs, err = encoders(encs, cols, b, env)
		if err != nil {
			b.Release()
			return st.flushBefore(buf, err)
		}
		n := int(b.NumRows())
		for r := 0; r < n; {
			end := flow.rawEnd(r, min(n, r+rawChunk))
			buf, err = appendRows(buf, encs, r, end)
			if err != nil {
				b.Release()
				return st.flushBefore(buf, err)
			}
			flow.wrote(end - r)
			r = end
			if len(buf) >= rawFlushSize || (r < n && flow.atLimit() && len(buf) > 0) {
				if err := st.rw.writeRaw(buf); err != nil {
					b.Release()
					return err
				}
				buf = buf[:0]
			}
			if r < n && flow.atLimit() {
				err := flow.countRow(encs, r)
				if err == nil {
					err = env.cs.takeErr()
				}
				if err != nil {
					b.Release()
					return err
				}
				r++
			}
		}
		b.Release()
		if err := ctx.Err(); err != nil {
			return st.flushBefore(buf, err)
		}
	}
	if len(buf) > 0 {
		return st.rw.writeRaw(buf)
	}
	return nil
}

// flushBefore writes the frames of the rows built before err, which the
// caller then reports; a failed write is not reported over err, the
// statement's error.
func (st *connState) flushBefore(buf []byte, err error) error {
	if len(buf) > 0 {
		_ = st.rw.writeRaw(buf)
	}
	return err
}

// cell is one value handed to psql-wire: row row of the column encoder enc.
type cell struct {
	enc colEncoder
	row int
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

// registerRowTypes gives the connection's pgtype.Map a cell codec for
// each result column OID resultOIDs cannot list: a product's row type,
// whose OID comes from its name. The last row of a limited Execute goes
// through psql-wire, which encodes values by their column's OID.
func registerRowTypes(m *pgtype.Map, cols []engine.Column) {
	for _, c := range cols {
		if _, ok := m.TypeForOID(c.Type.OID()); !ok {
			m.RegisterType(&pgtype.Type{Name: c.Type.String(), OID: c.Type.OID(), Codec: cellCodec{pgtype.TextCodec{}}})
		}
	}
}

// resultOIDs lists every OID sqltypes.Type.OID can return.
func resultOIDs() []uint32 {
	var out []uint32
	for k := sqltypes.Unknown; k <= sqltypes.Void; k++ {
		t := sqltypes.Type{Kind: k}
		if k == sqltypes.List {
			continue
		}
		out = append(out, t.OID(), sqltypes.ListOf(t).OID())
	}
	return out
}
