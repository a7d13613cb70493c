package tpchgen

import "fmt"

// MaxSF bounds the scale factor so that a typo cannot fill a disk (SF1000
// is about a terabyte of text); dbgen also switches to 64-bit streams at
// SF30000, which this port does not implement.
const MaxSF = 1000

// checkSF validates a scale factor.
func checkSF(sf int) error {
	if sf < 1 || sf > MaxSF {
		return fmt.Errorf("tpchgen: scale factor %d is out of range: it must be an integer from 1 to %d", sf, MaxSF)
	}
	return nil
}

// RowCounts returns the number of rows of each table at scale factor sf
// without generating them: the fixed cardinalities of the specification,
// and for lineitem the sum of the per-order line counts drawn from
// dbgen's line-count stream, so it is exactly what Generate writes (SF1:
// 6,001,215). It takes about 10 ms per scale factor.
func RowCounts(sf int) (map[string]int64, error) {
	if err := checkSF(sf); err != nil {
		return nil, err
	}
	s := int64(sf)
	return map[string]int64{
		"region":   numRegions,
		"nation":   numNations,
		"supplier": baseSupplier * s,
		"customer": baseCustomer * s,
		"part":     basePart * s,
		"partsupp": basePart * suppPerPart * s,
		"orders":   baseOrders * s,
		"lineitem": lineCount(1, baseOrders*s),
	}, nil
}

// lineCount is the number of lines of orders [first, first+n): the line
// count stream is used exactly once per order, so it can be replayed alone.
func lineCount(first, n int64) int64 {
	ss := initialStreams()
	ss.skip(tOrder, tLine, first-1)
	var total int64
	for i := int64(0); i < n; i++ {
		total += ss.random(1, oLcntMax, oLcntSd)
	}
	return total
}
