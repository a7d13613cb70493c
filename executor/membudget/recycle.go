package membudget

import (
	"math/bits"
	"sync"
	"unsafe"
	"weak"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Recycler is the Arrow allocator of one query. It keeps the large
// buffers the query releases (when an array's last reference goes) and
// hands them out again, instead of asking Go for fresh zeroed memory for
// every batch: a scan allocates the same few buffer sizes thousands of
// times (pages, then columns of one batch size), and fresh large
// allocations cost zeroing cold memory, garbage collection and returning
// pages to the OS.
//
// Only buffers asked for with AllocateUninit are recycled, and they come
// uncleared: the writer that asks declares that it fills every byte, and
// that the buffer holds plain values (numbers, offsets, bitmaps, pages).
// Allocate, for everything else, passes through to the inner allocator:
// Go code takes strings and byte slices from Arrow arrays without
// copying (array.String.Value) and may keep them past the array's
// release, which is harmless with garbage-collected memory but would see
// the bytes change under a recycled buffer.
//
// The buffers it keeps are reserved in the query's budget (under the name
// "buffer pool") and capped at an eighth of it (64 MiB at most): a
// refusal only means the released buffer goes to the garbage collector,
// and an operator's reservation that the budget would refuse first makes
// the recycler give back all it keeps. Close, which the budget calls when
// the query ends, frees what it keeps to the inner allocator; buffers
// released after that go straight there.
//
// Sizes round up to a class (four per power of two), so a recycled buffer
// may be Reallocated in place up to its class (the bytes past its old
// length zeroed). Small and huge requests pass through. The recycler
// remembers the buffers it hands out (weakly) until they come back, to
// know their class; one never released is collected by Go as before, so
// inner must allocate Go memory (Go's allocator, or a checked allocator
// over it). It is safe for concurrent use.
type Recycler struct {
	inner  memory.Allocator
	res    *Reservation
	max    int64
	poison bool

	mu     sync.Mutex
	free   [numClasses][][]byte // kept buffers, whole class size
	held   int64                // bytes in free
	out    map[uintptr]lent     // class buffers handed out, by address
	closed bool
}

// Size classes: four per power of two from minClass to maxClass bytes.
const (
	minClassShift = 14 // 16 KiB: below, Go's small-object allocator is cheap
	maxClassShift = 26 // 64 MiB: above, a buffer is rare enough to allocate
	numClasses    = 4*(maxClassShift-minClassShift) + 1
	maxPoolBytes  = 64 << 20
)

// NewRecycler returns a recycler over inner whose kept buffers are
// reserved in b (nil: unlimited, up to 64 MiB) and freed by b.Close. With
// poison, released buffers are filled with 0xA5 before they are kept, so
// that a read of an array after its release shows as wrong results in
// tests instead of going unnoticed.
func NewRecycler(inner memory.Allocator, b *Budget, poison bool) *Recycler {
	limit := int64(maxPoolBytes)
	if b != nil && b.opts.Limit > 0 {
		limit = min(limit, b.opts.Limit/8)
	}
	res := b.Reserve("buffer pool")
	res.kept = true
	r := &Recycler{inner: inner, res: res, max: limit, poison: poison, out: map[uintptr]lent{}}
	if b != nil {
		b.mu.Lock()
		b.recyclers = append(b.recyclers, r)
		b.mu.Unlock()
	}
	return r
}

// classOf returns the class of a request of n bytes and the class's size,
// or -1 and 0 when n is outside the classes.
func classOf(n int) (int, int) {
	if n < 1<<minClassShift || n > 1<<maxClassShift {
		return -1, 0
	}
	// (n-1)>>e lies in [4, 7]: the class is the next multiple of 1<<e,
	// m<<e with m in [5, 8]; 8<<e is 4<<(e+1), the next power's first.
	e := bits.Len(uint(n-1)) - 3
	m := (n-1)>>e + 1
	if m == 8 {
		m, e = 4, e+1
	}
	return 4*(e-(minClassShift-2)) + m - 4, m << e
}

// Allocate returns n zeroed bytes from the inner allocator.
func (r *Recycler) Allocate(n int) []byte { return r.inner.Allocate(n) }

// AllocateUninit returns n bytes whose contents are undefined, recycled
// when a released buffer of their class is kept; the caller must write
// every one before anything reads them, and must not put bytes there
// that Go code could keep as strings.
func (r *Recycler) AllocateUninit(n int) []byte {
	if b, _ := r.take(n); b != nil {
		return b
	}
	return r.inner.Allocate(n)
}

// take returns n bytes of a class buffer (length and capacity n, as Go's
// allocator gives them: Arrow code takes a buffer's capacity to be its
// length), from the pool if it has one or new from inner (then zeroed);
// nil when n is outside the classes or the recycler is closed.
func (r *Recycler) take(n int) (b []byte, reused bool) {
	c, size := classOf(n)
	if c < 0 {
		return nil, false
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, false
	}
	if k := len(r.free[c]); k > 0 {
		b = r.free[c][k-1]
		r.free[c][k-1] = nil
		r.free[c] = r.free[c][:k-1]
		r.held -= int64(size)
		r.mu.Unlock()
		r.res.Shrink(int64(size))
		r.lend(b, n, c)
		return b[:n:n], true
	}
	r.mu.Unlock()
	b = r.inner.Allocate(size)
	r.lend(b, n, c)
	return b[:n:n], false
}

// lent is a class buffer handed out: a weak pointer to it, the length it
// was handed out with (its capacity since) and its class.
type lent struct {
	ptr   weak.Pointer[byte]
	n     int32
	class int8
}

// lend records that class-c buffer b goes out as n bytes.
func (r *Recycler) lend(b []byte, n, c int) {
	l := lent{ptr: weak.Make(unsafe.SliceData(b)), n: int32(n), class: int8(c)}
	r.mu.Lock()
	r.out[addr(b)] = l
	r.mu.Unlock()
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// classSize is the size of class c.
func classSize(c int) int {
	e, m := c/4+minClassShift-2, c%4+4
	return m << e
}

// lentBuffer returns the whole class buffer b is the handed-out part of,
// and its class, forgetting that it is lent when forget is set; nil when
// b is not one. The address alone is not proof: a buffer never released
// is collected, and its memory may come back from the inner allocator at
// the same address, shorter than the class; the weak pointer tells the
// two apart.
func (r *Recycler) lentBuffer(b []byte, forget bool) ([]byte, int) {
	if cap(b) < 1<<minClassShift || cap(b) > 1<<maxClassShift {
		return nil, -1
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a := addr(b)
	l, ok := r.out[a]
	if !ok {
		return nil, -1
	}
	if l.ptr.Value() != unsafe.SliceData(b) || int(l.n) != cap(b) {
		if l.ptr.Value() == nil {
			delete(r.out, a) // stale: its buffer was collected
		}
		return nil, -1
	}
	if forget {
		delete(r.out, a)
	}
	return unsafe.Slice(unsafe.SliceData(b), classSize(int(l.class))), int(l.class)
}

// Reallocate resizes b to n bytes, in place when its class has room;
// bytes past the old length are zero.
func (r *Recycler) Reallocate(n int, b []byte) []byte {
	if cap(b) == 0 {
		return r.Allocate(n)
	}
	full, c := r.lentBuffer(b, false)
	if full == nil { // inner's
		return r.inner.Reallocate(n, b)
	}
	old := len(b)
	switch {
	case n <= cap(b):
		b = b[:n]
	case n <= len(full):
		r.lend(full, n, c)
		b = full[:n:n]
	default: // into a larger class (or past the classes)
		nb, reused := r.take(n)
		if nb == nil {
			nb = r.inner.Allocate(n)
		} else if reused {
			clear(nb[old:])
		}
		copy(nb, b)
		r.Free(b)
		return nb
	}
	if n > old {
		clear(b[old:])
	}
	return b
}

// Free keeps b for reuse if it is a class buffer and the pool has room,
// else gives it back to inner.
func (r *Recycler) Free(b []byte) {
	full, c := r.lentBuffer(b, true)
	if full == nil {
		r.inner.Free(b)
		return
	}
	r.keep(full, c)
}

// keep puts class buffer b of class c in the pool, or gives it back to
// inner when the pool is full, closed or refused by the budget.
func (r *Recycler) keep(b []byte, c int) {
	size := int64(len(b))
	r.mu.Lock()
	ok := !r.closed && r.held+size <= r.max
	if ok {
		r.held += size // claimed before the reservation, so two releases cannot both overshoot max
	}
	r.mu.Unlock()
	if ok && !r.res.TryGrow(size) {
		r.mu.Lock()
		r.held -= size
		r.mu.Unlock()
		ok = false
	}
	if !ok {
		r.inner.Free(b)
		return
	}
	if r.poison {
		b[0] = 0xA5
		for k := 1; k < len(b); k *= 2 {
			copy(b[k:], b[:k])
		}
	}
	r.mu.Lock()
	if r.closed { // closed while b was being reserved or poisoned
		r.held -= size
		r.mu.Unlock()
		r.res.Shrink(size)
		r.inner.Free(b)
		return
	}
	r.free[c] = append(r.free[c], b)
	r.mu.Unlock()
}

// Held is the number of bytes kept for reuse.
func (r *Recycler) Held() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held
}

// Close gives every kept buffer back to inner and returns their
// reservation; later releases go straight to inner. It is idempotent.
func (r *Recycler) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.trim()
}

// trim gives every kept buffer back to inner and returns their
// reservation, reporting how many bytes that was: the budget calls it
// when an operator's reservation is refused, so kept buffers never stand
// in the way of memory an operator needs.
func (r *Recycler) trim() int64 {
	r.mu.Lock()
	free := r.free
	r.free = [numClasses][][]byte{}
	r.mu.Unlock()
	var n int64
	for _, bs := range free {
		for _, b := range bs {
			n += int64(len(b))
			r.inner.Free(b)
		}
	}
	r.mu.Lock()
	r.held -= n
	r.mu.Unlock()
	r.res.Shrink(n)
	return n
}

var _ memory.Allocator = (*Recycler)(nil)

// Filling returns mem allocating without clearing (AllocateUninit) when
// mem is a Recycler, else mem itself. It is for a writer that sets every
// byte of each buffer it allocates before anything reads it, and puts
// there no bytes that Go code could keep as strings: an arithmetic
// kernel's output, whose fresh zeroed 128 kB a batch (8192 decimals)
// cost TPC-H Q1 about 8% of its CPU in clearing and collection.
func Filling(mem memory.Allocator) memory.Allocator {
	if r, ok := mem.(*Recycler); ok {
		return filling{r}
	}
	return mem
}

// filling is a Recycler whose Allocate does not clear.
type filling struct{ *Recycler }

func (f filling) Allocate(n int) []byte { return f.AllocateUninit(n) }
