package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Casts of character(n): to it a value is truncated and blank-padded to n
// characters; from it (to text, varchar or through text to any type) its
// trailing blanks are stripped, as PostgreSQL's rtrim1 does.

// padKernel is an explicit cast of strings to character(n), n > 0.
func padKernel(n int) castKernel {
	return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		v := viewOf(a)
		return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
			return append(dst, sqltypes.PadChars(v.str(i), n)...), false, nil
		})
	}
}

// stripKernel is a cast of bpchar to text: the value without trailing blanks.
func stripKernel(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
	v := viewOf(a)
	return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
		return append(dst, sqltypes.TrimBlanks(v.str(i))...), false, nil
	})
}

// chain applies k1, then k2.
func chain(k1, k2 castKernel) castKernel {
	return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
		s, err := k1(mem, cx, a)
		if err != nil {
			return nil, err
		}
		defer s.Release()
		return k2(mem, cx, s)
	}
}

// bpcharCastKernel selects the kernel of a cast from or to bpchar; ok is
// false when neither side is bpchar.
func bpcharCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	switch {
	case to.Kind == sqltypes.Bpchar:
		var k castKernel = retypeKernel(to.Arrow())
		if to.Precision > 0 {
			k = padKernel(int(to.Precision))
		}
		switch {
		case from.IsString() || from.IsJSON() || from.Kind == sqltypes.Bpchar:
			return k, true
		case from.Kind == sqltypes.JSONB || from.Kind == sqltypes.List:
			return nil, false
		case isInet(from):
			// Through text(inet), as PostgreSQL casts: with the prefix length.
			text, _ := inetCastKernel(from, sqltypes.TypeText)
			return chain(text, k), true
		}
		return chain(toTextKernel(from), k), true
	case from.Kind == sqltypes.Bpchar:
		if to.Kind == sqltypes.Text || to.Kind == sqltypes.Varchar && to.Precision == 0 {
			return stripKernel, true
		}
		next, ok := castKernelFor(sqltypes.TypeText, to)
		if !ok {
			return nil, false
		}
		return chain(stripKernel, next), true
	}
	return nil, false
}

// stripBpchar returns e as text when it is bpchar (its trailing blanks
// stripped), else e: the form in which bpchar values compare, hash and
// group as PostgreSQL's bpchar operators do.
func stripBpchar(e Expr) (Expr, error) {
	if e.Type().Kind != sqltypes.Bpchar {
		return e, nil
	}
	return Cast(e, sqltypes.TypeText)
}

// outputText is e as text the way its output function prints it, for
// functions that render values (concat, format): bpchar keeps its blank
// padding there and inet its short form ('1.2.3.4', not the cast's
// '1.2.3.4/32'). Other types are returned as is.
func outputText(e Expr) Expr {
	if t := e.Type(); isInet(t) {
		// inet_out: without the /32 that the cast to text writes
		return &castExpr{in: e, t: sqltypes.TypeText, k: func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return InetText(mem, t, a)
		}}
	}
	if e.Type().Kind != sqltypes.Bpchar {
		return e
	}
	return &castExpr{in: e, t: sqltypes.TypeText, k: retypeKernel(arrow.BinaryTypes.String)}
}

// outputString is e as text the way its output function prints it (bool
// t/f, unlike its cast to text), for values rendered inside another
// value's text: a record's fields. A record is its own text already.
func outputString(e Expr) (Expr, error) {
	switch e.Type().Kind {
	case sqltypes.Bool:
		return &castExpr{in: e, t: sqltypes.TypeText, k: boolOutKernel}, nil
	case sqltypes.Record:
		return e, nil
	case sqltypes.Unknown:
		return coerceTo(e, sqltypes.TypeText), nil
	}
	return Cast(outputText(e), sqltypes.TypeText)
}

// outputStrings is outputString of each of the arguments of function name.
func outputStrings(name string, args []Expr) ([]Expr, error) {
	out := make([]Expr, len(args))
	for i, a := range args {
		s, err := outputString(a)
		if err != nil {
			return nil, functionError(name, args)
		}
		out[i] = s
	}
	return out, nil
}

// AssignCastFunc names the planner's internal function that is
// AssignCast of its argument to the function's type; the space keeps SQL
// from calling it.
const AssignCastFunc = "assignment cast"

// AssignCast is Cast with PostgreSQL's assignment rules, for values that
// a source delivers into a declared column: a string longer than a
// character(n) or varchar(n) column fails with 22001 unless the excess is
// blanks, where an explicit cast would cut it. Other casts are Cast's.
func AssignCast(e Expr, to sqltypes.Type) (Expr, error) {
	from := e.Type()
	if to.Kind != sqltypes.Bpchar && to.Kind != sqltypes.Varchar || to.Precision <= 0 || !(from.IsString() || from.Kind == sqltypes.Bpchar) {
		return Cast(e, to)
	}
	n, pad := int(to.Precision), to.Kind == sqltypes.Bpchar
	return &castExpr{in: e, t: to, k: func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		v := viewOf(a)
		return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
			s, err := sqltypes.AssignChars(v.str(i), n, pad)
			return append(dst, s...), false, err
		})
	}}, nil
}

// BpcharKey returns e as bpchar values order and group by (bpcharcmp):
// without trailing blanks, still of e's bpchar type, so that a sort,
// partition or group key of bpchar needs no other kernel than text's.
// Other expressions are returned as is. As a group key it changes the
// values the group shows, so planners use it there only for bpchar
// without a length, whose values may differ in padding (character(n)
// values all have n characters, and equal ones are equal bytes).
func BpcharKey(e Expr) Expr {
	if e.Type().Kind != sqltypes.Bpchar {
		return e
	}
	return &castExpr{in: e, t: e.Type(), k: stripKernel}
}
