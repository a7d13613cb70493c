package ops

import (
	"math"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// accumulator holds one aggregate's state for every group of a hash table.
// All methods work on whole batches; gids[i] < 0 means row i is skipped
// (its FILTER was not TRUE).
type accumulator interface {
	// grow makes room for groups 0..n-1 (new groups start empty).
	grow(n int)
	// update folds rows into their groups; len(gids) is the row count.
	update(gids []int32, args []arrow.Array) error
	// merge folds src's group g into group gmap[g]; src has the same
	// concrete type and is not used afterwards.
	merge(src accumulator, gmap []int32) error
	// finish returns one result per group.
	finish(mem memory.Allocator) (arrow.Array, error)
	// release frees retained memory; the accumulator is not used again.
	release()
}

// countAcc is count(*) and count(x).
type countAcc struct {
	n    []int64
	star bool
	add  bool // count_merge: adds its bigint argument (partial counts)
}

func (a *countAcc) grow(n int) { a.n = growTo(a.n, n) }

func (a *countAcc) update(gids []int32, args []arrow.Array) error {
	if a.add {
		return addCounts(a.n, gids, args[0])
	}
	if !a.star {
		if args[0].DataType().ID() == arrow.NULL {
			return nil
		}
		if v := validityOf(args[0]); v.Bits != nil {
			for i, g := range gids {
				if g >= 0 && v.OK(i) {
					a.n[g]++
				}
			}
			return nil
		}
	}
	if len(a.n) <= laneGroups {
		countLanes(a.n, gids)
		return nil
	}
	for _, g := range gids {
		if g >= 0 {
			a.n[g]++
		}
	}
	return nil
}

// countLanes adds one to n[g] for every group g ≥ 0 of gids, for at
// most laneGroups groups: odd rows are counted apart and added at the
// end (see laneGroups).
func countLanes(n []int64, gids []int32) {
	var n2 [laneGroups]int64
	i := 0
	for ; i+1 < len(gids); i += 2 {
		if g := gids[i]; g >= 0 {
			n[g]++
		}
		if g := gids[i+1]; g >= 0 {
			n2[g]++
		}
	}
	if i < len(gids) && gids[i] >= 0 {
		n[gids[i]]++
	}
	for g := range n {
		n[g] += n2[g]
	}
}

func (a *countAcc) merge(src accumulator, gmap []int32) error {
	for g, c := range src.(*countAcc).n {
		if d := gmap[g]; d >= 0 { // -1: merged by another part (hashaggmerge.go)
			a.n[d] += c
		}
	}
	return nil
}

func (a *countAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, a.n, nil), nil
}

func (a *countAcc) release() {}

// growTo returns s extended to length n with zero values (s itself if it
// is long enough); capacity at least doubles when it grows.
func growTo[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	if n <= cap(s) {
		t := s[:n]
		clear(t[len(s):])
		return t
	}
	t := make([]T, n, max(n, 2*cap(s)))
	copy(t, s)
	return t
}

// fixedArray builds an array of type dt from values; valid == nil means
// no NULLs.
func fixedArray[T any](mem memory.Allocator, dt arrow.DataType, vals []T, valid []bool) arrow.Array {
	n := len(vals)
	var vb *memory.Buffer
	nulls := 0
	if valid != nil {
		vb, nulls = buildValidity(mem, n, func(i int) bool { return valid[i] })
	}
	db := newBuffer(mem, n*int(sizeOf[T]()))
	copy(fixedSliceOf[T](db.Bytes()), vals)
	return makeArray(dt, n, []*memory.Buffer{vb, db}, nil, nulls)
}

// sumKind is how a sum is accumulated.
type sumKind uint8

const (
	sumI64  sumKind = iota // int2/int4 inputs, bigint result, overflow checked
	sumI128                // int8 and numeric inputs, 128-bit
	sumF64                 // float inputs
)

