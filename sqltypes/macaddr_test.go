package sqltypes

import "testing"

// TestMacaddr checks macaddr input and output against PostgreSQL 15's
// answers (macaddr_cases_test.go).
func TestMacaddr(t *testing.T) {
	for _, tc := range macaddrCases {
		b, err := ParseMacaddr(tc.in)
		if tc.err != "" {
			if err == nil || Code(err)+" "+err.Error() != tc.err {
				t.Errorf("%q: got %v (%s), want %s", tc.in, err, Code(err), tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := FormatMacaddr(b); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
