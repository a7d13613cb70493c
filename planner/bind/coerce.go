package bind

import (
	"cmp"
	"math/big"
	"strconv"
	"strings"

	"github.com/meshql/meshql/executor/jsonpath"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// commonType returns the type two operands are converted to before a
// comparison, a CASE, COALESCE or a set operation, following PostgreSQL's
// implicit casts. Unknown (a string literal or NULL) adopts the other side.
func commonType(a, b sqltypes.Type) (sqltypes.Type, bool) {
	switch {
	case a.Kind == sqltypes.Unknown && b.Kind == sqltypes.Unknown:
		return sqltypes.TypeText, true
	case a.Kind == sqltypes.Bpchar || b.Kind == sqltypes.Bpchar:
		return commonBpchar(a, b)
	case a.Kind == sqltypes.Unknown:
		return b, true
	case b.Kind == sqltypes.Unknown:
		return a, true
	case a.Kind == sqltypes.Record && b.Kind == sqltypes.Record:
		return sqltypes.CommonRecord(a, b), true
	case a.Equal(b):
		return a, true
	case a.Kind == sqltypes.List && b.Kind == sqltypes.List:
		// Arrays of one number of dimensions share the elements' common type.
		l, ok := commonType(a.Leaf(), b.Leaf())
		return sqltypes.ArrayOf(l, a.Ndims()), ok && a.Ndims() == b.Ndims()
	}
	if t, ok := commonOID(a, b); ok {
		return t, true
	}
	if ra, rb := a.Kind.NumericRank(), b.Kind.NumericRank(); ra > 0 && rb > 0 {
		if a.Kind == sqltypes.Numeric && b.Kind == sqltypes.Numeric {
			// Kernels compare and add decimals of different scales exactly.
			return widerNumeric(a, b), true
		}
		if (a.Kind == sqltypes.Float4) != (b.Kind == sqltypes.Float4) && a.Kind != sqltypes.Float8 && b.Kind != sqltypes.Float8 {
			// float4 with an integer or numeric is computed in float8, as
			// PostgreSQL's operator resolution prefers double precision.
			return sqltypes.TypeFloat8, true
		}
		if ra >= rb {
			return a, true
		}
		return b, true
	}
	if textual(a) && textual(b) {
		// "char" converts to text implicitly (and text to it only by an
		// explicit cast); name compares with text as text (PostgreSQL's
		// nameeqtext, texteqname and their kin compare the whole text).
		return sqltypes.TypeText, true
	}
	if a.IsTemporal() && b.IsTemporal() {
		if a.Kind == sqltypes.TimestampTZ || b.Kind == sqltypes.TimestampTZ {
			return sqltypes.TypeTimestampTZ, true
		}
		return sqltypes.TypeTimestamp, true
	}
	if a.Kind == sqltypes.JSON && b.IsString() || b.Kind == sqltypes.JSON && a.IsString() {
		return sqltypes.TypeText, true
	}
	if isInetType(a) && isInetType(b) {
		return sqltypes.TypeInet, true // cidr converts to inet implicitly
	}
	if a.Kind == b.Kind {
		return a, true
	}
	return sqltypes.Type{}, false
}

// textual reports whether t is text, varchar, "char" or name, the types
// whose comparisons with one another meet at text.
func textual(t sqltypes.Type) bool {
	return t.IsString() || t.Kind == sqltypes.Char || t.Kind == sqltypes.Name
}

// commonOID is commonType where one side is oid or a reg* type: int4 and
// int8 convert to it implicitly (PostgreSQL compares regclass = 1259 with
// oideq), and two different ones meet as oid ('int4'::regtype =
// 'pg_class'::regclass), each being binary-coercible to oid.
func commonOID(a, b sqltypes.Type) (sqltypes.Type, bool) {
	switch {
	case !a.IsOID() && !b.IsOID():
		return sqltypes.Type{}, false
	case a.IsOID() && b.IsOID():
		return sqltypes.TypeOid, true
	case a.IsOID() && (b.Kind == sqltypes.Int4 || b.Kind == sqltypes.Int8):
		return a, true
	case b.IsOID() && (a.Kind == sqltypes.Int4 || a.Kind == sqltypes.Int8):
		return b, true
	}
	return sqltypes.Type{}, false
}

// selectCommonType is commonType for values that end up in one column:
// CASE, COALESCE, GREATEST/LEAST, VALUES, set operations, ARRAY[...] and
// IN lists. There PostgreSQL's select_common_type keeps real when the
// others are integers or numeric, which convert to it implicitly, while an
// operator over the same pair computes in double precision (its preferred
// type).
func selectCommonType(a, b sqltypes.Type) (sqltypes.Type, bool) {
	if a.Kind == sqltypes.List && b.Kind == sqltypes.List {
		l, ok := selectCommonType(a.Leaf(), b.Leaf())
		return sqltypes.ArrayOf(l, a.Ndims()), ok && a.Ndims() == b.Ndims()
	}
	if a.Kind == sqltypes.Name && (isCharacter(b) || b.Kind == sqltypes.Name) || b.Kind == sqltypes.Name && isCharacter(a) {
		// text, varchar and bpchar convert to name implicitly, and name
		// to text: select_common_type keeps name unless text comes first
		// (coalesce(relname, 'x'::text) is name, CASE … ELSE text is text).
		if a.Kind == sqltypes.Text {
			return a, true
		}
		return sqltypes.TypeName, true
	}
	if isCharacter(a) && isCharacter(b) {
		// text, varchar and bpchar convert to one another implicitly, so
		// select_common_type keeps the first (its length only if both
		// have it): coalesce('a'::varchar, 'b'::char(3)) is varchar, and
		// char(3) UNION ALL text is char.
		if a.Equal(b) {
			return a, true
		}
		return sqltypes.Type{Kind: a.Kind}, true
	}
	toReal := func(t sqltypes.Type) bool { return t.IsInteger() || t.Kind == sqltypes.Numeric }
	if a.Kind == sqltypes.Float4 && toReal(b) || b.Kind == sqltypes.Float4 && toReal(a) {
		return sqltypes.TypeFloat4, true
	}
	return commonType(a, b)
}

// isCharacter reports whether t is text, varchar or bpchar.
func isCharacter(t sqltypes.Type) bool { return t.IsString() || t.Kind == sqltypes.Bpchar }

// commonBpchar is commonType with a bpchar side. PostgreSQL resolves
// bpchar with text as text (the bpchar side loses its trailing blanks),
// with varchar, an untyped literal or another length as bpchar without a
// length (no value is cut or padded; bpchar's operators ignore trailing
// blanks).
func commonBpchar(a, b sqltypes.Type) (sqltypes.Type, bool) {
	switch {
	case a.Equal(b):
		return a, true
	case a.Kind == sqltypes.Text || b.Kind == sqltypes.Text || a.Kind == sqltypes.Name || b.Kind == sqltypes.Name ||
		a.Kind == sqltypes.Char || b.Kind == sqltypes.Char:
		// name = bpchar and "char" = bpchar compare as text too (bpchar's
		// cast to text drops its trailing blanks): Metabase reads foreign
		// keys with contype = 'f'::char.
		return sqltypes.TypeText, true
	case (a.Kind == sqltypes.Bpchar || a.Kind == sqltypes.Varchar || a.Kind == sqltypes.Unknown) &&
		(b.Kind == sqltypes.Bpchar || b.Kind == sqltypes.Varchar || b.Kind == sqltypes.Unknown):
		return sqltypes.Type{Kind: sqltypes.Bpchar}, true
	}
	return sqltypes.Type{}, false
}

// untypedAs is the type an untyped literal (or NULL) takes opposite an
// operand of type t: t without its length or precision, as PostgreSQL
// coerces an unknown to the other side's type with no typmod. So
// varchar(3) = 'abcd' is false rather than a comparison with 'abc', and
// numeric(2,1) = ANY('{1.54}') does not round the element to 1.5.
func untypedAs(t sqltypes.Type) sqltypes.Type {
	leaf, n := t.Leaf(), t.Ndims()
	switch leaf.Kind {
	case sqltypes.Varchar, sqltypes.Bpchar:
		leaf.Precision = 0
	case sqltypes.Numeric:
		leaf = sqltypes.NumericType(0, 0)
	default:
		return t
	}
	return sqltypes.ArrayOf(leaf, n)
}

func widerNumeric(a, b sqltypes.Type) sqltypes.Type {
	s := max(a.Scale, b.Scale)
	if a.Precision == 0 || b.Precision == 0 {
		return sqltypes.NumericType(0, s)
	}
	ip := max(a.Precision-a.Scale, b.Precision-b.Scale)
	return sqltypes.NumericType(min(ip+s, sqltypes.MaxNumericPrecision), s)
}

// sameFamily reports whether a value of type a needs no cast to be used
// where b is expected by a kernel (numeric scales are handled by kernels).
func sameFamily(a, b sqltypes.Type) bool {
	if a.Kind == sqltypes.Numeric && b.Kind == sqltypes.Numeric {
		return true
	}
	if a.IsString() && b.IsString() {
		return true
	}
	return a.Equal(b)
}

// coerce converts e to t: string literals and NULLs become constants of t
// (parsed now, so a bad literal fails at bind time with 22P02 like
// PostgreSQL), other expressions get a Cast.
func (b *binder) coerce(e logical.Expr, t sqltypes.Type) (logical.Expr, error) {
	if sameFamily(e.Type(), t) && !(t.Kind == sqltypes.Varchar && e.Type().Kind == sqltypes.Text) {
		return e, nil
	}
	if t.IsReg() && e.Type().Kind == sqltypes.Unknown {
		// An untyped literal or parameter where a reg* value is expected
		// (regcol = 'pg_class') is read by the type's input function, a
		// name looked up as an explicit cast does.
		return b.castBound(e, t, t.String(), 0)
	}
	if c, ok := e.(*logical.Const); ok {
		if c.V == nil {
			return &logical.Const{T: t}, nil
		}
		if v, ok := sqltypes.DatumInt64(c.V); ok && t.IsInteger() {
			return intConst(v, t)
		}
		if s, ok := c.V.(string); ok && c.T.Kind == sqltypes.Unknown {
			var out logical.Expr
			var err error
			switch {
			case t.Kind == sqltypes.Numeric && t.Precision == 0:
				out, err = numericLiteral(s)
			case unconstrainedNumericArray(t):
				out, err = b.numericArrayLiteral(t, s)
			default:
				var v sqltypes.Datum
				if v, err = b.parseLiteral(t, s); err == nil {
					out = &logical.Const{T: t, V: v}
				}
			}
			if err != nil {
				return nil, b.atLiteral(c, err)
			}
			return out, nil
		}
	}
	if p, ok := e.(*logical.Param); ok && p.T.Kind == sqltypes.Unknown {
		b.params.set(p.Index, t)
		return &logical.Param{Index: p.Index, T: b.params.get(p.Index)}, nil
	}
	if t.Kind == sqltypes.Numeric && t.Precision == 0 {
		// Unconstrained numeric keeps each value's own scale.
		switch {
		case e.Type().Kind == sqltypes.Numeric:
			return e, nil
		case e.Type().IsInteger():
			t = sqltypes.NumericType(0, 0)
		}
	}
	if e.Type().Kind == sqltypes.Unknown {
		// An untyped expression (NULL inside CASE…) is text underneath.
		e = &logical.Cast{E: e, T: sqltypes.TypeText}
	}
	rt, err := castType(e.Type(), t)
	if err != nil {
		return nil, err
	}
	return &logical.Cast{E: e, T: rt}, nil
}

// isNumberKind reports whether k is an integer, numeric or float kind.
func isNumberKind(k sqltypes.Kind) bool {
	switch k {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric, sqltypes.Float4, sqltypes.Float8:
		return true
	}
	return false
}

// unify coerces both operands to their common type; it fails with 42804
// when there is none (`integer = text`). Arrays of different dimensions
// are one type in PostgreSQL (ARRAY[[1,2]] > ARRAY[1,2]): each keeps its
// dimensions over the elements' common type.
func (b *binder) unify(l, r logical.Expr, what string, pos int) (logical.Expr, logical.Expr, error) {
	lt, rt, ld, rd := l.Type(), r.Type(), 0, 0
	if lt.Kind == sqltypes.List && rt.Kind == sqltypes.List && lt.Leaf().Kind != rt.Leaf().Kind && isNumberKind(lt.Leaf().Kind) && isNumberKind(rt.Leaf().Kind) {
		// Array operators take two arrays of one type: PostgreSQL finds no
		// integer[] = numeric[] (arrays do not convert implicitly).
		return nil, nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s %s", lt, what, rt).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts."), pos)
	}
	if lt.Kind == sqltypes.List && rt.Kind == sqltypes.List && lt.Ndims() != rt.Ndims() {
		lt, rt, ld, rd = lt.Leaf(), rt.Leaf(), lt.Ndims(), rt.Ndims()
	}
	t, ok := commonType(lt, rt)
	if !ok {
		return nil, nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s %s", l.Type(), what, r.Type()).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts."), pos)
	}
	if lt.Kind == sqltypes.Unknown || rt.Kind == sqltypes.Unknown {
		t = untypedAs(t)
	}
	if t.Kind == sqltypes.Numeric {
		// Arithmetic and comparison kernels take decimals of any scales;
		// each side keeps its own (an integer becomes scale 0), so that
		// amount * 2 has amount's scale, as in PostgreSQL.
		t = sqltypes.NumericType(0, 0)
	}
	var err error
	if l, err = b.coerce(l, sqltypes.ArrayOf(t, ld)); err != nil {
		return nil, nil, errAt(sqltypes.AsError(err), pos)
	}
	if r, err = b.coerce(r, sqltypes.ArrayOf(t, rd)); err != nil {
		return nil, nil, errAt(sqltypes.AsError(err), pos)
	}
	if lt, rt := l.Type(), r.Type(); ld == rd && lt.Kind == sqltypes.List && !lt.Equal(rt) && lt.Leaf().Kind == sqltypes.Numeric && rt.Leaf().Kind == sqltypes.Numeric {
		// An array literal of numerics took its elements' largest scale
		// (numericArrayLiteral): both sides to the larger one, as the
		// kernels compare arrays of one type.
		t := sqltypes.ArrayOf(widerNumeric(lt.Leaf(), rt.Leaf()), lt.Ndims())
		if l, err = b.coerce(l, t); err != nil {
			return nil, nil, errAt(sqltypes.AsError(err), pos)
		}
		if r, err = b.coerce(r, t); err != nil {
			return nil, nil, errAt(sqltypes.AsError(err), pos)
		}
	}
	return l, r, nil
}

