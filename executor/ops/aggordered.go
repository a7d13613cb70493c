package ops

import (
	"bytes"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// orderedAcc gives an order-sensitive aggregate (array_agg, string_agg)
// its own ORDER BY, as in `array_agg(x ORDER BY a), string_agg(y, ','
// ORDER BY b)` in one query, where no single sort of the input serves
// both. It keeps every aggregated row (the argument arrays, retained)
// with its group and the normalized key of its ORDER BY values, and in
// finish feeds the rows to the inner aggregate group by group in key
// order. Rows with equal keys keep their input order.
type orderedAcc struct {
	mem    memory.Allocator
	inner  accumulator
	nArgs  int       // the inner aggregate's arguments; the rest are sort keys
	specs  []SortKey // directions of the sort keys
	parts  [][]arrow.Array
	rows   []orderedRow
	keys   []byte // arena of the rows' encoded keys
	groups int
	scr    keyScratch
}

type orderedRow struct {
	gid        int32
	part, row  int32
	kOff, kEnd int
}

func (a *orderedAcc) grow(n int) { a.groups = max(a.groups, n) }

func (a *orderedAcc) update(gids []int32, args []arrow.Array) error {
	buf, offs, err := encodeRowKeys(&a.scr, args[a.nArgs:], a.specs, len(gids), 0, nil)
	if err != nil {
		return err
	}
	part := int32(len(a.parts))
	used := false
	for i, g := range gids {
		if g < 0 {
			continue
		}
		used = true
		// The key without encodeRowKeys' 8-byte sequence suffix: ties stay
		// in input order through the stable sort in finish.
		k := buf[offs[i] : offs[i+1]-8]
		a.rows = append(a.rows, orderedRow{gid: g, part: part, row: int32(i), kOff: len(a.keys), kEnd: len(a.keys) + len(k)})
		a.keys = append(a.keys, k...)
	}
	if used {
		vals := make([]arrow.Array, a.nArgs)
		for j := range vals {
			args[j].Retain()
			vals[j] = args[j]
		}
		a.parts = append(a.parts, vals)
	}
	return nil
}

func (a *orderedAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*orderedAcc)
	base, kbase := int32(len(a.parts)), len(a.keys)
	for _, r := range s.rows {
		r.gid, r.part = gmap[r.gid], r.part+base
		r.kOff, r.kEnd = r.kOff+kbase, r.kEnd+kbase
		a.rows = append(a.rows, r)
	}
	a.keys = append(a.keys, s.keys...)
	a.parts = append(a.parts, s.parts...)
	s.parts = nil
	return nil
}

func (a *orderedAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	slices.SortStableFunc(a.rows, func(x, y orderedRow) int {
		if x.gid != y.gid {
			return int(x.gid - y.gid)
		}
		return bytes.Compare(a.keys[x.kOff:x.kEnd], a.keys[y.kOff:y.kEnd])
	})
	a.inner.grow(a.groups)
	// Feed the rows in order, a batch at a time, each argument gathered
	// from the retained arrays.
	const batch = 1 << 14
	for start := 0; start < len(a.rows); start += batch {
		chunk := a.rows[start:min(start+batch, len(a.rows))]
		gids := make([]int32, len(chunk))
		for k, r := range chunk {
			gids[k] = r.gid
		}
		args, err := a.gather(chunk)
		if err != nil {
			return nil, err
		}
		err = a.inner.update(gids, args)
		releaseArrays(args)
		if err != nil {
			return nil, err
		}
	}
	return a.inner.finish(mem)
}

// gather builds each argument's values for rows, in their order.
func (a *orderedAcc) gather(rows []orderedRow) ([]arrow.Array, error) {
	out := make([]arrow.Array, a.nArgs)
	for j := range out {
		var pieces []arrow.Array
		for k := 0; k < len(rows); {
			// A run of rows from one retained array is one take.
			part, idx := rows[k].part, []int32{}
			for ; k < len(rows) && rows[k].part == part; k++ {
				idx = append(idx, rows[k].row)
			}
			p, err := takeArray(a.mem, a.parts[part][j], idx)
			if err != nil {
				releaseArrays(pieces)
				releaseArrays(out[:j])
				return nil, err
			}
			pieces = append(pieces, p)
		}
		if len(pieces) == 1 {
			out[j] = pieces[0]
			continue
		}
		cat, err := array.Concatenate(pieces, a.mem)
		releaseArrays(pieces)
		if err != nil {
			releaseArrays(out[:j])
			return nil, sqltypes.Wrap(err, sqltypes.CodeProgramLimitExceeded, "ordered aggregate: %v", err)
		}
		out[j] = cat
	}
	return out, nil
}

func (a *orderedAcc) release() {
	for _, p := range a.parts {
		releaseArrays(p)
	}
	a.parts = nil
	a.inner.release()
}
