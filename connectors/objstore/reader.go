package objstore

import (
	"context"
	"errors"
	"io"
	"sort"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/meshql/meshql/sqltypes"
)

const (
	// tailSize is how much of an object's end the first footer read
	// fetches: Parquet reads the 8-byte trailer and then the footer, and
	// one request for both saves a round trip for all but huge footers.
	tailSize = 64 << 10
	// coalesceGap merges prefetch ranges this close together into one
	// request: a few wasted bytes cost less than a round trip.
	coalesceGap = 32 << 10
	// prefetchParallel bounds the concurrent requests of one Prefetch.
	prefetchParallel = 4
)

// fetchFunc reads len(buf) bytes at off, all of them or an error.
type fetchFunc func(ctx context.Context, buf []byte, off int64) error

// rangeReader serves io.ReaderAt over ranged requests, keeping the blocks
// it fetched (the footer tail and prefetched ranges) until Close.
type rangeReader struct {
	ctx   context.Context // reads happen under the context of Open
	fetch fetchFunc
	path  string
	size  int64
	pos   int64 // for Read and Seek

	mu      sync.Mutex
	blocks  []block // sorted by off
	fetched atomic.Int64
}

type block struct {
	off  int64
	data []byte
}

func newRangeReader(ctx context.Context, o Object, fetch fetchFunc) *rangeReader {
	return &rangeReader{ctx: ctx, fetch: fetch, path: o.Path, size: o.Size}
}

func (r *rangeReader) Fetched() int64 { return r.fetched.Load() }

func (r *rangeReader) Close() error {
	r.mu.Lock()
	r.blocks = nil
	r.mu.Unlock()
	return nil
}

func (r *rangeReader) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += r.pos
	case io.SeekEnd:
		off += r.size
	default:
		return 0, errors.New("objstore: invalid whence")
	}
	if off < 0 {
		return 0, errors.New("objstore: negative position")
	}
	r.pos = off
	return off, nil
}

func (r *rangeReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.pos)
	r.pos += int64(n)
	return n, err
}

// ReadAt serves p from a kept block when one covers it, else with one
// request (widened to the object's tail for a read near its end, which is
// how footers are read).
func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("objstore: negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want, short := p, false
	if end := off + int64(len(p)); end > r.size {
		want, short = p[:r.size-off], true
	}
	if r.copyKept(want, off) { // copies only when a block covers all of want
		return r.done(len(want), short)
	}
	if r.size-off <= tailSize {
		start := max(0, r.size-tailSize)
		buf := make([]byte, r.size-start)
		if err := r.get(r.ctx, buf, start); err != nil {
			return 0, err
		}
		r.keep(block{off: start, data: buf})
		copy(want, buf[off-start:])
		return r.done(len(want), short)
	}
	if err := r.get(r.ctx, want, off); err != nil {
		return 0, err
	}
	return r.done(len(want), short)
}

func (r *rangeReader) done(n int, short bool) (int, error) {
	if short {
		return n, io.EOF
	}
	return n, nil
}

func (r *rangeReader) get(ctx context.Context, buf []byte, off int64) error {
	if err := ctx.Err(); err != nil {
		return sqltypes.AsError(err)
	}
	if err := r.fetch(ctx, buf, off); err != nil {
		return err
	}
	r.fetched.Add(int64(len(buf)))
	return nil
}

// copyKept copies [off, off+len(p)) from one kept block if one covers it.
func (r *rangeReader) copyKept(p []byte, off int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.blocks { // a handful: the tail and the prefetched chunks
		if b.off <= off && off+int64(len(p)) <= b.off+int64(len(b.data)) {
			copy(p, b.data[off-b.off:])
			return true
		}
	}
	return false
}

func (r *rangeReader) keep(b block) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.blocks = append(r.blocks, b)
	sort.Slice(r.blocks, func(i, j int) bool { return r.blocks[i].off < r.blocks[j].off })
}

// Prefetch fetches ranges, coalesced where close, with up to
// prefetchParallel requests in flight; ranges already kept are skipped.
func (r *rangeReader) Prefetch(ctx context.Context, ranges []Range) error {
	var todo []Range
	for _, rg := range ranges {
		if rg.Off < 0 || rg.Len <= 0 || rg.Off >= r.size {
			continue
		}
		rg.Len = min(rg.Len, r.size-rg.Off)
		if !r.covered(rg) {
			todo = append(todo, rg)
		}
	}
	todo = coalesce(todo)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(prefetchParallel)
	for _, rg := range todo {
		g.Go(func() error {
			buf := make([]byte, rg.Len)
			if err := r.get(gctx, buf, rg.Off); err != nil {
				return err
			}
			r.keep(block{off: rg.Off, data: buf})
			return nil
		})
	}
	return g.Wait()
}

func (r *rangeReader) covered(rg Range) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.blocks {
		if b.off <= rg.Off && rg.Off+rg.Len <= b.off+int64(len(b.data)) {
			return true
		}
	}
	return false
}

// coalesce sorts ranges and merges those that overlap or lie within
// coalesceGap of each other.
func coalesce(rs []Range) []Range {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Off < rs[j].Off })
	var out []Range
	for _, rg := range rs {
		if n := len(out); n > 0 && rg.Off <= out[n-1].Off+out[n-1].Len+coalesceGap {
			last := &out[n-1]
			last.Len = max(last.Off+last.Len, rg.Off+rg.Len) - last.Off
			continue
		}
		out = append(out, rg)
	}
	return out
}
