package pgwire

import (
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
)

// frameRewriter is the io.Writer under a connection's psql-wire
// buffer.Writer (installed by the authentication hook, which is the one
// place psql-wire hands out that writer). It passes every frame through
// unchanged except three that psql-wire v0.20.0 cannot produce correctly:
//
//   - RowDescription ('T'): psql-wire writes typmod -1 for every column.
//     Columns handed to psql-wire carry their typmod in their name, after
//     typmodMarker (wireColumns); the rewriter strips the suffix and puts the
//     typmod in its field.
//   - ErrorResponse ('E'): psql-wire writes no Position ('P') nor
//     non-localized severity ('V'). The connection records the position of
//     the error it is about to return (expectPosition); the rewriter adds 'P'
//     to the next ErrorResponse whose SQLSTATE and message match, and 'V'
//     to every ErrorResponse.
//   - ParameterStatus ('S') during startup: psql-wire announces a fixed set
//     with server_version "150000". They are dropped until the session hook
//     has sent the real set (dropParamStatus).
//
// It also notes whether a FATAL ErrorResponse went out (fatal): psql-wire
// then ends the connection, whose reason must not be sent again
// (Server.closeConn).
//
// psql-wire writes whole frames (one per End, or several per batch flush);
// a trailing partial frame is nevertheless kept and completed by the next
// Write. Frames that do not parse are passed through untouched. A
// frameRewriter is used by its connection's goroutine only.
type frameRewriter struct {
	dst             io.Writer
	partial         []byte
	out             []byte
	dropParamStatus bool
	pending         pendingPosition
	// onReady runs after a ReadyForQuery ('Z') frame was written: the
	// connection then waits for the client (idle timeout, draining).
	onReady func()
	// fatal is set once a FATAL ErrorResponse was written.
	fatal bool
	// cs is the client's encoding: the text of errors, notices,
	// ParameterStatus and RowDescription is converted to it.
	cs      *clientCharset
	recoded []byte
}

// typmodMarker separates a column name from its typmod in psql-wire columns.
const typmodMarker = "\x1f"

type pendingPosition struct {
	code, msg string
	pos       int
}

var errPartialFrame = errors.New("pgwire: raw write while a partial frame is pending")

// expectPosition arranges for the next ErrorResponse with this SQLSTATE and
// message to carry position pos (1-based, in characters).
func (f *frameRewriter) expectPosition(code, msg string, pos int) {
	f.pending = pendingPosition{code: code, msg: msg, pos: pos}
}

// writeRaw writes complete frames built by this package, bypassing the
// rewriting. It must not be called while psql-wire is inside a batch.
func (f *frameRewriter) writeRaw(p []byte) error {
	if len(f.partial) > 0 {
		return errPartialFrame
	}
	_, err := f.dst.Write(p)
	return err
}

// writeRawText is writeRaw for frames whose text is still UTF-8
// (errors, notices, ParameterStatus, RowDescription): it converts them
// to the client's encoding.
func (f *frameRewriter) writeRawText(p []byte) error {
	return f.writeRaw(f.cs.recodeFrames(p))
}

// Write implements io.Writer; it reports len(p) on success.
func (f *frameRewriter) Write(p []byte) (int, error) {
	data := p
	if len(f.partial) > 0 {
		f.partial = append(f.partial, p...)
		data = f.partial
	}
	complete := 0
	rewrite, ready := false, false
	for complete+5 <= len(data) {
		n := 1 + int(binary.BigEndian.Uint32(data[complete+1:]))
		if n < 5 || complete+n > len(data) {
			if n < 5 { // not a frame stream we understand: pass everything on
				complete = len(data)
			}
			break
		}
		if f.wants(data[complete]) {
			rewrite = true
		}
		ready = ready || data[complete] == 'Z'
		complete += n
	}
	var err error
	switch {
	case !rewrite && complete == len(data):
		_, err = f.dst.Write(data)
	case !rewrite:
		_, err = f.dst.Write(data[:complete])
	default:
		out := f.out[:0]
		for i := 0; i < complete; {
			n := 1 + int(binary.BigEndian.Uint32(data[i+1:]))
			out = f.rewriteFrame(out, data[i:i+n])
			i += n
		}
		f.out = out
		_, err = f.dst.Write(out)
	}
	f.partial = append(f.partial[:0], data[complete:]...)
	if err != nil {
		return 0, err
	}
	if ready && f.onReady != nil {
		f.onReady()
	}
	return len(p), nil
}

