package flightsql

import (
	"context"
	"encoding/binary"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
)

// Result batches leave the server without being copied: arrow-go's
// flight writer serializes each IPC message body into a buffer, which
// gRPC's proto codec then copies again into the marshalled FlightData.
// Here the body is a list of the batch's own Arrow buffers that gRPC
// writes to the connection as they are; the batch stays retained until
// gRPC frees the last of them. frameCodec is the server's codec: gRPC's
// proto codec, except for *frame messages.

// frameCodec marshals a *frame as a FlightData message whose data_body
// borrows the frame's buffers, and everything else with the proto codec.
type frameCodec struct{ proto encoding.CodecV2 }

func (c frameCodec) Marshal(v any) (mem.BufferSlice, error) {
	if f, ok := v.(*frame); ok {
		return f.marshal(), nil
	}
	return c.proto.Marshal(v)
}

func (c frameCodec) Unmarshal(data mem.BufferSlice, v any) error { return c.proto.Unmarshal(data, v) }

func (c frameCodec) Name() string { return c.proto.Name() }

// FlightData's field keys (Flight.proto): data_header = 2 and data_body =
// 1000, both length-delimited (wire type 2).
const (
	keyDataHeader = 2<<3 | 2
	keyDataBody   = 1000<<3 | 2
)

// frame is one Arrow IPC message (schema, dictionary or record batch) on
// its way to gRPC. Body pieces of at least gRPC's pooling threshold are
// borrowed from the batch, which the frame keeps retained until gRPC has
// freed each of them (Put) or release is called; smaller ones are copied.
type frame struct {
	head   []byte            // data_header field and data_body's key and length
	pieces [][]byte          // data_body, in order (see bodyPieces.pieces)
	rec    arrow.RecordBatch // nil when nothing is borrowed

	marshalled bool         // set by marshal, within SendMsg
	pending    atomic.Int32 // borrowed buffers gRPC has not freed yet
	released   atomic.Bool
	done       chan struct{} // closed by release
}

// marshal hands the frame's bytes to gRPC; called once, by the codec.
func (f *frame) marshal() mem.BufferSlice {
	f.marshalled = true
	out := make(mem.BufferSlice, 0, 1+len(f.pieces))
	out = append(out, mem.SliceBuffer(f.head))
	borrowed := 0
	for _, p := range f.pieces {
		if !mem.IsBelowBufferPoolingThreshold(len(p)) {
			borrowed++
		}
	}
	// Counted before any buffer exists, so that no early Put releases.
	f.pending.Store(int32(borrowed))
	for _, p := range f.pieces {
		if mem.IsBelowBufferPoolingThreshold(len(p)) {
			out = append(out, mem.SliceBuffer(p))
			continue
		}
		p = p[:len(p):len(p)]
		out = append(out, mem.NewBuffer(&p, f))
	}
	if borrowed == 0 {
		f.release()
	}
	return out
}

// Get is never called: gRPC asks a pool for memory only for buffers it
// allocates itself. It is there to make frame a mem.BufferPool.
func (f *frame) Get(n int) *[]byte {
	b := make([]byte, n)
	return &b
}

// Put is gRPC freeing one borrowed buffer.
func (f *frame) Put(*[]byte) {
	if f.pending.Add(-1) == 0 {
		f.release()
	}
}

// release lets the batch go; only the first call counts.
func (f *frame) release() {
	if f.released.CompareAndSwap(false, true) {
		if f.rec != nil {
			f.rec.Release()
		}
		close(f.done)
	}
}

// frameWriter is an ipc.PayloadWriter that sends each IPC message of a
// result as a frame on a DoGet stream. Not safe for concurrent use.
type frameWriter struct {
	stream grpc.ServerStream
	rec    arrow.RecordBatch // the batch being written, whose buffers frames borrow
	sent   []*frame          // frames gRPC may still hold
	body   bodyPieces
}

