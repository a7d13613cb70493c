package ops

import (
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Sorting strategy. Comparing row indexes through closures touches the
// key arrays at random, so for large inputs the cost is cache misses, not
// comparisons. Instead, every row gets an inline 64-bit prefix of its first
// key (order-preserving, direction applied), and (prefix, row) entries are
// sorted: by LSD radix sort when the prefix is the whole key (then runs of
// equal first keys are sorted by the remaining keys the same way), else by
// pdqsort on the prefix with the full comparators as tie breakers. NULLs
// of the first key are split off first and placed before or after the
// rest; they are sorted by the remaining keys. The row index
// is the final tie breaker, which makes the sort stable.

// sortEntry is one row to sort.
type sortEntry struct {
	key uint64
	row int32
}

// sortRowBytes is the memory sortRows takes per row, beyond the keys it
// reads: the order it returns (4 bytes), the (prefix, row) entries (16)
// and the radix sort's or the presorted merge's second copy of them
// (16). Operators reserve it from the query's budget before sorting.
const sortRowBytes = 4 + 2*16

// sortRows returns the stable order of rows 0..n-1 by keys.
func sortRows(keys []arrow.Array, specs []SortKey, n int) ([]int32, error) {
	return sortRowsFrom(keys, specs, n, nil)
}

// sortRowsFrom is sortRows over rows that arrived in batches starting at
// rows starts (ascending, from 0; nil: unknown). Batches each sorted on
// the first key that chain into a few sorted sequences are merged
// instead of sorted (presortedChains).
func sortRowsFrom(keys []arrow.Array, specs []SortKey, n int, starts []int) ([]int32, error) {
	cmps := make([]rowCmp, len(keys))
	for i, k := range keys {
		c, err := newRowCmp(k, specs[i].Desc, specs[i].NullsFirst)
		if err != nil {
			return nil, err
		}
		cmps[i] = c
	}
	rows := make([]int32, n)
	for i := range rows {
		rows[i] = int32(i)
	}
	sortSubsetFrom(rows, keys, specs, cmps, starts)
	return rows, nil
}

// sortSubset sorts rows (ascending row numbers) in place.
func sortSubset(rows []int32, keys []arrow.Array, specs []SortKey, cmps []rowCmp) {
	sortSubsetFrom(rows, keys, specs, cmps, nil)
}

// sortSubsetFrom is sortSubset of rows 0..n-1 that arrived in batches
// starting at starts (nil: unknown, or rows is not 0..n-1).
func sortSubsetFrom(rows []int32, keys []arrow.Array, specs []SortKey, cmps []rowCmp, starts []int) {
	if len(keys) == 0 || len(rows) < 2 {
		return
	}
	prefix, exact := prefixer(keys[0])
	if prefix == nil {
		sortIndices(rows, cmps)
		return
	}
	// Split NULLs of the first key off, stably.
	v := validityOf(keys[0])
	nulls := make([]int32, 0)
	entries := make([]sortEntry, 0, len(rows))
	flip := uint64(0)
	if specs[0].Desc {
		flip = ^uint64(0)
	}
	switch {
	case keys[0].NullN() == 0 && keys[0].DataType().ID() == arrow.INT64:
		// The common key (an id, a date as int64) without a call a row.
		d := fixedVals[int64](keys[0])
		entries = entries[:len(rows)]
		for i, r := range rows {
			entries[i] = sortEntry{(uint64(d[r]) ^ 1<<63) ^ flip, r}
		}
	default:
		isNull := keys[0].DataType().ID() == arrow.NULL
		for _, r := range rows {
			if isNull || !v.OK(int(r)) {
				nulls = append(nulls, r)
			} else {
				entries = append(entries, sortEntry{prefix(int(r)) ^ flip, r})
			}
		}
	}
	rest := cmps
	if exact {
		rest = cmps[1:]
	}
	switch {
	case len(rest) == 0:
		entries = radixUnlessPresorted(entries, starts, len(nulls) > 0)
	case exact:
		// Radix sort by the first key (or merge the sorted batches),
		// then sort each run of equal first keys by the remaining keys
		// (runs keep ascending row order).
		entries = radixUnlessPresorted(entries, starts, len(nulls) > 0)
		sortRuns(entries, keys[1:], specs[1:], rest)
	default:
		slices.SortFunc(entries, func(a, b sortEntry) int {
			if a.key != b.key {
				return cmp.Compare(a.key, b.key)
			}
			for _, c := range rest {
				if r := c(int(a.row), int(b.row)); r != 0 {
					return r
				}
			}
			return cmp.Compare(a.row, b.row)
		})
	}
	sortSubset(nulls, keys[1:], specs[1:], cmps[1:])
	out := rows[:0]
	if specs[0].NullsFirst {
		out = append(out, nulls...)
	}
	for _, e := range entries {
		out = append(out, e.row)
	}
	if !specs[0].NullsFirst {
		out = append(out, nulls...)
	}
}

// radixUnlessPresorted sorts entries by key: merged when they are the
// rows of batches starting at starts (none NULL) that mergePresorted
// takes, else by radix sort.
func radixUnlessPresorted(entries []sortEntry, starts []int, nulls bool) []sortEntry {
	if !nulls {
		if sorted, ok := mergePresorted(entries, starts); ok {
			return sorted
		}
	}
	radixSort(entries)
	return entries
}

// sortRuns sorts every run of entries with equal keys by the remaining
// keys: short runs by comparison, long ones recursively; by one integer
// or numeric key without NULLs (analyst q09's price within an order), on
// that key's values laid out beside the rows (sortRunsWide).
func sortRuns(entries []sortEntry, keys []arrow.Array, specs []SortKey, cmps []rowCmp) {
	if len(keys) == 1 && sortRunsWide(entries, keys[0], specs[0].Desc) {
		return
	}
	var run []int32
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].key == entries[i].key {
			j++
		}
		if j-i > 1 {
			run = run[:0]
			for _, e := range entries[i:j] {
				run = append(run, e.row)
			}
			if j-i < 32 {
				sortIndices(run, cmps)
			} else {
				sortSubset(run, keys, specs, cmps)
			}
			for k, r := range run {
				entries[i+k].row = r
			}
		}
		i = j
	}
}

