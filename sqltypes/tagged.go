package sqltypes

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Values of a column whose FieldTypeKey metadata names an address or a
// range type come from whoever wrote the file or serves the stream: a
// Parquet file written by any tool, another Flight SQL server. meshql's
// kernels assume its own forms (AppendInet's bytes, six bytes for a
// macaddr, FormatRange's canonical text), so such values are checked
// where they enter (connectors.CheckTagged) rather than trusted.

// TaggedType returns the SQL type that f's FieldTypeKey names when
// values of it need checking (an address or range type, or an array of
// one, whose Arrow type is f's), else false.
func TaggedType(f arrow.Field) (Type, bool) {
	name, ok := f.Metadata.GetValue(FieldTypeKey)
	if !ok {
		return Type{}, false
	}
	t, err := ParseType(name)
	if err != nil || !arrow.TypeEqual(t.Arrow(), f.Type) {
		return Type{}, false
	}
	l := t.Leaf()
	return t, l.Kind == Inet || l.Kind == Cidr || l.Kind == Macaddr || l.IsRange()
}

// CheckTagged checks the values of column a, of the tagged type t
// (TaggedType), named column in errors: 22P02 for a value that is none
// of t's. A range in text that is valid but not canonical ("[1,5]" for
// an int4range) is rewritten to its canonical text, as meshql keys
// ranges on it; the result is then a new array (else a is returned,
// retained). The caller releases the result.
func CheckTagged(mem memory.Allocator, t Type, column string, a arrow.Array) (arrow.Array, error) {
	switch x := a.(type) {
	case *array.List:
		child, err := CheckTagged(mem, *t.Elem, column, x.ListValues())
		if err != nil {
			return nil, err
		}
		defer child.Release()
		if child == x.ListValues() {
			a.Retain()
			return a, nil
		}
		d := x.Data()
		nd := array.NewData(d.DataType(), d.Len(), d.Buffers(), []arrow.ArrayData{child.Data()}, d.NullN(), d.Offset())
		defer nd.Release()
		return array.MakeFromData(nd), nil
	case *array.Binary:
		for i := 0; i < x.Len(); i++ {
			if x.IsValid(i) && !validAddress(t.Kind, x.Value(i)) {
				return nil, New(CodeInvalidTextRepr, "invalid %s value in column %q of the source: %d bytes that are not meshql's form of one", t, column, len(x.Value(i))).
					WithHint("The source's field metadata %s says %s; write the column as text (or without that metadata) to have it read by %s's input function.", FieldTypeKey, t, t)
			}
		}
	case *array.String:
		return checkRanges(mem, t, column, x)
	}
	a.Retain()
	return a, nil
}

// validAddress reports whether b is meshql's form of a value of kind k.
func validAddress(k Kind, b []byte) bool {
	if k == Macaddr {
		return len(b) == 6
	}
	ip, ok := DecodeInet(b)
	if !ok || k == Cidr && !ip.HostBitsZero() {
		return false
	}
	var buf [34]byte
	return string(AppendInet(buf[:0], ip)) == string(b) // the network part agrees with the address
}

// checkRanges reads every range of a, returning a or, when some text is
// not canonical, a copy with canonical text.
func checkRanges(mem memory.Allocator, t Type, column string, a *array.String) (arrow.Array, error) {
	var (
		b   *array.StringBuilder
		buf []byte
	)
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			if b != nil {
				b.AppendNull()
			}
			continue
		}
		s := a.Value(i)
		r, err := ReadRange(t, s)
		if err != nil {
			e := AsError(err)
			return nil, New(e.Code, "column %q of the source: %s", column, e.Msg).WithDetail("%s", e.Detail)
		}
		buf = AppendRange(buf[:0], t, r, nil)
		if b == nil {
			if string(buf) == s {
				continue
			}
			b = array.NewStringBuilder(mem)
			defer b.Release()
			b.Reserve(a.Len())
			for j := 0; j < i; j++ {
				if a.IsNull(j) {
					b.AppendNull()
				} else {
					b.Append(a.Value(j))
				}
			}
		}
		b.BinaryBuilder.Append(buf)
	}
	if b == nil {
		a.Retain()
		return a, nil
	}
	return b.NewArray(), nil
}
