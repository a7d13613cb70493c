package tpchgen

// The row makers: one dbgen mk_* routine each. Money is in cents; dates are
// offsets in days from 1992-01-01. Byte slices alias the gen's buffers or
// the text pool and are valid until the gen's next call.

type custRow struct {
	key, nation, acctbal int64
	name, address, phone []byte
	segment              string
	comment              []byte
}

type suppRow struct {
	key, nation, acctbal          int64
	name, address, phone, comment []byte
}

type partRow struct {
	key, size, price  int64
	name, mfgr, brand []byte
	ptype, container  string
	comment           []byte
	supps             [suppPerPart]partSuppRow
}

type partSuppRow struct {
	partKey, suppKey, qty, cost int64
	comment                     []byte
}

type orderRow struct {
	key, custKey, totalPrice, date int64
	status                         byte
	priority                       string
	clerk, comment                 []byte
	lines                          []lineRow
}

type lineRow struct {
	orderKey, partKey, suppKey, number int64
	quantity, extPrice, discount, tax  int64 // quantity in units; discount and tax in percent
	returnFlag, lineStatus             byte
	shipDate, commitDate, receiptDate  int64
	instruct, mode                     string
	comment                            []byte
}

type nationRow struct {
	key, region int64
	name        string
	comment     []byte
}

// nation makes nation idx (1-based; mk_nation).
func (g *gen) nation(idx int64) nationRow {
	m := g.d.nations.members[idx-1]
	return nationRow{key: idx - 1, name: m.text, region: m.weight, comment: g.text(72, nCmntSd)}
}

// region makes region idx (1-based; mk_region).
func (g *gen) region(idx int64) nationRow {
	return nationRow{key: idx - 1, name: g.d.regions.members[idx-1].text, comment: g.text(72, rCmntSd)}
}

// customer makes customer idx (mk_cust).
func (g *gen) customer(idx int64, r *custRow) {
	b := append(g.buf[:0], "Customer#"...)
	b = appendPadded(b, idx, 9)
	n1 := len(b)
	b = g.vstr(b, 25, cAddrSd)
	n2 := len(b)
	r.key = idx
	r.nation = g.random(0, int64(g.d.nations.count()-1), cNtrgSd)
	b = g.phone(b, r.nation, cPhneSd)
	r.name, r.address, r.phone = b[:n1], b[n1:n2], b[n2:]
	r.acctbal = g.random(-99999, 999999, cAbalSd)
	r.segment = g.d.cMktSegment.pick(&g.ss, cMsegSd).text
	r.comment = g.text(73, cCmntSd)
	g.buf = b
}

// supplier makes supplier idx (mk_supp), planting "Customer ... Complaints"
// or "... Recommends" into one comment in a thousand, as Q16 expects.
func (g *gen) supplier(idx int64, r *suppRow) {
	const base, complain, commend, bbbLen = "Customer ", "Complaints", "Recommends", 19
	b := append(g.buf[:0], "Supplier#"...)
	b = appendPadded(b, idx, 9)
	n1 := len(b)
	b = g.vstr(b, 25, sAddrSd)
	n2 := len(b)
	r.key = idx
	r.nation = g.random(0, int64(g.d.nations.count()-1), sNtrgSd)
	b = g.phone(b, r.nation, sPhneSd)
	n3 := len(b)
	r.acctbal = g.random(-99999, 999999, sAbalSd)
	comment := g.text(63, sCmntSd)
	bad := g.random(1, 10000, bbbCmntSd)
	kind := g.random(0, 100, bbbTypeSd)
	noise := g.random(0, int64(len(comment)-bbbLen), bbbJnkSd)
	off := g.random(0, int64(len(comment))-(bbbLen+noise), bbbOffsetSd)
	if bad <= 10 { // S_CMNT_BBB: 10 in 10000
		b = append(b, comment...)
		c := b[n3:]
		copy(c[off:], base)
		word := complain
		if kind >= 50 { // BBB_DEADBEATS
			word = commend
		}
		copy(c[int64(len(base))+off+noise:], word)
		comment = c
	}
	r.name, r.address, r.phone, r.comment = b[:n1], b[n1:n2], b[n2:n3], comment
	g.buf = b
}

