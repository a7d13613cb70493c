package expr

import (
	"math/big"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// Exact numeric arithmetic on decimal128 with PostgreSQL's result scales:
// + and - use max(s1,s2), * uses s1+s2 (capped at 38), % uses max(s1,s2),
// and / uses a per-value scale chosen by PostgreSQL's select_div_scale
// that is then padded to the expression's static scale (see divScale).
// Rounding is half away from zero. A result of 38 or more digits is 22003
// "value overflows numeric format" (PostgreSQL's numeric is unbounded;
// meshql's is decimal128).

// numericResultScale returns the static result scale of a numeric op.
func numericResultScale(op BinaryOp, l, r sqltypes.Type) int32 {
	switch op {
	case OpMul:
		return min(l.Scale+r.Scale, sqltypes.MaxNumericPrecision)
	case OpDiv:
		return divScale(l, r)
	}
	return max(l.Scale, r.Scale)
}

// divScale is the static scale of numeric division. PostgreSQL picks the
// scale per value (select_div_scale: at least 16 significant digits and
// at least either input's scale, so 10.00/4 is 2.5000000000000000 but 1/3
// is 0.33333333333333333333); a column has one scale, so meshql uses
// max(s1, s2, 16), less when the declared precisions would otherwise
// overflow 38 digits. Each quotient is rounded at min(PostgreSQL's scale,
// this scale): it matches PostgreSQL exactly when the quotient's first
// base-10000 digit group is at least the divisor's (amount / quantity),
// and is PostgreSQL's value rounded to 16 places otherwise. The result
// type depends only on the operand types, never on constant values, so
// that the planner can type an expression from column placeholders.
func divScale(l, r sqltypes.Type) int32 {
	s := int32(16)
	if l.Precision > 0 && l.Precision < sqltypes.MaxNumericPrecision {
		intDigits := l.Precision - l.Scale + r.Scale
		s = min(s, sqltypes.MaxNumericPrecision-intDigits)
	}
	return min(max(s, l.Scale, r.Scale), sqltypes.MaxNumericPrecision)
}

// alignLiteralScale raises the scale of a numeric literal operand to the
// other operand's scale (1 becomes 1.00 next to a numeric(15,2) column).
// For comparisons and + - this changes neither the value nor the result
// type (max of the scales), but the kernels then take their same-scale
// paths instead of rescaling every row of the column (TPC-H's
// 1 - l_discount, l_quantity >= 1).
func alignLiteralScale(l, r Expr) (Expr, Expr) {
	lt, rt := l.Type(), r.Type()
	if lt.Kind != sqltypes.Numeric || rt.Kind != sqltypes.Numeric || lt.Scale == rt.Scale {
		return l, r
	}
	if lt.Scale < rt.Scale {
		if nl, ok := rescaleLiteral(l, rt.Scale); ok {
			return nl, r
		}
		return l, r
	}
	if nr, ok := rescaleLiteral(r, lt.Scale); ok {
		return l, nr
	}
	return l, r
}

// rescaleLiteral returns the non-NULL numeric literal e at scale s, if
// the value still fits 38 digits.
func rescaleLiteral(e Expr, s int32) (Expr, bool) {
	v, ok := IsLiteral(e)
	d, isDec := v.(decimal128.Num)
	if !ok || !isDec {
		return nil, false
	}
	t := e.Type()
	nd, ok := rescaleDec(d, t.Scale, s)
	if !ok {
		return nil, false
	}
	p := t.Precision
	if p > 0 {
		p = min(p+s-t.Scale, sqltypes.MaxNumericPrecision)
	}
	return &LiteralExpr{t: sqltypes.NumericType(p, s), v: nd}, true
}

// arithDecimals evaluates op over decimals of scales sa and sb into scale so.
func arithDecimals(mem memory.Allocator, dt arrow.DataType, op BinaryOp, sa, sb, so int32, la, ra arrow.Array) (arrow.Array, error) {
	n := la.Len()
	return decimalKernel(mem, dt, op, sa, sb, so, n, andValidity(mem, n, la, ra),
		decOperand{vals: values[decimal128.Num](la), mask: -1}, decOperand{vals: values[decimal128.Num](ra), mask: -1})
}

// arithDecimalScalar is arithDecimals with the non-NULL constant s as the
// left (sLeft) or right operand, read in place instead of repeated into
// an array per batch (TPC-H's 1 - l_discount, 1 + l_tax).
func arithDecimalScalar(mem memory.Allocator, dt arrow.DataType, op BinaryOp, sa, sb, so int32, arr arrow.Array, s decimal128.Num, sLeft bool) (arrow.Array, error) {
	n := arr.Len()
	col, lit := decOperand{vals: values[decimal128.Num](arr), mask: -1}, decOperand{vals: []decimal128.Num{s}}
	if sLeft {
		return decimalKernel(mem, dt, op, sa, sb, so, n, andValidity(mem, n, arr), lit, col)
	}
	return decimalKernel(mem, dt, op, sa, sb, so, n, andValidity(mem, n, arr), col, lit)
}

// decOperand is a column of decimals (mask -1) or one value repeated
// (mask 0): row i is vals[i&mask], one AND instead of a materialized
// constant.
type decOperand struct {
	vals []decimal128.Num
	mask int
}

func (o decOperand) at(i int) decimal128.Num { return o.vals[i&o.mask] }

// decimalKernel computes n rows of a op b; valid (nil: no NULLs) becomes
// the result's validity.
func decimalKernel(mem memory.Allocator, dt arrow.DataType, op BinaryOp, sa, sb, so int32, n int, valid *memory.Buffer, a, b decOperand) (arrow.Array, error) {
	var vb []byte
	if valid != nil {
		vb = valid.Bytes()
	}
	// Every branch writes every row (NULL rows too): no clearing needed.
	buf, out := allocFixed[decimal128.Num](membudget.Filling(mem), n)
	var err error
	switch {
	case (op == OpAdd || op == OpSub) && sa == sb:
		err = addSameScale(op == OpSub, a, b, out, vb)
	case op == OpMul && so == sa+sb:
		err = mulDecimals(a, b, out, vb)
	default:
		for i := range out {
			if !validAt(vb, 0, i) {
				out[i] = decimal128.Num{}
				continue
			}
			if out[i], err = decimalSpecialRow(op, a.at(i), b.at(i), sa, sb, so); err != nil {
				break
			}
		}
	}
	if err != nil {
		buf.Release()
		if valid != nil {
			valid.Release()
		}
		return nil, err
	}
	return finish(dt, n, valid, buf), nil
}

func addSameScale(sub bool, a, b decOperand, out []decimal128.Num, vb []byte) error {
	const hiLimit = 0x4b3b4ca85a86c47a // high word of 10^38
	suspect := false
	for i := range out {
		x, y := a.at(i), b.at(i)
		if sub {
			y = y.Negate()
		}
		r := x.Add(y)
		out[i] = r
		h := r.HighBits()
		// A NaN or ±Infinity operand (sqltypes.NumericNaN) is suspect too:
		// its sum can look like a number (Infinity + -Infinity is 0).
		suspect = suspect || h >= hiLimit || h <= -hiLimit-1 || (x.HighBits()^h)&(y.HighBits()^h) < 0 ||
			sqltypes.IsNumericSpecialHi(x.HighBits()) || sqltypes.IsNumericSpecialHi(y.HighBits())
	}
	if !suspect {
		return nil
	}
	op := OpAdd
	if sub {
		op = OpSub
	}
	for i := range out {
		if !validAt(vb, 0, i) {
			continue
		}
		x, y := a.at(i), b.at(i)
		if isSpecial(x) || isSpecial(y) {
			out[i], _, _ = specialArith(op, x, y)
			continue
		}
		if sub {
			y = y.Negate()
		}
		r := out[i]
		if (x.HighBits()^r.HighBits())&(y.HighBits()^r.HighBits()) < 0 || !fitsDec(r) {
			return errNumericRange()
		}
	}
	return nil
}

func mulDecimals(a, b decOperand, out []decimal128.Num, vb []byte) error {
	for i := range out {
		x, y := a.at(i), b.at(i)
		xl, yl := int64(x.LowBits()), int64(y.LowBits())
		if x.HighBits() == xl>>63 && y.HighBits() == yl>>63 {
			// Both fit in 64 bits: the product is below 2^126 < 10^38.
			hi, lo := bits.Mul64(uint64(xl), uint64(yl))
			shi := int64(hi) - (xl>>63)&yl - (yl>>63)&xl
			out[i] = decimal128.New(shi, lo)
			continue
		}
		if isSpecial(x) || isSpecial(y) { // never in the 64-bit case above
			out[i], _, _ = specialArith(OpMul, x, y)
			continue
		}
		nx, mx := split(x)
		ny, my := split(y)
		p, over := mx.mul(my)
		if over || p.cmp(maxDec) >= 0 {
			if validAt(vb, 0, i) {
				return errNumericRange()
			}
			out[i] = decimal128.Num{}
			continue
		}
		out[i] = join(nx != ny, p)
	}
	return nil
}

// decimalSpecialRow is decimalRow for batches that hold NaN or ±Infinity.
func decimalSpecialRow(op BinaryOp, x, y decimal128.Num, sa, sb, so int32) (decimal128.Num, error) {
	if !isSpecial(x) && !isSpecial(y) {
		return decimalRow(op, x, y, sa, sb, so)
	}
	r, finite, err := specialArith(op, x, y)
	if finite {
		r, _ = rescaleDec(r, sa, so) // 0, or x at a scale at least its own
	}
	return r, err
}

// decimalRow computes one value of op for the general cases.
func decimalRow(op BinaryOp, x, y decimal128.Num, sa, sb, so int32) (decimal128.Num, error) {
	switch op {
	case OpAdd, OpSub:
		x2, ok1 := rescaleDec(x, sa, so)
		y2, ok2 := rescaleDec(y, sb, so)
		if !ok1 || !ok2 {
			return decimal128.Num{}, errNumericRange()
		}
		if op == OpSub {
			y2 = y2.Negate()
		}
		r := x2.Add(y2)
		if (x2.HighBits()^r.HighBits())&(y2.HighBits()^r.HighBits()) < 0 || !fitsDec(r) {
			return decimal128.Num{}, errNumericRange()
		}
		return r, nil
	case OpMul:
		// Scale s1+s2 exceeds 38: round the exact product.
		p := new(big.Int).Mul(x.BigInt(), y.BigInt())
		return roundBig(new(big.Rat).SetFrac(p, bigPow10(sa+sb-so)))
	case OpMod:
		if y == (decimal128.Num{}) {
			return decimal128.Num{}, errDivByZero()
		}
		x2, ok1 := rescaleDec(x, sa, so)
		y2, ok2 := rescaleDec(y, sb, so)
		if (!ok1 || !ok2) && so >= sa && so >= sb {
			// An operand past 38 digits at the result's scale: the
			// remainder, below the divisor, may still fit.
			m, s, err := pairRow(modPair, x, sa, y, sb)
			if err == nil {
				m, ok1 = rescaleDec(m, s, so)
				ok2 = true
			}
			if err != nil || !ok1 {
				return decimal128.Num{}, errNumericRange()
			}
			return m, nil
		}
		if !ok1 || !ok2 {
			return decimal128.Num{}, errNumericRange()
		}
		if y2 == (decimal128.Num{}) {
			return decimal128.Num{}, errDivByZero()
		}
		nx, mx := split(x2)
		_, my := split(y2)
		_, r := mx.divmod(my)
		return join(nx, r), nil
	case OpDiv:
		return divDecimalRow(x, y, sa, sb, so)
	}
	return decimal128.Num{}, internalErr("numeric operator %s", op)
}

// divDecimalRow divides as PostgreSQL's div_var with select_div_scale,
// then expresses the quotient at scale so.
func divDecimalRow(x, y decimal128.Num, sa, sb, so int32) (decimal128.Num, error) {
	if y == (decimal128.Num{}) {
		return decimal128.Num{}, errDivByZero()
	}
	if x == (decimal128.Num{}) {
		return x, nil
	}
	nx, mx := split(x)
	ny, my := split(y)
	r := min(pgDivScale(mx, sa, my, sb), so)
	q, err := divAtScale(mx, my, sa, sb, r)
	if err != nil {
		return decimal128.Num{}, err
	}
	q, ok := mulPow10(q, so-r)
	if !ok {
		return decimal128.Num{}, errNumericRange()
	}
	return join(nx != ny, q), nil
}

// DivNumeric is PostgreSQL's numeric division of x (scale sa) by y
// (scale sb): the quotient rounded half away from zero at the scale
// select_div_scale picks from the values, and that scale. A quotient of
// more than 38 digits is 22003, a zero divisor 22012. NaN and ±Infinity
// divide as in PostgreSQL 15 (scale 0).
func DivNumeric(x, y decimal128.Num, sa, sb int32) (decimal128.Num, int32, error) {
	if isSpecial(x) || isSpecial(y) {
		r, _, err := specialArith(OpDiv, x, y)
		return r, 0, err
	}
	if y == (decimal128.Num{}) {
		return decimal128.Num{}, 0, errDivByZero()
	}
	nx, mx := split(x)
	ny, my := split(y)
	r := pgDivScale(mx, sa, my, sb)
	q, err := divAtScale(mx, my, sa, sb, r)
	if err != nil {
		return decimal128.Num{}, 0, err
	}
	return join(nx != ny, q), r, nil
}

// divAtScale returns the magnitude mx/10^sa / (my/10^sb) rounded half
// away from zero at scale r: round(mx * 10^(r+sb-sa) / my).
func divAtScale(mx, my u128, sa, sb, r int32) (u128, error) {
	k := r + sb - sa
	num, den := mx, my
	ok := true
	if k >= 0 {
		num, ok = mulPow10(mx, k)
	} else {
		den, ok = mulPow10(my, -k)
	}
	if ok {
		return num.divRound(den), nil
	}
	rat := new(big.Rat).SetFrac(bigOf(mx), bigOf(my))
	if k >= 0 {
		rat.Mul(rat, new(big.Rat).SetInt(bigPow10(k)))
	} else {
		rat.Quo(rat, new(big.Rat).SetInt(bigPow10(-k)))
	}
	v, err := roundBig(rat)
	if err != nil {
		return u128{}, err
	}
	_, q := split(v)
	return q, nil
}

// pgDivScale reproduces select_div_scale for magnitudes ma (scale sa) and
// mb (scale sb): 16 significant digits, computed from the base-10000
// weights and first digits, and not less than either display scale.
func pgDivScale(ma u128, sa int32, mb u128, sb int32) int32 {
	w1, f1 := nbaseWeight(ma, sa)
	w2, f2 := nbaseWeight(mb, sb)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	return max(16-qweight*4, sa, sb, 0)
}

// nbaseWeight returns the weight and first digit of m*10^-s in base 10000,
// as PostgreSQL's NumericVar stores it.
func nbaseWeight(m u128, s int32) (int32, uint64) {
	if m.isZero() {
		return 0, 0
	}
	e := digits10(m) - 1 - s // exponent of the leading decimal digit
	w := e / 4
	if e < 0 && e%4 != 0 {
		w--
	}
	shift := s + 4*w // the first group is m / 10^shift
	if shift >= 0 {
		q, _ := m.divmod(pow10(shift))
		return w, q.lo
	}
	p, _ := mulPow10(m, -shift)
	return w, p.lo
}

func bigPow10(k int32) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
}

// roundBig rounds r half away from zero to an integer below 10^38.
func roundBig(r *big.Rat) (decimal128.Num, error) {
	n, err := sqltypes.RatToDecimal(r, sqltypes.MaxNumericPrecision, 0)
	if err != nil {
		return n, errNumericRange()
	}
	return n, nil
}

// negateDecimals negates (never overflows: the range is symmetric).
func negateDecimals(mem memory.Allocator, dt arrow.DataType, in arrow.Array) arrow.Array {
	n := in.Len()
	a := values[decimal128.Num](in)
	buf, out := allocFixed[decimal128.Num](mem, n)
	a = a[:len(out)]
	for i := range out {
		out[i] = negateNumeric(a[i])
	}
	bm, off := bitmapOf(in)
	var valid *memory.Buffer
	if bm != nil {
		valid = copyBitmap(mem, bm, off, n)
	}
	return finish(dt, n, valid, buf)
}
