package engine

import (
	"reflect"
	"sync"
	"testing"
)

// recorder is a QueryObserver that keeps every event.
type recorder struct {
	mu           sync.Mutex
	started, end []QueryEvent
}

func (r *recorder) QueryStarted(ev QueryEvent) {
	r.mu.Lock()
	r.started = append(r.started, ev)
	r.mu.Unlock()
}
func (r *recorder) QueryEnded(ev QueryEvent) { r.mu.Lock(); r.end = append(r.end, ev); r.mu.Unlock() }

// TestObserverSeesEveryRun: a query that succeeds and one that fails each
// start and end once, with the products they read.
func TestObserverSeesEveryRun(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	rec := &recorder{}
	e.observer = rec
	if _, err := queryErr(t, e, "analyst", "SELECT o.order_id FROM sales.orders_v1 o JOIN catalog.products_v2 p USING (product_id) LIMIT 3"); err != nil {
		t.Fatal(err)
	}
	if _, err := queryErr(t, e, "admin", "SELECT 1 / (quantity - quantity) FROM sales.orders_v1"); err == nil {
		t.Fatal("division by zero did not fail")
	}
	// A derived product reads its inputs.
	if _, err := queryErr(t, e, "marketing", "SELECT count(*) FROM marketing.cross_sell_v1"); err != nil {
		t.Fatal(err)
	}
	if len(rec.started) != 3 || len(rec.end) != 3 {
		t.Fatalf("%d starts, %d ends; want 3 and 3", len(rec.started), len(rec.end))
	}
	if in := rec.end[2].Inputs; len(in) != 2 || in[0] != "catalog.products_v2" || in[1] != "sales.orders_v1" {
		t.Errorf("derived product inputs = %v", in)
	}
	// The columns read, as the SQL names them (the derived product's
	// definition included).
	for i, want := range []map[string][]string{
		{"catalog.products_v2": {"product_id"}, "sales.orders_v1": {"order_id", "product_id"}},
		{"sales.orders_v1": {"quantity"}},
		{"catalog.products_v2": {"category", "product_id"}, "sales.orders_v1": {"customer_id", "order_date", "product_id"}},
	} {
		if got := rec.end[i].InputColumns; !reflect.DeepEqual(got, want) {
			t.Errorf("query %d: input columns %v, want %v", i, got, want)
		}
	}
	ok, failed := rec.end[0], rec.end[1]
	if ok.RunID != rec.started[0].RunID || ok.RunID == failed.RunID || len(ok.RunID) != 36 {
		t.Errorf("run ids %q %q %q", rec.started[0].RunID, ok.RunID, failed.RunID)
	}
	if ok.Err != nil || ok.Rows != 3 || ok.User != "analyst" || ok.Mesh != "demo" {
		t.Errorf("success event = %+v", ok)
	}
	if len(ok.Inputs) != 2 || ok.Inputs[0] != "catalog.products_v2" || ok.Inputs[1] != "sales.orders_v1" {
		t.Errorf("inputs = %v", ok.Inputs)
	}
	if failed.Err == nil || len(failed.Inputs) != 1 || failed.Inputs[0] != "sales.orders_v1" {
		t.Errorf("failure event = %+v", failed)
	}
}