// unifyAll coerces a list (CASE branches, IN lists, COALESCE args, VALUES
// columns) to one type. Decimals of different scales are cast to the one
// common scale, since their values end up in one Arrow column.
func (b *binder) unifyAll(es []logical.Expr, pos int) ([]logical.Expr, sqltypes.Type, error) {
	return b.unifyList(es, "", nil, pos)
}

// unifyList is unifyAll for the construct what (CASE, COALESCE, VALUES,
// ARRAY…, "" for none), which PostgreSQL's error names ("CASE types text
// and integer cannot be matched"), and with the positions of the values
// (nil, or -1 for one without): an error is at the value it is about, as
// in PostgreSQL, else at pos.
func (b *binder) unifyList(es []logical.Expr, what string, locs []int, pos int) ([]logical.Expr, sqltypes.Type, error) {
	at := func(i int) int {
		if i < len(locs) && locs[i] >= 0 {
			return locs[i]
		}
		return pos
	}
	if what != "" {
		what += " "
	}
	t, untyped := sqltypes.TypeUnknown, false
	var litErr error // of a literal bindItem read as a double
	for i, e := range es {
		if c, ok := e.(*logical.Const); ok && b.floatLits[c] != nil {
			litErr = cmp.Or(litErr, b.floatLits[c])
			continue // a numeric: it does not make the others float
		}
		if e.Type().Kind == sqltypes.Unknown {
			if c, ok := e.(*logical.Const); !ok || c.V != nil {
				untyped = true // a NULL has no length to disagree with
			}
			continue // an untyped NULL or literal takes the others' type
		}
		if t.Kind == sqltypes.Unknown && e.Type().Kind == sqltypes.Bpchar {
			t = e.Type() // commonType would drop the length
			continue
		}
		nt, ok := selectCommonType(t, e.Type())
		if err := mixedArrayDims(t, e.Type()); err != nil {
			return nil, t, errAt(err, pos)
		}
		if !ok {
			return nil, t, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "%stypes %s and %s cannot be matched", what, t, e.Type()), at(i))
		}
		t = nt
	}
	if litErr != nil && t.Kind != sqltypes.Float8 && t.Kind != sqltypes.Float4 {
		return nil, t, litErr
	}
	if t.Kind == sqltypes.Unknown {
		t = sqltypes.TypeText
	}
	if t.VarScale {
		// An argument variable-scale from the start (lower(numrange)):
		// the others cannot be cast to per-value scales, so all meet at
		// the static type, and the scale flow widens the result where a
		// reader keeps it (NULLIF(lower(r), 0), COALESCE(upper(r), 1)).
		t = t.Static()
	}
	if (t.Kind == sqltypes.Bpchar || t.Kind == sqltypes.Varchar || t.Kind == sqltypes.Numeric) && untyped {
		// A literal is not cut or padded to the others' length, nor held
		// to their numeric precision: PostgreSQL reads it as numeric
		// without a typmod, so price IN ('Infinity') is false, not 22003.
		t.Precision = 0
	}
	out := make([]logical.Expr, len(es))
	for i, e := range es {
		c, err := b.coerce(e, t)
		if err != nil {
			return nil, t, errAt(sqltypes.AsError(err), at(i))
		}
		if t.Kind == sqltypes.Numeric && untyped && c.Type().Kind == sqltypes.Numeric {
			// The common scale holds each literal's own: NULLIF(x,
			// '1.54') and x IN ('1.54', …) must not round it to x's
			// places (widenScales keeps each value's display scale).
			t.Scale = max(t.Scale, c.Type().Scale)
		}
		out[i] = c
	}
	for i, c := range out {
		if t.Kind == sqltypes.Numeric && !c.Type().Equal(t) {
			out[i] = &logical.Cast{E: c, T: t}
		}
	}
	return out, t, nil
}

