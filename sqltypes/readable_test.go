package sqltypes

import "testing"

func TestReadableAs(t *testing.T) {
	varchar := func(n int32) Type { return Type{Kind: Varchar, Precision: n} }
	for _, c := range []struct {
		got, declared Type
		ok            bool
	}{
		{TypeInt8, TypeInt8, true},
		{TypeInt4, TypeInt8, true},
		{Type{Kind: Int2}, TypeInt4, true},
		{TypeInt8, TypeInt4, false}, // values beyond int4 would not fit
		{TypeFloat4, TypeFloat8, true},
		{TypeFloat8, TypeFloat4, false},
		{TypeInt8, TypeFloat8, false}, // large int8 values lose digits in float8
		{TypeInt4, TypeText, false},
		{TypeText, varchar(0), true},
		{varchar(10), TypeText, true},
		{varchar(10), varchar(0), true},
		{TypeText, varchar(10), true}, // checked per value as it is read (22001)
		{varchar(5), varchar(10), true},
		{varchar(10), varchar(5), false},
		{Type{Kind: Numeric, Precision: 12, Scale: 2}, Type{Kind: Numeric, Precision: 10, Scale: 2}, false},
		{TypeText, TypeInt8, false},
	} {
		if got := ReadableAs(c.got, c.declared); got != c.ok {
			t.Errorf("ReadableAs(%s, %s) = %v, want %v", c.got, c.declared, got, c.ok)
		}
	}
}
