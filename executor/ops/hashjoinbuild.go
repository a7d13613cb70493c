package ops

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor/expr"
)

// joinTable is what a hash join looks its probe keys up in: the
// hashTable of a build on one goroutine, whose group ids index the
// join's chain heads, or a rowTable (partIntTable, partitioned by key
// hash and built on several). Lookups of NULL keys find no build rows.
type joinTable interface {
	len() int
}

// joinReader returns a view of t for one more concurrent prober.
func joinReader(t joinTable) joinTable {
	if h, ok := t.(hashTable); ok {
		return h.reader()
	}
	return t // partitioned tables write nothing when looking up
}

// parallelBuildRows is the smallest build side hashed on several
// goroutines: below it, starting them costs about what they save.
const parallelBuildRows = 1 << 14

// partBits is log2 of the number of partitions of a parallel build: a
// few per worker, so that partitions of unequal size (duplicate keys)
// still keep every worker busy until the end.
func partBits(workers int) uint {
	b := uint(1)
	for 1<<b < 4*workers && b < 8 {
		b++
	}
	return b
}

// buildParallel is the hashing step of build (table and row chains) on
// env.Workers goroutines when the build side is large enough and its key
// is one integer-like column: the rows are scattered into partitions by
// the top bits of their key's hash (radix partitioning), then each
// partition's table and chains are built by one goroutine, without
// locks; the probe finds the partition from the same bits. It reports
// false, having done nothing, when the build stays on one goroutine.
func (o *hashJoinOp) buildParallel(ctx context.Context, keys []arrow.Array, n int) (bool, error) {
	if o.env.Workers < 2 || n < o.minParallel {
		return false, nil
	}
	switch o.ht.(type) {
	case *intTable[int32]:
		return buildPartInt[int32](ctx, o, keys[0], n)
	case *intTable[int64]:
		return buildPartInt[int64](ctx, o, keys[0], n)
	}
	return false, nil
}

// BuildsInParallel reports whether a hash join on keys hashes a large
// build side on several workers: one integer-like key column, or two
// that are packed into one (hashjoinpack.go; unless a build value does
// not fit in 32 bits, which the data decides). The planner shares a
// build side that is much larger than its probe side only if so.
func BuildsInParallel(keys []expr.Expr) bool {
	types := make([]arrow.DataType, len(keys))
	for i, k := range keys {
		types[i] = k.Type().Arrow()
	}
	return len(keys) == 1 && intKeyBits(types[0]) != 0 || packableKeys(types)
}

// partIntTable is the table of a join's build side with one integer-like
// key, built by parts: the top bits of the key's Fibonacci hash choose a
// part, one goroutine builds each part's table, and each part is then
// copied into its own region of one slot array, all regions of one size.
// The top bits of the hash then give the slot, part and position in it
// at once, so a lookup costs what it does in one intTable; only linear
// probing wraps around within the region. A slot holds its key beside
// the first build row of the key's chain (+1, 0 = empty), so that a
// lookup reads one cache line and no chain head (rowTable): on a build
// side far larger than the caches (TPC-H Q9's 1.5M orders) each is a
// miss.
type partIntTable[T int32 | int64] struct {
	slots []keyRow[T]
	shift uint   // 64 - (partition bits + region bits)
	rmask uint64 // region size - 1
	n     int
	// filter is the runtime join filter of the keys (hashjoinkeyfilter.go),
	// or nil for a table that fits the caches.
	filter *keyFilter
}

// keyRow is a slot of a partIntTable.
type keyRow[T int32 | int64] struct {
	key T
	row int32 // first build row + 1; 0 = empty
}

// rowTable is a joinTable that gives each probe row's first build row
// directly instead of its group.
type rowTable interface {
	joinTable
	// lookupRows sets heads[i] to the first build row with row i's key,
	// or -1 if there is none (or the key is NULL).
	lookupRows(keys []arrow.Array, heads []int32)
	// lookupFiltered is lookupRows for the rows rows of keys only (nil:
	// all; heads[i] is -1 for the others), checking the table's key
	// filter first unless u has turned it off, and counting what it
	// skipped in u and st (nil: not counted). sel is scratch space,
	// returned for reuse.
	lookupFiltered(keys []arrow.Array, rows, heads []int32, u *keyFilterUse, st *JoinStats, sel []int32) []int32
}

func (t *partIntTable[T]) len() int { return t.n }

func (t *partIntTable[T]) lookupRows(keys []arrow.Array, heads []int32) {
	t.lookupRowVals(fixedVals[T](keys[0]), validityOf(keys[0]), heads)
}

