package pgload

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/sqltypes"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pgtest.NewDatabase(t, "pgload"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	// Fixed output settings, also when MESHQL_TEST_PG_URI names a server
	// with other defaults.
	if _, err := conn.Exec(t.Context(), "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// textRows returns the rows of sql as PostgreSQL's text output, NULL as "NULL".
func textRows(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rows, err := conn.Query(t.Context(), sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var vals []string
		for _, v := range rows.RawValues() {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, string(v))
			}
		}
		out = append(out, strings.Join(vals, " | "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadTableTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	conn := connect(t)

	dec := &arrow.Decimal128Type{Precision: 12, Scale: 2}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "extra", Type: arrow.PrimitiveTypes.Int8, Nullable: true}, // not loaded
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "amount", Type: dec, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "tstz", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "ls", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	ts := time.Date(2026, 1, 15, 13, 4, 5, 123456000, time.UTC)
	bld.Field(0).(*array.Int8Builder).AppendValues([]int8{1, 2}, nil)
	bld.Field(1).(*array.Int16Builder).AppendValues([]int16{-7, 0}, []bool{true, false})
	bld.Field(2).(*array.Int32Builder).AppendValues([]int32{2147483647, 0}, []bool{true, false})
	bld.Field(3).(*array.Int64Builder).AppendValues([]int64{-9223372036854775808, 0}, []bool{true, false})
	bld.Field(4).(*array.Float64Builder).AppendValues([]float64{0.1, 0}, []bool{true, false})
	bld.Field(5).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(-123405), {}}, []bool{true, false})
	bld.Field(6).(*array.StringBuilder).AppendValues([]string{"héllo, \"world\"", ""}, []bool{true, false})
	bld.Field(7).(*array.BooleanBuilder).AppendValues([]bool{true, false}, []bool{true, false})
	bld.Field(8).(*array.Date32Builder).AppendValues([]arrow.Date32{arrow.Date32FromTime(ts), 0}, []bool{true, false})
	bld.Field(9).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts.UnixMicro()), 0}, []bool{true, false})
	bld.Field(10).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts.UnixMicro()), 0}, []bool{true, false})
	lb := bld.Field(11).(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Int64Builder).AppendValues([]int64{3, 1}, nil)
	lb.ValueBuilder().(*array.Int64Builder).AppendNull()
	lb.AppendNull()
	lsb := bld.Field(12).(*array.ListBuilder)
	lsb.Append(true)
	lsb.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"a b", ""}, nil)
	lsb.Append(true) // empty list
	rec := bld.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()

	cols := []catalog.Column{
		{Name: "i16", Type: sqltypes.TypeInt2},
		{Name: "i32", Type: sqltypes.TypeInt4},
		{Name: "i64", Type: sqltypes.TypeInt8},
		{Name: "f64", Type: sqltypes.TypeFloat8},
		{Name: "amount", Type: sqltypes.NumericType(12, 2)},
		{Name: "s", Type: sqltypes.TypeText},
		{Name: "b", Type: sqltypes.TypeBool},
		{Name: "d", Type: sqltypes.TypeDate},
		{Name: "ts", Type: sqltypes.TypeTimestamp},
		{Name: "tstz", Type: sqltypes.TypeTimestampTZ},
		{Name: "l", Type: sqltypes.ListOf(sqltypes.TypeInt8)},
		{Name: "ls", Type: sqltypes.ListOf(sqltypes.TypeText)},
	}
	if err := LoadTable(t.Context(), conn, "s1.t", cols, rdr); err == nil {
		t.Fatal("LoadTable into a missing schema succeeded")
	}
	if _, err := conn.Exec(t.Context(), "CREATE SCHEMA s1"); err != nil {
		t.Fatal(err)
	}
	if err := LoadTable(t.Context(), conn, "s1.t", cols, rdr); err != nil {
		t.Fatal(err)
	}
	got := textRows(t, conn, "SELECT * FROM s1.t ORDER BY i16 NULLS LAST")
	want := []string{
		`-7 | 2147483647 | -9223372036854775808 | 0.1 | -1234.05 | héllo, "world" | t | 2026-01-15 | 2026-01-15 13:04:05.123456 | 2026-01-15 13:04:05.123456+00 | {3,1,NULL} | {"a b",""}`,
		`NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | {}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadTableMissingColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	conn := connect(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rdr, err := array.NewRecordReader(schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	cols := []catalog.Column{{Name: "a", Type: sqltypes.TypeInt8}, {Name: "b", Type: sqltypes.TypeText}}
	err = LoadTable(t.Context(), conn, "t", cols, rdr)
	if err == nil || !strings.Contains(err.Error(), `column "b"`) {
		t.Fatalf("got %v, want an error naming column b", err)
	}
}
