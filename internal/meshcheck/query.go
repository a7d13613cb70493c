package meshcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// scalar runs sql, which returns one row of one column, and passes that
// value's column to read (nil when the query returned no row).
func (c *checker) scalar(ctx context.Context, sql string, read func(a arrow.Array) error) error {
	res, err := c.sess.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer res.Close()
	b, err := res.Next(ctx)
	if errors.Is(err, io.EOF) {
		return read(nil)
	}
	if err != nil {
		return err
	}
	defer b.Release()
	if b.NumCols() != 1 {
		return fmt.Errorf("query returns %d columns, want 1", b.NumCols())
	}
	return read(b.Column(0))
}

// rowsOf runs sql as a consumer would and counts the rows it returns:
// every column of every row is computed, so an error in any of them is
// the query's. (Wrapped in SELECT count(*), the columns nothing reads
// would not be computed, as PostgreSQL does not compute them either.)
func (c *checker) rowsOf(ctx context.Context, sql string) (int64, error) {
	res, err := c.sess.Query(ctx, sql)
	if err != nil {
		return 0, err
	}
	defer res.Close()
	var n int64
	for {
		b, err := res.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		n += b.NumRows()
		b.Release()
	}
}

// count runs a SELECT count(*) query.
func (c *checker) count(ctx context.Context, sql string) (int64, error) {
	var n int64
	err := c.scalar(ctx, sql, func(a arrow.Array) error {
		ints, ok := a.(*array.Int64)
		if !ok || ints.Len() == 0 || ints.IsNull(0) {
			return fmt.Errorf("count query returned no bigint")
		}
		n = ints.Value(0)
		return nil
	})
	return n, err
}

// newest runs SELECT max(col) over a date or timestamp column and returns
// the moment the data reaches: the end of the day for a date, since a
// day's data is complete only when the day is over. ok is false when the
// column holds no value.
func (c *checker) newest(ctx context.Context, p *catalog.Product, col string) (t time.Time, ok bool, err error) {
	err = c.scalar(ctx, fmt.Sprintf("SELECT max(%s) FROM %s", quoteIdent(col), tableRef(p)), func(a arrow.Array) error {
		if a == nil || a.Len() == 0 || a.IsNull(0) {
			return nil
		}
		switch v := a.(type) {
		case *array.Date32:
			t, ok = v.Value(0).ToTime().Add(24*time.Hour), true
		case *array.Timestamp:
			unit := v.DataType().(*arrow.TimestampType).Unit
			t, ok = v.Value(0).ToTime(unit), true
		default:
			return fmt.Errorf("freshness column %s is %s, not a date or timestamp", col, a.DataType())
		}
		return nil
	})
	return t, ok, err
}

// freshness measures the product's data age against sla.freshness.
func (c *checker) freshness(ctx context.Context, p *catalog.Product) {
	limit := p.SLA.Freshness
	if limit <= 0 {
		return
	}
	var at time.Time
	var on string
	switch {
	case p.SLA.FreshnessColumn != "":
		t, ok, err := c.newest(ctx, p, p.SLA.FreshnessColumn)
		if err != nil {
			c.add(p, RuleFreshness, RuleFreshness, 0, p.SLA.FreshnessColumn, false, "measuring the freshness of %s failed: %s", p.QualifiedName(), sqltypes.AsError(err).Msg)
			return
		}
		if !ok {
			c.add(p, RuleFreshness, RuleFreshness, 0, p.SLA.FreshnessColumn, false, "%s has no data: %s is NULL in every row", p.QualifiedName(), p.SLA.FreshnessColumn)
			return
		}
		at, on = t, "newest "+p.SLA.FreshnessColumn
	case p.Source.Connector == "parquet" || p.Source.Connector == "csv":
		t, err := connectors.NewestModTime(p.Source)
		if err != nil {
			c.add(p, RuleFreshness, RuleFreshness, 0, "", false, "measuring the freshness of %s failed: %s", p.QualifiedName(), sqltypes.AsError(err).Msg)
			return
		}
		at, on = t, "newest source file"
	default:
		return // nothing to measure on: no column declared, no files
	}
	age := max(c.o.Now.Sub(at), 0)
	if age > limit {
		c.add(p, RuleFreshness, RuleFreshness, 0, p.SLA.FreshnessColumn, false, "%s is %s old (%s: %s), over its freshness SLA of %s",
			p.QualifiedName(), catalog.FormatFreshness(Round(age)), on, at.UTC().Format(time.RFC3339), catalog.FormatFreshness(limit))
	} else {
		c.add(p, RuleFreshness, RuleFreshness, 0, p.SLA.FreshnessColumn, true, "%s old (%s: %s), within %s",
			catalog.FormatFreshness(Round(age)), on, at.UTC().Format(time.RFC3339), catalog.FormatFreshness(limit))
	}
	c.out[len(c.out)-1].DataAt = at // what mesh.sla_status shows as last updated
}

// Round rounds an age for people: to the minute, or to the second below
// a minute.
func Round(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(time.Minute)
}
