// Package membudget is the per-query memory accountant: one Budget per
// query, one Reservation per operator that retains memory. Operators ask
// their reservation for more before they hold more; a refusal tells a
// spilling operator (sort, hash aggregate, hash join) to move state to
// disk and every other one to fail the query with 53200, so that a query
// ends with an error instead of the process being killed.
//
// The accounting is of the Arrow data an operator keeps (the logical size
// of retained arrays, see ArrayBytes) plus the estimated size of its own
// structures (hash tables, accumulators): the numbers are what operators
// declare. The one allocator here, Recycler, only keeps the large buffers
// a query has released for its next allocations, and reserves what it
// keeps.
//
// A Budget also owns the query's spill directory, created on first use
// under the configured temp folder and removed by Close (the engine closes
// the budget when the query ends, also on error or cancel), and counts
// the bytes written to spill files.
//
// A Pool is the server-wide memory every query's Budget also draws on,
// so that the sum over concurrent queries is bounded too.
//
// Key API: New, NewPool, Budget.Reserve, Reservation.TryGrow / Grow / Shrink,
// Reservation.Spills (fair shares between spilling operators),
// Budget.CreateSpillFile, Budget.Close, NewRecycler, ParseSize, FormatSize.
// It imports arrow and sqltypes.
package membudget

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/meshql/meshql/sqltypes"
)

// Setting is the session setting that sizes the budget; error messages
// name it so that users know what to raise.
const Setting = "mesh.query_memory"

// Options configure a Budget.
type Options struct {
	// Limit is the budget in bytes; <= 0 means unlimited.
	Limit int64
	// TempDir is where the query's spill folder is created; "" means
	// os.TempDir().
	TempDir string
	// SpillCounter, when set, also receives every spilled byte (the
	// engine's meshql_spill_bytes_total).
	SpillCounter *atomic.Int64
	// Pool, when set, is the server-wide memory this budget also draws
	// on; Close returns what the query still holds.
	Pool *Pool
}

// Budget is the memory budget of one query. It is safe for concurrent use
// (parallel operators share it).
type Budget struct {
	opts    Options
	used    atomic.Int64
	peak    atomic.Int64
	spilled atomic.Int64
	// pooled is what the budget holds from opts.Pool; ended stops
	// drawing on the pool once Close has returned it.
	pooled atomic.Int64
	ended  atomic.Bool

	mu        sync.Mutex
	dir       string
	closed    bool
	recyclers []*Recycler    // closed by Close
	spillers  []*Reservation // Spills-marked reservations holding memory, for lend
}

// New returns a budget.
func New(opts Options) *Budget { return &Budget{opts: opts} }

// Limit is the budget in bytes (<= 0: unlimited).
func (b *Budget) Limit() int64 { return b.opts.Limit }

// Used is the memory reserved now.
func (b *Budget) Used() int64 { return b.used.Load() }

// Peak is the most memory reserved at once.
func (b *Budget) Peak() int64 { return b.peak.Load() }

// Spilled is the number of bytes written to spill files.
func (b *Budget) Spilled() int64 { return b.spilled.Load() }

func (b *Budget) tryGrow(n int64) bool { return b.tryGrowTo(n, b.opts.Limit) }

// tryGrowTo reserves n bytes if the query's use stays within limit (<= 0:
// none) and the server's pool has them.
func (b *Budget) tryGrowTo(n, limit int64) bool {
	for {
		u := b.used.Load()
		if limit > 0 && u+n > limit {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			if !b.drawPool(n) {
				b.used.Add(-n)
				return false
			}
			notePeak(&b.peak, u+n)
			return true
		}
	}
}

// drawPool takes n bytes from the server's pool, if any.
func (b *Budget) drawPool(n int64) bool {
	p := b.opts.Pool
	if p == nil || b.ended.Load() {
		return true
	}
	if !p.tryGrow(n) {
		return false
	}
	b.pooled.Add(n)
	return true
}

