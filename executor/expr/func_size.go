package expr

import (
	"math/big"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// sizeUnits are pg_size_pretty's units (PostgreSQL 15's dbsize.c): a size
// is shown in the first unit it is below the limit of, in halves rounded
// away from zero but for bytes.
var sizeUnits = []struct {
	name  string
	limit int64
	round bool
	bits  uint
}{
	{"bytes", 10 * 1024, false, 0},
	{"kB", 20*1024 - 1, true, 10},
	{"MB", 20*1024 - 1, true, 20},
	{"GB", 20*1024 - 1, true, 30},
	{"TB", 20*1024 - 1, true, 40},
	{"PB", 20*1024 - 1, true, 50},
}

// sizeShift is the number of bits a size is divided by to move from unit
// u to the next: one less when the next rounds by halves, one more when u
// does (it already counts halves).
func sizeShift(u int) uint {
	next := sizeUnits[u+1]
	bits := next.bits - sizeUnits[u].bits
	if next.round {
		bits--
	}
	if sizeUnits[u].round {
		bits++
	}
	return bits
}

// buildSizePretty is pg_size_pretty(bigint | numeric): a byte count in
// bytes, kB, MB, GB, TB or PB as PostgreSQL prints it.
func buildSizePretty(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a := args[0]
	switch {
	case a.Type().Kind == sqltypes.Numeric:
		// numeric's text keeps every digit; the sizes beyond bigint
		// (sum of sizes) and fractions print as PostgreSQL's numeric
		// version does.
		text, err := Cast(a, sqltypes.TypeText)
		if err != nil {
			return nil, err
		}
		return &callExpr{name: name, args: []Expr{text}, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v := viewOf(in[0])
			return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
				return appendNumericSize(dst, v.str(i)), false, nil
			})
		}}, nil
	case a.Type().Kind == sqltypes.Int8 || a.Type().Kind == sqltypes.Unknown:
		a = coerceTo(a, sqltypes.TypeInt8)
	case a.Type().IsInteger():
		// integer converts to both bigint and numeric, neither preferred.
		return nil, sqltypes.New(sqltypes.CodeAmbiguousFunction, "function %s(%s) is not unique", name, a.Type()).
			WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
	default:
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: []Expr{a}, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		sizes, ok := in[0].(*array.Int64)
		if !ok {
			return nil, internalErr("%s of %s", name, in[0].DataType())
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			return appendSize(dst, sizes.Value(i)), false, nil
		})
	}}, nil
}

func appendSize(dst []byte, size int64) []byte {
	for u, unit := range sizeUnits {
		if u == len(sizeUnits)-1 || size > -unit.limit && size < unit.limit {
			if unit.round {
				size = halfRounded(size)
			}
			dst = strconv.AppendInt(dst, size, 10)
			return append(append(dst, ' '), unit.name...)
		}
		// Division, not a shift, rounds negative sizes as positive ones.
		size /= int64(1) << sizeShift(u)
	}
	return dst
}

func halfRounded(x int64) int64 {
	if x < 0 {
		return (x - 1) / 2
	}
	return (x + 1) / 2
}

// appendNumericSize is pg_size_pretty of a numeric's text: as appendSize,
// in exact arithmetic; a size under the bytes limit prints as given
// (1.5 bytes), NaN and the infinities in the last unit.
func appendNumericSize(dst []byte, text string) []byte {
	r, ok := new(big.Rat).SetString(text)
	if !ok { // NaN, Infinity, -Infinity stay what they are
		return append(append(dst, text...), " PB"...)
	}
	var size *big.Int
	for u, unit := range sizeUnits {
		limit := big.NewRat(unit.limit, 1)
		below := u == len(sizeUnits)-1
		if !below {
			if size == nil {
				below = new(big.Rat).Abs(r).Cmp(limit) < 0
			} else {
				below = new(big.Int).Abs(size).Cmp(limit.Num()) < 0
			}
		}
		if below {
			if size == nil {
				dst = append(dst, text...)
			} else {
				if unit.round {
					one := big.NewInt(1)
					if size.Sign() < 0 {
						one.Neg(one)
					}
					size.Quo(size.Add(size, one), big.NewInt(2))
				}
				dst = size.Append(dst, 10)
			}
			return append(append(dst, ' '), unit.name...)
		}
		div := new(big.Int).Lsh(big.NewInt(1), sizeShift(u))
		if size == nil {
			// The first division truncates the fraction away.
			size = new(big.Int).Quo(r.Num(), new(big.Int).Mul(r.Denom(), div))
		} else {
			size.Quo(size, div)
		}
	}
	return dst
}
