package pgload

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/catalog"
)

// recordSource is a pgx.CopyFromSource over an Arrow record reader. It
// holds one retained batch at a time; release drops it.
type recordSource struct {
	ctx  context.Context
	rdr  array.RecordReader
	cols []catalog.Column
	idx  []int             // Arrow column index of each table column
	rec  arrow.RecordBatch // current batch (retained) or nil
	row  int               // current row in rec
	err  error
}

func newRecordSource(ctx context.Context, rdr array.RecordReader, cols []catalog.Column) (*recordSource, error) {
	sc := rdr.Schema()
	idx := make([]int, len(cols))
	for i, c := range cols {
		found := sc.FieldIndices(c.Name)
		if len(found) != 1 {
			return nil, fmt.Errorf("column %q: found %d times in the Arrow schema %s", c.Name, len(found), sc)
		}
		idx[i] = found[0]
	}
	return &recordSource{ctx: ctx, rdr: rdr, cols: cols, idx: idx}, nil
}

func (s *recordSource) release() {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
}

// Next advances to the next row, reading batches as needed. The context is
// checked once per batch.
func (s *recordSource) Next() bool {
	if s.err != nil {
		return false
	}
	for {
		if s.rec != nil && s.row+1 < int(s.rec.NumRows()) {
			s.row++
			return true
		}
		s.release()
		if err := s.ctx.Err(); err != nil {
			s.err = err
			return false
		}
		if !s.rdr.Next() {
			s.err = s.rdr.Err()
			return false
		}
		s.rec = s.rdr.RecordBatch()
		s.rec.Retain()
		s.row = -1
	}
}

// Values converts the current row.
func (s *recordSource) Values() ([]any, error) {
	vals := make([]any, len(s.idx))
	for i, ci := range s.idx {
		v, err := value(s.rec.Column(ci), s.row)
		if err != nil {
			s.err = fmt.Errorf("column %q: %w", s.cols[i].Name, err)
			return nil, s.err
		}
		vals[i] = v
	}
	return vals, nil
}

func (s *recordSource) Err() error { return s.err }

// value converts element i of arr to a Go value pgx can encode for the
// matching PostgreSQL type; NULL is nil. Strings and bytes are copied, as
// arrow-go's accessors alias the batch's buffers.
func value(arr arrow.Array, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Int8:
		return int16(a.Value(i)), nil
	case *array.Int16:
		return a.Value(i), nil
	case *array.Int32:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Uint8:
		return int16(a.Value(i)), nil
	case *array.Uint16:
		return int32(a.Value(i)), nil
	case *array.Uint32:
		return int64(a.Value(i)), nil
	case *array.Uint64:
		if v := a.Value(i); v <= math.MaxInt64 {
			return int64(v), nil
		}
		return nil, fmt.Errorf("uint64 %d overflows bigint", a.Value(i))
	case *array.Float16:
		return a.Value(i).Float32(), nil
	case *array.Float32:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.Decimal128:
		return numeric(a.Value(i).BigInt(), a.DataType())
	case *array.Decimal64:
		return numeric(big.NewInt(int64(a.Value(i))), a.DataType())
	case *array.Decimal32:
		return numeric(big.NewInt(int64(a.Value(i))), a.DataType())
	case *array.String:
		return strings.Clone(a.Value(i)), nil
	case *array.LargeString:
		return strings.Clone(a.Value(i)), nil
	case *array.StringView:
		return strings.Clone(a.Value(i)), nil
	case *array.Binary:
		return append([]byte(nil), a.Value(i)...), nil
	case *array.LargeBinary:
		return append([]byte(nil), a.Value(i)...), nil
	case *array.FixedSizeBinary:
		b := a.Value(i)
		if len(b) == 16 {
			return pgtype.UUID{Bytes: [16]byte(b), Valid: true}, nil
		}
		return append([]byte(nil), b...), nil
	case *array.Date32:
		return pgtype.Date{Time: a.Value(i).ToTime(), Valid: true}, nil
	case *array.Date64:
		return pgtype.Date{Time: a.Value(i).ToTime(), Valid: true}, nil
	case *array.Timestamp:
		ts, ok := a.DataType().(*arrow.TimestampType)
		if !ok {
			return nil, fmt.Errorf("timestamp array of type %s", a.DataType())
		}
		t := a.Value(i).ToTime(ts.Unit).UTC()
		if ts.TimeZone != "" {
			return pgtype.Timestamptz{Time: t, Valid: true}, nil
		}
		return pgtype.Timestamp{Time: t, Valid: true}, nil
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		return pgtype.Interval{Months: v.Months, Days: v.Days, Microseconds: v.Nanoseconds / int64(time.Microsecond), Valid: true}, nil
	case *array.Dictionary:
		return value(a.Dictionary(), a.GetValueIndex(i))
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		elems := a.ListValues()
		out := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			v, err := value(elems, int(j))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("Arrow type %s is not supported", arr.DataType())
}

// numeric returns the decimal unscaled*10^-scale as a pgtype.Numeric.
func numeric(unscaled *big.Int, dt arrow.DataType) (any, error) {
	d, ok := dt.(arrow.DecimalType)
	if !ok {
		return nil, fmt.Errorf("decimal array of type %s", dt)
	}
	return pgtype.Numeric{Int: unscaled, Exp: -d.GetScale(), Valid: true}, nil
}