// release returns n bytes an operator gave back, to the query and to the
// pool.
func (b *Budget) release(n int64) {
	b.used.Add(-n)
	p := b.opts.Pool
	if p == nil {
		return
	}
	for {
		held := b.pooled.Load()
		k := min(n, held)
		if k <= 0 {
			return
		}
		if b.pooled.CompareAndSwap(held, held-k) {
			p.release(k)
			return
		}
	}
}

func notePeak(peak *atomic.Int64, v int64) {
	for {
		p := peak.Load()
		if v <= p || peak.CompareAndSwap(p, v) {
			return
		}
	}
}

// Reserve returns an empty reservation named after its operator (the name
// appears in 53200 errors). A nil Budget gives reservations that always
// grant, so operators built without a budget (tests, internal
// evaluations) run unlimited.
func (b *Budget) Reserve(name string) *Reservation { return &Reservation{b: b, name: name} }

// Exceeded returns the 53200 error for an operator that needed want more
// bytes than the budget had left.
func (b *Budget) Exceeded(what string, want int64) *sqltypes.Error {
	var limit, used int64
	if b != nil {
		limit, used = b.opts.Limit, b.Used()
	}
	if p := b.pool(); p != nil && p.limit > 0 && (limit <= 0 || used+want <= limit) {
		// The query is within its own budget: the server's pool is
		// what ran out, taken by other queries.
		return sqltypes.New(sqltypes.CodeOutOfMemory, "out of memory: %s needs more memory than the server has left for queries (%s = '%s')",
			what, PoolSetting, FormatSize(p.limit)).
			WithDetail("Failed to reserve %s more; %s reserved by this query, %s by all queries.", HumanSize(want), HumanSize(used), HumanSize(p.Used())).
			WithHint("Retry when fewer queries run, or raise the server's %s.", PoolSetting)
	}
	return sqltypes.New(sqltypes.CodeOutOfMemory, "out of memory: %s needs more than the query's memory budget (%s = '%s')",
		what, Setting, FormatSize(limit)).
		WithDetail("Failed to reserve %s more; %s reserved by the query.", HumanSize(want), HumanSize(used)).
		WithHint("Raise the budget, e.g. SET %s = '%s', or make the query keep less in memory.", Setting, FormatSize(max(2*limit, 64<<20)))
}

// AddSpilled counts n bytes written to spill files.
func (b *Budget) AddSpilled(n int64) {
	if b == nil {
		return
	}
	b.spilled.Add(n)
	if b.opts.SpillCounter != nil {
		b.opts.SpillCounter.Add(n)
	}
}

// CreateSpillFile creates a new file in the query's spill folder, which is
// made on first use. The caller closes and removes it when done; Close of
// the budget removes whatever is left.
func (b *Budget) CreateSpillFile(prefix string) (*os.File, error) {
	if b == nil {
		return nil, sqltypes.New(sqltypes.CodeInternal, "internal error: spilling without a memory budget")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, sqltypes.New(sqltypes.CodeQueryCanceled, "canceling statement: the query has ended")
	}
	if b.dir == "" {
		d, err := os.MkdirTemp(b.opts.TempDir, "meshql-spill-")
		if err != nil {
			return nil, spillIOError(err)
		}
		b.dir = d
	}
	f, err := os.CreateTemp(b.dir, prefix+"-*.arrows")
	if err != nil {
		return nil, spillIOError(err)
	}
	return f, nil
}

// Dir is the query's spill folder, "" if nothing spilled yet.
func (b *Budget) Dir() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dir
}

func (b *Budget) pool() *Pool {
	if b == nil {
		return nil
	}
	return b.opts.Pool
}

// Close closes the query's recyclers, returns what the query still holds
// to the pool and removes the spill folder and everything in it. Later CreateSpillFile calls fail. It
// is idempotent. Call it once the query's operators have stopped: what
// they reserve after Close is not drawn from the pool.
func (b *Budget) Close() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	recyclers := b.recyclers
	b.recyclers = nil
	b.mu.Unlock()
	for _, r := range recyclers {
		r.Close()
	}
	if !b.ended.Swap(true) && b.opts.Pool != nil {
		b.opts.Pool.release(b.pooled.Swap(0))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.dir == "" {
		return nil
	}
	err := os.RemoveAll(b.dir)
	b.dir = ""
	return err
}