func (t *partIntTable[T]) lookupFiltered(keys []arrow.Array, rows, heads []int32, u *keyFilterUse, st *JoinStats, sel []int32) []int32 {
	return t.lookupValsFiltered(fixedVals[T](keys[0]), validityOf(keys[0]), rows, heads, u, st, sel)
}

// lookupValsFiltered is lookupFiltered over the key values vals with
// validity v.
func (t *partIntTable[T]) lookupValsFiltered(vals []T, v validity, rows, heads []int32, u *keyFilterUse, st *JoinStats, sel []int32) []int32 {
	if rows == nil && (t.filter == nil || u.off) {
		t.lookupRowVals(vals, v, heads)
		return sel
	}
	for i := range heads {
		heads[i] = -1
	}
	if t.filter == nil || u.off {
		sel = keepValid(append(sel[:0], rows...), v)
		t.lookupSel(vals, sel, heads)
		return sel
	}
	vals = vals[:len(heads)]
	var skipped int
	sel, skipped = keyCandidates(t.filter, vals, rows, sel[:0])
	checked := len(rows)
	if rows == nil {
		checked = len(vals)
	}
	u.record(checked, skipped, st)
	sel = keepValid(sel, v)
	t.lookupSel(vals, sel, heads)
	return sel
}

// lookupSel sets heads[r] for the rows r of sel, whose keys are not NULL.
func (t *partIntTable[T]) lookupSel(vals []T, sel, heads []int32) {
	for _, r := range sel {
		heads[r] = t.find(vals[r])
	}
}

// lookupRowVals is lookupRows over the key values vals with validity v.
func (t *partIntTable[T]) lookupRowVals(vals []T, v validity, heads []int32) {
	for i, k := range vals[:len(heads)] {
		if v.Bits != nil && !v.OK(i) {
			heads[i] = -1
			continue
		}
		heads[i] = t.find(k)
	}
}

// find returns the first build row with key k, or -1.
func (t *partIntTable[T]) find(k T) int32 {
	q := (uint64(k) * fibMul) >> t.shift
	for {
		s := &t.slots[q]
		if s.row == 0 || s.key == k {
			return s.row - 1
		}
		q = q&^t.rmask | (q+1)&t.rmask
	}
}

// place copies part p's groups into region p of t, each with the first
// row of its chain, head[g].
func (t *partIntTable[T]) place(part *intTable[T], p int, head []int32) {
	base := uint64(p) * (t.rmask + 1)
	rshift := t.shift + part.pbits // 64 - region bits
	for g, k := range part.keys {
		q := base | (uint64(k)*fibMul<<part.pbits)>>rshift
		for t.slots[q].row != 0 {
			q = q&^t.rmask | (q+1)&t.rmask
		}
		t.slots[q] = keyRow[T]{k, head[g] + 1}
	}
}

// insertPart adds rows (none with a NULL key), setting gids[r] to the
// part's group of every row r of rows. Like insert, it grows the table
// with the number of groups, not rows: a build side with few rows per
// key gets a table as small as a serial build's.
func (t *intTable[T]) insertPart(vals []T, rows, gids []int32) {
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), 1024)]
		rows = rows[len(chunk):]
		if 2*(t.n+len(chunk)) > len(t.sgids) {
			c := len(t.sgids)
			for 2*(t.n+len(chunk)) > c {
				c *= 2
			}
			t.resize(c)
		}
		mask := uint64(len(t.sgids) - 1)
		for _, r := range chunk {
			k := vals[r]
			p := t.slot(k)
			for {
				g := t.sgids[p]
				if g == 0 {
					t.skeys[p], t.sgids[p] = k, int32(t.n+1)
					gids[r] = int32(t.n)
					t.keys = append(t.keys, k)
					t.n++
					break
				}
				if t.skeys[p] == k {
					gids[r] = g - 1
					break
				}
				p = (p + 1) & mask
			}
		}
	}
}

