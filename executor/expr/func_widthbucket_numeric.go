package expr

import (
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// width_bucket(numeric, numeric, numeric, int), PostgreSQL's numeric
// form, chosen when an argument is numeric and none a float: exact, from
// each value's every digit (as double precision, 1.4999999999999999
// would be 1.5 and fall in the next bucket).

// numericWidthBucket builds it, or returns nil when the arguments ask
// for the double precision form.
func numericWidthBucket(name string, args []Expr) (Expr, error) {
	hasNumeric := false
	for _, a := range args[:3] {
		switch a.Type().Kind {
		case sqltypes.Numeric:
			hasNumeric = true
		case sqltypes.Float4, sqltypes.Float8:
			return nil, nil
		}
	}
	if !hasNumeric {
		return nil, nil
	}
	nargs := make([]Expr, 4)
	for i, a := range args[:3] {
		n, ok := asNumeric(a)
		if !ok {
			return nil, functionError(name, args)
		}
		nargs[i] = n
	}
	c, err := coerceArgs(name, args[3:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	nargs[3] = c[0]
	return &callExpr{name: name, args: nargs, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		var at [3]func(int) (decimal128.Num, int32)
		for j := range at {
			at[j] = numAt(in[j], nargs[j].Type())
		}
		cnt := values[int32](in[3])
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			var v [3]bucketBound
			for j := range v {
				v[j] = bucketBoundOf(at[j](i))
			}
			r, err := widthBucketExact(v[0], v[1], v[2], cnt[i])
			return r, false, err
		})
	}}, nil
}

// bucketBound is a numeric as width_bucket compares it: inf is -1 or 1
// for ±Infinity (r unused), nan for NaN.
type bucketBound struct {
	r   *big.Rat
	inf int
	nan bool
}

func bucketBoundOf(m decimal128.Num, s int32) bucketBound {
	if sqltypes.IsNumericSpecial(m) {
		if sqltypes.IsNumericNaN(m) {
			return bucketBound{nan: true}
		}
		return bucketBound{inf: m.Sign()}
	}
	return bucketBound{r: new(big.Rat).SetFrac(m.BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))}
}

func (b bucketBound) cmp(o bucketBound) int {
	if b.inf != 0 || o.inf != 0 {
		return b.inf - o.inf // o is a finite bound here
	}
	return b.r.Cmp(o.r)
}

// widthBucketExact is numeric width_bucket's bucket of op: that of
// float widthBucket, with the fraction (op - b1) / (b2 - b1) exact.
func widthBucketExact(op, b1, b2 bucketBound, count int32) (int32, error) {
	bad := func(msg string) error { return sqltypes.New("2201G", "%s", msg) }
	switch {
	case count <= 0:
		return 0, bad("count must be greater than zero")
	case op.nan || b1.nan || b2.nan:
		return 0, bad("operand, lower bound, and upper bound cannot be NaN")
	case b1.inf != 0 || b2.inf != 0:
		return 0, bad("lower and upper bounds must be finite")
	case b1.cmp(b2) == 0:
		return 0, bad("lower bound cannot equal upper bound")
	}
	lo, hi := b1, b2
	if b1.cmp(b2) > 0 {
		lo, hi = b2, b1
	}
	below, above := op.cmp(lo) < 0, op.cmp(hi) >= 0
	if b1.cmp(b2) > 0 {
		below, above = op.cmp(hi) > 0, op.cmp(lo) <= 0
	}
	switch {
	case below:
		return 0, nil
	case above:
		if count == 1<<31-1 {
			return 0, errIntegerRange()
		}
		return count + 1, nil
	}
	f := new(big.Rat).Sub(op.r, b1.r)
	f.Quo(f, new(big.Rat).Sub(b2.r, b1.r))
	f.Mul(f, new(big.Rat).SetInt64(int64(count)))
	q := new(big.Int).Quo(f.Num(), f.Denom()) // f >= 0: the floor
	return int32(min(q.Int64()+1, int64(count))), nil
}
