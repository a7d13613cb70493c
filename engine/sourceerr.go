package engine

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// A connector's errors name its source ("postgres source db:5432: …")
// but not the data product: one source may serve many, and a query may
// read several sources. productTable puts the product in front of every
// error its scans return (planning a scan, opening a partition, reading
// it), keeping the SQLSTATE, so that a user learns which product failed
// when a source goes down mid-query. Cancellation (57014) is left alone:
// it is the query's, not the source's.
//
// The wrapper hides the inner table's optional interfaces; it forwards
// connectors.ScanExplainer through a second type, so that EXPLAIN stays
// the same, and the planner finds the others (connectors.OrderPusher,
// connectors.AggregatePusher) through Unwrap and connectors.As. Readers
// forward connectors.ByteCounter.
type productTable struct {
	connectors.Table
	product string
}

type productExplainTable struct {
	productTable
	connectors.ScanExplainer
}

func withProduct(t connectors.Table, p *catalog.Product) connectors.Table {
	pt := productTable{Table: t, product: p.QualifiedName()}
	if se, ok := t.(connectors.ScanExplainer); ok {
		return &productExplainTable{productTable: pt, ScanExplainer: se}
	}
	return &pt
}

// Unwrap implements connectors.Unwrapper.
func (t productTable) Unwrap() connectors.Table { return t.Table }

func (t productTable) wrap(err error) error {
	if err == nil {
		return nil
	}
	e := sqltypes.AsError(err)
	if e.Code == sqltypes.CodeQueryCanceled {
		return e
	}
	out := sqltypes.Wrap(err, e.Code, "data product %s: %s", t.product, e.Msg)
	out.Detail, out.Hint = e.Detail, e.Hint
	return out
}

func (t productTable) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	parts, err := t.Table.Partitions(ctx, req)
	if err != nil {
		return nil, t.wrap(err)
	}
	out := make([]connectors.Partition, len(parts))
	for i, p := range parts {
		out[i] = productPartition{Partition: p, t: t}
	}
	return out, nil
}

type productPartition struct {
	connectors.Partition
	t productTable
}

func (p productPartition) Open(ctx context.Context, mem memory.Allocator) (array.RecordReader, error) {
	r, err := p.Partition.Open(ctx, mem)
	if err != nil {
		return nil, p.t.wrap(err)
	}
	return productReader{RecordReader: r, t: p.t}, nil
}

type productReader struct {
	array.RecordReader
	t productTable
}

func (r productReader) Err() error { return r.t.wrap(r.RecordReader.Err()) }

// SourceBytes forwards the inner reader's connectors.ByteCounter.
func (r productReader) SourceBytes() (int64, bool) {
	if bc, ok := r.RecordReader.(connectors.ByteCounter); ok {
		return bc.SourceBytes()
	}
	return 0, false
}