// buildPartInt builds o's table and chains from key, n rows, with parts
// chosen by the top bits of the key's hash. NULL keys join no part:
// they match nothing. It reserves the row lists of the partitioning
// (4 bytes a row) for its duration and stays serial if they are refused.
func buildPartInt[T int32 | int64](ctx context.Context, o *hashJoinOp, key arrow.Array, n int) (bool, error) {
	extra := int64(4 * n)
	if !o.res.TryGrow(extra) {
		return false, nil
	}
	defer o.res.Shrink(extra)
	w := o.env.Workers
	bits := partBits(w)
	np := 1 << bits
	shift := 64 - bits
	vals := fixedVals[T](key)
	v := validityOf(key)
	// Each chunk of rows counts its rows per part, then writes them at
	// its own positions of the part's row list: rows stay in order.
	// It also finds the least and greatest key, for the key filter.
	chunk := (n + w - 1) / w
	counts := make([][]int, w)
	los, his := make([]T, w), make([]T, w)
	if err := runParts(ctx, w, w, func(c int) {
		cnt := make([]int, np)
		lo, hi := intBounds[T]()
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			if v.Bits == nil || v.OK(i) {
				k := vals[i]
				cnt[(uint64(k)*fibMul)>>shift]++
				lo, hi = min(lo, k), max(hi, k)
			}
		}
		counts[c], los[c], his[c] = cnt, lo, hi
	}); err != nil {
		return true, err
	}
	start := make([]int, np+1)
	total := 0
	for p := range np {
		start[p] = total
		for c := range w {
			cnt := counts[c][p]
			counts[c][p] = total
			total += cnt
		}
	}
	start[np] = total
	rows := make([]int32, total)
	if err := runParts(ctx, w, w, func(c int) {
		pos := counts[c]
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			if v.Bits == nil || v.OK(i) {
				p := (uint64(vals[i]) * fibMul) >> shift
				rows[pos[p]] = int32(i)
				pos[p]++
			}
		}
	}); err != nil {
		return true, err
	}
	parts := make([]intTable[T], np)
	gids := make([]int32, n)
	if err := runParts(ctx, w, np, func(p int) {
		s := &parts[p]
		*s = intTable[T]{dt: key.DataType(), nullGid: -1, pbits: bits}
		s.resize(16)
		s.insertPart(vals, rows[start[p]:start[p+1]], gids)
	}); err != nil {
		return true, err
	}
	offs := make([]int32, np)
	groups, region := 0, 16
	for p := range parts {
		offs[p] = int32(groups)
		groups += parts[p].n
		region = max(region, len(parts[p].sgids))
	}
	// While the parts are copied, both are held: reserve the copy (the
	// build's reservation already counts one table, per row).
	size := int64(np*region) * int64(unsafe.Sizeof(keyRow[T]{}))
	if !o.res.TryGrow(size) {
		return false, nil
	}
	defer o.res.Shrink(size)
	t := &partIntTable[T]{
		slots: make([]keyRow[T], np*region),
		shift: uint(64 - int(bits) - log2(region)), rmask: uint64(region - 1), n: groups,
	}
	// The key filter is reserved for the build's life (keyFilterBytes);
	// it only saves time, so without room for it the join probes the
	// table alone.
	if t.withKeyFilter(o.minKeyFilter, slices.Min(los), slices.Max(his)) && !o.res.TryGrow(t.filter.bytes()) {
		t.filter = nil
	}
	head := make([]int32, groups)
	next := make([]int32, n)
	if err := runParts(ctx, w, np, func(p int) {
		h := head[offs[p] : int(offs[p])+parts[p].n]
		for i := range h {
			h[i] = -1
		}
		rp := rows[start[p]:start[p+1]]
		for j := len(rp) - 1; j >= 0; j-- {
			r := rp[j]
			g := gids[r]
			next[r] = h[g]
			h[g] = r
		}
		t.place(&parts[p], p, h)
		if t.filter != nil {
			t.fillKeyFilter(p)
		}
		parts[p] = intTable[T]{}
	}); err != nil {
		return true, err
	}
	o.table, o.head, o.next = t, head, next
	return true, nil
}

// intBounds returns T's greatest and least values.
func intBounds[T int32 | int64]() (greatest, least T) {
	var most, fewest int64 = math.MaxInt64, math.MinInt64
	shift := 64 - 8*unsafe.Sizeof(T(0))
	return T(most >> shift), T(fewest >> shift)
}

// runParts calls fn(p) for p in [0, parts) on up to workers goroutines
// and waits for them; it stops starting parts once ctx is done. A panic
// in fn is the XX000 error it returns (a worker goroutine's panic would
// otherwise end the process), and the other workers stop starting parts.
func runParts(ctx context.Context, workers, parts int, fn func(p int)) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for range min(workers, parts) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					err := panicError(r)
					failed.CompareAndSwap(nil, &err)
				}
			}()
			for {
				p := int(next.Add(1)) - 1
				if p >= parts || ctx.Err() != nil || failed.Load() != nil {
					return
				}
				fn(p)
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return *err
	}
	return ctxErr(ctx)
}
