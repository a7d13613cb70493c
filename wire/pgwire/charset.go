package pgwire

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	wire "github.com/jeroenrinzema/psql-wire"

	"github.com/meshql/meshql/sqltypes"
)

// A session whose client_encoding is a single-byte encoding (LATIN1,
// WIN1252, KOI8R, …) gets its text in that encoding and sends text in it,
// as from PostgreSQL: the query strings, text parameters (and binary
// ones of text types) are converted to UTF-8 on receipt; the text of
// results (text and binary values of text types, column names, COPY
// data), errors, notices and ParameterStatus values on the way out. A
// character the client's encoding lacks is PostgreSQL's 22P05. UTF8 and
// SQL_ASCII convert nothing; the multibyte encodings are refused by the
// setting itself (engine).

// clientCharset is a session's single-byte client encoding; nil for UTF8
// and SQL_ASCII. err is the first value an encoder could not convert
// (its encoders cannot return errors), which the writer of the row then
// reports.
type clientCharset struct {
	name    string
	err     error
	scratch []byte
}

// newClientCharset is the charset of a client_encoding setting; nil when
// text goes as it is.
func newClientCharset(setting string) *clientCharset {
	enc, ok := sqltypes.EncodingName(setting)
	if !ok || !sqltypes.SingleByteEncoding(enc) {
		return nil
	}
	return &clientCharset{name: enc}
}

// syncCharset follows the session's client_encoding: a SET takes effect
// at the next statement, before the ParameterStatus that reports it.
func (st *connState) syncCharset() {
	r, ok := st.session.(SettingReader)
	if !ok || st.rw == nil {
		return
	}
	v, _ := r.Setting("client_encoding")
	if v == st.csSetting {
		return
	}
	st.csSetting = v
	st.cs = newClientCharset(v)
	st.env.cs = st.cs
	st.rw.cs = st.cs
}

// encode appends UTF-8 text s to dst in the client's encoding.
func (c *clientCharset) encode(dst, s []byte) ([]byte, error) {
	if c == nil || isASCII(s) {
		return append(dst, s...), nil
	}
	return sqltypes.AppendEncoded(dst, s, c.name)
}

// decode converts text s the client sent to UTF-8.
func (c *clientCharset) decode(s []byte) ([]byte, error) {
	if c == nil || (isASCII(s) && indexByte(s, 0) < 0) {
		return s, nil
	}
	return sqltypes.AppendDecoded(make([]byte, 0, len(s)+len(s)/2), s, c.name)
}

// recodeTail converts buf[at:], UTF-8 text, to the client's encoding in
// place (a single-byte encoding never takes more bytes); a character it
// lacks is kept as it is and noted in c.err.
func (c *clientCharset) recodeTail(buf []byte, at int) []byte {
	if isASCII(buf[at:]) {
		return buf
	}
	out, err := sqltypes.AppendEncoded(c.scratch[:0], buf[at:], c.name)
	c.scratch = out[:0]
	if err != nil {
		if c.err == nil {
			c.err = err
		}
		return buf
	}
	return append(buf[:at], out...)
}

// takeErr returns and clears the conversion error a value left.
func (c *clientCharset) takeErr() error {
	if c == nil || c.err == nil {
		return nil
	}
	err := c.err
	c.err = nil
	return err
}

// lossy converts s for a message field that cannot fail (a
// ParameterStatus value, a column name already described): a character
// the encoding lacks becomes '?'.
func (c *clientCharset) lossy(dst []byte, s []byte) []byte {
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		out, err := sqltypes.AppendEncoded(dst, s[:n], c.name)
		if err != nil || r == utf8.RuneError {
			out = append(dst, '?')
		}
		dst, s = out, s[n:]
	}
	return dst
}

// checkNames is PostgreSQL's 22P05 for a column name the client's
// encoding cannot hold, before its RowDescription is sent.
func (c *clientCharset) checkNames(names []string) error {
	if c == nil {
		return nil
	}
	for _, n := range names {
		if _, err := c.encode(nil, []byte(n)); err != nil {
			return err
		}
	}
	return nil
}

