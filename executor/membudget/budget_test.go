package membudget

import (
	"errors"
	"os"
	"sync/atomic"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"256MB": 256 << 20, "256mb": 256 << 20, "1GB": 1 << 30, "64kB": 64 << 10, "100": 100 << 10,
		"512B": 512, "2 MB": 2 << 20, "1TB": 1 << 40, "8MiB": 8 << 20, "0": 0, "-1": 0,
	} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "1.5GB", "12XB", "-5", "99999999999TB"} {
		_, err := ParseSize(in)
		var se *sqltypes.Error
		if !errors.As(err, &se) || se.Code != sqltypes.CodeInvalidParameterValue {
			t.Errorf("ParseSize(%q): want 22023, got %v", in, err)
		}
	}
	for n, want := range map[int64]string{256 << 20: "256MB", 1536 << 10: "1536kB", 100: "100B", 0: "unlimited", 3 << 30: "3GB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestReservations(t *testing.T) {
	var spilled atomic.Int64
	b := New(Options{Limit: 1000, TempDir: t.TempDir(), SpillCounter: &spilled})
	r1, r2 := b.Reserve("Sort"), b.Reserve("HashJoin")
	if !r1.TryGrow(600) || !r2.TryGrow(400) {
		t.Fatal("grants within the budget refused")
	}
	if r1.TryGrow(1) {
		t.Fatal("grant beyond the budget")
	}
	err := r2.Grow(10)
	var se *sqltypes.Error
	if !errors.As(err, &se) || se.Code != sqltypes.CodeOutOfMemory {
		t.Fatalf("want 53200, got %v", err)
	}
	if se.Msg != "out of memory: HashJoin needs more than the query's memory budget (mesh.query_memory = '1000B')" {
		t.Errorf("message: %s", se.Msg)
	}
	r1.Shrink(100)
	if !r2.Resize(500) || b.Used() != 1000 || r2.Size() != 500 {
		t.Fatalf("resize: used %d, r2 %d", b.Used(), r2.Size())
	}
	r1.Free()
	r2.Free()
	if b.Used() != 0 || b.Peak() != 1000 || r1.Peak() != 600 {
		t.Fatalf("used %d peak %d r1 peak %d", b.Used(), b.Peak(), r1.Peak())
	}
	r1.AddSpilled(42)
	if b.Spilled() != 42 || spilled.Load() != 42 || r1.Spilled() != 42 {
		t.Fatal("spilled bytes not counted")
	}
	// Without a budget everything is granted.
	var none *Budget
	if r := none.Reserve("x"); !r.TryGrow(1<<60) || r.Size() != 1<<60 {
		t.Fatal("nil budget refused")
	}
}

// TestSpillersShareTheBudget: a spilling operator that has filled the
// budget does not starve another one under its fair share; the one over
// its share is refused from then on (and spills), which repays the loan.
func TestSpillersShareTheBudget(t *testing.T) {
	b := New(Options{Limit: 1000})
	hog, starved := b.Reserve("HashJoin").Spills(), b.Reserve("HashJoin").Spills()
	plain := b.Reserve("TopN")
	if !hog.TryGrow(990) {
		t.Fatal("grant within the budget refused")
	}
	// Two spillers hold memory: each is entitled to 1000/4.
	if !starved.TryGrow(200) || b.Used() != 1190 || b.Peak() != 1190 {
		t.Fatalf("a spiller under its share was refused: used %d", b.Used())
	}
	if starved.TryGrow(100) {
		t.Fatal("lent beyond the borrower's share")
	}
	if hog.TryGrow(1) {
		t.Fatal("the spiller over its share was not refused")
	}
	if plain.TryGrow(1) {
		t.Fatal("an operator that does not spill borrowed")
	}
	hog.Free() // it spilled
	if !hog.TryGrow(500) || b.Used() != 700 {
		t.Fatalf("after the spill: used %d", b.Used())
	}
	// Nobody holds more than its share: no loan.
	if starved.TryGrow(400) {
		t.Fatal("lent with no spiller over its share")
	}
}

// Loans never take a query more than half its limit over it, however
// many spillers borrow (each new one's share counts the earlier ones, so
// the shares alone add up without bound).
func TestLoansCappedAtHalfTheLimit(t *testing.T) {
	const limit = 1 << 20
	b := New(Options{Limit: limit})
	if !b.Reserve("HashJoin").Spills().TryGrow(limit) {
		t.Fatal("grant within the budget refused")
	}
	for range 20 {
		r := b.Reserve("HashJoin").Spills()
		for r.TryGrow(1024) {
		}
	}
	if b.Peak() > limit+limit/2 {
		t.Fatalf("loans took the query to %d bytes, limit %d", b.Peak(), limit)
	}
	if b.Used() <= limit {
		t.Fatal("nothing was lent: the test tests nothing")
	}
}

