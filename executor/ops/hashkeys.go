package ops

import (
	"bytes"
	"hash/maphash"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// keyColumn stores the values of one group-key column, one per group, and
// compares and hashes incoming arrays against them. Every method works on
// a whole batch (one dynamic call per column per batch). NULL equals NULL.
type keyColumn interface {
	// hash mixes the hash of every row of arr into h (first: overwrite).
	hash(arr arrow.Array, h []uint64, first bool)
	// add stores arr[rows[k]] as the key of the next len(rows) groups.
	add(arr arrow.Array, rows []int32)
	// equal clears eq[k] where arr[rows[k]] differs from group gids[k].
	equal(arr arrow.Array, rows, gids []int32, eq []bool)
	// build returns the stored keys in group order.
	build(mem memory.Allocator) arrow.Array
}

const nullHash = 0x9ae16a3b2f90404f

// fmix64 is MurmurHash3's finalizer: a fast, well-mixing bijection.
func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func mixInto(h []uint64, i int, v uint64, first bool) {
	if first {
		h[i] = v
	} else {
		h[i] = fmix64(h[i]*0x9e3779b97f4a7c15 ^ v)
	}
}

// newKeyColumn returns the key store for Arrow type dt.
func newKeyColumn(dt arrow.DataType, seed maphash.Seed) (keyColumn, error) {
	if j, ok := dt.(*jsonbKeyType); ok {
		return &listKeys{dt: j.DataType, enc: bytesKeys{seed: seed, offs: []int64{0}}, jsonb: true, rng: j.rng}, nil
	}
	switch dt.ID() {
	case arrow.NULL:
		return &nullKeys{}, nil
	case arrow.BOOL:
		return &fixedKeys[uint8]{dt: dt, isBool: true}, nil
	case arrow.FLOAT32:
		return &fixedKeys[uint32]{dt: dt, norm32: true}, nil
	case arrow.FLOAT64:
		return &fixedKeys[uint64]{dt: dt, norm64: true}, nil
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return &fixedKeys[[2]uint64]{dt: dt, interval: true}, nil
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return &bytesKeys{dt: dt, seed: seed, offs: []int64{0}}, nil
	}
	if !keyTypeOK(dt) {
		return nil, errKeyType("hashing", dt)
	}
	if encodedKey(dt) {
		return &listKeys{dt: dt, enc: bytesKeys{seed: seed, offs: []int64{0}}}, nil
	}
	switch dt.(arrow.FixedWidthDataType).BitWidth() {
	case 8:
		return &fixedKeys[uint8]{dt: dt}, nil
	case 16:
		return &fixedKeys[uint16]{dt: dt}, nil
	case 32:
		return &fixedKeys[uint32]{dt: dt}, nil
	case 64:
		return &fixedKeys[uint64]{dt: dt}, nil
	case 128:
		return &fixedKeys[[2]uint64]{dt: dt}, nil
	}
	return nil, errKeyType("hashing", dt)
}

// raw is the storage of fixed-width keys: values compared bitwise.
type raw interface {
	uint8 | uint16 | uint32 | uint64 | [2]uint64
}

// fixedKeys stores fixed-width keys as raw bits. Floats are normalized
// (every NaN one NaN, -0 as 0) before hashing, comparing and storing, so
// bitwise equality is PostgreSQL's float equality; intervals hash and
// compare by their span (a month is 30 days) but are stored as given.
type fixedKeys[T raw] struct {
	dt       arrow.DataType
	vals     []T
	valid    []bool
	isBool   bool
	norm32   bool
	norm64   bool
	interval bool
}

// load returns arr's values as T (booleans unpacked, floats normalized).
func (k *fixedKeys[T]) load(arr arrow.Array) []T {
	switch {
	case k.isBool:
		return boolVals[T](arr)
	case k.norm32:
		src := fixedVals[float32](arr)
		out := make([]uint32, len(src))
		for i, f := range src {
			out[i] = normFloat32(f)
		}
		return any(out).([]T)
	case k.norm64:
		src := fixedVals[float64](arr)
		out := make([]uint64, len(src))
		for i, f := range src {
			out[i] = normFloat64(f)
		}
		return any(out).([]T)
	}
	return fixedVals[T](arr)
}

func boolVals[T raw](arr arrow.Array) []T {
	bits, off := boolBits(arr)
	out := make([]uint8, arr.Len())
	for i := range out {
		if bits != nil && bitutil.BitIsSet(bits, off+i) {
			out[i] = 1
		}
	}
	return any(out).([]T)
}

func hashRaw[T raw](v T) uint64 {
	switch x := any(v).(type) {
	case uint8:
		return fmix64(uint64(x) + 1)
	case uint16:
		return fmix64(uint64(x) + 1)
	case uint32:
		return fmix64(uint64(x) + 1)
	case uint64:
		return fmix64(x + 1)
	case [2]uint64:
		return fmix64(fmix64(x[0]+1) ^ x[1])
	}
	return 0
}

// hash mixes each row's value hash, or nullHash for a NULL, into h once:
// the bits under a NULL are whatever the kernel left there, and mixing
// them in before the NULL (as a second column's hash once did) split
// equal NULL keys into different groups.
func (k *fixedKeys[T]) hash(arr arrow.Array, h []uint64, first bool) {
	vals := k.load(arr)
	v := validityOf(arr)
	var iv []arrow.MonthDayNanoInterval
	if k.interval {
		iv = fixedVals[arrow.MonthDayNanoInterval](arr)
	}
	for i := range h {
		var x uint64
		switch {
		case v.Bits != nil && !v.OK(i):
			x = nullHash
		case k.interval:
			s := intervalSpan(iv[i])
			x = hashRaw([2]uint64{uint64(s.HighBits()), s.LowBits()})
		default:
			x = hashRaw(vals[i])
		}
		mixInto(h, i, x, first)
	}
}

func (k *fixedKeys[T]) add(arr arrow.Array, rows []int32) {
	vals := k.load(arr)
	v := validityOf(arr)
	for _, r := range rows {
		k.vals = append(k.vals, vals[r])
		k.valid = append(k.valid, v.OK(int(r)))
	}
}

func (k *fixedKeys[T]) equal(arr arrow.Array, rows, gids []int32, eq []bool) {
	vals := k.load(arr)
	v := validityOf(arr)
	var iv []arrow.MonthDayNanoInterval
	if k.interval {
		iv = fixedVals[arrow.MonthDayNanoInterval](arr)
	}
	for j, r := range rows {
		g := gids[j]
		if !eq[j] {
			continue
		}
		vr := v.OK(int(r))
		switch {
		case vr != k.valid[g]:
			eq[j] = false
		case !vr:
		case k.interval:
			b := any(k.vals[g]).([2]uint64)
			eq[j] = intervalCmp(iv[r], *(*arrow.MonthDayNanoInterval)(unsafe.Pointer(&b))) == 0
		default:
			eq[j] = vals[r] == k.vals[g]
		}
	}
}

func (k *fixedKeys[T]) build(mem memory.Allocator) arrow.Array {
	n := len(k.vals)
	valid, nulls := buildValidity(mem, n, func(i int) bool { return k.valid[i] })
	if k.isBool {
		vb := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
		bits := vb.Bytes()
		clear(bits)
		for i, x := range any(k.vals).([]uint8) {
			if x != 0 {
				bitutil.SetBit(bits, i)
			}
		}
		return makeArray(k.dt, n, []*memory.Buffer{valid, vb}, nil, nulls)
	}
	vb := newBuffer(mem, n*int(sizeOf[T]()))
	copy(fixedSliceOf[T](vb.Bytes()), k.vals)
	return makeArray(k.dt, n, []*memory.Buffer{valid, vb}, nil, nulls)
}

// bytesKeys stores string/binary keys in one arena.
type bytesKeys struct {
	dt    arrow.DataType
	seed  maphash.Seed
	data  []byte
	offs  []int64
	valid []bool
}

func (k *bytesKeys) hash(arr arrow.Array, h []uint64, first bool) {
	if offsets32(arr) {
		k.hash32(arr, h, first)
		return
	}
	k.hashRows(binaryAccessor(arr), validityOf(arr), h, first)
}

func (k *bytesKeys) add(arr arrow.Array, rows []int32) {
	k.addRows(binaryAccessor(arr), validityOf(arr), rows)
}

func (k *bytesKeys) equal(arr arrow.Array, rows, gids []int32, eq []bool) {
	if offsets32(arr) {
		k.equal32(arr, rows, gids, eq)
		return
	}
	k.equalRows(binaryAccessor(arr), validityOf(arr), rows, gids, eq)
}

// hashRows, addRows and equalRows work on any byte strings: bv(i) gives
// row i's (a string's, or an encoded array's).
func (k *bytesKeys) hashRows(bv func(int) []byte, v validity, h []uint64, first bool) {
	for i := range h {
		if v.OK(i) {
			mixInto(h, i, maphash.Bytes(k.seed, bv(i)), first)
		} else {
			mixInto(h, i, nullHash, first)
		}
	}
}

func (k *bytesKeys) addRows(bv func(int) []byte, v validity, rows []int32) {
	for _, r := range rows {
		ok := v.OK(int(r))
		if ok {
			k.data = append(k.data, bv(int(r))...)
		}
		k.offs = append(k.offs, int64(len(k.data)))
		k.valid = append(k.valid, ok)
	}
}

func (k *bytesKeys) equalRows(bv func(int) []byte, v validity, rows, gids []int32, eq []bool) {
	for j, r := range rows {
		g := gids[j]
		if !eq[j] {
			continue
		}
		vr := v.OK(int(r))
		switch {
		case vr != k.valid[g]:
			eq[j] = false
		case vr:
			eq[j] = bytes.Equal(bv(int(r)), k.data[k.offs[g]:k.offs[g+1]])
		}
	}
}

func (k *bytesKeys) build(mem memory.Allocator) arrow.Array {
	n := len(k.valid)
	valid, nulls := buildValidity(mem, n, func(i int) bool { return k.valid[i] })
	vb := newBuffer(mem, len(k.data))
	copy(vb.Bytes(), k.data)
	var ob *memory.Buffer
	switch k.dt.ID() {
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		ob = newBuffer(mem, (n+1)*8)
		copy(fixedSliceOf[int64](ob.Bytes()), k.offs)
	default:
		ob = newBuffer(mem, (n+1)*4)
		o := fixedSliceOf[int32](ob.Bytes())
		for i, x := range k.offs {
			o[i] = int32(x)
		}
	}
	return makeArray(k.dt, n, []*memory.Buffer{valid, ob, vb}, nil, nulls)
}

// nullKeys is the key store of a column of Arrow type null.
type nullKeys struct{ n int }

func (k *nullKeys) hash(arr arrow.Array, h []uint64, first bool) {
	for i := range h {
		mixInto(h, i, nullHash, first)
	}
}
func (k *nullKeys) add(arr arrow.Array, rows []int32)                    { k.n += len(rows) }
func (k *nullKeys) equal(arr arrow.Array, rows, gids []int32, eq []bool) {}
func (k *nullKeys) build(mem memory.Allocator) arrow.Array {
	return makeArray(arrow.Null, k.n, []*memory.Buffer{nil}, nil, k.n)
}
