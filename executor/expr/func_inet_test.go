package expr

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// The network kernels over columns of both families with NULLs, on the
// whole batch and on a slice of it (offset arrays), with a checked
// allocator; expected values are PostgreSQL 15's.
func TestInetKernels(t *testing.T) {
	env := newTestEnv(t)
	b := makeBatch(t, env,
		testCol{sqltypes.TypeInet, []any{"10.1.2.3/8", "::ffff:1.2.3.4", nil, "2001:db8::1/64", "255.255.255.254"}},
		testCol{sqltypes.TypeCidr, []any{"10/8", "::/0", "10/8", nil, "0/0"}},
		testCol{sqltypes.TypeInt8, []any{int64(1), int64(-5), int64(1), int64(1), int64(1)}})
	defer b.Release()
	ip, net, n := Column(0, sqltypes.TypeInet, "ip"), Column(1, sqltypes.TypeCidr, "net"), Column(2, sqltypes.TypeInt8, "n")
	cases := []struct {
		e    Expr
		want string
	}{
		{must(Call("network_sub", []Expr{ip, net})), "f|t|NULL|NULL|t"},
		{must(Call("network_supeq", []Expr{net, ip})), "t|t|NULL|NULL|t"},
		{must(Call("network_overlap", []Expr{net, ip})), "t|t|NULL|NULL|t"},
		{must(Call("inetpl", []Expr{ip, n})), "10.1.2.4/8|::ffff:1.2.2.255|NULL|2001:db8::2/64|255.255.255.255"},
		{must(Call("host", []Expr{ip})), "10.1.2.3|::ffff:1.2.3.4|NULL|2001:db8::1|255.255.255.254"},
		{must(Call("abbrev", []Expr{net})), "10/8|::/0|10/8|NULL|0/0"},
		{must(Call("broadcast", []Expr{ip})), "10.255.255.255/8|::ffff:1.2.3.4|NULL|2001:db8::ffff:ffff:ffff:ffff/64|255.255.255.254"},
		{must(Call("family", []Expr{ip})), "4|6|NULL|6|4"},
		{must(Cast(ip, sqltypes.TypeCidr)), "10.0.0.0/8|::ffff:1.2.3.4/128|NULL|2001:db8::/64|255.255.255.254/32"},
		{must(Cast(ip, sqltypes.TypeText)), "10.1.2.3/8|::ffff:1.2.3.4/128|NULL|2001:db8::1/64|255.255.255.254/32"},
		{outputText(net), "10.0.0.0/8|::/0|10.0.0.0/8|NULL|0.0.0.0/0"},
	}
	for _, c := range cases {
		got, err := evalStrings(t, env, c.e, b)
		if err != nil {
			t.Fatalf("%s: %v", c.e, err)
		}
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("%s: got %s, want %s", c.e, g, c.want)
		}
		sl := b.NewSlice(1, 4)
		got, err = evalStrings(t, env, c.e, sl)
		sl.Release()
		if err != nil {
			t.Fatalf("%s on a slice: %v", c.e, err)
		}
		if g, w := strings.Join(got, "|"), strings.Join(strings.Split(c.want, "|")[1:4], "|"); g != w {
			t.Errorf("%s on a slice: got %s, want %s", c.e, g, w)
		}
	}
	// An error mid-batch releases what was built (the allocator checks).
	if _, err := evalStrings(t, env, must(Call("inetpl", []Expr{ip, Literal(sqltypes.TypeInt8, int64(2))})), b); sqltypes.Code(err) != "22003" {
		t.Errorf("255.255.255.254 + 2: %v, want 22003", err)
	}
	if _, err := evalStrings(t, env, must(Call("inetand", []Expr{ip, Literal(sqltypes.TypeInet, "::1")})), b); sqltypes.Code(err) != "22023" {
		t.Errorf("inet & across families: %v, want 22023", err)
	}
	// InetText keeps an array column's lists and NULLs.
	lt := sqltypes.ListOf(sqltypes.TypeCidr)
	lb := makeBatch(t, env, testCol{lt, []any{[]any{"10/8", nil}, nil, []any{}}})
	defer lb.Release()
	txt, err := InetText(env.Mem, lt, lb.Column(0))
	if err != nil {
		t.Fatal(err)
	}
	defer txt.Release()
	if got := txt.(*array.List).String(); got != `[["10.0.0.0/8" (null)] (null) []]` || !arrow.TypeEqual(txt.DataType(), arrow.ListOf(arrow.BinaryTypes.String)) {
		t.Errorf("InetText of cidr[]: %s %s", got, txt.DataType())
	}
}
