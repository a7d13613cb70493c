package ops

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Mark joins (see MarkJoin) decide a probe row's mark in up to three
// steps. The hash lookup finds the build rows whose keys are equal: a pair
// whose residual is TRUE marks the row TRUE, a NULL residual makes it
// "maybe" (NULL unless some other pair is TRUE). Then, for probe rows not
// yet TRUE, the NULL phase looks for build rows whose key comparison is
// NULL rather than FALSE (as a row comparison: no column pair differs and
// some column is NULL on either side): a NULL probe key against every build
// row, a non-NULL probe key against the build rows with a NULL key. Such a
// row makes the probe row "maybe" unless the residual is FALSE for the
// pair. Like PostgreSQL's hashed NOT IN, the NULL phase scans candidates,
// so a NULL probe key costs one pass over the build rows when there is a
// residual or a multi-column key (single-column keys without residual stop
// at the first candidate).

// encKeys holds the order-preserving encodings (rowkey.go) of key columns:
// equal encodings are equal values, and a first byte other than 1 is NULL.
type encKeys struct {
	buf  [][]byte
	offs [][]int
}

// encodeKeys encodes every row of the key columns.
func encodeKeys(keys []arrow.Array) (encKeys, error) {
	var e encKeys
	for _, k := range keys {
		enc, err := newKeyEncoder(k, SortKey{})
		if err != nil {
			return encKeys{}, err
		}
		n := k.Len()
		sizes := make([]int, n)
		enc.addSizes(sizes)
		offs := make([]int, n+1)
		for i, s := range sizes {
			offs[i+1] = offs[i] + s
		}
		buf := make([]byte, offs[n])
		copy(sizes, offs[:n])
		enc.encode(buf, sizes)
		e.buf, e.offs = append(e.buf, buf), append(e.offs, offs)
	}
	return e, nil
}

// hasNull reports whether row i has a NULL key column.
func (e encKeys) hasNull(i int) bool {
	for c, b := range e.buf {
		if b[e.offs[c][i]] != 1 {
			return true
		}
	}
	return false
}

// triEq compares row i of e with row j of o as SQL's row equality does:
// 1 TRUE, 0 NULL, -1 FALSE.
func (e encKeys) triEq(i int, o encKeys, j int) int {
	res := 1
	for c, b := range e.buf {
		x := b[e.offs[c][i]:e.offs[c][i+1]]
		y := o.buf[c][o.offs[c][j]:o.offs[c][j+1]]
		switch {
		case x[0] != 1 || y[0] != 1:
			res = 0
		case !bytes.Equal(x, y):
			return -1
		}
	}
	return res
}

// markTail emits the current probe batch with its mark column.
func (c *joinCore) markTail() arrow.RecordBatch {
	n := int(c.pb.NumRows())
	bld := array.NewBooleanBuilder(c.env.Mem)
	defer bld.Release()
	bld.Reserve(n)
	for i := range n {
		switch {
		case c.pmatched[i]:
			bld.UnsafeAppend(true)
		case c.pmaybe[i] && !c.existsMark:
			bld.UnsafeAppendBoolToBitmap(false)
		default:
			bld.UnsafeAppend(false)
		}
	}
	cols := make([]arrow.Array, 0, c.pb.NumCols()+1)
	for _, a := range c.pb.Columns() {
		a.Retain()
		cols = append(cols, a)
	}
	return newBatch(c.out, append(cols, bld.NewArray()), n)
}

// markState is the NULL phase state of a hash mark join.
type markState struct {
	bkeys encKeys // build keys
	bnull []int32 // build rows with a NULL key column
	pkeys encKeys // keys of the current probe batch
	nrow  int     // next probe row of the NULL phase
	ncur  int     // next candidate of row nrow
}

// prepareBuild records the build keys of a mark join.
func (m *markState) prepareBuild(keys []arrow.Array, n int) error {
	e, err := encodeKeys(keys)
	if err != nil {
		return err
	}
	m.bkeys, m.bnull = e, m.bnull[:0]
	for j := range n {
		if e.hasNull(j) {
			m.bnull = append(m.bnull, int32(j))
		}
	}
	return nil
}

// fillNullPairs collects up to limit (probe row, build row) pairs of the
// NULL phase whose residual must be evaluated; without a residual it
// marks the rows directly. It resumes where the previous call stopped and
// returns the number of pairs.
func (o *hashJoinOp) fillNullPairs(limit int) int {
	m := &o.mark
	o.pIdx, o.bIdx = o.pIdx[:0], o.bIdx[:0]
	n := len(o.pmatched)
	for len(o.pIdx) < limit && m.nrow < n {
		i := m.nrow
		if o.pmatched[i] || o.pmaybe[i] || o.bn == 0 {
			m.nrow, m.ncur = i+1, 0
			continue
		}
		all := m.pkeys.hasNull(i)
		cands := len(m.bnull)
		if all {
			cands = o.bn
		}
		for m.ncur < cands && len(o.pIdx) < limit && !o.pmaybe[i] {
			j := m.ncur
			if !all {
				j = int(m.bnull[j])
			}
			m.ncur++
			if m.pkeys.triEq(i, m.bkeys, j) != 0 {
				continue
			}
			if o.residual == nil {
				o.pmaybe[i] = true
				break
			}
			o.pIdx = append(o.pIdx, int32(i))
			o.bIdx = append(o.bIdx, int32(j))
		}
		if o.pmaybe[i] || m.ncur >= cands {
			m.nrow, m.ncur = i+1, 0
		}
	}
	return len(o.pIdx)
}
