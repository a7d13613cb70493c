package expr

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// Formats meshql does not implement fail with 0A000 instead of printing
// something PostgreSQL would not (the rest is compared with PostgreSQL in
// testdata/sql/tochar_number.slt).
func TestToCharNumberUnsupportedFormats(t *testing.T) {
	for _, f := range []string{"999V99"} {
		_, err := parseNumFormat(f)
		if got := sqltypes.AsError(err); err == nil || got.Code != sqltypes.CodeFeatureNotSupported {
			t.Errorf("format %q: got %v, want 0A000", f, err)
		}
	}
	for _, f := range []string{"9.9.9", "S9S", "S999MI", "999PRS", "9.9EEEE9", "FM9EEEE", "9EEEEEEEE"} {
		if _, err := parseNumFormat(f); err == nil {
			t.Errorf("format %q: want an error", f)
		}
	}
}

// to_number refuses what PostgreSQL cannot read back (0A000), in
// PostgreSQL's words for RN and EEEE, and reports the largest scale a
// format reads (the binder's static scale).
func TestToNumberFormats(t *testing.T) {
	for f, want := range map[string]string{
		"9.99EEEE": `"EEEE" not supported for input`,
		"RN":       `"RN" not supported for input`,
		"999V99":   `to_number number format "V" is not supported`,
	} {
		_, err := parseToNumberFormat(f)
		if got := sqltypes.AsError(err); err == nil || got.Code != sqltypes.CodeFeatureNotSupported || got.Msg != want {
			t.Errorf("format %q: got %v, want 0A000 %s", f, err, want)
		}
	}
	for f, want := range map[string]int32{"9999": 0, "99D999": 3, "FM9,999.90S": 2, `"x"9.9`: 1} {
		if got, ok := ToNumberScale(f); !ok || got != want {
			t.Errorf("ToNumberScale(%q) = %d, %v; want %d", f, got, ok, want)
		}
	}
	if _, ok := ToNumberScale("9.9.9"); ok {
		t.Error("ToNumberScale(9.9.9): want not ok")
	}
}
