package ops

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// retainedRows is the input of an aggregate that keeps its argument
// arrays until finish (array_agg, percentiles): the arrays, and for each
// the group of every row (-1: not aggregated). One group slice per array,
// allocated at its size, instead of (group, position) pairs appended per
// row: those were copied over and over as they grew (the median of 6M
// values spent half its time in growslice).
type retainedRows struct {
	parts []arrow.Array
	gids  [][]int32
	rows  int // aggregated rows
	base  int // rows in parts
	// floats and floatOffs are floatsByGroup's answer, kept for the
	// other ordered-set aggregates that share these rows.
	floats    []float64
	floatOffs []int32
}

// add retains arr with the groups of its rows (copied; -1 skips a row),
// unless no row is aggregated.
func (r *retainedRows) add(arr arrow.Array, gids []int32, used int) {
	if used == 0 {
		return
	}
	arr.Retain()
	r.parts = append(r.parts, arr)
	r.gids = append(r.gids, append([]int32(nil), gids...))
	r.rows += used
	r.base += arr.Len()
}

// merge takes over s's rows, s's group g becoming gmap[g].
func (r *retainedRows) merge(s *retainedRows, gmap []int32) {
	for _, gs := range s.gids {
		for k, g := range gs {
			if g >= 0 {
				gs[k] = gmap[g]
			}
		}
	}
	r.parts, r.gids = append(r.parts, s.parts...), append(r.gids, s.gids...)
	r.floats, r.floatOffs = nil, nil
	r.rows += s.rows
	r.base += s.base
	s.parts, s.gids = nil, nil
}

// groupOffsets returns where each group's rows start when the
// aggregated rows are laid out by group: group g's at [offs[g],
// offs[g+1]).
func (r *retainedRows) groupOffsets(groups int) []int32 {
	offs := make([]int32, groups+1)
	for _, gs := range r.gids {
		for _, g := range gs {
			if g >= 0 {
				offs[g+1]++
			}
		}
	}
	for g := range groups {
		offs[g+1] += offs[g]
	}
	return offs
}

// byGroup returns the aggregated rows' positions in values(), grouped:
// group g's at order[offs[g]:offs[g+1]], in input order. what names the
// aggregate in the error for an input past int32 positions.
func (r *retainedRows) byGroup(groups int, what string) (order, offs []int32, err error) {
	if r.base > math.MaxInt32 {
		return nil, nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "%s input too large", what)
	}
	offs = r.groupOffsets(groups)
	order = make([]int32, r.rows)
	cur := append([]int32(nil), offs[:groups]...)
	pos := int32(0)
	for _, gs := range r.gids {
		for _, g := range gs {
			if g >= 0 {
				order[cur[g]] = pos
				cur[g]++
			}
			pos++
		}
	}
	return order, offs, nil
}

// floatsByGroup returns the aggregated rows' values, which must be
// double precision, grouped: group g's at vals[offs[g]:offs[g+1]], in
// input order. It scatters them straight from the retained arrays, where
// byGroup and values would concatenate them and then gather each group's
// through its positions (a cache miss per value over 6M values). Every
// call returns the same slices: a caller may reorder the values within
// each group (a selection does), but not change them.
func (r *retainedRows) floatsByGroup(groups int, what string) (vals []float64, offs []int32, err error) {
	if r.floats != nil && len(r.floatOffs) == groups+1 {
		return r.floats, r.floatOffs, nil
	}
	if r.rows > math.MaxInt32 {
		return nil, nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "%s input too large", what)
	}
	offs = r.groupOffsets(groups)
	vals = make([]float64, r.rows)
	cur := append([]int32(nil), offs[:groups]...)
	for k, gs := range r.gids {
		src := fixedVals[float64](r.parts[k])
		for i, g := range gs {
			if g >= 0 {
				vals[cur[g]] = src[i]
				cur[g]++
			}
		}
	}
	r.floats, r.floatOffs = vals, offs
	return vals, offs, nil
}

// allOf reports whether every retained array has type id.
func (r *retainedRows) allOf(id arrow.Type) bool {
	for _, p := range r.parts {
		if p.DataType().ID() != id {
			return false
		}
	}
	return true
}

// values returns the retained arrays as one (an empty array of dt when
// there are none); the caller releases it.
func (r *retainedRows) values(mem memory.Allocator, dt arrow.DataType, what string) (arrow.Array, error) {
	switch len(r.parts) {
	case 0:
		return array.MakeArrayOfNull(mem, dt, 0), nil
	case 1:
		r.parts[0].Retain()
		return r.parts[0], nil
	}
	vals, err := array.Concatenate(r.parts, mem)
	if err != nil {
		return nil, sqltypes.Wrap(err, sqltypes.CodeProgramLimitExceeded, "%s: %v", what, err)
	}
	return vals, nil
}

func (r *retainedRows) release() {
	releaseArrays(r.parts)
	r.parts, r.gids = nil, nil
	r.floats, r.floatOffs = nil, nil
}