// sumAcc is sum(x) and, with avg set, avg(x).
type sumAcc struct {
	kind  sumKind
	avg   bool
	in    arrow.DataType // argument type
	out   sqltypes.Type  // result type
	i64   []int64
	hi    []int64
	lo    []uint64
	f64   []float64
	count []int64 // non-NULL inputs per group
	// part is, for sumI128, a partial sum per group not yet in hi/lo:
	// inputs that fit in 64 bits (decimal(p ≤ 18) and bigint values)
	// are added to it with one add and an overflow check, and it is
	// folded into the 128-bit sum when it would overflow and by flush.
	part []int64
	// special holds, per group, the numeric NaN and ±Infinity inputs
	// seen (specialNaN|specialPosInf|specialNegInf); nil until the first.
	special []uint8
}

const (
	specialNaN uint8 = 1 << iota
	specialPosInf
	specialNegInf
)

// addSpecial records the numeric NaN or ±Infinity d in group g: the sum
// is then that special value, as PostgreSQL's numeric sum keeps them
// apart from the finite sum.
func (a *sumAcc) addSpecial(g int32, d decimal128.Num) {
	a.special = growTo(a.special, len(a.count))
	switch {
	case sqltypes.IsNumericNaN(d):
		a.special[g] |= specialNaN
	case d.Sign() > 0:
		a.special[g] |= specialPosInf
	default:
		a.special[g] |= specialNegInf
	}
}

// specialSum is the sum of a group whose inputs include the special
// values in bits: NaN with any NaN or with both infinities.
func specialSum(bits uint8) decimal128.Num {
	switch bits {
	case specialPosInf:
		return sqltypes.NumericPosInf
	case specialNegInf:
		return sqltypes.NumericNegInf
	}
	return sqltypes.NumericNaN
}

func newSumAcc(in arrow.DataType, out sqltypes.Type, avg bool) (*sumAcc, error) {
	a := &sumAcc{in: in, out: out, avg: avg}
	switch in.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32:
		a.kind = sumI64
		if avg {
			a.kind = sumI128
		}
	case arrow.INT64, arrow.DECIMAL128:
		a.kind = sumI128
	case arrow.FLOAT32, arrow.FLOAT64:
		a.kind = sumF64
	default:
		return nil, sqltypes.New(sqltypes.CodeUndefinedFunction, "function sum(%s) does not exist", in)
	}
	return a, nil
}

func (a *sumAcc) grow(n int) {
	a.count = growTo(a.count, n)
	switch a.kind {
	case sumI64:
		a.i64 = growTo(a.i64, n)
	case sumI128:
		a.hi, a.lo, a.part = growTo(a.hi, n), growTo(a.lo, n), growTo(a.part, n)
	default:
		a.f64 = growTo(a.f64, n)
	}
}

// add128 adds (h, l) to group g; it reports signed 128-bit overflow.
func (a *sumAcc) add128(g int32, h int64, l uint64) bool {
	lo := a.lo[g] + l
	carry := int64(0)
	if lo < l {
		carry = 1
	}
	hi := a.hi[g] + h + carry
	overflow := (a.hi[g] >= 0) == (h >= 0) && (hi >= 0) != (h >= 0)
	a.hi[g], a.lo[g] = hi, lo
	return overflow
}

func errBigintRange() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "bigint out of range")
}
func errNumericOverflow() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "numeric field overflow")
}

func (a *sumAcc) update(gids []int32, args []arrow.Array) error {
	arr := args[0]
	v := validityOf(arr)
	switch arr.DataType().ID() {
	case arrow.INT8:
		return sumInts(a, gids, fixedVals[int8](arr), v)
	case arrow.INT16:
		return sumInts(a, gids, fixedVals[int16](arr), v)
	case arrow.INT32:
		return sumInts(a, gids, fixedVals[int32](arr), v)
	case arrow.INT64:
		return sumInts(a, gids, fixedVals[int64](arr), v)
	case arrow.FLOAT32:
		return sumFloats(a, gids, fixedVals[float32](arr), v)
	case arrow.FLOAT64:
		return sumFloats(a, gids, fixedVals[float64](arr), v)
	case arrow.DECIMAL128:
		return sumDecimals(a, gids, fixedVals[decimal128.Num](arr), v)
	}
	return errInternal("sum over %s", arr.DataType())
}