// newResultWriter returns an IPC stream writer of batches of schema onto
// stream. Buffers the IPC encoder allocates itself (offsets of sliced
// arrays, say) come from a Go allocator of the writer's own: they may
// outlive their payload while gRPC still writes them, which only
// garbage-collected memory allows.
func newResultWriter(stream grpc.ServerStream, schema *arrow.Schema) (*ipc.Writer, *frameWriter) {
	fw := &frameWriter{stream: stream}
	return ipc.NewWriterWithPayloadWriter(fw, ipc.WithSchema(schema), ipc.WithAllocator(memory.NewGoAllocator())), fw
}

// write writes one batch; the caller still releases b.
func (w *frameWriter) write(iw *ipc.Writer, b arrow.RecordBatch) error {
	w.rec = b
	defer func() { w.rec = nil }()
	return iw.Write(b)
}

func (w *frameWriter) Start() error { return nil }
func (w *frameWriter) Close() error { return nil }

func (w *frameWriter) WritePayload(p ipc.Payload) error {
	meta := p.Meta()
	defer meta.Release()
	w.body.reset()
	if err := p.SerializeBody(&w.body); err != nil {
		return err
	}
	f := &frame{done: make(chan struct{})}
	header := meta.Bytes()
	head := make([]byte, 0, len(header)+24)
	head = binary.AppendUvarint(append(head, keyDataHeader), uint64(len(header)))
	head = append(head, header...)
	if w.body.n > 0 {
		head = binary.AppendUvarint(binary.AppendUvarint(head, keyDataBody), uint64(w.body.n))
	}
	f.head = head
	f.pieces = w.body.pieces()
	if w.rec != nil {
		w.rec.Retain()
		f.rec = w.rec
	}
	w.prune()
	w.sent = append(w.sent, f)
	err := w.stream.SendMsg(f)
	if !f.marshalled {
		// gRPC failed before it took the buffers.
		f.release()
	}
	return err
}

// prune forgets the frames gRPC has freed.
func (w *frameWriter) prune() {
	n := 0
	for _, f := range w.sent {
		if !f.released.Load() {
			w.sent[n] = f
			n++
		}
	}
	clear(w.sent[n:])
	w.sent = w.sent[:n]
}

// finish waits until gRPC has freed every frame sent, that is written
// it to the connection, or until the RPC ends (ctx): a connection that
// breaks leaves gRPC's queued buffers unfreed, so the frames let their
// batches go themselves then. gRPC's writer may still be reading a
// buffer of a stream that was reset at that moment; the bytes it sends
// go nowhere, and memory stays valid because meshql's allocators are
// garbage-collected (a malloc-based allocator would need finish to wait
// for gRPC's cleanup instead).
func (w *frameWriter) finish(ctx context.Context) {
	for _, f := range w.sent {
		select {
		case <-f.done:
		case <-ctx.Done():
			f.release()
		}
	}
	w.sent = nil
}

// bodyPieces collects an IPC message body as SerializeBody writes it:
// slices of the batch's buffers, which are kept, and padding, copied.
type bodyPieces struct {
	list [][]byte
	n    int
}

func (b *bodyPieces) reset() {
	clear(b.list)
	b.list = b.list[:0]
	b.n = 0
}

func (b *bodyPieces) Write(p []byte) (int, error) {
	b.list = append(b.list, p)
	b.n += len(p)
	return len(p), nil
}

// pieces returns the body for a frame: large slices as they are, runs of
// small ones (padding, short buffers) copied together into one slice, so
// that each piece gRPC gets is either borrowed and counted or owned.
func (b *bodyPieces) pieces() [][]byte {
	out := make([][]byte, 0, len(b.list))
	var run []byte
	for _, p := range b.list {
		if mem.IsBelowBufferPoolingThreshold(len(p)) {
			run = append(run, p...)
			continue
		}
		if len(run) > 0 {
			out = append(out, run)
			run = nil
		}
		out = append(out, p)
	}
	if len(run) > 0 {
		out = append(out, run)
	}
	return out
}