// spillIOError reports a failure to create or write a spill file: the
// query cannot spill, so it cannot run within its budget.
func spillIOError(err error) *sqltypes.Error {
	return sqltypes.Wrap(err, sqltypes.CodeOutOfMemory, "out of memory: could not spill to disk: %v", err).
		WithHint("Free space in the spill folder, or raise %s so that the query needs no spill.", Setting)
}

// SpillIOError is spillIOError for the operators' writes.
func SpillIOError(err error) *sqltypes.Error { return spillIOError(err) }

// Reservation is the memory one operator holds. Grow and shrink it as the
// operator retains and releases memory; Free returns all of it. Its
// counters are atomic so EXPLAIN ANALYZE may read them while the query
// runs; a reservation is otherwise used by one goroutine at a time.
type Reservation struct {
	b       *Budget
	name    string
	kept    bool // a Recycler's: refused outright, never trims recyclers
	spills  bool // see Spills
	size    atomic.Int64
	peak    atomic.Int64
	spilled atomic.Int64
}

// Budget is the budget the reservation draws on (nil: unlimited).
func (r *Reservation) Budget() *Budget { return r.b }

// TryGrow reserves n more bytes if the budget has them, or if r is a
// spilling operator under its fair share while another one holds more
// than its own (lend).
func (r *Reservation) TryGrow(n int64) bool {
	if n <= 0 {
		r.Shrink(-n)
		return true
	}
	if r.b != nil && !r.b.tryGrow(n) && !r.retryGrow(n) {
		return false
	}
	r.added(n)
	return true
}

// added counts n bytes the budget granted r; a spilling operator that
// starts holding memory joins the budget's spillers.
func (r *Reservation) added(n int64) {
	size := r.size.Add(n)
	notePeak(&r.peak, size)
	if size == n && r.spills && r.b != nil {
		r.b.holding(r)
	}
}

// holding lists r among the spillers exactly while it holds memory,
// deciding under the lock from its size (a grow and a shrink racing
// cannot leave it listed at 0). Only reservations that hold memory are
// listed: operators rebuilt every round of a recursive query would
// otherwise pile up for the query's life.
func (b *Budget) holding(r *Reservation) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.Index(b.spillers, r)
	switch held := r.size.Load() > 0; {
	case held && i < 0:
		b.spillers = append(b.spillers, r)
	case !held && i >= 0:
		b.spillers = slices.Delete(b.spillers, i, i+1)
	}
}

// retryGrow is TryGrow after the budget refused n bytes: buffers kept for
// reuse give way to an operator's memory, and then a spilling operator
// may borrow.
func (r *Reservation) retryGrow(n int64) bool {
	if r.kept {
		return false
	}
	if r.b.trimRecyclers() > 0 && r.b.tryGrow(n) {
		return true
	}
	return r.b.lend(r, n)
}

// Spills marks r as the reservation of an operator that answers a
// refusal by moving its state to disk (hash join, hash aggregate, sort,
// CTE), and returns r.
//
// The budget arbitrates between such operators by fair share, as Spark's
// execution memory does: of the k spilling operators that hold memory
// (the asking one included), each is entitled to Limit/2k. First come is
// not first served: an operator that has filled the budget with rows it
// could spill (a hash join collecting its build side from a join below
// it) would otherwise starve the operators it is waiting for, which
// then partition their inputs ever finer to fit into nothing and fail
// with 53200 at the deepest level (TPC-H Q9 at 512kB did, a run in a
// few). See lend.
func (r *Reservation) Spills() *Reservation {
	r.spills = true
	if r.b != nil && r.size.Load() > 0 {
		r.b.holding(r)
	}
	return r
}

