package demodata

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FormatVersion is the layout version of the generated data. Bump it
// whenever the output changes for the same options, so that Ensure
// regenerates existing demo data.
const FormatVersion = 1

// DefaultSeed is the seed used when Options.Seed is 0.
const DefaultSeed int64 = 20240229

// DefaultRowGroupRows is the Parquet row-group size when Options.RowGroupRows is 0.
const DefaultRowGroupRows = 125_000

// maxScale bounds Scale so that a typo cannot fill the disk (100 = 100M order lines).
const maxScale = 100

// Options tune Generate and Ensure. The zero value generates the full demo
// (Scale 1) dated relative to the current day.
type Options struct {
	// Now anchors every date: orders span the two years before Now's
	// calendar date (in Now's location). Zero means time.Now().
	Now time.Time
	// Scale sizes the data: 1.0 is about 1,000,000 order lines, 100,000
	// customers and 5,000 products in 40 categories. 0 means 1; it must
	// be positive and at most 100. Small scales keep a few rows of each
	// table.
	Scale float64
	// Seed selects the pseudo-random data; 0 means DefaultSeed.
	Seed int64
	// RowGroupRows is the Parquet row-group size (0 = DefaultRowGroupRows);
	// order files hold two row groups each. Tests lower it to get several
	// row groups from little data.
	RowGroupRows int
	// Allocator is used for every Arrow and Parquet buffer; nil means
	// memory.DefaultAllocator. Everything allocated is released before
	// Generate returns.
	Allocator memory.Allocator
	// Progress, when set, is called from the generating goroutine after
	// each batch of rows is written, with rows done and rows in total.
	Progress func(done, total int64)
	// MaxAge, when positive, makes Ensure regenerate data whose Now date is
	// more than MaxAge before the current Now, so that "recent" orders stay
	// recent. Zero keeps data of any age.
	MaxAge time.Duration
}

// withDefaults fills in zero fields and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Scale == 0 {
		o.Scale = 1
	}
	if math.IsNaN(o.Scale) || o.Scale <= 0 || o.Scale > maxScale {
		return o, fmt.Errorf("demodata: scale %v is out of range (0, %d]", o.Scale, maxScale)
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.RowGroupRows == 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	if o.RowGroupRows < 1 {
		return o, fmt.Errorf("demodata: row group size %d must be positive", o.RowGroupRows)
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	return o, nil
}

// day returns Now's calendar date as days since 1970-01-01 (Arrow date32).
func (o Options) day() int32 {
	y, m, d := o.Now.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// sizes are the row counts of one generation.
type sizes struct {
	orders, customers, products, productsV1 int64
}

func sizesFor(scale float64) sizes {
	n := func(full float64, least int64) int64 { return max(least, int64(math.Round(full*scale))) }
	s := sizes{orders: n(1_000_000, 200), customers: n(100_000, 20), products: n(5_000, 10)}
	s.productsV1 = max(1, s.products*4/5) // the old layout predates the newest fifth of the catalog
	return s
}

func (s sizes) total() int64 { return s.orders + s.customers + s.products + s.productsV1 }

// historyDays is how far back orders go: two years before Now.
const historyDays = 730
