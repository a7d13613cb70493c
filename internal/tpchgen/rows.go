package tpchgen

import "strconv"

// dbgen constants (dss.h, dsstypes.h) the row makers use.
const (
	suppPerPart   = 4
	oLcntMax      = 7
	ordersPerCust = 10
	pennies       = 100

	startDate   = 92001 // dbgen dates are offsets from 1992-01-01 written as yyddd
	currentDate = 95168 // 1995-06-17: lines shipped or received by then are "past"
	totDate     = 2557  // days from 1992-01-01 to 1998-12-31
	epochDay92  = 8035  // 1992-01-01 as days since 1970-01-01 (Arrow date32)
)

// Base row counts at scale factor 1 (dbgen tdefs[].base).
const (
	basePart     = 200_000
	baseSupplier = 10_000
	baseCustomer = 150_000
	baseOrders   = baseCustomer * ordersPerCust
	numNations   = 25
	numRegions   = 5
)

// Random stream numbers (dss.h *_SD).
const (
	pMfgSd, pBrndSd, pTypeSd, pSizeSd, pCntrSd, pCmntSd   = 0, 1, 2, 3, 4, 6
	psQtySd, psScstSd, psCmntSd, pNameSd                  = 7, 8, 9, 37
	oClrkSd, oCmntSd, oOdateSd, oPrioSd, oCkeySd, oLcntSd = 11, 12, 13, 38, 40, 43
	lQtySd, lDcntSd, lTaxSd, lShipSd, lSmodeSd, lPkeySd   = 14, 15, 16, 17, 18, 19
	lSkeySd, lSdteSd, lCdteSd, lRdteSd, lRflgSd, lCmntSd  = 20, 21, 22, 23, 24, 25
	cAddrSd, cNtrgSd, cPhneSd, cAbalSd, cMsegSd, cCmntSd  = 26, 27, 28, 29, 30, 31
	sAddrSd, sNtrgSd, sPhneSd, sAbalSd, sCmntSd           = 32, 33, 34, 35, 36
	nCmntSd, rCmntSd                                      = 41, 42
	bbbJnkSd, bbbTypeSd, bbbCmntSd, bbbOffsetSd           = 44, 45, 46, 47
)

// shared is what every worker of one generation reads: the scale, the
// distributions and the text pool. It is immutable once built.
type shared struct {
	scale int64
	d     *dists
	pool  []byte
	// pastCutoff is the last date offset (days after 1992-01-01) that dbgen
	// considers on or before CURRENTDATE.
	pastCutoff int64
}

// gen makes rows of one contiguous range of one table. Byte slices in the
// rows it returns alias its buffers or the text pool and are valid until
// its next call; a gen is used by one goroutine.
type gen struct {
	*shared
	ss      streams
	permute []int
	buf     []byte // scratch for formatted names and modified comments
}

func newGen(sh *shared) *gen {
	g := &gen{shared: sh, ss: initialStreams(), permute: make([]int, sh.d.colors.count())}
	return g
}

func (g *gen) random(lo, hi int64, s int) int64 { return g.ss.random(lo, hi, s) }

// text returns a comment of average length avg from the pool (make_text).
func (g *gen) text(avg int, s int) []byte {
	lo, hi := int64(float64(avg)*0.4), int64(float64(avg)*1.6)
	off := g.random(0, int64(len(g.pool))-hi, s)
	n := g.random(lo, hi, s)
	return g.pool[off : off+n]
}

// vstr appends a random alphanumeric string of average length avg (V_STR).
func (g *gen) vstr(buf []byte, avg int, s int) []byte {
	const alphaNum = "0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ,"
	n := g.random(int64(float64(avg)*0.4), int64(float64(avg)*1.6), s)
	var c int64
	for i := int64(0); i < n; i++ {
		if i%5 == 0 {
			c = g.random(0, maxLong, s)
		}
		buf = append(buf, alphaNum[c&0o77])
		c >>= 6
	}
	return buf
}

// phone appends a phone number of a nation (gen_phone).
func (g *gen) phone(buf []byte, nation int64, s int) []byte {
	area, exchange, number := g.random(100, 999, s), g.random(100, 999, s), g.random(1000, 9999, s)
	buf = appendPadded(buf, 10+nation%90, 2)
	buf = append(buf, '-')
	buf = appendPadded(buf, area, 3)
	buf = append(buf, '-')
	buf = appendPadded(buf, exchange, 3)
	buf = append(buf, '-')
	return appendPadded(buf, number, 4)
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(buf []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

// retailPrice is a part's price in cents (rpb_routine).
func retailPrice(partKey int64) int64 {
	return 90000 + (partKey/10)%20001 + (partKey%1000)*100
}

// partSuppKey is the supplier key of a part's i-th supplier (PART_SUPP_BRIDGE).
func (g *gen) partSuppKey(partKey, i int64) int64 {
	n := baseSupplier * g.scale
	return (partKey+i*(n/suppPerPart+(partKey-1)/n))%n + 1
}

// julian converts a dbgen date (startDate + offset) to yyddd form.
func julian(date int64) int64 {
	offset, result := date-startDate, int64(startDate)
	for {
		yr := result / 1000
		yend := yr*1000 + 365 + leap(yr)
		if result+offset <= yend {
			return result + offset
		}
		offset -= yend - result + 1
		result += 1000
	}
}

func leap(yy int64) int64 {
	if yy%4 == 0 && yy%100 != 0 {
		return 1
	}
	return 0
}

// pastCutoff finds the last date offset whose julian date is <= currentDate.
func pastCutoff() int64 {
	var last int64 = -1
	for off := int64(0); off < totDate; off++ {
		if julian(startDate+off) <= currentDate {
			last = off
		}
	}
	return last
}
