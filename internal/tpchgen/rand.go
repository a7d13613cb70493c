package tpchgen

// This file and dists.go, rows.go port the random streams and row makers of
// TPC-H dbgen 2.4.0 as github.com/pingcap/go-tpc/tpch/dbgen (Apache-2.0)
// ports them, with its package-level state moved into a generator value so
// that generations are independent, repeatable and can run in parallel.

// table identifies the dbgen table a random stream belongs to.
type table int

const (
	tNone table = iota - 1
	tPart
	tPsupp
	tSupp
	tCust
	tOrder
	tLine
	tNation
	tRegion
)

const (
	numStreams = 48 // dbgen's MAX_STREAM + 1
	syncedMax  = 47 // row_start/row_stop touch streams 0..46 only, as dbgen does
	maxLong    = 2147483647
	modulus    = 2147483647
	multiplier = 16807
)

// stream is one of dbgen's Park–Miller random streams. boundary is how many
// values one row consumes; a finished row advances the stream to exactly
// that many, which is what makes skipping to any row cheap.
type stream struct {
	table    table
	value    int64
	usage    int64
	boundary int64
}

// streams is one generator's set of random streams.
type streams [numStreams]stream

// initialStreams returns dbgen's seeds (dss.h: Seed[]), in stream order.
func initialStreams() streams {
	return streams{
		{tPart, 1, 0, 1},
		{tPart, 46831694, 0, 1},
		{tPart, 1841581359, 0, 1},
		{tPart, 1193163244, 0, 1},
		{tPart, 727633698, 0, 1},
		{tNone, 933588178, 0, 1},
		{tPart, 804159733, 0, 2},
		{tPsupp, 1671059989, 0, suppPerPart},
		{tPsupp, 1051288424, 0, suppPerPart},
		{tPsupp, 1961692154, 0, suppPerPart * 2},
		{tOrder, 1227283347, 0, 1},
		{tOrder, 1171034773, 0, 1},
		{tOrder, 276090261, 0, 2},
		{tOrder, 1066728069, 0, 1},
		{tLine, 209208115, 0, oLcntMax},
		{tLine, 554590007, 0, oLcntMax},
		{tLine, 721958466, 0, oLcntMax},
		{tLine, 1371272478, 0, oLcntMax},
		{tLine, 675466456, 0, oLcntMax},
		{tLine, 1808217256, 0, oLcntMax},
		{tLine, 2095021727, 0, oLcntMax},
		{tLine, 1769349045, 0, oLcntMax},
		{tLine, 904914315, 0, oLcntMax},
		{tLine, 373135028, 0, oLcntMax},
		{tLine, 717419739, 0, oLcntMax},
		{tLine, 1095462486, 0, oLcntMax * 2},
		{tCust, 881155353, 0, 9},
		{tCust, 1489529863, 0, 1},
		{tCust, 1521138112, 0, 3},
		{tCust, 298370230, 0, 1},
		{tCust, 1140279430, 0, 1},
		{tCust, 1335826707, 0, 2},
		{tSupp, 706178559, 0, 9},
		{tSupp, 110356601, 0, 1},
		{tSupp, 884434366, 0, 3},
		{tSupp, 962338209, 0, 1},
		{tSupp, 1341315363, 0, 2},
		{tPart, 709314158, 0, 92},
		{tOrder, 591449447, 0, 1},
		{tLine, 431918286, 0, 1},
		{tOrder, 851767375, 0, 1},
		{tNation, 606179079, 0, 2},
		{tRegion, 1500869201, 0, 2},
		{tOrder, 1434868289, 0, 1},
		{tSupp, 263032577, 0, 1},
		{tSupp, 753643799, 0, 1},
		{tSupp, 202794285, 0, 1},
		{tSupp, 715851524, 0, 1},
	}
}

// random returns a uniform value in [lo, hi] from stream s (dbgen's
// RANDOM / UnifInt, including its int32 wrap-around for [0, MAX_LONG]).
func (ss *streams) random(lo, hi int64, s int) int64 {
	ss[s].usage++
	var r float64
	if hi == maxLong && lo == 0 {
		r = float64(int32(hi) - int32(lo) + 1) // wraps to -2^31, as in dbgen
	} else {
		r = float64(hi - lo + 1)
	}
	ss[s].value = ss[s].value * multiplier % modulus
	return lo + int64(float64(ss[s].value)/float64(modulus)*r)
}

// nthElement advances a Park–Miller seed by n steps in O(log n).
func nthElement(n, seed int64) int64 {
	mult := int64(multiplier)
	for n > 0 {
		if n%2 != 0 {
			seed = mult * seed % modulus
		}
		n /= 2
		mult = mult * mult % modulus
	}
	return seed
}

// rowStart begins a row: usage counts restart (dbgen row_start).
func (ss *streams) rowStart() {
	for i := 0; i < syncedMax; i++ {
		ss[i].usage = 0
	}
}

// rowStop ends a row of t (and of its child table, lineitem for orders and
// partsupp for part): each of their streams is advanced to its boundary
// (dbgen row_stop).
func (ss *streams) rowStop(t, child table) {
	for i := 0; i < syncedMax; i++ {
		if ss[i].table == t || ss[i].table == child {
			if n := ss[i].boundary - ss[i].usage; n > 0 {
				ss[i].value = nthElement(n, ss[i].value)
			}
		}
	}
}

// skip advances the streams of t and child as if rows rows of t had been
// generated: every such row consumes exactly boundary values per stream.
// Stream 47 is never synced by rowStop but is used exactly once per
// supplier, which its boundary of 1 also describes.
func (ss *streams) skip(t, child table, rows int64) {
	if rows <= 0 {
		return
	}
	for i := range ss {
		if ss[i].table == t || ss[i].table == child {
			ss[i].value = nthElement(rows*ss[i].boundary, ss[i].value)
		}
	}
}
