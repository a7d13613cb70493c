package expr

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// Formats meshql does not implement fail with 0A000 instead of printing
// something PostgreSQL would not (the rest is compared with PostgreSQL in
// testdata/sql/tochar_number.slt).
func TestToCharNumberUnsupportedFormats(t *testing.T) {
	for _, f := range []string{"9.99EEEE", "999V99"} {
		_, err := parseNumFormat(f)
		if got := sqltypes.AsError(err); err == nil || got.Code != sqltypes.CodeFeatureNotSupported {
			t.Errorf("format %q: got %v, want 0A000", f, err)
		}
	}
	for _, f := range []string{"9.9.9", "S9S", "S999MI", "999PRS"} {
		if _, err := parseNumFormat(f); err == nil {
			t.Errorf("format %q: want an error", f)
		}
	}
}
