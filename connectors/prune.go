package connectors

import (
	"math"

	"github.com/meshql/meshql/sqltypes"
)

// ColumnRange summarises the values of one column over a set of rows (a
// Parquet row group, a file, a remote partition), as statistics describe
// them. Sources use it with MayMatch to skip data that no filter can accept.
type ColumnRange struct {
	// Type is the column's SQL type; Min and Max use its sqltypes.Datum
	// representation.
	Type sqltypes.Type
	// Min and Max bound the non-null values (inclusive). They may be
	// looser than the true extremes (truncated strings, coarser units) but
	// never tighter. Both are nil when unknown.
	Min, Max any
	// NullCount is the number of NULLs, or -1 when unknown.
	NullCount int64
	// Rows is the number of rows the range covers, or -1 when unknown.
	Rows int64
}

func (r ColumnRange) hasMinMax() bool { return r.Min != nil && r.Max != nil }

// nonNull reports whether the range may hold a non-null value.
func (r ColumnRange) nonNull() bool {
	return r.NullCount < 0 || r.Rows < 0 || r.Rows > r.NullCount
}

// RangeLookup returns the range of a column by its source name; ok is false
// when nothing is known (the column is then treated as unconstrained).
type RangeLookup func(column string) (r ColumnRange, ok bool)

// MayMatch reports whether some row summarised by lookup can make f TRUE.
// It is conservative: false means that no row can pass f, so the rows can
// be skipped; true promises nothing. Filters it cannot reason about (Like,
// unknown columns, literals it cannot compare) count as possibly TRUE.
//
// Floating-point columns are treated as possibly holding NaN, which
// Parquet statistics do not record and PostgreSQL orders above every
// other value.
func MayMatch(f Filter, lookup RangeLookup) bool {
	return evalRange(f, lookup)&canTrue != 0
}

// outcomes is the set of truth values a predicate may take over the rows
// of a range: a bit set of canTrue, canFalse and canNull.
type outcomes uint8

const (
	canTrue outcomes = 1 << iota
	canFalse
	canNull
	anyOutcome = canTrue | canFalse | canNull
)

func (o outcomes) not() outcomes {
	r := o & canNull
	if o&canTrue != 0 {
		r |= canFalse
	}
	if o&canFalse != 0 {
		r |= canTrue
	}
	return r
}

func evalRange(f Filter, lookup RangeLookup) outcomes {
	switch f := f.(type) {
	case Compare:
		r, ok := lookup(f.Column)
		if !ok {
			return anyOutcome
		}
		return evalCompare(f.Op, r, f.Value)
	case InList:
		r, ok := lookup(f.Column)
		if !ok {
			return anyOutcome
		}
		o := canFalse // x IN () is false
		for i, v := range f.Values {
			c := evalCompare(OpEq, r, v)
			if i == 0 {
				o = c
			} else {
				o = orOutcomes(o, c)
			}
		}
		if f.Negated {
			return o.not()
		}
		return o
	case IsNull:
		r, ok := lookup(f.Column)
		if !ok {
			return canTrue | canFalse
		}
		var o outcomes
		if r.NullCount != 0 {
			o |= canTrue
		}
		if r.nonNull() {
			o |= canFalse
		}
		if f.Negated {
			return o.not()
		}
		return o
	case And:
		o := canTrue
		for _, c := range f.Filters {
			o = andOutcomes(o, evalRange(c, lookup))
		}
		return o
	case Or:
		o := canFalse
		for _, c := range f.Filters {
			o = orOutcomes(o, evalRange(c, lookup))
		}
		return o
	case Not:
		return evalRange(f.Filter, lookup).not()
	}
	return anyOutcome
}

// andOutcomes over-approximates the outcomes of a AND b when the rows
// behind a and b are correlated in unknown ways.
func andOutcomes(a, b outcomes) outcomes {
	var o outcomes
	if a&canTrue != 0 && b&canTrue != 0 {
		o |= canTrue
	}
	if a&canFalse != 0 || b&canFalse != 0 {
		o |= canFalse
	}
	if a&canNull != 0 && b&(canTrue|canNull) != 0 || b&canNull != 0 && a&(canTrue|canNull) != 0 {
		o |= canNull
	}
	return o
}

// orOutcomes over-approximates the outcomes of a OR b.
func orOutcomes(a, b outcomes) outcomes {
	var o outcomes
	if a&canTrue != 0 || b&canTrue != 0 {
		o |= canTrue
	}
	if a&canFalse != 0 && b&canFalse != 0 {
		o |= canFalse
	}
	if a&canNull != 0 && b&(canFalse|canNull) != 0 || b&canNull != 0 && a&(canFalse|canNull) != 0 {
		o |= canNull
	}
	return o
}

func evalCompare(op CmpOp, r ColumnRange, lit Literal) outcomes {
	var o outcomes
	if r.NullCount != 0 {
		o |= canNull
	}
	if !r.nonNull() {
		return o
	}
	isFloat := r.Type.Kind == sqltypes.Float4 || r.Type.Kind == sqltypes.Float8
	if isFloat && isNaN(lit.Value) {
		return o | canTrue | canFalse
	}
	if !r.hasMinMax() {
		return o | canTrue | canFalse
	}
	cmin, ok1 := CompareDatums(r.Type, r.Min, lit.Type, lit.Value)
	cmax, ok2 := CompareDatums(r.Type, r.Max, lit.Type, lit.Value)
	if !ok1 || !ok2 {
		return o | canTrue | canFalse
	}
	if c, ok := CompareDatums(r.Type, r.Min, r.Type, r.Max); !ok || c > 0 {
		return o | canTrue | canFalse // inconsistent statistics: trust nothing
	}
	var t, fl bool // some value makes it true / false
	switch op {
	case OpEq:
		t = cmin <= 0 && cmax >= 0
		fl = !(cmin == 0 && cmax == 0)
	case OpNe:
		t = !(cmin == 0 && cmax == 0)
		fl = cmin <= 0 && cmax >= 0
	case OpLt:
		t, fl = cmin < 0, cmax >= 0
	case OpLe:
		t, fl = cmin <= 0, cmax > 0
	case OpGt:
		t, fl = cmax > 0, cmin <= 0
	case OpGe:
		t, fl = cmax >= 0, cmin < 0
	default:
		t, fl = true, true
	}
	if isFloat {
		// A NaN may hide outside the statistics: it is false for every
		// comparison under IEEE rules, and true for >, >= and <> under
		// PostgreSQL's (NaN sorts last).
		fl = true
		if op == OpGt || op == OpGe || op == OpNe {
			t = true
		}
	}
	if t {
		o |= canTrue
	}
	if fl {
		o |= canFalse
	}
	return o
}

func isNaN(v any) bool {
	switch x := v.(type) {
	case float64:
		return math.IsNaN(x)
	case float32:
		return math.IsNaN(float64(x))
	}
	return false
}