// Operators rebuilt each round of a recursive query reserve anew: the
// budget forgets those that hold nothing.
func TestFreedSpillersForgotten(t *testing.T) {
	b := New(Options{Limit: 1000})
	for range 1000 {
		r := b.Reserve("HashJoin").Spills()
		r.TryGrow(10)
		r.Free()
	}
	b.mu.Lock()
	n := len(b.spillers)
	b.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d freed reservations still listed", n)
	}
}

// The 53200 detail says what the query holds: nothing is 0B, not the
// "unlimited" of a zero setting.
func TestExceededDetailAmounts(t *testing.T) {
	b := New(Options{Limit: 1 << 20})
	if d := b.Exceeded("TopN", 3<<20).Detail; d != "Failed to reserve 3.0MB more; 0B reserved by the query." {
		t.Errorf("detail %q", d)
	}
}

func TestSpillFolderRemovedOnClose(t *testing.T) {
	b := New(Options{Limit: 1, TempDir: t.TempDir()})
	f, err := b.CreateSpillFile("Sort")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("x")
	f.Close()
	dir := b.Dir()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("spill folder %s still exists", dir)
	}
	if _, err := b.CreateSpillFile("Sort"); err == nil {
		t.Fatal("spill file created after Close")
	}
}

func TestDefaultLimit(t *testing.T) {
	for total, want := range map[int64]int64{0: 1 << 30, 512 << 20: 64 << 20, 16 << 30: 1 << 30, 1 << 40: 16 << 30, 8<<30 + 12345: 512 << 20} {
		if got := limitFor(total); got != want {
			t.Errorf("limitFor(%d) = %d, want %d", total, got, want)
		}
	}
	if l := DefaultLimit(); l < 64<<20 {
		t.Errorf("DefaultLimit() = %d", l)
	}
}

func TestPoolBoundsAllQueries(t *testing.T) {
	pool := NewPool(1000)
	q1 := New(Options{Limit: 800, TempDir: t.TempDir(), Pool: pool})
	q2 := New(Options{Limit: 800, TempDir: t.TempDir(), Pool: pool})
	a, b := q1.Reserve("Sort"), q2.Reserve("HashAggregate")
	if !a.TryGrow(600) {
		t.Fatal("grant within the budget and the pool refused")
	}
	// q2 is within its own 800 but the pool has 400 left.
	if b.TryGrow(500) || q2.Used() != 0 || pool.Used() != 600 {
		t.Fatalf("grant beyond the pool: q2 %d, pool %d", q2.Used(), pool.Used())
	}
	err := b.Grow(500)
	var se *sqltypes.Error
	if !errors.As(err, &se) || se.Code != sqltypes.CodeOutOfMemory || se.Msg != "out of memory: HashAggregate needs more memory than the server has left for queries (query_memory_total = '1000B')" {
		t.Fatalf("want the pool's 53200, got %v", err)
	}
	if a.TryGrow(300) {
		t.Fatal("q1's own budget (800) allowed 900")
	}
	if se := a.Exceeded(300); se.Msg != "out of memory: Sort needs more than the query's memory budget (mesh.query_memory = '800B')" {
		t.Errorf("over its own budget, the message names the pool: %s", se.Msg)
	}
	if !b.TryGrow(400) || pool.Used() != 1000 {
		t.Fatalf("the pool's last 400 refused: pool %d", pool.Used())
	}
	// A forced grow (a hash table that already grew) overshoots the pool
	// and is returned like any other.
	b.ForceGrow(50)
	if pool.Used() != 1050 || pool.Peak() != 1050 {
		t.Fatalf("forced grow: pool %d, peak %d", pool.Used(), pool.Peak())
	}
	a.Shrink(100)
	if pool.Used() != 950 {
		t.Fatalf("after a shrink: pool %d", pool.Used())
	}
	// Close gives back what operators did not free; later reservations
	// of the closed query do not count against the pool.
	q2.Close()
	if pool.Used() != 500 {
		t.Fatalf("after q2's Close: pool %d, want q1's 500", pool.Used())
	}
	b.Free()
	if pool.Used() != 500 {
		t.Fatalf("a free after Close returned memory twice: pool %d", pool.Used())
	}
	a.Free()
	q1.Close()
	if pool.Used() != 0 {
		t.Fatalf("pool %d after every query ended", pool.Used())
	}
}
