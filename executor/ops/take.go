package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/gather"
)

// takeArray and takeColumns gather rows by index (executor/gather).
func takeArray(mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	return gather.Array(mem, arr, idx)
}

func takeColumns(mem memory.Allocator, cols []arrow.Array, idx []int32) ([]arrow.Array, error) {
	return gather.Columns(mem, cols, idx)
}

// takeBatch gathers the rows idx of b into a new batch with schema s.
func takeBatch(mem memory.Allocator, s *arrow.Schema, cols []arrow.Array, idx []int32) (arrow.RecordBatch, error) {
	out, err := takeColumns(mem, cols, idx)
	if err != nil {
		return nil, err
	}
	return newBatch(s, out, len(idx)), nil
}

// newBatch assembles a batch from arrays it takes ownership of.
func newBatch(s *arrow.Schema, cols []arrow.Array, n int) arrow.RecordBatch {
	b := array.NewRecordBatch(s, cols, int64(n))
	releaseArrays(cols)
	return b
}

// nullColumns returns all-NULL arrays of n rows for the fields fs.
func nullColumns(mem memory.Allocator, fs []arrow.Field, n int) []arrow.Array {
	out := make([]arrow.Array, len(fs))
	for i, f := range fs {
		out[i] = array.MakeArrayOfNull(mem, f.Type, n)
	}
	return out
}
