package pgwire

import (
	"context"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// Column types every wire test covers.
var (
	typNum122  = sqltypes.NumericType(12, 2)
	typNum3810 = sqltypes.NumericType(38, 10)
	typVarchar = sqltypes.Type{Kind: sqltypes.Varchar, Precision: 20}
	typInt4Arr = sqltypes.ListOf(sqltypes.TypeInt4)
	typTextArr = sqltypes.ListOf(sqltypes.TypeText)
)

func dec(s string, scale int32) decimal128.Num {
	n, err := sqltypes.ParseDecimal(s, 38, scale)
	if err != nil {
		panic(err)
	}
	return n
}

func ts(s string) arrow.Timestamp {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return arrow.Timestamp(t.UnixMicro())
}

func date(s string) arrow.Date32 {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return arrow.Date32(t.Unix() / 86400)
}

// allTypes is one column per type and one row of values (a second row of
// the result is all NULL).
func allTypes() ([]engine.Column, []sqltypes.Datum) {
	cols := []engine.Column{
		{Name: "b", Type: sqltypes.TypeBool},
		{Name: "i2", Type: sqltypes.TypeInt2},
		{Name: "i4", Type: sqltypes.TypeInt4},
		{Name: "i8", Type: sqltypes.TypeInt8},
		{Name: "f4", Type: sqltypes.TypeFloat4},
		{Name: "f8", Type: sqltypes.TypeFloat8},
		{Name: "n", Type: typNum122, TableOID: 16384, ColumnNumber: 5},
		{Name: "nbig", Type: typNum3810},
		{Name: "nsmall", Type: typNum122},
		{Name: "t", Type: sqltypes.TypeText},
		{Name: "vc", Type: typVarchar},
		{Name: "by", Type: sqltypes.TypeBytea},
		{Name: "d", Type: sqltypes.TypeDate},
		{Name: "dbc", Type: sqltypes.TypeDate},
		{Name: "ts", Type: sqltypes.TypeTimestamp},
		{Name: "tstz", Type: sqltypes.TypeTimestampTZ},
		{Name: "iv", Type: sqltypes.TypeInterval},
		{Name: "u", Type: sqltypes.TypeUUID},
		{Name: "j", Type: sqltypes.TypeJSON},
		{Name: "ia", Type: typInt4Arr},
		{Name: "ta", Type: typTextArr},
		{Name: "o", Type: sqltypes.TypeOid},
	}
	row := []sqltypes.Datum{
		true, int16(-32768), int32(2147483647), int64(-9223372036854775808),
		float32(1.5), float64(1e6),
		dec("1234567890.12", 2), dec("-12345678901234567890.123456789", 10), dec("0.05", 2),
		"héllo, \"world\"\n", "abc", []byte{0, 0xff, 0x10},
		date("2024-02-29"), arrow.Date32(sqltypes.DaysFromCivil(-43, 3, 15)), // 0044-03-15 BC
		ts("2024-02-29 12:34:56.789012"), ts("1999-12-31 23:59:59.5"),
		arrow.MonthDayNanoInterval{Months: 14, Days: -3, Nanoseconds: (4*3600+5*60+6)*1e9 + 7000},
		[16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11},
		`{"a": [1, 2]}`,
		[]any{int32(1), nil, int32(3)},
		[]any{"a b", "", "NULL", `x"y`},
		uint32(4294967295),
	}
	return cols, row
}

func (fb *fakeBackend) registerDefaults() {
	cols, row := allTypes()
	nulls := make([]sqltypes.Datum, len(cols))
	fb.defs["alltypes"] = fakeDef{cols: cols, run: func(_ context.Context, fb *fakeBackend, _ *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		return []arrow.RecordBatch{batchOf(fb.mem, cols, [][]sqltypes.Datum{row, nulls})}, nil
	}}
	echoTypes := map[string]sqltypes.Type{
		"bool": sqltypes.TypeBool, "int2": sqltypes.TypeInt2, "int4": sqltypes.TypeInt4, "int8": sqltypes.TypeInt8,
		"float4": sqltypes.TypeFloat4, "float8": sqltypes.TypeFloat8, "numeric": typNum122, "numericbig": typNum3810,
		"text": sqltypes.TypeText, "varchar": typVarchar, "bytea": sqltypes.TypeBytea, "date": sqltypes.TypeDate,
		"timestamp": sqltypes.TypeTimestamp, "timestamptz": sqltypes.TypeTimestampTZ, "interval": sqltypes.TypeInterval,
		"uuid": sqltypes.TypeUUID, "json": sqltypes.TypeJSON, "unknown": sqltypes.TypeUnknown, "oid": sqltypes.TypeOid,
	}
	for name, t := range echoTypes {
		ct := t
		if t.Kind == sqltypes.Unknown {
			ct = sqltypes.TypeText
		}
		fb.defs["echo "+name] = fakeDef{params: []sqltypes.Type{t}, cols: []engine.Column{{Name: "v", Type: ct}}, echo: true}
	}
	fb.defs["echo int8 strict"] = fakeDef{params: []sqltypes.Type{sqltypes.TypeInt8}, cols: []engine.Column{{Name: "v", Type: sqltypes.TypeInt8}}, echo: true, strict: true}
	fb.defs["echo numeric strict"] = fakeDef{params: []sqltypes.Type{typNum122}, cols: []engine.Column{{Name: "v", Type: typNum122}}, echo: true, strict: true}
	fb.defs["echo timestamptz strict"] = fakeDef{params: []sqltypes.Type{sqltypes.TypeTimestampTZ}, cols: []engine.Column{{Name: "v", Type: sqltypes.TypeTimestampTZ}}, echo: true, strict: true}
	fb.defs["sleep"] = fakeDef{cols: []engine.Column{{Name: "v", Type: sqltypes.TypeInt4}}, run: func(ctx context.Context, fb *fakeBackend, _ *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		fb.started <- struct{}{}
		<-ctx.Done()
		return nil, sqltypes.AsError(ctx.Err())
	}}
	// pg_terminate_backend(pg_backend_pid()): the statement ends its own
	// session, then fails as its context ended.
	fb.defs["terminate self"] = fakeDef{cols: []engine.Column{{Name: "v", Type: sqltypes.TypeBool}}, run: func(ctx context.Context, _ *fakeBackend, s *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		s.mu.Lock()
		end := s.terminate
		s.mu.Unlock()
		end()
		<-ctx.Done()
		return nil, sqltypes.AsError(ctx.Err())
	}}
	// A regclass column: ids inside, names in text.
	regclass := []engine.Column{{Name: "r", Type: sqltypes.Type{Kind: sqltypes.RegClass}, RegOut: func() func(uint32) string {
		return func(oid uint32) string {
			if oid == 1259 {
				return "pg_class"
			}
			return strconv.FormatUint(uint64(oid), 10)
		}
	}}}
	fb.defs["regclass"] = fakeDef{cols: regclass, run: func(_ context.Context, fb *fakeBackend, _ *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		return []arrow.RecordBatch{batchOf(fb.mem, regclass, [][]sqltypes.Datum{{uint32(1259)}, {uint32(4294967294)}, {nil}})}, nil
	}}
	fb.defs["begin"] = fakeDef{tag: "BEGIN"}
	fb.defs["notice"] = fakeDef{tag: "DO", notices: []*sqltypes.Error{{Severity: "WARNING", Code: "01000", Msg: "product sales.orders_v1 is deprecated", Hint: "use v2"}}}
	fb.defs["nosuchcol"] = fakeDef{cols: []engine.Column{{Name: "v", Type: sqltypes.TypeInt4}}, run: func(context.Context, *fakeBackend, *fakeSession, []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		return nil, sqltypes.New(sqltypes.CodeUndefinedColumn, "column \"x\" does not exist").WithPosition(8)
	}}
	numCols := []engine.Column{{Name: "id", Type: sqltypes.TypeInt8}, {Name: "name", Type: sqltypes.TypeText}}
	fb.defs["numbers"] = fakeDef{cols: numCols, run: func(_ context.Context, fb *fakeBackend, _ *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		var out []arrow.RecordBatch
		for b := 0; b < 5; b++ {
			rows := make([][]sqltypes.Datum, 2000)
			for i := range rows {
				id := int64(b*2000 + i)
				var name sqltypes.Datum = "row " + itoa(int(id))
				if id%7 == 0 {
					name = nil
				}
				rows[i] = []sqltypes.Datum{id, name}
			}
			out = append(out, batchOf(fb.mem, numCols, rows))
		}
		return out, nil
	}}
	numbers := fb.defs["numbers"]
	numbers.panicAfter = 2
	fb.defs["numbers then panic"] = numbers
	tzCols := []engine.Column{{Name: "v", Type: sqltypes.TypeTimestampTZ}}
	fb.defs["now"] = fakeDef{cols: tzCols, run: func(_ context.Context, fb *fakeBackend, _ *fakeSession, _ []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		return []arrow.RecordBatch{batchOf(fb.mem, tzCols, [][]sqltypes.Datum{{ts("2024-01-02 03:04:05.5")}})}, nil
	}}
}

// scramVerifierString builds a PostgreSQL-format verifier for tests.
func scramVerifierString(password string) string {
	return deriveVerifier(password, []byte("0123456789abcdef"), 4096).String()
}
