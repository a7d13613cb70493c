package sqltypes

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestInetText checks input, output, ::text, host(), abbrev() and
// masklen() against PostgreSQL 15's answers (inet_cases_test.go).
func TestInetText(t *testing.T) {
	for _, tc := range inetCases {
		name := "inet/" + tc.in
		if tc.cidr {
			name = "cidr/" + tc.in
		}
		t.Run(name, func(t *testing.T) {
			ip, err := ParseInet(tc.in, tc.cidr)
			if tc.want == nil {
				if err == nil || err.Error() != tc.error || Code(err) != CodeInvalidTextRepr {
					t.Fatalf("got %v (%s), want 22P02 %s", err, Code(err), tc.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{string(AppendInetText(nil, ip, tc.cidr)), InetShow(ip), InetHost(ip), InetAbbrev(ip, tc.cidr), strconv.Itoa(int(ip.Bits))}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			back, ok := DecodeInet(EncodeInet(ip))
			if !ok || back != ip {
				t.Fatalf("encoding round trip: %v %v", back, ok)
			}
		})
	}
}

// TestInetOrder checks that encoded values compared as bytes sort as
// PostgreSQL 15's ORDER BY sorts them (its answer below).
func TestInetOrder(t *testing.T) {
	want := strings.Fields("0.0.0.0/0 1.2.3.0/24 1.2.3.4/24 1.2.3.4/25 1.2.3.128/25 9.255.0.0/16 10.0.0.0/8 10.0.0.1/8 10.5.0.0/8 10.0.0.0/9 10.0.0.1/32 10.1.0.0/16 10.128.0.0/9 255.255.255.255/32 ::/0 ::1/128 ::ffff:1.2.3.4/128 2001:db8::/32 2001:db8::1/128 fe80::/10 fe80::1/64")
	var enc [][]byte
	for i := len(want) - 1; i >= 0; i-- {
		ip, err := ParseInet(want[i], false)
		if err != nil {
			t.Fatal(err)
		}
		enc = append(enc, EncodeInet(ip))
	}
	slices.SortFunc(enc, bytes.Compare)
	for i, b := range enc {
		ip, _ := DecodeInet(b)
		if got := InetShow(ip); got != want[i] {
			t.Fatalf("position %d: got %s, want %s", i, got, want[i])
		}
	}
}

// TestInetSend checks the binary wire form against PostgreSQL 15's
// inet_send and cidr_send, and reads it back.
func TestInetSend(t *testing.T) {
	for _, tc := range []struct {
		in   string
		cidr bool
		hex  string
	}{
		{"1.2.3.4/24", false, "0218000401020304"},
		{"10.0.0.0/8", true, "020801040a000000"},
		{"2001:db8::1/64", false, "0340001020010db8000000000000000000000001"},
		{"::/0", true, "0300011000000000000000000000000000000000"},
	} {
		ip, err := ParseInet(tc.in, tc.cidr)
		if err != nil {
			t.Fatal(err)
		}
		b := AppendInetSend(nil, ip, tc.cidr)
		if got := hex.EncodeToString(b); got != tc.hex {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.hex)
		}
		back, err := ParseInetRecv(b, tc.cidr)
		if err != nil || back != ip {
			t.Errorf("%s: read back %v, %v", tc.in, back, err)
		}
	}
	for _, tc := range []struct {
		hex, msg string
	}{
		{"0718000401020304", `invalid address family in external "cidr" value`},
		{"0221000401020304", `invalid bits in external "cidr" value`},
		{"0218001001020304", `invalid length in external "cidr" value`},
		{"0218010401020304", `invalid external "cidr" value`},
	} {
		b, _ := hex.DecodeString(tc.hex)
		if _, err := ParseInetRecv(b, true); err == nil || err.Error() != tc.msg || Code(err) != "22P03" {
			t.Errorf("%s: got %v, want 22P03 %s", tc.hex, err, tc.msg)
		}
	}
}
