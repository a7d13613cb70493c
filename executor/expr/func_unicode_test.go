package expr

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// The kernels remember the last encoding or form name resolved; a name
// that changes from row to row must still be honoured on each row.
func TestConvertAndNormalizeNamePerRow(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeText, []any{"é", "é", "é", nil, "é"}},
		testCol{sqltypes.TypeText, []any{"LATIN1", "latin1", "UTF8", "LATIN1", "win1251"}},
		testCol{sqltypes.TypeText, []any{"NFD", "NFD", "NFC", "NFC", "nfkd"}},
	)
	defer b.Release()
	s := Column(0, sqltypes.TypeText, "s")
	enc := Column(1, sqltypes.TypeText, "enc")
	form := Column(2, sqltypes.TypeText, "form")

	// convert_to to WIN1251 cannot hold é: the last row is 22P05 even
	// after four rows of other names.
	if _, err := evalStrings(t, env, must(Call("convert_to", []Expr{s, enc})), b); sqltypes.Code(err) != "22P05" {
		t.Fatalf("convert_to: got %v, want 22P05", errString(err))
	}
	latin := must(Call("convert_to", []Expr{s, lit(sqltypes.TypeText, "LATIN1")}))
	if _, err := evalStrings(t, env, must(Call("convert", []Expr{latin, lit(sqltypes.TypeText, "latin1"), enc})), b); sqltypes.Code(err) != "22P05" {
		t.Fatalf("convert: got %v, want 22P05", errString(err))
	}
	got, err := evalStrings(t, env, must(Call("octet_length", []Expr{must(Call("normalize", []Expr{s, form}))})), b)
	if err != nil {
		t.Fatal(errString(err))
	}
	if want := "3 3 2 NULL 3"; strings.Join(got, " ") != want {
		t.Fatalf("normalize: got %v, want %s", got, want)
	}
	got, err = evalStrings(t, env, must(Call("is_normalized", []Expr{s, form})), b)
	if err != nil {
		t.Fatal(errString(err))
	}
	if want := "f f t NULL f"; strings.Join(got, " ") != want {
		t.Fatalf("is_normalized: got %v, want %s", got, want)
	}
	// An unknown name after valid ones is still 22023.
	one := makeBatch(t, env, testCol{sqltypes.TypeText, []any{"LATIN1", "nosuch"}}, testCol{sqltypes.TypeText, []any{"é", "é"}})
	defer one.Release()
	conv := must(Call("convert_from", []Expr{must(Call("convert_to", []Expr{Column(1, sqltypes.TypeText, "s"), lit(sqltypes.TypeText, "LATIN1")})), Column(0, sqltypes.TypeText, "enc")}))
	if _, err := evalStrings(t, env, conv, one); sqltypes.Code(err) != sqltypes.CodeInvalidParameterValue {
		t.Fatalf("convert_from: got %v, want 22023", errString(err))
	}
}

// Code points past U+10FFFF are 22023 as in PostgreSQL, including those
// at and above 0x80000000 that do not fit a rune.
func TestUnistrCodePointRange(t *testing.T) {
	env := newTestEnv(t)
	for _, in := range []string{`\U00110000`, `\U80000041`, `\UFFFFFFFF`} {
		b := makeBatch(t, env, testCol{sqltypes.TypeText, []any{in}})
		_, err := evalStrings(t, env, must(Call("unistr", []Expr{Column(0, sqltypes.TypeText, "s")})), b)
		b.Release()
		if sqltypes.Code(err) != sqltypes.CodeInvalidParameterValue {
			t.Errorf("unistr(%s): got %v, want 22023", in, errString(err))
		}
	}
}
