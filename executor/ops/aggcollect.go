package ops

import (
	"bytes"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// arrayAgg is array_agg(x): it retains the argument arrays and records,
// per aggregated row, its group and its position in their concatenation.
// NULL inputs become NULL elements; a group without rows yields NULL.
// Arrays accumulate, as in PostgreSQL, into an array of one more
// dimension, and must then be non-NULL, non-empty and of equal
// dimensions within a group.
// Elements keep input order (merged partials: partial after partial).
type arrayAgg struct {
	elem   arrow.DataType
	in     retainedRows
	groups int
}

func (a *arrayAgg) grow(n int) { a.groups = max(a.groups, n) }

func (a *arrayAgg) update(gids []int32, args []arrow.Array) error {
	used := 0
	for _, g := range gids {
		if g >= 0 {
			used++
		}
	}
	a.in.add(args[0], gids, used)
	return nil
}

func (a *arrayAgg) merge(src accumulator, gmap []int32) error {
	a.in.merge(&src.(*arrayAgg).in, gmap)
	return nil
}

func (a *arrayAgg) finish(mem memory.Allocator) (arrow.Array, error) {
	// Counting sort of elements by group, stable within a group.
	order, offs, err := a.in.byGroup(a.groups, "array_agg")
	if err != nil {
		return nil, err
	}
	vals, err := a.in.values(mem, a.elem, "array_agg")
	if err != nil {
		return nil, err
	}
	child, err := takeArray(mem, vals, order)
	vals.Release()
	if err != nil {
		return nil, err
	}
	defer child.Release()
	if err := checkAccumulatedArrays(child, offs, a.groups); err != nil {
		return nil, err
	}
	valid, nulls := buildValidity(mem, a.groups, func(g int) bool { return offs[g+1] > offs[g] })
	ob := newBuffer(mem, 4*(a.groups+1))
	copy(fixedSliceOf[int32](ob.Bytes()), offs)
	return makeArray(arrow.ListOf(a.elem), a.groups, []*memory.Buffer{valid, ob}, []arrow.ArrayData{child.Data()}, nulls), nil
}

func (a *arrayAgg) release() { a.in.release() }

// stringAgg is string_agg(value, separator). Each group's buffer holds
// separator+value for every non-NULL value; the first separator is cut
// off at the end (firstSep), which keeps partial buffers concatenable.
// A NULL separator acts as the empty string; no values yields NULL.
type stringAgg struct {
	dt       arrow.DataType
	buf      [][]byte
	firstSep []int
	seen     []bool
}

func (a *stringAgg) grow(n int) {
	a.buf, a.firstSep, a.seen = growTo(a.buf, n), growTo(a.firstSep, n), growTo(a.seen, n)
}

func (a *stringAgg) update(gids []int32, args []arrow.Array) error {
	vals, seps := args[0], args[1]
	if vals.DataType().ID() == arrow.NULL {
		return nil
	}
	vv, sv := validityOf(vals), validityOf(seps)
	val := binaryAccessor(vals)
	sep := func(int) []byte { return nil }
	if seps.DataType().ID() != arrow.NULL {
		sep = binaryAccessor(seps)
	}
	for i, g := range gids {
		if g < 0 || !vv.OK(i) {
			continue
		}
		var s []byte
		if sv.OK(i) {
			s = sep(i)
		}
		if !a.seen[g] {
			a.seen[g], a.firstSep[g] = true, len(s)
		}
		a.buf[g] = append(append(a.buf[g], s...), val(i)...)
	}
	return nil
}

func (a *stringAgg) merge(src accumulator, gmap []int32) error {
	s := src.(*stringAgg)
	for g, seen := range s.seen {
		if !seen {
			continue
		}
		d := gmap[g]
		if !a.seen[d] {
			a.seen[d], a.firstSep[d] = true, s.firstSep[g]
		}
		a.buf[d] = append(a.buf[d], s.buf[g]...)
	}
	return nil
}

func (a *stringAgg) finish(mem memory.Allocator) (arrow.Array, error) {
	k := &bytesKeys{dt: a.dt, offs: []int64{0}, valid: a.seen}
	for g, b := range a.buf {
		if a.seen[g] {
			k.data = append(k.data, b[a.firstSep[g]:]...)
		}
		k.offs = append(k.offs, int64(len(k.data)))
	}
	if len(k.data) > math.MaxInt32 && (a.dt.ID() == arrow.STRING || a.dt.ID() == arrow.BINARY) {
		return nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "string_agg result too large")
	}
	return k.build(mem), nil
}

func (a *stringAgg) release() { a.buf = nil }

// jsonAgg is json_agg(x) / jsonb_agg(x): a JSON array of every row's value
// (NULL as null), elements joined by ", " as PostgreSQL prints them (and
// "\n " before every array but the first); a
// group without rows yields NULL. Partial buffers concatenate; jsonb_agg's
// arrays are normalized at the end. With object set it is
// json_object_agg(k, v) / jsonb_object_agg: { "k" : v, ... } with each key
// a JSON string (22023 for a NULL, array or json key, as
// in PostgreSQL); jsonb_object_agg keeps a repeated key's last value.
type jsonAgg struct {
	t       sqltypes.Type // of the values
	key     sqltypes.Type // of the keys, for object
	object  bool
	jsonb   bool
	rows    bool          // the values are rows (row_to_json), set apart like arrays
	env     *executor.Env // the session's TimeZone and IntervalStyle, for JSON text
	buf     [][]byte
	seen    []bool
	scratch []byte // one key's JSON
}

