package engine

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestRecordColumnTypes: a product's whole row is of the product's row
// type (pg_type's row for it, also under column aliases and through an
// outer join), as in PostgreSQL; a subquery's or CTE's whole row and a
// row constructor are anonymous records; each record knows its fields'
// types, except a column of records of several shapes.
func TestRecordColumnTypes(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	rowType := rows(t, e, "analyst", "SELECT oid FROM pg_type WHERE typname = 'products_v2' AND typtype = 'c'")
	if len(rowType) != 1 {
		t.Fatalf("pg_type row type of products_v2: %v", rowType)
	}
	const anonymous = "2249"
	int4, unknown, int8 := sqltypes.TypeInt4, sqltypes.TypeUnknown, sqltypes.TypeInt8
	for _, tc := range []struct {
		sql       string
		oid       string
		fields    []sqltypes.Type // nil: not checked
		shapeless bool
	}{
		{"SELECT p FROM catalog.products_v2 p", rowType[0], []sqltypes.Type{int8, sqltypes.TypeText, sqltypes.TypeText, sqltypes.TypeText, sqltypes.NumericType(10, 2)}, false},
		{"SELECT p FROM catalog.products_v2 AS p(a, b)", rowType[0], nil, false},
		{"SELECT p FROM sales.orders_v1 o LEFT JOIN catalog.products_v2 p USING (product_id)", rowType[0], nil, false},
		{"SELECT s FROM (SELECT * FROM catalog.products_v2) s", anonymous, nil, false},
		{"WITH c AS (SELECT * FROM catalog.products_v2) SELECT c FROM c", anonymous, nil, false},
		{"SELECT ROW(1, 'a')", anonymous, []sqltypes.Type{int4, unknown}, false},
		{"SELECT ROW(1, ROW(2))", anonymous, []sqltypes.Type{int4, sqltypes.RecordOf([]sqltypes.Type{int4}, 0)}, false},
		{"SELECT CASE WHEN random() < 2 THEN ROW(1) ELSE ROW(2) END", anonymous, []sqltypes.Type{int4}, false},
		{"SELECT ROW(1) UNION ALL SELECT ROW('x'::text)", anonymous, nil, true},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			s, err := e.NewSession("analyst", nil)
			if err != nil {
				t.Fatal(err)
			}
			sts, err := s.Prepare(context.Background(), tc.sql)
			if err != nil || len(sts) != 1 {
				t.Fatal(len(sts), err)
			}
			cols := sts[0].Columns()
			if len(cols) != 1 || cols[0].Type.Kind != sqltypes.Record {
				t.Fatalf("columns %+v", cols)
			}
			typ := cols[0].Type
			if got := strconv.FormatUint(uint64(typ.OID()), 10); got != tc.oid {
				t.Errorf("OID %s, want %s", got, tc.oid)
			}
			if tc.shapeless && typ.Row != nil {
				t.Errorf("records of several shapes have fields %v", typ.Row.Fields)
			}
			if tc.fields != nil && (typ.Row == nil || !slices.EqualFunc(typ.Row.Fields, tc.fields, sqltypes.Type.Equal)) {
				t.Errorf("fields %+v, want %v", typ.Row, tc.fields)
			}
		})
	}
}
