package sqltypes

import (
	"strings"
	"testing"
)

// The normal form itself is compared with PostgreSQL in
// testdata/sql/json.slt; these are the properties and limits the corpus
// cannot show.
func TestNormalizeJSONBIsIdempotent(t *testing.T) {
	for _, in := range []string{
		`{"b": [1e2, -0.0, "\u00e9\n"], "a": {"y": null, "x": true}, "a": 1}`,
		`[[], {}, "", 0, -12.50e-3, 1E+3, "\"\\\/\b\f\r\t\u001f"]`,
		`"\ud83d\ude00"`, `  7  `,
	} {
		once, err := NormalizeJSONB(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		twice, err := NormalizeJSONB(once)
		if err != nil || twice != once {
			t.Errorf("%s: normalized %s, again %s (%v)", in, once, twice, err)
		}
	}
}

func TestNormalizeJSONBLimits(t *testing.T) {
	deep := strings.Repeat("[", maxJSONBDepth+2) + strings.Repeat("]", maxJSONBDepth+2)
	for in, code := range map[string]string{
		deep:               "54001",
		`1e1001`:           CodeNumericOutOfRange,
		`"\ud83d"`:         CodeInvalidTextRepr,
		`"\ude00\ud83d"`:   CodeInvalidTextRepr,
		`{"a" 1}`:          CodeInvalidTextRepr,
		`[1] x`:            CodeInvalidTextRepr,
		"\"tab\there\"":    CodeInvalidTextRepr,
		`"\u0000"`:         "22P05",
		``:                 CodeInvalidTextRepr,
		`-`:                CodeInvalidTextRepr,
		`1.`:               CodeInvalidTextRepr,
		`[1e]`:             CodeInvalidTextRepr,
		`{"a": 1, "a": 2`:  CodeInvalidTextRepr,
		`[true, fals]`:     CodeInvalidTextRepr,
		`"unterminated \"`: CodeInvalidTextRepr,
	} {
		if _, err := NormalizeJSONB(in); Code(err) != code {
			t.Errorf("%.40s: %v, want SQLSTATE %s", in, err, code)
		}
	}
	if _, err := NormalizeJSONB(strings.Repeat("[", maxJSONBDepth) + strings.Repeat("]", maxJSONBDepth)); err != nil {
		t.Errorf("%d levels: %v", maxJSONBDepth, err)
	}
}
