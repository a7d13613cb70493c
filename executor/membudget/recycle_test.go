package membudget

import (
	"sync"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestClassOf(t *testing.T) {
	prevIdx, prevSize := -1, 0
	for n := 1 << minClassShift; n <= 1<<maxClassShift; n += n/7 + 1 {
		idx, size := classOf(n)
		if size < n || size > n+n/4+1 {
			t.Fatalf("classOf(%d) size %d: want in [n, 1.25n]", n, size)
		}
		if idx < prevIdx || (idx == prevIdx && size != prevSize) || idx >= numClasses {
			t.Fatalf("classOf(%d) = %d, %d after %d, %d", n, idx, size, prevIdx, prevSize)
		}
		if classSize(idx) != size {
			t.Fatalf("classSize(%d) = %d, want %d", idx, classSize(idx), size)
		}
		if i2, s2 := classOf(size); i2 != idx || s2 != size {
			t.Fatalf("class size %d maps to %d, %d, want itself (%d)", size, i2, s2, idx)
		}
		prevIdx, prevSize = idx, size
	}
	for _, n := range []int{0, -1, 1<<minClassShift - 1, 1<<maxClassShift + 1} {
		if idx, size := classOf(n); idx != -1 || size != 0 {
			t.Errorf("classOf(%d) = %d, %d, want outside the classes", n, idx, size)
		}
	}
	if idx, _ := classOf(1 << maxClassShift); idx != numClasses-1 {
		t.Errorf("largest class index %d, want %d", idx, numClasses-1)
	}
}

func same(a, b []byte) bool { return unsafe.SliceData(a) == unsafe.SliceData(b) }

// newRecycler returns a recycler over a checked allocator, which t's end
// checks is back to zero, and the budget of limit bytes it draws on.
func newRecycler(t *testing.T, limit int64, poison bool) (*Recycler, *Budget, *memory.CheckedAllocator) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	b := New(Options{Limit: limit})
	return NewRecycler(mem, b, poison), b, mem
}

func TestRecyclerReusesAndAccounts(t *testing.T) {
	r, b, _ := newRecycler(t, 64<<20, false)

	a := r.AllocateUninit(100_000)
	if len(a) != 100_000 || cap(a) != 100_000 {
		t.Fatalf("len %d, cap %d: want both the size asked for", len(a), cap(a))
	}
	_, class := classOf(100_000)
	for i := range a {
		a[i] = 7
	}
	r.Free(a)
	if r.Held() != int64(class) || b.Used() != int64(class) {
		t.Fatalf("held %d, budget used %d, want %d kept and reserved", r.Held(), b.Used(), class)
	}
	c := r.AllocateUninit(99_000) // same class
	if !same(a, c) {
		t.Fatal("a released buffer of the class was not reused")
	}
	if r.Held() != 0 || b.Used() != 0 {
		t.Fatalf("held %d, budget used %d after reuse, want 0", r.Held(), b.Used())
	}
	r.Free(c)

	// Allocate never recycles: its buffers may back strings that Go code
	// keeps past their release. Nor do small and huge requests.
	z := r.Allocate(99_000)
	if same(z, c) {
		t.Fatal("Allocate handed out a recycled buffer")
	}
	for i, v := range z {
		if v != 0 {
			t.Fatalf("Allocate byte %d = %d, want zero", i, v)
		}
	}
	r.Free(z)
	s := r.AllocateUninit(100)
	r.Free(s)
	if r.Held() != int64(class) {
		t.Fatalf("held %d after releasing unrecycled buffers, want %d", r.Held(), class)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Held() != 0 || b.Used() != 0 {
		t.Fatalf("after Close: held %d, budget used %d, want 0", r.Held(), b.Used())
	}
	// Released after the query ended: straight back to the inner allocator.
	late := r.AllocateUninit(50_000)
	r.Free(late)
	if r.Held() != 0 {
		t.Fatalf("kept %d bytes after Close", r.Held())
	}
}

func TestRecyclerCapAndRefusal(t *testing.T) {
	// 8 MiB budget: the pool keeps at most 1 MiB.
	r, b, _ := newRecycler(t, 8<<20, false)
	var bufs [][]byte
	for range 5 {
		bufs = append(bufs, r.AllocateUninit(256<<10))
	}
	for _, x := range bufs {
		r.Free(x)
	}
	if r.Held() != 1<<20 || b.Used() != 1<<20 {
		t.Fatalf("held %d, used %d: want the pool capped at 1 MiB", r.Held(), b.Used())
	}
	// An operator takes the rest of the budget; buffers taken from the
	// pool gave up their reservation, so one released again is kept.
	op := b.Reserve("op")
	if !op.TryGrow(7 << 20) {
		t.Fatal("operator reservation refused")
	}
	x, y := r.AllocateUninit(256<<10), r.AllocateUninit(256<<10)
	z := r.AllocateUninit(256 << 10)
	r.Free(z)
	if r.Held() != 2*(256<<10) {
		t.Fatalf("held %d, want the two buffers not taken back", r.Held())
	}
	op.Free()
	r.Free(x)
	r.Free(y)
	b.Close()
	if b.Used() != 0 {
		t.Fatalf("budget used %d after Close", b.Used())
	}
}

func TestRecyclerRefusedByBudget(t *testing.T) {
	r, b, _ := newRecycler(t, 8<<20, false)
	op := b.Reserve("op")
	if !op.TryGrow(8 << 20) {
		t.Fatal("operator reservation refused")
	}
	x := r.AllocateUninit(64 << 10)
	r.Free(x)
	if r.Held() != 0 || b.Used() != 8<<20 {
		t.Fatalf("held %d, used %d: a full budget must keep the pool empty", r.Held(), b.Used())
	}
	op.Free()
	b.Close()
}

func TestRecyclerReallocate(t *testing.T) {
	r, b, _ := newRecycler(t, 0, false)
	// A dirty buffer of the 20 KiB class, reused and grown in place.
	d := r.AllocateUninit(20 << 10)
	for i := range d {
		d[i] = 1
	}
	r.Free(d)
	a := r.AllocateUninit(17 << 10)
	if !same(a, d) {
		t.Fatal("not reused")
	}
	for i := range a {
		a[i] = 2
	}
	g := r.Reallocate(19<<10, a)
	if !same(g, a) || len(g) != 19<<10 {
		t.Fatal("growth within the class did not stay in place")
	}
	for i, v := range g {
		if want := byte(2 * b2i(i < 17<<10)); v != want {
			t.Fatalf("byte %d = %d, want %d", i, v, want)
		}
	}
	// Growth past the class moves, keeps the bytes and zeroes the rest.
	h := r.Reallocate(100<<10, g)
	if same(h, g) || len(h) != 100<<10 {
		t.Fatal("growth past the class did not move")
	}
	for i, v := range h {
		if want := byte(2 * b2i(i < 17<<10)); v != want {
			t.Fatalf("byte %d = %d, want %d", i, v, want)
		}
	}
	// A small buffer grown into the classes, and one kept small.
	s := r.AllocateUninit(100)
	s[0] = 3
	s = r.Reallocate(200, s)
	s = r.Reallocate(40<<10, s)
	if s[0] != 3 || s[150] != 0 {
		t.Fatal("small buffer lost its bytes when grown")
	}
	r.Free(s)
	r.Free(h)
	b.Close()
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

func TestRecyclerPoison(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	r := NewRecycler(memory.NewGoAllocator(), b, true)
	a := r.AllocateUninit(32 << 10)
	view := a[:10] // a reader that wrongly kept a slice after the release
	r.Free(a)
	for i, v := range view {
		if v != 0xA5 {
			t.Fatalf("byte %d of a released buffer = %#x, want the poison 0xA5", i, v)
		}
	}
}

// TestRecyclerConcurrent checks that no buffer is handed to two owners:
// each goroutine stamps its buffers and checks the stamp before release.
func TestRecyclerConcurrent(t *testing.T) {
	r, b, _ := newRecycler(t, 256<<20, false)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stamp := byte(g + 1)
			var live [][]byte
			for i := range 300 {
				n := (16 << 10) + (i*4099)%(300<<10)
				x := r.AllocateUninit(n)
				for j := range x {
					x[j] = stamp
				}
				live = append(live, x)
				if len(live) > 3 {
					y := live[0]
					live = live[1:]
					for j, v := range y {
						if v != stamp {
							t.Errorf("goroutine %d: byte %d = %d, another owner wrote it", g, j, v)
							return
						}
					}
					r.Free(y)
				}
			}
			for _, y := range live {
				r.Free(y)
			}
		}()
	}
	wg.Wait()
	b.Close()
	if b.Used() != 0 {
		t.Fatalf("budget used %d after Close", b.Used())
	}
}