// lend grants spilling operator r n bytes beyond the limit when that
// keeps r within its fair share and another spilling operator holds more
// than its own. The budget is then over its limit, so that operator is
// refused at its next growth and spills, which repays the loan. Loans
// never take the query more than half its limit over it: one lender that
// does not grow any more (a finished build side) keeps the query there,
// degraded instead of failed. The server's pool is asked as usual.
func (b *Budget) lend(r *Reservation, n int64) bool {
	if b.opts.Limit <= 0 || !r.spills {
		return false
	}
	b.mu.Lock()
	k, most := 0, int64(0)
	for _, q := range b.spillers {
		if s := q.size.Load(); q != r && s > 0 {
			k++
			most = max(most, s)
		}
	}
	b.mu.Unlock()
	share := b.opts.Limit / int64(2*(k+1))
	if r.size.Load()+n > share || most <= share {
		return false
	}
	return b.tryGrowTo(n, b.opts.Limit+b.opts.Limit/2)
}

// trimRecyclers makes the query's recyclers give back the buffers they
// keep and returns how many bytes that freed.
func (b *Budget) trimRecyclers() int64 {
	b.mu.Lock()
	rs := append([]*Recycler(nil), b.recyclers...)
	b.mu.Unlock()
	var n int64
	for _, r := range rs {
		n += r.trim()
	}
	return n
}

// Grow reserves n more bytes or fails with 53200 naming the operator.
func (r *Reservation) Grow(n int64) error {
	if r.TryGrow(n) {
		return nil
	}
	return r.b.Exceeded(r.name, n)
}

// ForceGrow records n bytes the operator already holds, even beyond the
// budget: a hash table that has just grown by one batch's new groups
// cannot take them back. The operator must then stop growing (spill);
// the overshoot shows in Peak.
func (r *Reservation) ForceGrow(n int64) {
	if n <= 0 {
		return
	}
	if r.b != nil {
		notePeak(&r.b.peak, r.b.used.Add(n))
		if p := r.b.opts.Pool; p != nil && !r.b.ended.Load() {
			p.forceGrow(n)
			r.b.pooled.Add(n)
		}
	}
	r.added(n)
}

// Shrink returns n bytes (at most the reserved size) to the budget.
func (r *Reservation) Shrink(n int64) {
	if n <= 0 {
		return
	}
	n = min(n, r.size.Load())
	if r.size.Add(-n) == 0 && n > 0 && r.spills && r.b != nil {
		r.b.holding(r)
	}
	if r.b != nil {
		r.b.release(n)
	}
}

// Resize grows or shrinks the reservation to exactly n bytes; it reports
// false, changing nothing, if growing is refused.
func (r *Reservation) Resize(n int64) bool { return r.TryGrow(n - r.size.Load()) }

// Free returns the whole reservation.
func (r *Reservation) Free() { r.Shrink(r.size.Load()) }

// Size is the memory reserved now.
func (r *Reservation) Size() int64 { return r.size.Load() }

// Peak is the most memory the reservation held at once.
func (r *Reservation) Peak() int64 { return r.peak.Load() }

// Spilled is the number of bytes this operator wrote to spill files.
func (r *Reservation) Spilled() int64 { return r.spilled.Load() }

// AddSpilled counts n bytes this operator wrote to spill files.
func (r *Reservation) AddSpilled(n int64) {
	r.spilled.Add(n)
	r.b.AddSpilled(n)
}

// Exceeded is the 53200 error of this reservation's operator.
func (r *Reservation) Exceeded(want int64) *sqltypes.Error { return r.b.Exceeded(r.name, want) }

// CreateSpillFile creates a spill file for this operator (see
// Budget.CreateSpillFile).
func (r *Reservation) CreateSpillFile() (*os.File, error) { return r.b.CreateSpillFile(r.name) }

// String describes the reservation for debugging.
func (r *Reservation) String() string {
	return fmt.Sprintf("%s: %s (peak %s)", r.name, FormatSize(r.Size()), FormatSize(r.Peak()))
}