func sumInts[T int8 | int16 | int32 | int64](a *sumAcc, gids []int32, vals []T, v validity) error {
	for i, x := range vals[:len(gids)] {
		g := gids[i]
		if g < 0 || (v.Bits != nil && !v.OK(i)) {
			continue
		}
		a.count[g]++
		if a.kind == sumI64 {
			s := a.i64[g] + int64(x)
			if (s > a.i64[g]) != (x > 0) {
				return errBigintRange()
			}
			a.i64[g] = s
		} else if !a.addPart(g, int64(x)) {
			return errNumericOverflow()
		}
	}
	return nil
}

// sumDecimals is sumInts for decimal128 values: those that fit in 64
// bits go to the partial sums inline, the others (and a partial about to
// overflow) through the 128-bit path.
func sumDecimals(a *sumAcc, gids []int32, vals []decimal128.Num, v validity) error {
	if len(a.count) <= laneGroups && v.Bits == nil {
		return sumDecimalsLanes(a, gids, vals)
	}
	part, count := a.part, a.count
	for i, d := range vals[:len(gids)] {
		g := gids[i]
		if g < 0 || (v.Bits != nil && !v.OK(i)) {
			continue
		}
		count[g]++
		lo, hi := d.LowBits(), d.HighBits()
		x := int64(lo)
		if hi == x>>63 {
			p := part[g]
			if s := p + x; (s > p) == (x > 0) || x == 0 {
				part[g] = s
				continue
			}
			if !a.addPart(g, x) {
				return errNumericOverflow()
			}
		} else if sqltypes.IsNumericSpecialHi(hi) {
			a.addSpecial(g, d)
		} else if a.add128(g, hi, lo) {
			return errNumericOverflow()
		}
	}
	return nil
}

// laneGroups is the most groups for which sums and counts are kept in
// two lanes (sumDecimalsLanes, countLanes). With a few groups,
// consecutive rows mostly add to the same group (TPC-H Q1's four, a
// global aggregate's one), and each row's add waits for the previous
// row's store to the same counter; rows taken alternately into two sets
// of counters make two independent chains.
const laneGroups = 16

// sumDecimalsLanes is sumDecimals over rows without NULLs for at most
// laneGroups groups: odd rows go to partial sums and counts of their
// own, folded into a's at the end.
func sumDecimalsLanes(a *sumAcc, gids []int32, vals []decimal128.Num) error {
	var part2, count2 [laneGroups]int64
	part, count := a.part, a.count
	vals = vals[:len(gids)]
	i := 0
	for ; i+1 < len(gids); i += 2 {
		if g := gids[i]; g >= 0 {
			count[g]++
			d := vals[i]
			x := int64(d.LowBits())
			if d.HighBits() != x>>63 {
				if err := a.addWide(g, d); err != nil {
					return err
				}
			} else if p, s := part[g], part[g]+x; (s > p) == (x > 0) || x == 0 {
				part[g] = s
			} else if !a.addPart(g, x) {
				return errNumericOverflow()
			}
		}
		if g := gids[i+1]; g >= 0 {
			count2[g]++
			d := vals[i+1]
			x := int64(d.LowBits())
			if d.HighBits() != x>>63 {
				if err := a.addWide(g, d); err != nil {
					return err
				}
			} else if p, s := part2[g], part2[g]+x; (s > p) == (x > 0) || x == 0 {
				part2[g] = s
			} else {
				// The lane's partial would overflow: fold it into a's.
				if !a.addPart(g, p) {
					return errNumericOverflow()
				}
				part2[g] = x
			}
		}
	}
	for ; i < len(gids); i++ {
		if g := gids[i]; g >= 0 {
			count[g]++
			d := vals[i]
			if x := int64(d.LowBits()); d.HighBits() != x>>63 {
				if err := a.addWide(g, d); err != nil {
					return err
				}
			} else if !a.addPart(g, x) {
				return errNumericOverflow()
			}
		}
	}
	for g := range count {
		count[g] += count2[g]
		if part2[g] != 0 && !a.addPart(int32(g), part2[g]) {
			return errNumericOverflow()
		}
	}
	return nil
}