// TestRecyclerArrowBuffers drives the recycler the way Arrow does:
// resizable buffers that grow, shrink and are released, and a slice that
// never came from it.
func TestRecyclerArrowBuffers(t *testing.T) {
	r, b, mem := newRecycler(t, 0, false)
	if Filling(mem) != memory.Allocator(mem) {
		t.Fatal("Filling wrapped an allocator that cannot allocate without clearing")
	}
	buf := memory.NewResizableBuffer(Filling(r))
	buf.Resize(20 << 10)
	clear(buf.Bytes())
	buf.Bytes()[0] = 1
	buf.Resize(30 << 10)  // moves into the 32 KiB class
	buf.Reserve(70 << 10) // and into the 80 KiB one
	if buf.Cap() < 70<<10 {
		t.Errorf("capacity %d after Reserve(70 KiB)", buf.Cap())
	}
	buf.Resize(5) // shrinks in place
	buf.Resize(20 << 10)
	if buf.Bytes()[0] != 1 || buf.Bytes()[10] != 0 || buf.Len() != 20<<10 {
		t.Errorf("buffer lost its first byte or is not zeroed past it: %v", buf.Bytes()[:11])
	}
	buf.Release()
	if r.Held() == 0 {
		t.Fatal("a released class buffer was not kept")
	}
	// A slice of a class's size that the recycler did not hand out goes
	// to the inner allocator, which did.
	held := r.Held()
	foreign := mem.Allocate(64 << 10)
	r.Free(foreign)
	if r.Held() != held {
		t.Errorf("held %d after freeing a foreign slice, want %d", r.Held(), held)
	}
	b.Close()
	if r.Held() != 0 || b.Used() != 0 {
		t.Fatalf("held %d, budget %d after Close", r.Held(), b.Used())
	}
}

// TestRecyclerGivesWay checks that kept buffers never make the budget
// refuse an operator: the recycler gives them all back first.
func TestRecyclerGivesWay(t *testing.T) {
	r, b, _ := newRecycler(t, 8<<20, false)
	x, y := r.AllocateUninit(512<<10), r.AllocateUninit(512<<10)
	r.Free(x)
	r.Free(y)
	if r.Held() != 1<<20 {
		t.Fatalf("held %d, want 1 MiB", r.Held())
	}
	op := b.Reserve("op")
	if !op.TryGrow(7<<20 + 1) {
		t.Fatal("an operator was refused memory that the recycler only kept")
	}
	if r.Held() != 0 || b.Used() != 7<<20+1 {
		t.Fatalf("held %d, used %d: want the kept buffers given back", r.Held(), b.Used())
	}
	if op.TryGrow(1 << 20) {
		t.Fatal("reservation past the budget granted")
	}
	op.Free()
	b.Close()
}