// wideEntry is a row with a 128-bit key whose unsigned (hi, lo) order is
// the sort order.
type wideEntry struct {
	hi, lo uint64
	row    int32
}

func (a wideEntry) less(b wideEntry) bool {
	if a.hi != b.hi {
		return a.hi < b.hi
	}
	if a.lo != b.lo {
		return a.lo < b.lo
	}
	return a.row < b.row
}

// sortRunsWide is sortRuns by the one key arr when it is integer-like or
// numeric without NULLs, and reports whether it was: each run's values
// are copied beside its rows as wide keys and sorted inline, where
// comparing rows through the comparator closures (two per comparison,
// the key's and the row tie break) cost more than the values' loads.
func sortRunsWide(entries []sortEntry, arr arrow.Array, desc bool) bool {
	if arr.NullN() > 0 {
		return false
	}
	flip := uint64(0)
	if desc {
		flip = ^uint64(0)
	}
	var fill func(dst []wideEntry, run []sortEntry)
	switch arr.DataType().ID() {
	case arrow.INT32, arrow.DATE32:
		d := fixedVals[int32](arr)
		fill = func(dst []wideEntry, run []sortEntry) {
			for k, e := range run {
				dst[k] = wideEntry{flip, (uint64(int64(d[e.row])) ^ 1<<63) ^ flip, e.row}
			}
		}
	case arrow.INT64, arrow.TIMESTAMP:
		d := fixedVals[int64](arr)
		fill = func(dst []wideEntry, run []sortEntry) {
			for k, e := range run {
				dst[k] = wideEntry{flip, (uint64(d[e.row]) ^ 1<<63) ^ flip, e.row}
			}
		}
	case arrow.DECIMAL128:
		d := fixedVals[decimal128.Num](arr)
		fill = func(dst []wideEntry, run []sortEntry) {
			for k, e := range run {
				x := d[e.row]
				dst[k] = wideEntry{(uint64(x.HighBits()) ^ 1<<63) ^ flip, x.LowBits() ^ flip, e.row}
			}
		}
	default:
		return false
	}
	var buf []wideEntry
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].key == entries[i].key {
			j++
		}
		if j-i > 1 {
			run := entries[i:j]
			buf = growTo(buf[:0], len(run))[:len(run)]
			fill(buf, run)
			if len(buf) <= 16 {
				// Insertion sort: runs are a few rows (an order's lines).
				for a := 1; a < len(buf); a++ {
					x := buf[a]
					b := a
					for ; b > 0 && x.less(buf[b-1]); b-- {
						buf[b] = buf[b-1]
					}
					buf[b] = x
				}
			} else {
				slices.SortFunc(buf, func(a, b wideEntry) int {
					switch {
					case a.less(b):
						return -1
					case b.less(a):
						return 1
					}
					return 0
				})
			}
			for k := range run {
				run[k].row = buf[k].row
			}
		}
		i = j
	}
	return true
}

