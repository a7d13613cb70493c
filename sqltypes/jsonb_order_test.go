package sqltypes

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// jsonbPGOrder is a list of jsonb values sorted by PostgreSQL 15 (ORDER BY
// the jsonb, ties in input order): kinds, raw scalars among arrays, counts
// before contents, keys in storage order, numbers by value.
var jsonbPGOrder = []string{
	`[]`,
	`null`,
	`""`,
	`"Z"`,
	`"a"`,
	`"ab"`,
	`"b"`,
	`"é"`,
	`"\u00e9t\u00e9"`,
	`-123456789012345678901234567890`,
	`-10`,
	`-1.5`,
	`-1`,
	`0`,
	`-0.0`,
	`1e-5`,
	`0.001`,
	`1`,
	`1.0`,
	`1.00`,
	`1.25`,
	`1.5`,
	`10`,
	`123456789012345678901234567890`,
	`false`,
	`true`,
	`[null]`,
	`["a"]`,
	`[1]`,
	`[1.0]`,
	`[2]`,
	`[true]`,
	`[[]]`,
	`[[1]]`,
	`[{}]`,
	`[1,2]`,
	`[1,[2]]`,
	`[1,{"a":1}]`,
	`[2,1]`,
	`{}`,
	`{"a":null}`,
	`{"a":1}`,
	`{"a":2}`,
	`{"a":[1]}`,
	`{"a":{"b":1}}`,
	`{"aa":1}`,
	`{"b":1}`,
	`{"a":1,"b":2}`,
	`{"b":1,"aa":0}`,
}

// jsonbPGEqual are the runs of jsonbPGOrder that PostgreSQL's = calls equal.
var jsonbPGEqual = [][]string{{`0`, `-0.0`}, {`1`, `1.0`, `1.00`}, {`[1]`, `[1.0]`}}

func TestCompareJSONBFollowsPostgreSQL(t *testing.T) {
	equal := func(a, b string) bool {
		for _, g := range jsonbPGEqual {
			if slices.Contains(g, a) && slices.Contains(g, b) {
				return true
			}
		}
		return a == b
	}
	for i, a := range jsonbPGOrder {
		for j, b := range jsonbPGOrder {
			want := 0
			switch {
			case equal(a, b):
			case i < j:
				want = -1
			default:
				want = 1
			}
			got, err := CompareJSONB(a, b)
			if err != nil {
				t.Fatalf("%s vs %s: %v", a, b, err)
			}
			if got != want {
				t.Errorf("CompareJSONB(%s, %s) = %d, PostgreSQL says %d", a, b, got, want)
			}
		}
	}
}

func TestJSONBSortKeyOfEqualNumbers(t *testing.T) {
	for _, g := range [][]string{{`1`, `1.0`, `1.000`, `10e-1`}, {`-2.50`, `-2.5`, `-25e-1`}, {`[0.10, {"a": 1e2}]`, `[0.1, {"a": 100.00}]`}} {
		first, err := AppendJSONBSortKey(nil, g[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range g[1:] {
			if k, err := AppendJSONBSortKey(nil, s); err != nil || string(k) != string(first) {
				t.Errorf("key of %s differs from that of %s (%v)", s, g[0], err)
			}
		}
	}
}

// The one-pass key of normalized text is the tree's key, and text that is
// not normalized (unsorted or duplicate keys, exponents) takes the tree.
func TestJSONBSortKeyOnePassMatchesTree(t *testing.T) {
	docs := append([]string{`{"b": 1, "a": 2, "b": 3}`, `{"a\u0062": 1, "ab": 2}`, `[1e2, -0.0, "\n\u00e9"]`, `  {"x" : [ {}, [] ] }  `,
		`{"": {"": ""}}`, `[[[[1.50]]]]`, `-0`, `0.000`}, jsonbPGOrder...)
	for _, doc := range docs {
		v, err := ParseJSONB(doc)
		if err != nil {
			t.Fatal(err)
		}
		tree := string(appendTreeSortKey(nil, &v))
		normal, err := NormalizeJSONB(doc)
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := appendNormalSortKey(nil, normal)
		if !ok || string(fast) != tree {
			t.Errorf("%s: one-pass key of %s (ok %v) differs from the tree's", doc, normal, ok)
		}
		if got, err := AppendJSONBSortKey(nil, doc); err != nil || string(got) != tree {
			t.Errorf("%s: key differs from the tree's (%v)", doc, err)
		}
	}
	for _, doc := range []string{`{"b": 1, "a": 2}`, `{"a": 1, "a": 2}`, `1e2`, `[1, 2`, `01`} {
		if _, ok := appendNormalSortKey(nil, doc); ok {
			t.Errorf("%s: the one-pass key accepted it", doc)
		}
	}
	for _, doc := range []string{`[1, 2`, `01`, `{"a" 1}`, ``} {
		if _, err := AppendJSONBSortKey(nil, doc); Code(err) != CodeInvalidTextRepr {
			t.Errorf("%s: %v, want 22P02", doc, err)
		}
	}
}

// TestJSONBNumberKeyOrdersByValue compares the keys of random decimal
// texts (signs, leading and trailing zeros, integers and fractions) with
// their values.
func TestJSONBNumberKeyOrdersByValue(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	gen := func() string {
		digits := func(n int) string {
			b := make([]byte, n)
			for i := range b {
				b[i] = "0001234569"[r.IntN(10)]
			}
			return string(b)
		}
		s := strings.TrimLeft(digits(1+r.IntN(4)), "0")
		if s == "" {
			s = "0"
		}
		if r.IntN(2) == 0 {
			s += "." + digits(1+r.IntN(4))
		}
		if r.IntN(3) == 0 {
			s = "-" + s
		}
		return s
	}
	for range 20000 {
		a, b := gen(), gen()
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		ka, kb := appendNumberKey(nil, a), appendNumberKey(nil, b)
		if got, want := bytes.Compare(ka, kb), ra.Cmp(rb); got != want {
			t.Fatalf("%s vs %s: keys compare %d, values %d", a, b, got, want)
		}
	}
}