// intConst converts an integer constant to another integer type, failing
// with 22003 as PostgreSQL's casts do when it does not fit.
func intConst(v int64, t sqltypes.Type) (logical.Expr, error) {
	switch t.Kind {
	case sqltypes.Int2:
		if v < -32768 || v > 32767 {
			return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "smallint out of range")
		}
		return &logical.Const{T: t, V: int16(v)}, nil
	case sqltypes.Int4:
		if v < -2147483648 || v > 2147483647 {
			return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "integer out of range")
		}
		return &logical.Const{T: t, V: int32(v)}, nil
	}
	return &logical.Const{T: t, V: v}, nil
}

// numericLiteral types a numeric string with the scale it is written with
// ('1.50' is numeric with scale 2), as PostgreSQL's numeric input does.
func numericLiteral(s string) (logical.Expr, error) {
	if v, ok := sqltypes.ParseNumericSpecial(s); ok {
		return &logical.Const{T: sqltypes.NumericType(0, 0), V: v}, nil
	}
	str := strings.TrimSpace(s)
	mant, exp := str, 0
	if e := strings.IndexAny(str, "eE"); e >= 0 {
		mant = str[:e]
		n, err := strconv.Atoi(str[e+1:])
		if err != nil {
			return nil, sqltypes.New(sqltypes.CodeInvalidTextRepr, "invalid input syntax for type numeric: %q", s)
		}
		exp = n
		if exp > 0 && !strings.ContainsAny(mant, "123456789") {
			str = mant // zero at any exponent (0e2000 is 0); exp still sets the scale
		} else if exp > 1000 || exp < -100000 {
			return nil, literalOutOfRange(str) // before big.Rat spells out 10^exp
		}
	}
	scale := 0
	if dot := strings.IndexByte(mant, '.'); dot >= 0 {
		scale = len(mant) - dot - 1
	}
	scale = max(0, scale-exp)
	r, ok := new(big.Rat).SetString(str)
	if !ok || strings.ContainsAny(str, "/") {
		return nil, sqltypes.New(sqltypes.CodeInvalidTextRepr, "invalid input syntax for type numeric: %q", s)
	}
	// meshql's numeric holds 38 digits, PostgreSQL's many more. A literal
	// written with more is rounded to 38 significant digits, as products
	// are (123456789012345678901234567890.123456789 keeps 8 places); one
	// that would change magnitude doing so (10^38 or more, or no digit
	// other than 0 within 38 places: 1e-39) is 22003. It never becomes a
	// double precision, whose 17 digits would lose the rest silently.
	abs := new(big.Rat).Abs(r)
	intDigits := 0
	if whole := new(big.Int).Quo(abs.Num(), abs.Denom()); whole.Sign() != 0 {
		intDigits = len(whole.String())
	}
	if intDigits > sqltypes.MaxNumericPrecision ||
		r.Sign() != 0 && abs.Cmp(new(big.Rat).SetFrac(big.NewInt(1), pow10(sqltypes.MaxNumericPrecision))) < 0 {
		return nil, literalOutOfRange(str)
	}
	scale = min(scale, sqltypes.MaxNumericPrecision-intDigits)
	d, err := sqltypes.RatToDecimal(r, 0, int32(scale))
	if err != nil {
		return nil, literalOutOfRange(str) // 99…9.9 rounds up to 10^38
	}
	return &logical.Const{T: sqltypes.NumericType(0, int32(scale)), V: d}, nil
}

