package objstore

import (
	"bytes"
	"context"
	"io"
	"sync/atomic"
	"testing"
)

// fakeObject serves ranged reads of data and counts requests.
type fakeObject struct {
	data     []byte
	requests atomic.Int64
}

func (f *fakeObject) fetch(_ context.Context, buf []byte, off int64) error {
	f.requests.Add(1)
	if off+int64(len(buf)) > int64(len(f.data)) {
		return io.ErrUnexpectedEOF
	}
	copy(buf, f.data[off:])
	return nil
}

func newFake(size int) (*fakeObject, *rangeReader) {
	f := &fakeObject{data: make([]byte, size)}
	for i := range f.data {
		f.data[i] = byte(i * 7)
	}
	return f, newRangeReader(context.Background(), Object{Path: "s3://b/k", Size: int64(size)}, f.fetch)
}

func TestRangeReaderFooterIsOneRequest(t *testing.T) {
	f, r := newFake(1 << 20)
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil || size != 1<<20 {
		t.Fatalf("Seek end = %d, %v", size, err)
	}
	// What a Parquet reader does: the 8-byte trailer, then the footer.
	trailer := make([]byte, 8)
	if _, err := r.ReadAt(trailer, size-8); err != nil {
		t.Fatal(err)
	}
	footer := make([]byte, 5000)
	if _, err := r.ReadAt(footer, size-8-5000); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(footer, f.data[size-8-5000:size-8]) || !bytes.Equal(trailer, f.data[size-8:]) {
		t.Error("footer bytes differ from the object's")
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d requests for trailer and footer, want 1 (the tail)", n)
	}
	if r.Fetched() != tailSize {
		t.Errorf("Fetched = %d, want %d", r.Fetched(), tailSize)
	}
}

func TestRangeReaderPrefetch(t *testing.T) {
	f, r := newFake(4 << 20)
	ranges := []Range{{Off: 100, Len: 1000}, {Off: 2000, Len: 500}, {Off: 2 << 20, Len: 4096}, {Off: 3 << 20, Len: 10}}
	if err := r.Prefetch(context.Background(), ranges); err != nil {
		t.Fatal(err)
	}
	// The first two are close enough to merge: three requests.
	if n := f.requests.Load(); n != 3 {
		t.Errorf("%d requests, want 3 (two ranges coalesced)", n)
	}
	for _, rg := range ranges {
		buf := make([]byte, rg.Len)
		if _, err := r.ReadAt(buf, rg.Off); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf, f.data[rg.Off:rg.Off+rg.Len]) {
			t.Errorf("range %+v: bytes differ", rg)
		}
	}
	if n := f.requests.Load(); n != 3 {
		t.Errorf("reads inside prefetched ranges made %d more requests", n-3)
	}
	// A read outside them is one more request.
	buf := make([]byte, 10)
	if _, err := r.ReadAt(buf, 1<<20); err != nil || f.requests.Load() != 4 {
		t.Errorf("uncached read: err %v, requests %d, want 4", err, f.requests.Load())
	}
}

func TestRangeReaderEOF(t *testing.T) {
	_, r := newFake(100)
	buf := make([]byte, 50)
	n, err := r.ReadAt(buf, 80)
	if n != 20 || err != io.EOF {
		t.Errorf("ReadAt past the end = %d, %v; want 20, EOF", n, err)
	}
	if _, err := r.ReadAt(buf, 100); err != io.EOF {
		t.Errorf("ReadAt at the end: %v, want EOF", err)
	}
}

func TestFixedPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"orders/*/*.parquet":          "orders/",
		"orders/dt=2026-11-01/a.pq":   "orders/dt=2026-11-01/",
		"*.parquet":                   "",
		"/data/sales/o[12]/x.parquet": "/data/sales/",
	} {
		if got := fixedPrefix(in); got != want {
			t.Errorf("fixedPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}
