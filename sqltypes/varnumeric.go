package sqltypes

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// A variable-scale numeric column holds, per value, an unscaled integer
// and its display scale (value = mantissa × 10^-scale), PostgreSQL's
// NumericVar within 38 digits. Its Arrow type is a struct, so that an
// operator that does not know it fails on an unexpected type instead of
// reading mantissas as decimals of one scale. The nominal scale travels
// in the struct's scale field name ("scale16"), so that FromArrow
// recovers the whole SQL type from a schema.

// VarNumericMantissa and VarNumericScale index the struct's children.
const (
	VarNumericMantissa = 0
	VarNumericScale    = 1
)

const varScalePrefix = "scale"

// WithScaleFunc names the planner's internal function that gives each
// value of a numeric the scale of the same row of an integer (see
// expr.WithScale). The space keeps SQL from calling it.
const WithScaleFunc = "numeric with scale"

// VarNumericType returns an unconstrained numeric whose values keep their
// own scales; nominal is the scale used where a fixed one is needed.
func VarNumericType(nominal int32) Type {
	return Type{Kind: Numeric, Scale: nominal, VarScale: true}
}

// Static returns t without per-value scales: the numeric of its nominal
// scale. Other types are returned unchanged.
func (t Type) Static() Type {
	t.VarScale = false
	return t
}

// VarNumericArrow is the Arrow type of VarNumericType(nominal):
// struct<mantissa: decimal128(38, 0), scaleN: int8>.
func VarNumericArrow(nominal int32) arrow.DataType {
	return arrow.StructOf(
		arrow.Field{Name: "mantissa", Type: &arrow.Decimal128Type{Precision: MaxNumericPrecision, Scale: 0}},
		arrow.Field{Name: varScalePrefix + strconv.Itoa(int(nominal)), Type: arrow.PrimitiveTypes.Int8},
	)
}

// VarNumericNominal reports whether dt is a variable-scale numeric's
// Arrow type and returns its nominal scale.
func VarNumericNominal(dt arrow.DataType) (int32, bool) {
	st, ok := dt.(*arrow.StructType)
	if !ok || st.NumFields() != 2 || st.Field(0).Name != "mantissa" {
		return 0, false
	}
	d, ok := st.Field(0).Type.(*arrow.Decimal128Type)
	if !ok || d.Scale != 0 || st.Field(1).Type.ID() != arrow.INT8 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(st.Field(1).Name, varScalePrefix))
	if err != nil || !strings.HasPrefix(st.Field(1).Name, varScalePrefix) || n < 0 || n > MaxNumericPrecision {
		return 0, false
	}
	return int32(n), true
}

// NumericTextScale is the display scale PostgreSQL's numeric input gives
// the text s: the digits after the point less the exponent, at least 0
// ('1.50' 2, '1.5e-3' 4, '1e10' 0). It does not validate s (ParseNumeric
// does).
func NumericTextScale(s string) int32 {
	t := trimSpace(s)
	exp := 0
	if e := strings.IndexAny(t, "eE"); e >= 0 {
		exp, _ = strconv.Atoi(t[e+1:])
		t = t[:e]
	}
	frac := 0
	if dot := strings.IndexByte(t, '.'); dot >= 0 {
		frac = len(t) - dot - 1
	}
	return int32(max(0, min(frac-exp, 1000)))
}

// ParseVarNumeric reads s as PostgreSQL's numeric input does, at the
// display scale the text gives it (NumericTextScale): '1.50' is 150 at
// scale 2. A scale beyond what a variable-scale numeric holds is 22003.
func ParseVarNumeric(s string) (Decimal, error) {
	sc := NumericTextScale(s)
	v, err := ParseNumeric(s, 0, sc)
	if err == nil && sc > maxVarScale {
		err = New(CodeNumericOutOfRange, "value overflows numeric format")
	}
	if err != nil {
		return Decimal{}, err
	}
	return Decimal{Num: v, Scale: sc}, nil
}

// maxVarScale is the largest display scale a variable-scale numeric's
// int8 scale child holds.
const maxVarScale = 127

// HasVarScale reports whether t is a variable-scale numeric or an array
// of them.
func (t Type) HasVarScale() bool {
	for e := &t; e != nil; e = e.Elem {
		if e.VarScale {
			return true
		}
	}
	return false
}

// StaticAll returns t with its elements too without per-value scales
// (Static for arrays).
func (t Type) StaticAll() Type {
	if t.Elem != nil {
		e := t.Elem.StaticAll()
		t.Elem = &e
	}
	return t.Static()
}
