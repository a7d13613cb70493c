package sqltypes

import (
	"strings"
	"testing"
)

// TestParseArrayDimensions: ragged or malformed array text is 22P02 as in
// PostgreSQL 15, and text of another number of dimensions than the type
// is 0A000 (see ParseArray); TestParseValueKinds reads good text.
func TestParseArrayDimensions(t *testing.T) {
	for in, want := range map[string]int{"{{1,2},{3,4}}": 2, " { {{1}} } ": 3, "{1}": 1, "{}": 1, `{"{"}`: 1, "[1:2][1:1]={{1},{2}}": 2, "[1:2] = {1,2}": 1} {
		if n := ArrayTextNdims(in); n != want {
			t.Errorf("ArrayTextNdims(%q) = %d, want %d", in, n, want)
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
		{ArrayOf(TypeInt4, 7), "{{{{{{{1}}}}}}}", CodeProgramLimitExceeded},
		{ListOf(TypeInt4), strings.Repeat("{", 100000), CodeProgramLimitExceeded},
		{ListOf(TypeText), "{a,}", CodeInvalidTextRepr},
		{ListOf(TypeText), "{a,,b}", CodeInvalidTextRepr},
		{ListOf(TypeText), "{ , }", CodeInvalidTextRepr},
		{ListOf(TypeInt4), "[1:3]={1,2}", CodeInvalidTextRepr},
		{ListOf(TypeInt4), "[1:2]{1,2}", CodeInvalidTextRepr},
		{ListOf(TypeInt4), "[2:1]={1}", CodeArraySubscriptError},
		{ListOf(TypeInt4), "[0:1]={1,2}", CodeFeatureNotSupported},
	}
	for _, c := range bad {
		if _, err := ParseValue(c.t, c.in); Code(err) != c.code {
			t.Errorf("%s %q: got %v, want %s", c.t, c.in, err, c.code)
		}
	}
	for in, want := range map[string]int{"[1:2]={1,2}": 2, "[3]={1,2,3}": 3, `{"",a}`: 2} {
		if v, err := ParseValue(ListOf(TypeText), in); err != nil || len(v.([]any)) != want {
			t.Errorf("%q: got %v, %v; want %d elements", in, v, err, want)
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
