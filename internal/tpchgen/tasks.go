package tpchgen

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Rows of the driving table per file: a lineitem file holds about 1M rows
// (4 lines per order on average), a partsupp file 1M (4 per part).
const (
	ordersPerFile    = 250_000
	partsPerFile     = 250_000
	customersPerFile = 1_000_000
	suppliersPerFile = 1_000_000
)

// task is one unit of parallel work: rows [first, first+count) of a
// driving table, written as file number part of each table it makes
// (orders also makes lineitem, part also makes partsupp). A task's output
// depends only on the scale factor and its fields, never on scheduling.
type task struct {
	driver     string
	part       int
	first, cnt int64
}

// plan splits the tables of drivers into tasks, biggest first so that the
// small ones fill the gaps at the end.
func plan(sf int64, drivers []string) []task {
	per := map[string][2]int64{ // rows at SF1, rows per file
		"orders": {baseOrders, ordersPerFile}, "part": {basePart, partsPerFile},
		"customer": {baseCustomer, customersPerFile}, "supplier": {baseSupplier, suppliersPerFile},
		"nation": {numNations, numNations}, "region": {numRegions, numRegions},
	}
	var out []task
	for _, d := range []string{"orders", "part", "customer", "supplier", "nation", "region"} {
		if !contains(drivers, d) {
			continue
		}
		total, size := per[d][0], per[d][1]
		if d != "nation" && d != "region" {
			total *= sf
		}
		for i, first := 0, int64(1); first <= total; i, first = i+1, first+size {
			out = append(out, task{driver: d, part: i, first: first, cnt: min(size, total-first+1)})
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// run generates the task's files under dataDir/<table>/. report is told
// the rows of each row group written.
func (g *gen) run(ctx context.Context, t task, dataDir string, mem memory.Allocator, report func(int64)) (err error) {
	var ws []*partWriter
	open := func(name string) (*partWriter, error) {
		path := filepath.Join(dataDir, name, fmt.Sprintf("part-%05d.parquet", t.part))
		w, err := newPartWriter(path, specs()[name], mem, report)
		if err == nil {
			ws = append(ws, w)
		}
		return w, err
	}
	defer func() {
		if err != nil {
			for _, w := range ws {
				w.abort()
			}
		}
	}()
	switch t.driver {
	case "orders":
		ow, err := open("orders")
		if err != nil {
			return err
		}
		lw, err := open("lineitem")
		if err != nil {
			return err
		}
		var r orderRow
		err = g.each(t, tOrder, tLine, func(i int64) error {
			g.order(i, &r)
			return appendOrder(ctx, ow, lw, &r)
		})
		if err != nil {
			return err
		}
	case "part":
		pw, err := open("part")
		if err != nil {
			return err
		}
		sw, err := open("partsupp")
		if err != nil {
			return err
		}
		var r partRow
		err = g.each(t, tPart, tPsupp, func(i int64) error {
			g.part(i, &r)
			return appendPart(ctx, pw, sw, &r)
		})
		if err != nil {
			return err
		}
	case "customer":
		w, err := open("customer")
		if err != nil {
			return err
		}
		var r custRow
		if err := g.each(t, tCust, tNone, func(i int64) error {
			g.customer(i, &r)
			return appendCustomer(ctx, w, &r)
		}); err != nil {
			return err
		}
	case "supplier":
		w, err := open("supplier")
		if err != nil {
			return err
		}
		var r suppRow
		if err := g.each(t, tSupp, tNone, func(i int64) error {
			g.supplier(i, &r)
			return appendSupplier(ctx, w, &r)
		}); err != nil {
			return err
		}
	case "nation", "region":
		w, err := open(t.driver)
		if err != nil {
			return err
		}
		tt, mk := tNation, g.nation
		if t.driver == "region" {
			tt, mk = tRegion, g.region
		}
		if err := g.each(t, tt, tNone, func(i int64) error {
			return appendNation(ctx, w, mk(i))
		}); err != nil {
			return err
		}
	default:
		return fmt.Errorf("tpchgen: unknown table %q", t.driver)
	}
	err = closeAll(ws...)
	ws = nil // closed: nothing left to abort
	return err
}

// each runs row for every row of the task with dbgen's stream discipline:
// streams start at the task's first row and are synced after each row.
func (g *gen) each(t task, tbl, child table, row func(i int64) error) error {
	g.ss = initialStreams()
	g.ss.skip(tbl, child, t.first-1)
	for i := t.first; i < t.first+t.cnt; i++ {
		g.ss.rowStart()
		if err := row(i); err != nil {
			return err
		}
		g.ss.rowStop(tbl, child)
	}
	return nil
}
