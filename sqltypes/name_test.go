package sqltypes

import (
	"strings"
	"testing"
)

// TestClipName: namein keeps at most 63 bytes and never splits a
// character (PostgreSQL's pg_mbcliplen).
func TestClipName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{strings.Repeat("a", 63), strings.Repeat("a", 63)},
		{strings.Repeat("a", 64), strings.Repeat("a", 63)},
		{strings.Repeat("é", 40), strings.Repeat("é", 31)},
		{"a" + strings.Repeat("€", 30), "a" + strings.Repeat("€", 20)},
	} {
		if got := ClipName(c.in); got != c.want {
			t.Errorf("ClipName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