// checkNotice is PostgreSQL's 22P05 for a notice whose text the client's
// encoding cannot hold.
func (c *clientCharset) checkNotice(n *sqltypes.Error) error {
	if c == nil {
		return nil
	}
	out, err := c.encode(c.scratch[:0], appendMessage(nil, 'N', n)[5:])
	c.scratch = out[:0]
	return err
}

// recodeFrame appends frame, a complete backend message, with its text
// in the client's encoding: ErrorResponse and NoticeResponse fields,
// ParameterStatus, and RowDescription column names. An error or notice
// whose text the encoding cannot hold becomes PostgreSQL's 22P05 about
// it, as PostgreSQL reports the failed conversion instead. Other
// messages are appended as they are.
func (c *clientCharset) recodeFrame(out, frame []byte) []byte {
	body := frame[5:]
	if c == nil || isASCII(body) {
		return append(out, frame...)
	}
	at := len(out)
	switch frame[0] {
	case 'E', 'N':
		out = append(out, frame[:5]...)
		var err error
		if out, err = sqltypes.AppendEncoded(out, body, c.name); err != nil {
			e := sqltypes.AsError(err)
			sev := "ERROR"
			if frame[0] == 'N' {
				sev = "WARNING"
			}
			return appendMessage(out[:at], frame[0], &sqltypes.Error{Code: e.Code, Msg: e.Msg, Severity: sev})
		}
	case 'S':
		out = c.lossy(append(out, frame[:5]...), body)
	case 'T':
		if len(body) < 2 {
			return append(out, frame...)
		}
		out = append(out, frame[:7]...)
		rest := body[2:]
		for range int(binary.BigEndian.Uint16(body)) {
			end := indexByte(rest, 0)
			if end < 0 || len(rest) < end+1+18 {
				return append(out[:at], frame...)
			}
			out = append(c.lossy(out, rest[:end]), rest[end:end+1+18]...)
			rest = rest[end+1+18:]
		}
		out = append(out, rest...)
	default:
		return append(out, frame...)
	}
	binary.BigEndian.PutUint32(out[at+1:], uint32(len(out)-at-1))
	return out
}

// recodeFrames is recodeFrame over a run of complete frames.
func (c *clientCharset) recodeFrames(frames []byte) []byte {
	if c == nil || isASCII(frames) {
		return frames
	}
	var out []byte
	for len(frames) >= 5 {
		n := 1 + int(binary.BigEndian.Uint32(frames[1:]))
		if n < 5 || n > len(frames) {
			break
		}
		out = c.recodeFrame(out, frames[:n])
		frames = frames[n:]
	}
	return append(out, frames...)
}

// recodeParams converts the client's Bind values to UTF-8: text ones,
// and binary ones of the text types (whose send form is their text).
func (c *clientCharset) recodeParams(m *pgtype.Map, params []wire.Parameter, oids []uint32) ([]wire.Parameter, error) {
	if c == nil {
		return params, nil
	}
	out := make([]wire.Parameter, len(params))
	for i, p := range params {
		out[i] = p
		raw := p.Value()
		if raw == nil {
			continue
		}
		skip := 0
		if p.Format() == wire.BinaryFormat {
			oid := uint32(0)
			if i < len(oids) {
				oid = oids[i]
			}
			switch oid {
			case sqltypes.OIDText, sqltypes.OIDVarchar, sqltypes.OIDBpchar, sqltypes.OIDJSON, sqltypes.OIDUnknown, sqltypes.OIDName:
			case sqltypes.OIDJSONB:
				skip = 1
			default:
				continue
			}
			if len(raw) < skip {
				continue
			}
		}
		v, err := c.decode(raw[skip:])
		if err != nil {
			return nil, err
		}
		if skip > 0 {
			v = append([]byte{raw[0]}, v...)
		}
		out[i] = wire.NewParameter(m, p.Format(), v)
	}
	return out, nil
}

func indexByte(b []byte, c byte) int { return strings.IndexByte(string(b), c) }
