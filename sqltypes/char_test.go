package sqltypes

import "testing"

func TestParseChar(t *testing.T) {
	for _, c := range []struct {
		in, want, code string
	}{
		{"abc", "a", ""},
		{"", "", ""},
		{`\101`, "A", ""},
		{`\000`, "", ""},
		{`\1012`, `\`, ""}, // not the four-character escape: its first byte
		{`\8`, `\`, ""},
		{"é", "", CodeFeatureNotSupported},
		{`\351`, "", CodeFeatureNotSupported},
	} {
		got, err := ParseChar(c.in)
		if c.code != "" {
			if Code(err) != c.code {
				t.Errorf("ParseChar(%q) error %v, want %s", c.in, err, c.code)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseChar(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
