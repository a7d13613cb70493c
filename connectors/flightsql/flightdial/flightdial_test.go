package flightdial

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
)

// split cuts b into pieces of random sizes, as frames arrive.
func split(r *rand.Rand, b []byte) mem.BufferSlice {
	var out mem.BufferSlice
	for len(b) > 0 {
		n := min(len(b), 1+r.IntN(40))
		out = append(out, mem.SliceBuffer(bytes.Clone(b[:n])))
		b = b[n:]
	}
	return out
}

func TestUnmarshalFlightData(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	body := make([]byte, 1000)
	for i := range body {
		body[i] = byte(i)
	}
	cases := map[string]*flight.FlightData{
		"batch":       {DataHeader: []byte("header bytes"), DataBody: body},
		"schema":      {DataHeader: bytes.Repeat([]byte{7}, 300)},
		"metadata":    {DataHeader: []byte{1, 2, 3}, AppMetadata: []byte("app"), DataBody: body[:17]},
		"descriptor":  {FlightDescriptor: &flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: []byte("cmd")}, DataHeader: []byte{1}, DataBody: body[:64]},
		"empty":       {},
		"large head":  {DataHeader: bytes.Repeat([]byte{9}, 100), DataBody: body[:5]},
		"odd offsets": {DataHeader: body[:3], DataBody: body[:999]},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			wire, err := proto.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			for range 20 {
				var got flight.FlightData
				if err := (Codec{}).Unmarshal(split(r, wire), &got); err != nil {
					t.Fatal(err)
				}
				if !proto.Equal(&got, want) {
					t.Fatalf("got %v, want %v", &got, want)
				}
				if len(got.DataBody) > 0 && uintptr(unsafe.Pointer(&got.DataBody[0]))%bodyAlign != 0 {
					t.Fatalf("body at %p is not %d-byte aligned", &got.DataBody[0], bodyAlign)
				}
			}
		})
	}
}

// A message gRPC hands over is freed when Unmarshal returns: what
// FlightData keeps must not point into it.
func TestUnmarshalKeepsNoFrameBytes(t *testing.T) {
	want := &flight.FlightData{DataHeader: []byte("h"), DataBody: []byte("0123456789abcdef")}
	wire, _ := proto.Marshal(want)
	frame := bytes.Clone(wire)
	var got flight.FlightData
	if err := (Codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(frame)}, &got); err != nil {
		t.Fatal(err)
	}
	clear(frame)
	if !proto.Equal(&got, want) {
		t.Fatalf("got %v after the frame was reused, want %v", &got, want)
	}
}

func TestUnmarshalOtherMessages(t *testing.T) {
	want := &flight.Ticket{Ticket: []byte("ticket")}
	wire, _ := proto.Marshal(want)
	var got flight.Ticket
	if err := (Codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, &got); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(&got, want) {
		t.Fatalf("got %v, want %v", &got, want)
	}
}

func TestUnmarshalMalformed(t *testing.T) {
	var got flight.FlightData
	// data_body claims 100 bytes, 3 follow.
	bad := []byte{0xc2, 0x3e, 100, 1, 2, 3}
	if err := (Codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(bad)}, &got); err == nil {
		t.Fatal("truncated message accepted")
	}
}

func TestDirtyPool(t *testing.T) {
	p := &dirtyPool{}
	for _, n := range []int{0, 1, 9, 16384, 16385, 1 << 20, 1<<maxTier + 1} {
		b := p.Get(n)
		if len(*b) != n {
			t.Fatalf("Get(%d) has length %d", n, len(*b))
		}
		p.Put(b)
	}
	// A buffer of a capacity the pool does not hand out is dropped: a
	// later Get must not return it (it would not be a power of two, and
	// Put would file a larger one in a tier it overflows).
	p.Put(&[]byte{})
	odd := make([]byte, 3, 3)
	p.Put(&odd)
	if b := p.Get(3); cap(*b) != 4 {
		t.Errorf("Get(3) after a foreign Put has capacity %d, want 4", cap(*b))
	}
}

// BenchmarkUnmarshalBatch decodes a FlightData of the size meshql sends
// (an 8,192-row lineitem batch, about 1.4 MB) arriving in 16 KiB HTTP/2
// frames, with Codec and with gRPC's proto codec; frames are fresh each
// time as gRPC frees them after Unmarshal.
func BenchmarkUnmarshalBatch(b *testing.B) {
	body := make([]byte, 1400<<10)
	wire, _ := proto.Marshal(&flight.FlightData{DataHeader: make([]byte, 600), DataBody: body})
	for _, c := range []struct {
		name  string
		codec interface {
			Unmarshal(mem.BufferSlice, any) error
		}
	}{{"codec=flightdial", Codec{}}, {"codec=proto", protoCodec}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(wire)))
			for b.Loop() {
				frames := mem.BufferSlice{}
				for rest := wire; len(rest) > 0; {
					n := min(len(rest), 16<<10)
					frames = append(frames, mem.NewBuffer(pool.copyOf(rest[:n]), pool))
					rest = rest[n:]
				}
				var fd flight.FlightData
				if err := c.codec.Unmarshal(frames, &fd); err != nil {
					b.Fatal(err)
				}
				frames.Free()
			}
		})
	}
}

// copyOf is a frame as gRPC's reader fills one from the pool.
func (p *dirtyPool) copyOf(b []byte) *[]byte {
	buf := p.Get(len(b))
	copy(*buf, b)
	return buf
}