func (f *frameRewriter) wants(t byte) bool {
	return t == 'T' || t == 'E' || (t == 'S' && (f.dropParamStatus || f.cs != nil)) || (t == 'N' && f.cs != nil)
}

func (f *frameRewriter) rewriteFrame(out, frame []byte) []byte {
	at := len(out)
	out = f.rewriteOne(out, frame)
	if f.cs == nil || len(out) == at {
		return out
	}
	f.recoded = append(f.recoded[:0], out[at:]...)
	return f.cs.recodeFrame(out[:at], f.recoded)
}

func (f *frameRewriter) rewriteOne(out, frame []byte) []byte {
	switch frame[0] {
	case 'S':
		if f.dropParamStatus {
			return out
		}
	case 'T':
		if r, ok := rewriteRowDescription(out, frame); ok {
			return r
		}
	case 'E':
		p := f.pending
		f.pending = pendingPosition{}
		r, sev, ok := rewriteError(out, frame, p)
		f.fatal = f.fatal || sev == "FATAL"
		if ok {
			return r
		}
	}
	return append(out, frame...)
}

// rewriteRowDescription moves typmods out of marked column names.
func rewriteRowDescription(out, frame []byte) ([]byte, bool) {
	start := len(out)
	body := frame[5:]
	if len(body) < 2 {
		return out, false
	}
	out = append(out, 'T', 0, 0, 0, 0)
	out = append(out, body[:2]...)
	n := int(binary.BigEndian.Uint16(body))
	body = body[2:]
	for range n {
		end := strings.IndexByte(string(body), 0)
		if end < 0 || len(body) < end+1+18 {
			return out[:start], false
		}
		name, fixed := body[:end], body[end+1:end+1+18]
		body = body[end+1+18:]
		typmod := int32(binary.BigEndian.Uint32(fixed[12:]))
		if k := strings.LastIndex(string(name), typmodMarker); k >= 0 {
			if v, err := strconv.ParseInt(string(name[k+1:]), 10, 32); err == nil {
				name, typmod = name[:k], int32(v)
			}
		}
		out = append(out, name...)
		out = append(out, 0)
		out = append(out, fixed[:12]...)
		out = binary.BigEndian.AppendUint32(out, uint32(typmod))
		out = append(out, fixed[16:]...)
	}
	if len(body) != 0 {
		return out[:start], false
	}
	binary.BigEndian.PutUint32(out[start+1:], uint32(len(out)-start-1))
	return out, true
}

// rewriteError adds 'V' (a copy of 'S') and, when p matches, 'P'; sev is
// the error's severity.
func rewriteError(out, frame []byte, p pendingPosition) (_ []byte, sev string, _ bool) {
	start := len(out)
	out = append(out, frame[0], 0, 0, 0, 0)
	body := frame[5:]
	var code, msg string
	hasV, hasP := false, false
	for len(body) > 0 && body[0] != 0 {
		end := strings.IndexByte(string(body[1:]), 0)
		if end < 0 {
			return out[:start], sev, false
		}
		val := string(body[1 : 1+end])
		switch body[0] {
		case 'S':
			sev = val
		case 'C':
			code = val
		case 'M':
			msg = val
		case 'V':
			hasV = true
		case 'P':
			hasP = true
		}
		out = append(out, body[:end+2]...)
		body = body[end+2:]
	}
	if len(body) != 1 {
		return out[:start], sev, false
	}
	if !hasV && sev != "" {
		out = appendField(out, 'V', sev)
	}
	if !hasP && p.pos > 0 && p.code == code && p.msg == msg {
		out = appendField(out, 'P', strconv.Itoa(p.pos))
	}
	out = append(out, 0)
	binary.BigEndian.PutUint32(out[start+1:], uint32(len(out)-start-1))
	return out, sev, true
}

func appendField(out []byte, t byte, v string) []byte {
	out = append(out, t)
	out = append(out, v...)
	return append(out, 0)
}
