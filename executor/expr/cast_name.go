package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// nameCastKernel casts to and from name (sqltypes.Name, held as its
// text). name's output is its text, so a cast from name is the cast from
// text; a cast to name is the cast to text, then namein's cut to 63 bytes
// (sqltypes.ClipName). That covers PostgreSQL's name(text), name(varchar)
// and name(bpchar) (which drops the trailing blanks, as bpchar's cast to
// text does), text(name), varchar(name), bpchar(name), and its I/O casts
// to and from other types ('1'::name::int, 1::name); which of them a
// query may use implicitly is the binder's business.
func nameCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	switch {
	case from.Kind == sqltypes.Name && to.Kind == sqltypes.Name:
		return retypeKernel(to.Arrow()), true
	case from.Kind == sqltypes.Name:
		return castKernelFor(sqltypes.TypeText, to)
	}
	k, ok := castKernelFor(from, sqltypes.TypeText)
	if !ok {
		return nil, false
	}
	return chain(k, clipNameKernel), true
}

// clipNameKernel cuts each value to a name's 63 bytes.
func clipNameKernel(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
	v := viewOf(a)
	long := false
	for i := 0; i < a.Len() && !long; i++ {
		long = a.IsValid(i) && len(v.str(i)) >= sqltypes.NameDataLen
	}
	if !long {
		return retype(a, arrow.BinaryTypes.String), nil
	}
	return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
		return append(dst, sqltypes.ClipName(v.str(i))...), false, nil
	})
}