// addWide adds a decimal that does not fit in 64 bits (or a numeric NaN
// or infinity) to group g.
func (a *sumAcc) addWide(g int32, d decimal128.Num) error {
	if hi := d.HighBits(); sqltypes.IsNumericSpecialHi(hi) {
		a.addSpecial(g, d)
	} else if a.add128(g, hi, d.LowBits()) {
		return errNumericOverflow()
	}
	return nil
}

// addPart adds x to group g's 64-bit partial sum, first folding the
// partial into the 128-bit sum if the addition would overflow; it
// reports false on 128-bit overflow.
func (a *sumAcc) addPart(g int32, x int64) bool {
	p := a.part[g]
	s := p + x
	if (s > p) == (x > 0) || x == 0 {
		a.part[g] = s
		return true
	}
	a.part[g] = x
	return !a.add128(g, p>>63, uint64(p))
}

// flush folds every partial sum into the 128-bit sums; it reports false
// on overflow.
func (a *sumAcc) flush() bool {
	for g, p := range a.part {
		if p != 0 {
			a.part[g] = 0
			if a.add128(int32(g), p>>63, uint64(p)) {
				return false
			}
		}
	}
	return true
}

func sumFloats[T float32 | float64](a *sumAcc, gids []int32, vals []T, v validity) error {
	if vs, ok := any(vals).([]float32); ok && !a.avg {
		return sumReals(a, gids, vs, v)
	}
	for i, x := range vals[:len(gids)] {
		if g := gids[i]; g >= 0 && (v.Bits == nil || v.OK(i)) {
			a.count[g]++
			s, ok := floatAdd(a.f64[g], float64(x))
			if !ok {
				return errFloatOverflow()
			}
			a.f64[g] = s
		}
	}
	return nil
}

// floatAdd is PostgreSQL's float8pl (and the Sx step of float8_accum):
// a sum of finite values that is infinite is 22003, where adding an
// infinity is not.
func floatAdd(x, y float64) (float64, bool) {
	s := x + y
	return s, !math.IsInf(s, 0) || math.IsInf(x, 0) || math.IsInf(y, 0)
}

// realAdd is float4pl: floatAdd in single precision, rounding the sum.
func realAdd(x, y float64) (float64, bool) {
	s := float64(float32(x) + float32(y))
	return s, !math.IsInf(s, 0) || math.IsInf(x, 0) || math.IsInf(y, 0)
}

// sumReals is sum(real): PostgreSQL adds in single precision (float4pl),
// rounding after every addition, so the sum is kept as a float32 value.
// avg(real) accumulates in double precision (float4_accum) and does not
// come here.
func sumReals(a *sumAcc, gids []int32, vals []float32, v validity) error {
	for i, x := range vals[:len(gids)] {
		if g := gids[i]; g >= 0 && (v.Bits == nil || v.OK(i)) {
			a.count[g]++
			s, ok := realAdd(a.f64[g], float64(x))
			if !ok {
				return errFloatOverflow()
			}
			a.f64[g] = s
		}
	}
	return nil
}

func (a *sumAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*sumAcc)
	if !s.flush() {
		return errNumericOverflow()
	}
	for g, c := range s.count {
		d := gmap[g]
		if d < 0 { // merged by another part (hashaggmerge.go)
			continue
		}
		a.count[d] += c
		if g < len(s.special) && s.special[g] != 0 {
			a.special = growTo(a.special, len(a.count))
			a.special[d] |= s.special[g]
		}
		switch a.kind {
		case sumI64:
			r := a.i64[d] + s.i64[g]
			if (r > a.i64[d]) != (s.i64[g] > 0) {
				return errBigintRange()
			}
			a.i64[d] = r
		case sumI128:
			if a.add128(d, s.hi[g], s.lo[g]) {
				return errNumericOverflow()
			}
		default:
			add := floatAdd
			if a.in.ID() == arrow.FLOAT32 && !a.avg {
				add = realAdd // see sumReals
			}
			sum, ok := add(a.f64[d], s.f64[g])
			if !ok {
				return errFloatOverflow()
			}
			a.f64[d] = sum
		}
	}
	return nil
}

