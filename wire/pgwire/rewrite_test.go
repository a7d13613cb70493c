package pgwire

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func frame(t byte, body []byte) []byte {
	out := []byte{t, 0, 0, 0, 0}
	out = append(out, body...)
	binary.BigEndian.PutUint32(out[1:], uint32(len(out)-1))
	return out
}

func rowDescription(name string, typmod int32) []byte {
	body := binary.BigEndian.AppendUint16(nil, 1)
	body = append(append(body, name...), 0)
	body = binary.BigEndian.AppendUint32(body, 16384)
	body = binary.BigEndian.AppendUint16(body, 3)
	body = binary.BigEndian.AppendUint32(body, 1700)
	body = binary.BigEndian.AppendUint16(body, 0xffff)
	body = binary.BigEndian.AppendUint32(body, uint32(typmod))
	body = binary.BigEndian.AppendUint16(body, 1)
	return frame('T', body)
}

func errorResponse(fields ...string) []byte {
	var body []byte
	for _, f := range fields {
		body = append(append(body, f...), 0)
	}
	return frame('E', append(body, 0))
}

// TestFrameRewriter feeds a frame stream in random pieces and checks the
// rewritten stream.
func TestFrameRewriter(t *testing.T) {
	dataRow := frame('D', []byte{0, 1, 0, 0, 0, 2, 'h', 'i'})
	startup := bytes.Join([][]byte{frame('S', []byte("server_version\x00150000\x00")), dataRow}, nil)
	in := bytes.Join([][]byte{
		rowDescription("amount\x1f786438", -1),
		rowDescription("plain\x1fname\x1f-1", -1),
		errorResponse("SERROR", "C42601", "Msyntax error"),
		errorResponse("SERROR", "C42601", "Mother"),
		frame('S', []byte("TimeZone\x00UTC\x00")),
		dataRow,
	}, nil)
	want := bytes.Join([][]byte{
		dataRow,
		rowDescription("amount", 786438),
		rowDescription("plain\x1fname", -1),
		errorResponse("SERROR", "C42601", "Msyntax error", "VERROR", "P7"),
		errorResponse("SERROR", "C42601", "Mother", "VERROR"),
		frame('S', []byte("TimeZone\x00UTC\x00")),
		dataRow,
	}, nil)
	r := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		var out bytes.Buffer
		f := &frameRewriter{dst: &out, dropParamStatus: true}
		f.expectPosition("42601", "syntax error", 7)
		for phase, rest := range [][]byte{startup, in} {
			if phase == 1 {
				f.dropParamStatus = false // the session hook runs between frames
			}
			for len(rest) > 0 {
				n := 1 + r.IntN(len(rest))
				piece := rest[:n]
				rest = rest[n:]
				if m, err := f.Write(piece); err != nil || m != len(piece) {
					t.Fatalf("Write: %d %v", m, err)
				}
			}
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("got\n%q\nwant\n%q", out.Bytes(), want)
		}
	}
}
