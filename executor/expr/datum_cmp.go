package expr

import (
	"bytes"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// compareDatums orders two Datums of type t as PostgreSQL does (NULL after
// every value, arrays element by element then by length). It serves the
// slow paths: arrays, and generic GREATEST/LEAST/IN fallbacks.
func compareDatums(t sqltypes.Type, x, y sqltypes.Datum) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	switch a := x.(type) {
	case bool:
		b := y.(bool)
		return cmpInt(int64(b2u(a)), int64(b2u(b)))
	case int16:
		return cmpInt(int64(a), int64(y.(int16)))
	case int32:
		return cmpInt(int64(a), int64(y.(int32)))
	case int64:
		return cmpInt(a, y.(int64))
	case float32:
		return cmpFloat(float64(a), float64(y.(float32)))
	case float64:
		return cmpFloat(a, y.(float64))
	case decimal128.Num:
		return a.Cmp(y.(decimal128.Num))
	case sqltypes.Decimal: // a variable-scale numeric's: by value
		return sqltypes.CompareDecimal(a, y.(sqltypes.Decimal))
	case string:
		if t.Kind == sqltypes.JSONB {
			if c, err := sqltypes.CompareJSONB(a, y.(string)); err == nil {
				return c
			}
		}
		if t.IsRange() {
			return compareRangeText(t, a, y.(string))
		}
		return cmpString(a, y.(string))
	case []byte:
		return bytes.Compare(a, y.([]byte))
	case arrow.Date32:
		return cmpInt(int64(a), int64(y.(arrow.Date32)))
	case arrow.Timestamp:
		return cmpInt(int64(a), int64(y.(arrow.Timestamp)))
	case arrow.MonthDayNanoInterval:
		return cmpInterval(a, y.(arrow.MonthDayNanoInterval))
	case [16]byte:
		b := y.([16]byte)
		return bytes.Compare(a[:], b[:])
	case []any:
		return compareArrays(t.Leaf(), a, y.([]any))
	}
	return 0
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders floats with NaN greatest and equal to itself.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareArrays orders arrays as PostgreSQL's array_cmp does: by their
// elements in row-major order, then the number of elements, then the
// number of dimensions, then the dimensions. (Arrays of one dimension thus
// compare element by element, a prefix first.)
func compareArrays(leaf sqltypes.Type, a, b []any) int {
	if !isNestedDatum(a) && !isNestedDatum(b) {
		for i := 0; i < len(a) && i < len(b); i++ {
			if c := compareDatums(leaf, a[i], b[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(a)), int64(len(b)))
	}
	fa, fb := flattenDatum(a, nil), flattenDatum(b, nil)
	for i := 0; i < len(fa) && i < len(fb); i++ {
		if c := compareDatums(leaf, fa[i], fb[i]); c != 0 {
			return c
		}
	}
	if c := cmpInt(int64(len(fa)), int64(len(fb))); c != 0 {
		return c
	}
	da, db := datumDims(a, nil), datumDims(b, nil)
	if c := cmpInt(int64(len(da)), int64(len(db))); c != 0 {
		return c
	}
	for i := range da {
		if c := cmpInt(int64(da[i]), int64(db[i])); c != 0 {
			return c
		}
	}
	return 0
}

func isNestedDatum(a []any) bool {
	if len(a) == 0 {
		return false
	}
	_, ok := a[0].([]any)
	return ok
}

// flattenDatum appends an array datum's elements in row-major order.
func flattenDatum(a []any, out []any) []any {
	for _, x := range a {
		if sub, ok := x.([]any); ok {
			out = flattenDatum(sub, out)
		} else {
			out = append(out, x)
		}
	}
	return out
}
