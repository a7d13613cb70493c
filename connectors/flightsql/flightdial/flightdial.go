// Package flightdial holds the gRPC dial options with which a Go Flight
// client (arrow-go's flight and flightsql clients, ADBC's Go Flight SQL
// driver) receives record batches with one copy of their bytes instead of
// three, without clearing the buffers it reads into first, and with a
// socket read per megabyte rather than per 32 KiB.
//
// With the defaults, gRPC-go clears each pooled buffer it reads an HTTP/2
// frame into, copies a message's frames into one buffer, and the
// protobuf codec copies FlightData's data_body out of that buffer again
// (arrow-go then reads the batch from that last copy). Options copies the
// frames once, into memory that is not cleared first, and lets FlightData's
// header and body point into it; it changes nothing for other messages.
// Arrow C++ (pyarrow, ADBC's C++ driver) already reads FlightData this way.
package flightdial

import (
	"bytes"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	protoenc "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Options returns the dial options; pass them to flightsql.NewClient or
// flight.NewClientWithMiddleware, or to ADBC's
// NewDatabaseWithOptions (driver/flightsql's Driver), with the rest.
func Options() []grpc.DialOption {
	return []grpc.DialOption{
		experimental.WithBufferPool(pool),
		// A batch of about a megabyte arrives in 16 KiB HTTP/2 frames;
		// gRPC's 32 KiB read buffer takes a read system call for every
		// two of them. With 1 MiB a call takes what the socket holds
		// (SF1 lineitem: 6.4 → 1.4 socket reads and writes per thousand
		// rows, client and server). gRPC takes the buffer from a pool
		// of its own when the socket is readable and returns it once
		// its bytes are consumed, so an idle connection holds none
		// (unless GRPC_GO_EXPERIMENTAL_HTTP_FRAMER_READ_BUFFER_POOLING
		// is false: then each connection keeps one).
		grpc.WithReadBufferSize(readBufferSize),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(Codec{})),
	}
}

// readBufferSize is the client's socket read buffer.
const readBufferSize = 1 << 20

// pool is shared by every connection, as gRPC's default pool is.
var pool = &dirtyPool{}

// dirtyPool is a gRPC buffer pool that hands out buffers as they were
// left. gRPC's own pools clear each buffer they hand out; the buffers a
// client transport asks for are read into up to the length asked for
// before anyone looks at them, so clearing them is wasted work.
type dirtyPool struct {
	tiers [maxTier + 1]sync.Pool // tiers[t] holds buffers of capacity 1<<t
}

// maxTier bounds the buffers pooled (16 MiB); larger ones are allocated
// each time, as gRPC's default pool does past 1 MiB.
const maxTier = 24

func (p *dirtyPool) Get(n int) *[]byte {
	t := bits.Len(uint(max(n, 1) - 1))
	if t > maxTier {
		b := make([]byte, n)
		return &b
	}
	if b, ok := p.tiers[t].Get().(*[]byte); ok {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, 1<<t)
	return &b
}

func (p *dirtyPool) Put(b *[]byte) {
	c := cap(*b)
	if c == 0 || c&(c-1) != 0 || c > 1<<maxTier {
		return // not one of ours
	}
	p.tiers[bits.Len(uint(c-1))].Put(b)
}

// Codec is gRPC's proto codec, except that it unmarshals FlightData as
// described in the package comment. Its name is "proto", so the server
// sees the usual content type.
type Codec struct{}

var protoCodec = encoding.GetCodecV2(protoenc.Name)

func (Codec) Name() string { return protoCodec.Name() }

func (Codec) Marshal(v any) (mem.BufferSlice, error) { return protoCodec.Marshal(v) }

func (Codec) Unmarshal(data mem.BufferSlice, v any) error {
	fd, ok := v.(*flight.FlightData)
	if !ok {
		return protoCodec.Unmarshal(data, v)
	}
	return unmarshalFlightData(data, fd)
}

// FlightData's fields (Flight.proto), all length-delimited.
const (
	fieldDescriptor  = 1
	fieldDataHeader  = 2
	fieldAppMetadata = 3
	fieldDataBody    = 1000
)

// bodyAlign is the alignment the body is given in the buffer: Arrow
// IPC lays out a body's buffers at multiples of 8 bytes from its start,
// and arrow-go reads them in place as typed slices, which must be aligned
// (checkptr, enabled by -race, insists).
const bodyAlign = 8

var padding [bodyAlign]byte

// unmarshalFlightData copies the message once into memory that is not
// cleared first, placed so that the body starts at an aligned address,
// and sets fd's byte fields to slices of it. Anything but the four fields
// of a well-formed FlightData (a descriptor, an unknown field) goes to
// the proto codec instead, from the copy.
func unmarshalFlightData(data mem.BufferSlice, fd *flight.FlightData) error {
	pieces := make([][]byte, 1, len(data)+1)
	for _, b := range data {
		pieces = append(pieces, b.ReadOnlyData())
	}
	pad := 0
	if off, ok := bodyOffset(pieces[1:]); ok {
		pad = (bodyAlign - off%bodyAlign) % bodyAlign
	}
	pieces[0] = padding[:pad]
	buf := bytes.Join(pieces, nil)[pad:]

	proto.Reset(fd)
	for b := buf; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || typ != protowire.BytesType {
			return proto.Unmarshal(buf, fd)
		}
		val, m := protowire.ConsumeBytes(b[n:])
		if m < 0 {
			return proto.Unmarshal(buf, fd)
		}
		b = b[n+m:]
		switch num {
		case fieldDataHeader:
			fd.DataHeader = val
		case fieldAppMetadata:
			fd.AppMetadata = val
		case fieldDataBody:
			if len(val) > 0 && uintptr(unsafe.Pointer(&val[0]))%bodyAlign != 0 {
				// Only when the fields before the body were not found
				// (bodyOffset). Go aligns allocations of a multiple of 8
				// bytes to 8.
				val = append(make([]byte, 0, (len(val)+bodyAlign-1)&^(bodyAlign-1)), val...)
			}
			fd.DataBody = val
		default:
			return proto.Unmarshal(buf, fd)
		}
	}
	return nil
}

// bodyOffset returns where data_body's bytes start in the message made
// of pieces, if it has a body that the first 64 KiB reach. The fields
// before it (the header, a few hundred bytes) are nearly always in the
// first piece, a whole HTTP/2 frame.
func bodyOffset(pieces [][]byte) (int, bool) {
	if len(pieces) == 0 {
		return 0, false
	}
	if off, ok := bodyOffsetIn(pieces[0]); ok || len(pieces) == 1 {
		return off, ok
	}
	var prefix []byte
	for _, p := range pieces {
		if len(prefix) >= 64<<10 {
			break
		}
		prefix = append(prefix, p...)
	}
	return bodyOffsetIn(prefix)
}

// bodyOffsetIn is bodyOffset over the first bytes of a message.
func bodyOffsetIn(b []byte) (int, bool) {
	off := 0
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || typ != protowire.BytesType {
			return 0, false
		}
		l, m := protowire.ConsumeVarint(b[n:])
		if m < 0 {
			return 0, false
		}
		off += n + m
		if num == fieldDataBody {
			return off, true
		}
		if uint64(len(b)) < uint64(n+m)+l {
			return 0, false
		}
		b = b[n+m+int(l):]
		off += int(l)
	}
	return 0, false
}
