package bind

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/sqltypes"
)

// ambiguousUntyped lists, by name and argument count, the PostgreSQL 15
// functions whose overloads leave a call with only untyped literal
// arguments (strings or NULL) without a best candidate: their arguments'
// type categories differ (trunc(numeric|float8|macaddr…),
// date_trunc(text, timestamp|timestamptz|interval)) or none is preferred
// (mod(int2|int4|int8|numeric)). PostgreSQL answers 42725 there, where
// meshql's readings of untyped literals would pick one. Generated from
// pg_proc by calling each overloaded pg_catalog function with NULLs.
var ambiguousUntyped = map[string][]int{
	"age": {1}, "area": {1}, "bit": {2}, "bit_count": {1}, "center": {1}, "date_part": {2},
	"date_trunc": {2}, "extract": {2}, "gcd": {2}, "generate_series": {2, 3}, "get_bit": {2},
	"isempty": {1}, "isfinite": {1}, "ishorizontal": {1}, "isparallel": {2}, "isperp": {2},
	"isvertical": {1}, "lcm": {2}, "lower_inc": {1}, "lower_inf": {1}, "mod": {2},
	"npoints": {1}, "overlaps": {4}, "pg_get_viewdef": {2}, "pg_size_pretty": {1},
	"set_bit": {3}, "timestamp": {2}, "timestamptz": {2}, "to_char": {2}, "to_hex": {1},
	"trunc": {1}, "ts_headline": {3}, "ts_rank": {3}, "ts_rank_cd": {3}, "unnest": {1},
	"upper_inc": {1}, "upper_inf": {1},
}

// ambiguousCall is PostgreSQL's 42725 for a call of name (one of
// ambiguousUntyped) whose arguments are all untyped literals or
// parameters of no declared type, else nil.
func (b *binder) ambiguousCall(name string, fc *pg_query.FuncCall) error {
	if !slices.Contains(ambiguousUntyped[name], len(fc.Args)) {
		return nil
	}
	for _, a := range fc.Args {
		if p := a.GetParamRef(); p != nil && p.Number > 0 && b.params.get(int(p.Number)).Kind == sqltypes.Unknown {
			continue
		}
		c := a.GetAConst()
		if c == nil || !c.Isnull && c.GetSval() == nil {
			return nil
		}
	}
	var parts []string
	for _, n := range fc.Funcname {
		parts = append(parts, n.GetString_().GetSval())
	}
	unknowns := strings.TrimSuffix(strings.Repeat("unknown, ", len(fc.Args)), ", ")
	return errAt(sqltypes.New(sqltypes.CodeAmbiguousFunction, "function %s(%s) is not unique", strings.Join(parts, "."), unknowns).
		WithHint("Could not choose a best candidate function. You might need to add explicit type casts."), int(fc.Location))
}
