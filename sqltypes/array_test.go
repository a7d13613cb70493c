package sqltypes

import "testing"

// TestParseArrayDimensions: array_in's text of any dimensions, read into
// the array type of that many dimensions and printed back as PostgreSQL
// 15 prints it; ragged or malformed text is 22P02 as there, and text of
// another number of dimensions than the type is 0A000 (see ParseArray).
func TestParseArrayDimensions(t *testing.T) {
	ok := []struct {
		t        Type
		in, want string
	}{
		{ArrayOf(TypeInt4, 2), "{{1,2},{3,4}}", "{{1,2},{3,4}}"},
		{ArrayOf(TypeInt4, 2), " { { 1 , NULL } , {3,4} } ", "{{1,NULL},{3,4}}"},
		{ArrayOf(TypeText, 2), `{{a,"b c"},{NULL,""}}`, `{{a,"b c"},{NULL,""}}`},
		{ArrayOf(TypeText, 2), `{{"{x}",y\,z}}`, `{{"{x}","y,z"}}`},
		{ArrayOf(TypeInt8, 3), "{{{1}},{{2}}}", "{{{1}},{{2}}}"},
		{ArrayOf(TypeInt4, 2), "{}", "{}"},
		{ListOf(TypeInt4), "{1,2}", "{1,2}"},
	}
	for _, c := range ok {
		if n := ArrayTextNdims(c.in); n != c.t.Ndims() && c.in != "{}" {
			t.Errorf("ArrayTextNdims(%q) = %d, want %d", c.in, n, c.t.Ndims())
		}
		v, err := ParseValue(c.t, c.in)
		if err != nil {
			t.Errorf("%s %q: %v", c.t, c.in, err)
			continue
		}
		if got := FormatValue(c.t, v); got != c.want {
			t.Errorf("%s %q: got %q, want %q", c.t, c.in, got, c.want)
		}
	}
	bad := []struct {
		t        Type
		in, code string
	}{
		{ArrayOf(TypeInt4, 2), "{{1,2},{3}}", CodeInvalidTextRepr},
		{ArrayOf(TypeInt4, 2), "{{1,2},3}", CodeInvalidTextRepr},
		{ArrayOf(TypeInt4, 2), "{{}}", CodeInvalidTextRepr},
		{ArrayOf(TypeInt4, 2), "{{1,2}", CodeInvalidTextRepr},
		{ArrayOf(TypeInt4, 2), "{{1,2}}x", CodeInvalidTextRepr},
		{ArrayOf(TypeInt4, 2), "{{1,x}}", CodeInvalidTextRepr},
		{ListOf(TypeInt4), "{{1,2}}", CodeFeatureNotSupported},
		{ArrayOf(TypeInt4, 2), "{1,2}", CodeFeatureNotSupported},
	}
	for _, c := range bad {
		if _, err := ParseValue(c.t, c.in); Code(err) != c.code {
			t.Errorf("%s %q: got %v, want %s", c.t, c.in, err, c.code)
		}
	}
}

// TestArrayTypeIdentity: int[] is one type whatever its dimensions: one
// name and one OID.
func TestArrayTypeIdentity(t *testing.T) {
	one, two := ListOf(TypeInt4), ArrayOf(TypeInt4, 2)
	if two.String() != "integer[]" || two.OID() != one.OID() || two.Ndims() != 2 || !two.Leaf().Equal(TypeInt4) {
		t.Errorf("2-D int4[]: %s OID %d ndims %d leaf %s", two, two.OID(), two.Ndims(), two.Leaf())
	}
}