// prefixer returns the ascending 64-bit prefix of non-NULL values of arr
// and whether it is the whole value (equal prefixes mean equal values);
// nil for types without a prefix.
func prefixer(arr arrow.Array) (func(i int) uint64, bool) {
	switch arr.DataType().ID() {
	case arrow.NULL:
		return func(int) uint64 { return 0 }, true
	case arrow.BOOL:
		b, off := boolBits(arr)
		return func(i int) uint64 { return uint64(bitVal(b, off+i)) }, true
	case arrow.INT8:
		d := fixedVals[int8](arr)
		return func(i int) uint64 { return uint64(int64(d[i])) ^ 1<<63 }, true
	case arrow.INT16:
		d := fixedVals[int16](arr)
		return func(i int) uint64 { return uint64(int64(d[i])) ^ 1<<63 }, true
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		d := fixedVals[int32](arr)
		return func(i int) uint64 { return uint64(int64(d[i])) ^ 1<<63 }, true
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME64, arrow.DURATION:
		d := fixedVals[int64](arr)
		return func(i int) uint64 { return uint64(d[i]) ^ 1<<63 }, true
	case arrow.UINT8:
		d := fixedVals[uint8](arr)
		return func(i int) uint64 { return uint64(d[i]) }, true
	case arrow.UINT16:
		d := fixedVals[uint16](arr)
		return func(i int) uint64 { return uint64(d[i]) }, true
	case arrow.UINT32:
		d := fixedVals[uint32](arr)
		return func(i int) uint64 { return uint64(d[i]) }, true
	case arrow.UINT64:
		d := fixedVals[uint64](arr)
		return func(i int) uint64 { return d[i] }, true
	case arrow.FLOAT32:
		d := fixedVals[float32](arr)
		return func(i int) uint64 { return floatKey(normFloat64(float64(d[i]))) }, true
	case arrow.FLOAT64:
		d := fixedVals[float64](arr)
		return func(i int) uint64 { return floatKey(normFloat64(d[i])) }, true
	case arrow.DECIMAL128:
		d := fixedVals[decimal128.Num](arr)
		return func(i int) uint64 { return uint64(d[i].HighBits()) ^ 1<<63 }, false
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		bv := binaryAccessor(arr)
		return func(i int) uint64 {
			var buf [8]byte
			copy(buf[:], bv(i))
			return binary.BigEndian.Uint64(buf[:])
		}, false
	}
	return nil, false
}

// floatKey maps normalized float64 bits to an unsigned key in float order
// (NaN, normalized positive, is greatest).
func floatKey(b uint64) uint64 {
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// radixSort sorts entries by key, stably (LSD, one byte per pass; passes
// where every key has the same byte are skipped).
func radixSort(e []sortEntry) {
	if len(e) < 256 {
		slices.SortStableFunc(e, func(a, b sortEntry) int { return cmp.Compare(a.key, b.key) })
		return
	}
	var counts [8][256]int
	for _, x := range e {
		k := x.key
		for b := range 8 {
			counts[b][byte(k>>(8*b))]++
		}
	}
	tmp := make([]sortEntry, len(e))
	src, dst := e, tmp
	for b := range 8 {
		c := &counts[b]
		if c[byte(e[0].key>>(8*b))] == len(e) {
			continue
		}
		pos := 0
		for i := range c {
			n := c[i]
			c[i] = pos
			pos += n
		}
		shift := uint(8 * b)
		for _, x := range src {
			d := byte(x.key >> shift)
			dst[c[d]] = x
			c[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &e[0] {
		copy(e, src)
	}
}