func (a *sumAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	if !a.flush() {
		return nil, errNumericOverflow()
	}
	n := len(a.count)
	valid := make([]bool, n)
	for g, c := range a.count {
		valid[g] = c > 0
	}
	dt := a.out.Arrow()
	switch {
	case a.kind == sumF64 && a.avg:
		out := make([]float64, n)
		for g := range out {
			if valid[g] {
				out[g] = a.f64[g] / float64(a.count[g])
			}
		}
		return fixedArray(mem, dt, out, valid), nil
	case a.kind == sumF64 && dt.ID() == arrow.FLOAT32:
		out := make([]float32, n)
		for g := range out {
			out[g] = float32(a.f64[g])
		}
		return fixedArray(mem, dt, out, valid), nil
	case a.kind == sumF64:
		return fixedArray(mem, dt, a.f64, valid), nil
	case a.kind == sumI64:
		return fixedArray(mem, dt, a.i64, valid), nil
	}
	inScale := int32(0)
	if d, ok := a.in.(*arrow.Decimal128Type); ok {
		inScale = d.Scale
	}
	prec, scale := resultDecimal(dt)
	out := make([]decimal128.Num, n)
	for g := range out {
		if !valid[g] {
			continue
		}
		if g < len(a.special) && a.special[g] != 0 {
			out[g] = specialSum(a.special[g])
			continue
		}
		s := decimal128.New(a.hi[g], a.lo[g])
		if a.avg {
			s = divRound(s, scale-inScale, a.count[g])
		} else if scale != inScale {
			s = divRound(s, scale-inScale, 1)
		}
		if !s.FitsInPrecision(prec) {
			return nil, errNumericOverflow()
		}
		out[g] = s
	}
	return fixedArray(mem, dt, out, valid), nil
}

func resultDecimal(dt arrow.DataType) (int32, int32) {
	d := dt.(*arrow.Decimal128Type)
	return d.Precision, d.Scale
}

// divRound returns s * 10^shift / n rounded half away from zero, as
// PostgreSQL rounds numeric division (big.Int: the product may exceed 128
// bits even when the quotient fits). Results beyond 128 bits saturate so
// that the precision check fails.
func divRound(s decimal128.Num, shift int32, n int64) decimal128.Num {
	x := s.BigInt()
	if shift > 0 {
		x.Mul(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	}
	d := big.NewInt(n)
	if shift < 0 {
		d.Mul(d, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-shift)), nil))
	}
	q, r := new(big.Int).QuoRem(x, d, new(big.Int))
	if r.Sign() != 0 && new(big.Int).Abs(new(big.Int).Lsh(r, 1)).Cmp(d) >= 0 {
		if x.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if q.BitLen() > 126 {
		return decimal128.GetMaxValue(38).Add(decimal128.FromI64(1))
	}
	return decimal128.FromBigInt(q)
}

func (a *sumAcc) release() {}

// boolAcc is bool_and / bool_or.
type boolAcc struct {
	and  bool
	val  []bool
	seen []bool
}

func (a *boolAcc) grow(n int) { a.val, a.seen = growTo(a.val, n), growTo(a.seen, n) }

func (a *boolAcc) update(gids []int32, args []arrow.Array) error {
	arr := args[0]
	if arr.DataType().ID() == arrow.NULL {
		return nil
	}
	bits, off := boolBits(arr)
	v := validityOf(arr)
	for i, g := range gids {
		if g < 0 || !v.OK(i) {
			continue
		}
		a.fold(g, bits != nil && bitutil.BitIsSet(bits, off+i))
	}
	return nil
}

func (a *boolAcc) fold(g int32, x bool) {
	switch {
	case !a.seen[g]:
		a.val[g], a.seen[g] = x, true
	case a.and:
		a.val[g] = a.val[g] && x
	default:
		a.val[g] = a.val[g] || x
	}
}

func (a *boolAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*boolAcc)
	for g, seen := range s.seen {
		if seen {
			a.fold(gmap[g], s.val[g])
		}
	}
	return nil
}

func (a *boolAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	n := len(a.val)
	vals := make([]uint8, n)
	for i, x := range a.val {
		if x {
			vals[i] = 1
		}
	}
	k := &fixedKeys[uint8]{dt: arrow.FixedWidthTypes.Boolean, isBool: true, vals: vals, valid: a.seen}
	return k.build(mem), nil
}

func (a *boolAcc) release() {}