func (a *jsonAgg) grow(n int) { a.buf, a.seen = growTo(a.buf, n), growTo(a.seen, n) }

func (a *jsonAgg) update(gids []int32, args []arrow.Array) error {
	if a.object {
		return a.updateObject(gids, args)
	}
	for i, g := range gids {
		if g < 0 {
			continue
		}
		if a.seen[g] {
			a.buf[g] = append(a.buf[g], ", "...)
		}
		if args[0].IsNull(i) {
			a.buf[g] = append(a.buf[g], "null"...)
			a.seen[g] = true
			continue
		}
		if a.seen[g] && (a.t.Kind == sqltypes.List || a.rows) {
			a.buf[g] = append(a.buf[g], "\n "...) // json_agg's whitespace before a later array or row
		}
		a.seen[g] = true
		a.buf[g] = expr.AppendJSON(a.buf[g], a.t, args[0], i, a.env)
	}
	return nil
}

// updateObject adds each row's "key" : value pair to its group.
func (a *jsonAgg) updateObject(gids []int32, args []arrow.Array) error {
	if a.key.Kind == sqltypes.List || a.key.IsJSON() {
		for _, g := range gids {
			if g >= 0 {
				return sqltypes.New(sqltypes.CodeInvalidParameterValue, "key value must be scalar, not array, composite, or json")
			}
		}
	}
	for i, g := range gids {
		if g < 0 {
			continue
		}
		if args[0].IsNull(i) {
			return sqltypes.New(sqltypes.CodeInvalidParameterValue, "field name must not be null")
		}
		if a.seen[g] {
			a.buf[g] = append(a.buf[g], ", "...)
		}
		a.seen[g] = true
		a.scratch = expr.AppendJSON(a.scratch[:0], a.key, args[0], i, a.env)
		if a.scratch[0] == '"' {
			a.buf[g] = append(a.buf[g], a.scratch...)
		} else { // a number or boolean key is its text
			a.buf[g] = append(append(append(a.buf[g], '"'), a.scratch...), '"')
		}
		a.buf[g] = append(a.buf[g], " : "...)
		if args[1].IsNull(i) {
			a.buf[g] = append(a.buf[g], "null"...)
			continue
		}
		a.buf[g] = expr.AppendJSON(a.buf[g], a.t, args[1], i, a.env)
	}
	return nil
}

func (a *jsonAgg) merge(src accumulator, gmap []int32) error {
	s := src.(*jsonAgg)
	for g, seen := range s.seen {
		if !seen {
			continue
		}
		d := gmap[g]
		if a.seen[d] {
			a.buf[d] = append(a.buf[d], ", "...)
			if !a.object && a.t.Kind == sqltypes.List && !bytes.HasPrefix(s.buf[g], []byte("null")) {
				a.buf[d] = append(a.buf[d], "\n "...)
			}
		}
		a.seen[d] = true
		a.buf[d] = append(a.buf[d], s.buf[g]...)
	}
	return nil
}

func (a *jsonAgg) finish(mem memory.Allocator) (arrow.Array, error) {
	k := &bytesKeys{dt: arrow.BinaryTypes.String, offs: []int64{0}, valid: a.seen}
	for g, b := range a.buf {
		if a.seen[g] {
			start := len(k.data)
			if a.object {
				k.data = append(append(append(k.data, "{ "...), b...), " }"...)
			} else {
				k.data = append(append(append(k.data, '['), b...), ']')
			}
			if a.jsonb {
				v, err := sqltypes.ParseJSONB(string(k.data[start:]))
				if err != nil {
					return nil, err
				}
				k.data = v.Append(k.data[:start])
			}
		}
		k.offs = append(k.offs, int64(len(k.data)))
	}
	if len(k.data) > math.MaxInt32 {
		return nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "json_agg result too large")
	}
	return k.build(mem), nil
}

func (a *jsonAgg) release() { a.buf = nil }

// checkAccumulatedArrays checks the arrays array_agg gathered per group
// (child holds group g's at offs[g]..offs[g+1]) as PostgreSQL does: no
// NULL (22004), no empty array and equal dimensions (2202E).
func checkAccumulatedArrays(child arrow.Array, offs []int32, groups int) error {
	nd := 0
	for dt := child.DataType(); ; nd++ {
		l, ok := dt.(*arrow.ListType)
		if !ok {
			break
		}
		dt = l.Elem()
	}
	if nd == 0 {
		return nil
	}
	levels, ok := sqltypes.ArrayLevels(child, nd)
	if !ok {
		return errInternal("array_agg over Arrow %s", child.DataType())
	}
	var first, dims []int32
	for g := 0; g < groups; g++ {
		for k := offs[g]; k < offs[g+1]; k++ {
			if child.IsNull(int(k)) {
				return sqltypes.New(sqltypes.CodeNullValueNotAllowed, "cannot accumulate null arrays")
			}
			_, _, dims = sqltypes.ArrayElements(levels, int(k), dims[:0])
			if len(dims) == 0 {
				return sqltypes.New(sqltypes.CodeArraySubscriptError, "cannot accumulate empty arrays")
			}
			if k == offs[g] {
				first = append(first[:0], dims...)
			} else if !slices.Equal(first, dims) {
				return sqltypes.New(sqltypes.CodeArraySubscriptError, "cannot accumulate arrays of different dimensionality")
			}
		}
	}
	return nil
}
