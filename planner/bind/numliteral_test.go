package bind

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestNumericLiteralDigits: a literal is numeric with the scale it is
// written with up to 38 digits, rounded to 38 significant digits beyond
// (half away from zero), and 22003 when that would change its magnitude;
// never a double precision.
func TestNumericLiteralDigits(t *testing.T) {
	for _, tc := range []struct {
		lit, want string // want "" for 22003
	}{
		{"1.50", "1.50"},
		{"0.00000000000000000000000000000000000001", "0.00000000000000000000000000000000000001"},
		{"99999999999999999999999999999999999999", "99999999999999999999999999999999999999"},
		{"123456789012345678901234567890.123456789", "123456789012345678901234567890.12345679"},
		{"-123456789012345678901234567890.123456785", "-123456789012345678901234567890.12345679"},
		{"1.000000000000000000000000000000000000009", "1.0000000000000000000000000000000000000"},
		{"0.000000000000000000000000000000000000015", "0.00000000000000000000000000000000000002"},
		{"0.0000000000000000000000000000000000000000", "0.00000000000000000000000000000000000000"},
		{"1e-38", "0.00000000000000000000000000000000000001"},
		{"0.000000000000000000000000000000000000001", ""},
		{"1e-40", ""},
		{"1e38", ""},
		{"1e40", ""},
		{"99999999999999999999999999999999999999.5", ""},
		{"1e1000000000", ""},
	} {
		e, err := numericLiteral(tc.lit)
		if tc.want == "" {
			if sqltypes.AsError(err).Code != sqltypes.CodeNumericOutOfRange {
				t.Errorf("%s: got %v, %v; want 22003", tc.lit, e, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.lit, err)
			continue
		}
		c := e.(*logical.Const)
		if c.T.Kind != sqltypes.Numeric {
			t.Errorf("%s: type %s, want numeric", tc.lit, c.T)
			continue
		}
		if got := c.V.(decimal128.Num).ToString(c.T.Scale); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.lit, got, tc.want)
		}
	}
}

// TestRaiseOverflows: a value cast to a common numeric scale is noticed
// when the scale cannot hold it, so that the column keeps each value's own
// scale instead.
func TestRaiseOverflows(t *testing.T) {
	lit := func(s string) logical.Expr {
		e, err := numericLiteral(s)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	to := func(e logical.Expr, scale int32) logical.Expr {
		return &logical.Cast{E: e, T: sqltypes.NumericType(0, scale)}
	}
	for _, tc := range []struct {
		name string
		e    logical.Expr
		want bool
	}{
		{"big literal to 29 places", to(lit("99999999999999999999999"), 29), true},
		{"small literal to 29 places", to(lit("1.5"), 29), false},
		{"9 digits to 29 places", to(lit("999999999"), 29), false},
		{"10 digits to 29 places", to(lit("9999999999"), 29), true},
		{"bigint column to 20 places", to(&logical.ColRef{ID: 1, T: sqltypes.TypeInt8}, 20), true},
		{"int column to 20 places", to(&logical.ColRef{ID: 1, T: sqltypes.TypeInt4}, 20), false},
		{"unconstrained column", to(&logical.ColRef{ID: 1, T: sqltypes.NumericType(0, 2)}, 37), false},
		{"explicit cast", &logical.Cast{E: lit("99999999999999999999999"), T: sqltypes.NumericType(0, 29), Explicit: true}, false},
		{"no cast", lit("99999999999999999999999"), false},
	} {
		if got := raiseOverflows(tc.e); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestOversizeLiteralAsDouble: a literal beyond meshql's numeric is a
// double only where PostgreSQL's implicit cast makes one of it (the
// common type of the values around it is a float); elsewhere it is
// 22003, never a double that would decide the type of the others.
func TestOversizeLiteralAsDouble(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want sqltypes.Kind // 0 for 22003
	}{
		{"SELECT * FROM (VALUES (1e200::float8), (1e200)) t(x)", sqltypes.Float8},
		{"SELECT * FROM (VALUES (1.5), (1e200)) t(x)", 0},
		{"SELECT CASE WHEN true THEN 1e-300 ELSE 1::real END", sqltypes.Float4},
		{"SELECT CASE WHEN true THEN 1e-300 ELSE 1 END", 0},
		{"SELECT CASE WHEN true THEN 1e-300 END", 0},
		{"SELECT coalesce(1e-300, 2::float8)", sqltypes.Float8},
		{"SELECT coalesce(1e-300, 2)", 0},
		{"SELECT 1::float8 IN (1e-300)", sqltypes.Bool},
		{"SELECT 1 IN (1e-300)", 0},
		{"SELECT 1 IN (1e-300, 2)", 0},
		{"SELECT ARRAY[1e-300]::numeric[]", 0},
		{"SELECT abs(1e-39)", 0},
		{"SELECT 1e300::float8 * 1e-300", sqltypes.Float8},
		{"SELECT 1e-300 * 2", 0},
		{"SELECT 1e-39::float8", sqltypes.Float8},
	} {
		_, rel, err := bindStandalone(t, tc.sql)
		if tc.want == 0 {
			if sqltypes.AsError(err).Code != sqltypes.CodeNumericOutOfRange {
				t.Errorf("%s: %v, want 22003", tc.sql, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if got := rel.cols[0].t.Kind; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.sql, rel.cols[0].t, sqltypes.Type{Kind: tc.want})
		}
	}
}
