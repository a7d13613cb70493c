package ops

// Sorting input that is already mostly in order. A Parquet file written
// sorted on a key (lineitem on l_orderkey) and read by parallel streams
// reaches a sort or window as the streams' batches interleaved: each
// batch is in order, and the batches of each stream continue one
// another. The radix sort would still scatter every entry once per byte
// of the key (three passes over 6M lineitem rows, plus counting). Here
// one pass checks each batch is in order and chains the batches into
// sequences that are (a batch joins the chain whose last key is the
// greatest not above its first); a handful of chains are then merged,
// one pass per doubling of their number.

// maxPresortedChains is the most chains merged instead of sorted: with
// more, the merge's passes approach the radix sort's.
const maxPresortedChains = 4

// mergePresorted returns entries (one per row, in row order) sorted by
// key, stably, when the batches starting at starts are each in order
// and chain into at most maxPresortedChains sorted sequences; else it
// reports false and entries are unchanged. The result may be entries
// itself or a new slice.
func mergePresorted(entries []sortEntry, starts []int) ([]sortEntry, bool) {
	if len(starts) == 0 || starts[0] != 0 || len(entries) < 2 {
		return entries, false
	}
	type chain struct {
		segs [][2]int // [start, end) of each batch
		last uint64
		n    int
	}
	var chains []chain
	for b, s := range starts {
		e := len(entries)
		if b+1 < len(starts) {
			e = starts[b+1]
		}
		if s == e {
			continue // an empty batch
		}
		if s > e || e > len(entries) {
			return entries, false
		}
		for i := s + 1; i < e; i++ {
			if entries[i].key < entries[i-1].key {
				return entries, false
			}
		}
		// The chain ending nearest below the batch: first fit would let
		// one stream's batch end a chain another stream continues.
		k := -1
		for c := range chains {
			if l := chains[c].last; l <= entries[s].key && (k < 0 || l > chains[k].last) {
				k = c
			}
		}
		if k < 0 {
			k = len(chains)
			if k == maxPresortedChains {
				return entries, false
			}
			chains = append(chains, chain{})
		}
		c := &chains[k]
		c.segs = append(c.segs, [2]int{s, e})
		c.last = entries[e-1].key
		c.n += e - s
	}
	switch len(chains) {
	case 1:
		return entries, true // the batches are in order as they came
	case 2:
		// Merged from the batches where they lie.
		dst := make([]sortEntry, len(entries))
		mergeSegments(dst, entries, chains[0].segs, chains[1].segs)
		return dst, true
	}
	// Lay each chain out contiguously, then merge neighbouring chains
	// until one is left. Ties go to the earlier row (mergeEntries), so the
	// merge is as stable as the radix sort.
	src := make([]sortEntry, len(entries))
	var runs [][]sortEntry
	at := 0
	for _, c := range chains {
		from := at
		for _, sg := range c.segs {
			at += copy(src[at:], entries[sg[0]:sg[1]])
		}
		runs = append(runs, src[from:at])
	}
	dst := entries
	for len(runs) > 1 {
		var next [][]sortEntry
		at := 0
		for i := 0; i < len(runs); i += 2 {
			if i+1 == len(runs) {
				at += copy(dst[at:], runs[i])
				next = append(next, dst[at-len(runs[i]):at])
				continue
			}
			n := len(runs[i]) + len(runs[i+1])
			mergeEntries(dst[at:at+n], runs[i], runs[i+1])
			next = append(next, dst[at:at+n])
			at += n
		}
		runs = next
		src, dst = dst, src
	}
	return runs[0], true
}

// mergeSegments merges two chains of sorted segments of src into dst by
// key, then row.
func mergeSegments(dst, src []sortEntry, as, bs [][2]int) {
	k := 0
	var a, b []sortEntry
	for {
		if len(a) == 0 && len(as) > 0 {
			a, as = src[as[0][0]:as[0][1]], as[1:]
		}
		if len(b) == 0 && len(bs) > 0 {
			b, bs = src[bs[0][0]:bs[0][1]], bs[1:]
		}
		if len(a) == 0 || len(b) == 0 {
			break
		}
		i, j := mergeUntilOneEnds(dst[k:], a, b)
		k += i + j
		a, b = a[i:], b[j:]
	}
	// One chain is used up: the rest of the other follows in order.
	k += copy(dst[k:], a)
	for _, sg := range as {
		k += copy(dst[k:], src[sg[0]:sg[1]])
	}
	k += copy(dst[k:], b)
	for _, sg := range bs {
		k += copy(dst[k:], src[sg[0]:sg[1]])
	}
}

// mergeEntries merges the sorted a and b into dst by key, then row.
func mergeEntries(dst, a, b []sortEntry) {
	i, j := mergeUntilOneEnds(dst, a, b)
	k := i + j
	k += copy(dst[k:], a[i:])
	copy(dst[k:], b[j:])
}

// mergeUntilOneEnds merges the sorted a and b into dst by key, then row,
// until one of them is used up, and returns how many of each it took.
func mergeUntilOneEnds(dst, a, b []sortEntry) (i, j int) {
	for i < len(a) && j < len(b) {
		if x, y := a[i], b[j]; y.key < x.key || (y.key == x.key && y.row < x.row) {
			dst[i+j] = y
			j++
		} else {
			dst[i+j] = x
			i++
		}
	}
	return i, j
}