// part makes part idx and its four partsupp rows (mk_part).
func (g *gen) part(idx int64, r *partRow) {
	// Name: five distinct colors (agg_str with a permutation of colors).
	colors := &g.d.colors
	for i := range g.permute {
		g.permute[i] = i
	}
	for i := range g.permute {
		j := g.random(int64(i), int64(len(g.permute)-1), pNameSd)
		g.permute[j], g.permute[i] = g.permute[i], g.permute[j]
	}
	b := g.buf[:0]
	for i := 0; i < 5; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, colors.members[g.permute[i]].text...)
	}
	n1 := len(b)
	mfgr := g.random(1, 5, pMfgSd)
	b = append(b, "Manufacturer#"...)
	b = appendPadded(b, mfgr, 1)
	n2 := len(b)
	b = append(b, "Brand#"...)
	b = appendPadded(b, mfgr*10+g.random(1, 5, pBrndSd), 2)
	r.key = idx
	r.name, r.mfgr, r.brand = b[:n1], b[n1:n2], b[n2:]
	r.ptype = g.d.pTypes.pick(&g.ss, pTypeSd).text
	r.size = g.random(1, 50, pSizeSd)
	r.container = g.d.pContainers.pick(&g.ss, pCntrSd).text
	r.price = retailPrice(idx)
	r.comment = g.text(14, pCmntSd)
	for i := range r.supps {
		ps := &r.supps[i]
		ps.partKey = idx
		ps.suppKey = g.partSuppKey(idx, int64(i))
		ps.qty = g.random(1, 9999, psQtySd)
		ps.cost = g.random(100, 100000, psScstSd)
		ps.comment = g.text(124, psCmntSd)
	}
	g.buf = b
}

// order makes order idx and its lines (mk_order).
func (g *gen) order(idx int64, r *orderRow) {
	custMax := baseCustomer * g.scale
	r.key = idx>>3<<5 | idx&7 // mk_sparse: 8 keys used in every 32
	r.custKey = g.random(1, custMax, oCkeySd)
	// One customer in three places no orders.
	for delta := int64(1); r.custKey%3 == 0; delta = -delta {
		r.custKey = min(r.custKey+delta, custMax)
	}
	date := g.random(startDate, startDate+totDate-(121+30)-1, oOdateSd)
	r.date = date - startDate
	r.priority = g.d.oPriority.pick(&g.ss, oPrioSd).text
	b := append(g.buf[:0], "Clerk#"...)
	r.clerk = appendPadded(b, g.random(1, max(g.scale*1000, 1000), oClrkSd), 9)
	g.buf = r.clerk
	r.comment = g.text(49, oCmntSd)
	r.totalPrice = 0
	shipped := 0
	n := g.random(1, oLcntMax, oLcntSd)
	r.lines = r.lines[:0]
	for i := int64(0); i < n; i++ {
		l := lineRow{orderKey: r.key, number: i + 1}
		l.quantity = g.random(1, 50, lQtySd)
		l.discount = g.random(0, 10, lDcntSd)
		l.tax = g.random(0, 8, lTaxSd)
		l.instruct = g.d.lInstruct.pick(&g.ss, lShipSd).text
		l.mode = g.d.lShipMode.pick(&g.ss, lSmodeSd).text
		l.comment = g.text(27, lCmntSd)
		l.partKey = g.random(1, basePart*g.scale, lPkeySd)
		l.suppKey = g.partSuppKey(l.partKey, g.random(0, 3, lSkeySd))
		l.extPrice = retailPrice(l.partKey) * l.quantity
		r.totalPrice += l.extPrice * (100 - l.discount) / pennies * (100 + l.tax) / pennies
		ship := date + g.random(1, 121, lSdteSd)
		commit := date + g.random(30, 90, lCdteSd)
		receipt := ship + g.random(1, 30, lRdteSd)
		l.shipDate, l.commitDate, l.receiptDate = ship-startDate, commit-startDate, receipt-startDate
		l.returnFlag = 'N'
		if l.receiptDate <= g.pastCutoff {
			l.returnFlag = g.d.lRFlag.pick(&g.ss, lRflgSd).text[0]
		}
		l.lineStatus = 'O'
		if l.shipDate <= g.pastCutoff {
			l.lineStatus = 'F'
			shipped++
		}
		r.lines = append(r.lines, l)
	}
	switch {
	case shipped == len(r.lines):
		r.status = 'F'
	case shipped > 0:
		r.status = 'P'
	default:
		r.status = 'O'
	}
}
