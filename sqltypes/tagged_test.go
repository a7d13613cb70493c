package sqltypes

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestTaggedType(t *testing.T) {
	for _, c := range []struct {
		f    arrow.Field
		want string
	}{
		{TypeInet.Field("a"), "inet"},
		{ListOf(TypeCidr).Field("a"), "cidr[]"},
		{Type{Kind: TstzRange}.Field("a"), "tstzrange"},
		{TypeMacaddr.Field("a"), "macaddr"},
		{TypeText.Field("a"), ""},
		// Metadata naming a type the Arrow type does not hold is ignored
		// (FieldType reads the column by its Arrow type then).
		{arrow.Field{Name: "a", Type: arrow.BinaryTypes.String, Metadata: arrow.NewMetadata([]string{FieldTypeKey}, []string{"inet"})}, ""},
		{arrow.Field{Name: "a", Type: arrow.BinaryTypes.String, Metadata: arrow.NewMetadata([]string{FieldTypeKey}, []string{"text"})}, ""},
	} {
		got, ok := TaggedType(c.f)
		if ok != (c.want != "") || ok && got.String() != c.want {
			t.Errorf("TaggedType(%v) = %v, %v; want %q", c.f, got, ok, c.want)
		}
	}
}

// TestCheckTagged: values of tagged columns are meshql's forms or a
// 22P02 error naming the column; valid arrays come back as they are,
// non-canonical ranges rewritten, with no memory left behind.
func TestCheckTagged(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	binary := func(vals ...[]byte) arrow.Array {
		b := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
			} else {
				b.Append(v)
			}
		}
		return b.NewArray()
	}
	strs := func(vals ...string) *array.String {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == "NULL" {
				b.AppendNull()
			} else {
				b.Append(v)
			}
		}
		return b.NewStringArray()
	}
	net := EncodeInet(NetAddr{Addr: [16]byte{10}, Bits: 8})
	host := EncodeInet(NetAddr{Addr: [16]byte{10, 1, 2, 3}, Bits: 8})
	bad := append([]byte(nil), host...)
	bad[1] = 11
	for _, c := range []struct {
		t    Type
		vals [][]byte
		ok   bool
	}{
		{TypeInet, [][]byte{net, nil, host}, true},
		{TypeCidr, [][]byte{net, nil}, true},
		{TypeCidr, [][]byte{host}, false}, // bits right of the mask
		{TypeInet, [][]byte{bad}, false},  // network part disagrees
		{TypeInet, [][]byte{{}}, false},
		{TypeInet, [][]byte{{4, 1, 2, 3, 4, 33, 1, 2, 3, 4}}, false}, // prefix past 32
		{TypeMacaddr, [][]byte{{1, 2, 3, 4, 5, 6}, nil}, true},
		{TypeMacaddr, [][]byte{{1, 2, 3, 4, 5}}, false},
	} {
		a := binary(c.vals...)
		out, err := CheckTagged(mem, c.t, "col", a)
		if c.ok != (err == nil) {
			t.Errorf("%s %x: error %v", c.t, c.vals, err)
		}
		if err != nil {
			if e := AsError(err); e.Code != CodeInvalidTextRepr || !strings.Contains(e.Msg, `"col"`) {
				t.Errorf("%s: error %s %q, want 22P02 naming the column", c.t, e.Code, e.Msg)
			}
		} else {
			if out != a {
				t.Errorf("%s: valid array was copied", c.t)
			}
			out.Release()
		}
		a.Release()
	}

	r4 := Type{Kind: Int4Range}
	a := strs("[1,5)", "NULL", "empty")
	out, err := CheckTagged(mem, r4, "r", a)
	if err != nil || out != arrow.Array(a) {
		t.Errorf("canonical ranges: %v, copied %v", err, out != arrow.Array(a))
	}
	out.Release()
	a.Release()

	a = strs("[1,5)", "NULL", "(1,5]", "[3,3)")
	out, err = CheckTagged(mem, r4, "r", a)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != `["[1,5)" (null) "[2,6)" "empty"]` {
		t.Errorf("rewritten ranges: %s", got)
	}
	out.Release()
	a.Release()

	a = strs("[1,5)", "[1,x)")
	if _, err = CheckTagged(mem, r4, "r", a); err == nil || AsError(err).Code != CodeInvalidTextRepr || !strings.Contains(AsError(err).Msg, `"r"`) {
		t.Errorf("bad range: %v", err)
	}
	a.Release()

	// Arrays: the elements are checked, and rewritten inside their list.
	lb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	lb.Append(true)
	vb.Append("[1,5]")
	vb.AppendNull()
	lb.AppendNull()
	lb.Append(true)
	la := lb.NewArray()
	lb.Release()
	out, err = CheckTagged(mem, ListOf(r4), "rs", la)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != `[["[1,6)" (null)] (null) []]` {
		t.Errorf("rewritten range array: %s", got)
	}
	out.Release()
	la.Release()
}
