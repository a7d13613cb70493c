package jsonpath

import (
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// FuzzParse checks that any text parses or fails with a typed error,
// that the normalized text reads back to itself, and that evaluating a
// path never panics and fails only with a typed error.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`$.a[*] ? (@.b > 1)`, `strict $.**{1 to last}.x`, `$.a[1, last - 1 to last]`, `-$.a * 2 + $x % 3`,
		`$ ? (exists (@.a) && !(@.b like_regex "^x" flag "i") || (@.c starts with "q") is unknown)`,
		`$.keyvalue().value.type()`, `(1.5).a`, `$."a b".*.size().double().abs()`, `$[*] ? (@ == null)`,
	} {
		f.Add(seed)
	}
	doc, err := sqltypes.ParseJSONB(`{"a":[1,{"b":"x","c":[2.5,null]}],"c":2.5,"d":{"e":true}}`)
	if err != nil {
		f.Fatal(err)
	}
	vars, _ := sqltypes.ParseJSONB(`{"x":1}`)
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text)
		if err != nil {
			if sqltypes.Code(err) == sqltypes.CodeInternal {
				t.Fatalf("%q: untyped error %v", text, err)
			}
			return
		}
		out := p.String()
		q, err := Parse(out)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", text, out, err)
		}
		if q.String() != out {
			t.Fatalf("%q printed as %q, then as %q", text, out, q.String())
		}
		if _, err := p.Query(&doc, &vars, 0, nil); err != nil && sqltypes.Code(err) == sqltypes.CodeInternal {
			t.Fatalf("%q: untyped error %v", text, err)
		}
	})
}
