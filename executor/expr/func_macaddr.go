package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The macaddr functions of PostgreSQL 15: trunc(macaddr) (the
// manufacturer's half, the rest zero) and the operators ~ & | as
// macaddr_not, macaddr_and and macaddr_or. Values are the six bytes.

// MacaddrFunc reports whether name is one of the functions of this file
// (trunc is too, of a macaddr: buildRound sends it here).
func MacaddrFunc(name string) bool {
	return name == "macaddr_not" || name == "macaddr_and" || name == "macaddr_or"
}

// macaddrOperatorFunc is InetOperatorFunc for macaddr operands.
func macaddrOperatorFunc(op string, l, r sqltypes.Type) string {
	switch {
	case op == "~" && l.Kind == sqltypes.Unknown && r.Kind == sqltypes.Macaddr:
		return "macaddr_not"
	case l.Kind != sqltypes.Macaddr || r.Kind != sqltypes.Macaddr:
		return ""
	}
	return map[string]string{"&": "macaddr_and", "|": "macaddr_or"}[op]
}

func buildMacaddr(name string, args []Expr) (Expr, error) {
	nargs := 2
	if name == "macaddr_not" || name == "trunc" {
		nargs = 1
	}
	if err := wantArgs(name, args, nargs, nargs); err != nil {
		return nil, err
	}
	for _, a := range args {
		if a.Type().Kind != sqltypes.Macaddr {
			return nil, functionError(name, args)
		}
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeMacaddr, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		var w strView
		if nargs == 2 {
			w = viewOf(in[1])
		}
		return boundedStr(env, name, arrow.BinaryTypes.Binary, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			x := v.bytes(i)
			if len(x) != 6 || nargs == 2 && len(w.bytes(i)) != 6 {
				return nil, false, internalErr("malformed macaddr value %x", x)
			}
			for k, b := range x {
				switch name {
				case "trunc":
					if k >= 3 {
						b = 0
					}
				case "macaddr_not":
					b = ^b
				case "macaddr_and":
					b &= w.bytes(i)[k]
				case "macaddr_or":
					b |= w.bytes(i)[k]
				}
				dst = append(dst, b)
			}
			return dst, false, nil
		})
	}}, nil
}

// macaddrCastKernel casts macaddr to and from text (its output and input
// functions).
func macaddrCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	switch {
	case from.Kind == sqltypes.Macaddr && to.Kind == sqltypes.Macaddr:
		return retypeKernel(to.Arrow()), true
	case from.Kind == sqltypes.Macaddr && to.IsString():
		k := func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) { return macaddrText(mem, a) }
		if to.Kind == sqltypes.Varchar && to.Precision > 0 {
			return chain(k, truncateKernel(int(to.Precision))), true
		}
		return k, true
	case from.IsString() && to.Kind == sqltypes.Macaddr:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return mapRowsStr(mem, arrow.BinaryTypes.Binary, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
				b, err := sqltypes.ParseMacaddr(v.str(i))
				return append(dst, b...), false, err
			})
		}, true
	}
	return nil, false
}

func macaddrText(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	v := viewOf(a)
	return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
		return sqltypes.AppendMacaddr(dst, v.bytes(i)), false, nil
	})
}
