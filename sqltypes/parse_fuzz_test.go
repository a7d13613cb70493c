package sqltypes

import "testing"

// FuzzParseValue checks that the input functions never panic and fail
// only with *Error.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"1", " -32768 ", "1.5e3", "NaN", "2024-02-29", "2024-01-02 10:00:00+05:30",
		"1 day 02:00:00", "P1Y2M", "@ 3 hours ago", `{1,"a b",NULL}`, `\x0a`, "{550e8400-e29b-41d4-a716-446655440000}", "t", "[1]", `{{1,2},{3,NULL}}`, `{{{"a"}},{{b}}}`, "{{}}"} {
		f.Add(s)
	}
	types := []Type{TypeBool, TypeInt2, TypeInt4, TypeInt8, TypeFloat4, TypeFloat8, NumericType(0, 2), NumericType(5, 2),
		TypeDate, TypeTimestamp, TypeTimestampTZ, TypeInterval, TypeBytea, TypeUUID, TypeJSON, TypeInet, TypeCidr, TypeMacaddr, ListOf(TypeInt4), ListOf(TypeText), ArrayOf(TypeInt4, 2), ArrayOf(TypeText, 3)}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range types {
			v, err := ParseValue(typ, s)
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("%s %q: error %T %v", typ, s, err, err)
				}
				continue
			}
			_ = FormatValue(typ, v)
		}
	})
}

// FuzzInet checks that inet and cidr input never panics, fails only with
// 22P02, and that what it accepts prints as text that reads back as the
// same value (and the same bytes through the wire form).
func FuzzInet(f *testing.F) {
	for _, tc := range inetCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, cidr := range []bool{false, true} {
			ip, err := ParseInet(s, cidr)
			if err != nil {
				if Code(err) != CodeInvalidTextRepr {
					t.Fatalf("%q: %v (%s)", s, err, Code(err))
				}
				continue
			}
			out := string(AppendInetText(nil, ip, cidr))
			back, err := ParseInet(out, cidr)
			if err != nil || back != ip {
				t.Fatalf("%q (cidr %v) prints %q, which reads back as %v, %v", s, cidr, out, back, err)
			}
			if r, err := ParseInetRecv(AppendInetSend(nil, ip, cidr), cidr); err != nil || r != ip {
				t.Fatalf("%q: wire round trip %v, %v", s, r, err)
			}
			_ = InetAbbrev(ip, cidr)
		}
	})
}