func literalOutOfRange(lit string) error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "numeric literal %s is out of range", lit).
		WithDetail("meshql's numeric holds 38 significant digits, below 10^38 and with a digit other than 0 within 38 places.")
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// parseLiteral reads an untyped literal as t. timestamptz text without a
// zone is in the session's TimeZone, dates in its DateStyle order and
// intervals in its IntervalStyle, as PostgreSQL reads them.
func (b *binder) parseLiteral(t sqltypes.Type, s string) (sqltypes.Datum, error) {
	if t.Kind == sqltypes.JSONPath {
		// Stored as its normalized text; the parser lives in the executor.
		p, err := jsonpath.Parse(s)
		if err != nil {
			return nil, err
		}
		return p.String(), nil
	}
	return sqltypes.ParseValueIn(t, s, sqltypes.InputContext{Loc: b.opts.Location, Now: b.opts.Now, Order: b.opts.DateStyle.Order, Interval: b.opts.DateStyle.Interval})
}

// noteLiteral remembers where an untyped literal was written: PostgreSQL
// points the error of reading it as a type (1 + 'a', x = 'a') at the
// literal, not at the operator that wanted the type.
func (b *binder) noteLiteral(c *logical.Const, loc int) {
	if loc < 0 {
		return
	}
	if b.litLoc == nil {
		b.litLoc = map[*logical.Const]int{}
	}
	b.litLoc[c] = loc
}

// atLiteral is err at literal c when its place is known (noteLiteral).
func (b *binder) atLiteral(c *logical.Const, err error) error {
	loc, ok := b.litLoc[c]
	if !ok {
		return err
	}
	return errAt(sqltypes.AsError(err), loc)
}
