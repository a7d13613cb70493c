package tpchgen

import "context"

// The appenders write one generated row into a table's writer, column by
// column in the order of specs(); quantities, discounts and taxes become
// DECIMAL(15,2) values as dbgen prints them (17 -> 17.00, 4% -> 0.04).

func appendOrder(ctx context.Context, ow, lw *partWriter, r *orderRow) error {
	ow.i64(0, r.key)
	ow.i64(1, r.custKey)
	ow.char(2, r.status)
	ow.money(3, r.totalPrice)
	ow.date(4, r.date)
	ow.str(5, r.priority)
	ow.bytes(6, r.clerk)
	ow.i32(7, 0)
	ow.bytes(8, r.comment)
	if err := ow.rowDone(ctx); err != nil {
		return err
	}
	for i := range r.lines {
		l := &r.lines[i]
		lw.i64(0, l.orderKey)
		lw.i64(1, l.partKey)
		lw.i64(2, l.suppKey)
		lw.i64(3, l.number)
		lw.money(4, l.quantity*100)
		lw.money(5, l.extPrice)
		lw.money(6, l.discount)
		lw.money(7, l.tax)
		lw.char(8, l.returnFlag)
		lw.char(9, l.lineStatus)
		lw.date(10, l.shipDate)
		lw.date(11, l.commitDate)
		lw.date(12, l.receiptDate)
		lw.str(13, l.instruct)
		lw.str(14, l.mode)
		lw.bytes(15, l.comment)
		if err := lw.rowDone(ctx); err != nil {
			return err
		}
	}
	return nil
}

func appendPart(ctx context.Context, pw, sw *partWriter, r *partRow) error {
	pw.i64(0, r.key)
	pw.bytes(1, r.name)
	pw.bytes(2, r.mfgr)
	pw.bytes(3, r.brand)
	pw.str(4, r.ptype)
	pw.i32(5, r.size)
	pw.str(6, r.container)
	pw.money(7, r.price)
	pw.bytes(8, r.comment)
	if err := pw.rowDone(ctx); err != nil {
		return err
	}
	for i := range r.supps {
		ps := &r.supps[i]
		sw.i64(0, ps.partKey)
		sw.i64(1, ps.suppKey)
		sw.i64(2, ps.qty)
		sw.money(3, ps.cost)
		sw.bytes(4, ps.comment)
		if err := sw.rowDone(ctx); err != nil {
			return err
		}
	}
	return nil
}

func appendCustomer(ctx context.Context, w *partWriter, r *custRow) error {
	w.i64(0, r.key)
	w.bytes(1, r.name)
	w.bytes(2, r.address)
	w.i32(3, r.nation)
	w.bytes(4, r.phone)
	w.money(5, r.acctbal)
	w.str(6, r.segment)
	w.bytes(7, r.comment)
	return w.rowDone(ctx)
}

func appendSupplier(ctx context.Context, w *partWriter, r *suppRow) error {
	w.i64(0, r.key)
	w.bytes(1, r.name)
	w.bytes(2, r.address)
	w.i32(3, r.nation)
	w.bytes(4, r.phone)
	w.money(5, r.acctbal)
	w.bytes(6, r.comment)
	return w.rowDone(ctx)
}

// appendNation writes a nation, or a region (which has no region column).
func appendNation(ctx context.Context, w *partWriter, r nationRow) error {
	w.i32(0, r.key)
	w.str(1, r.name)
	if len(w.fields) == 4 {
		w.i32(2, r.region)
		w.bytes(3, r.comment)
	} else {
		w.bytes(2, r.comment)
	}
	return w.rowDone(ctx)
}
