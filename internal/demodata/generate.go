package demodata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/meshql/meshql/internal/gendir"
	"os"
	"path/filepath"
	"time"
)

// MarkerFile is written last into a generated data dir; it records the
// settings the data was generated with.
const MarkerFile = ".meshql-demo.json"

// marker is the content of MarkerFile.
type marker struct {
	FormatVersion int     `json:"format_version"`
	Scale         float64 `json:"scale"`
	Seed          int64   `json:"seed"`
	RowGroupRows  int     `json:"row_group_rows"`
	Now           string  `json:"now"` // the date the data is relative to, YYYY-MM-DD
}

func markerFor(o Options) marker {
	return marker{FormatVersion: FormatVersion, Scale: o.Scale, Seed: o.Seed, RowGroupRows: o.RowGroupRows,
		Now: o.Now.Format(time.DateOnly)}
}

// Generate writes the demo data into dir, replacing whatever demo data is
// there. It builds the data in a temporary sibling folder and renames it
// into place, so dir never holds half a dataset; on error or cancellation
// the temporary folder is removed and dir is left as it was.
//
// dir belongs to the generator: Generate refuses to replace a non-empty dir
// that has no MarkerFile, so that a wrong --data-dir cannot delete other
// files. Rows are the same for the same Now date, Scale, Seed and
// RowGroupRows. ctx is checked once per batch of rows.
func Generate(ctx context.Context, dir string, opts Options) error {
	o, err := opts.withDefaults()
	if err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once tmp has been renamed into place

	if err := generateInto(ctx, tmp, o); err != nil {
		return err
	}
	return replaceDir(tmp, dir)
}

// generateInto writes every table and then the marker into root.
func generateInto(ctx context.Context, root string, o Options) error {
	w := newWorld(o)
	orders := newOrderGen(w, o.Seed)
	prog := &progress{total: w.sz.total(), report: o.Progress}
	tables := []table{
		{dir: ProductsV2Dir, schema: productsV2Schema(), rows: w.sz.products, fill: w.productsV2()},
		{dir: ProductsV1Dir, schema: productsV1Schema(), rows: w.sz.productsV1, fill: w.productsV1()},
		{dir: CustomersDir, schema: customersSchema(), rows: w.sz.customers, fill: w.customers()},
		{dir: OrdersDir, schema: ordersSchema(), rows: w.sz.orders, groupsPerFile: 2, fill: orders.fill},
	}
	for _, t := range tables {
		if err := writeTable(ctx, root, t, o, prog); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(markerFor(o), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, MarkerFile), append(data, '\n'), 0o644)
}

// checkReplaceable refuses to replace a folder that holds anything but demo data.
func checkReplaceable(dir string) error {
	if err := gendir.CheckReplaceable(dir, MarkerFile, "demo data"); err != nil {
		return fmt.Errorf("demodata: %w", err)
	}
	return nil
}

func replaceDir(tmp, dir string) error { return gendir.Replace(tmp, dir) }

// Ensure makes sure dir holds demo data for opts: it calls Generate when
// dir has no readable MarkerFile, when the marker records another format
// version, scale, seed or row-group size, when a table folder is missing,
// or (with opts.MaxAge set) when the data is older than MaxAge. generated
// reports whether it did.
func Ensure(ctx context.Context, dir string, opts Options) (generated bool, err error) {
	o, err := opts.withDefaults()
	if err != nil {
		return false, err
	}
	if current(dir, o) {
		return false, nil
	}
	if err := Generate(ctx, dir, o); err != nil {
		return false, err
	}
	return true, nil
}

// current reports whether dir already holds the data o asks for.
func current(dir string, o Options) bool {
	data, err := os.ReadFile(filepath.Join(dir, MarkerFile))
	if err != nil {
		return false
	}
	var m marker
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return false
	}
	want := markerFor(o)
	if m.FormatVersion != want.FormatVersion || m.Scale != want.Scale || m.Seed != want.Seed || m.RowGroupRows != want.RowGroupRows {
		return false
	}
	if o.MaxAge > 0 {
		made, err := time.ParseInLocation(time.DateOnly, m.Now, o.Now.Location())
		if err != nil || o.Now.Sub(made) > o.MaxAge {
			return false
		}
	}
	for _, t := range []string{OrdersDir, CustomersDir, ProductsV1Dir, ProductsV2Dir} {
		if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(t))); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}
