package expr

// immutableFuncs are the functions PostgreSQL marks immutable in every
// overload it has (pg_proc.provolatile = 'i'): with constant arguments
// PostgreSQL evaluates them while planning, so their errors (sqrt(-1),
// split_part(s, '.', 0)) are raised even when no row would reach the call.
// Functions with a stable overload (date_part and date_trunc of
// timestamptz, age(timestamp), to_char, format, concat, …) are left out:
// PostgreSQL evaluates those only per row.
var immutableFuncs = map[string]bool{
	// math
	"abs": true, "acos": true, "acosd": true, "asin": true, "asind": true, "atan": true, "atand": true,
	"atan2": true, "atan2d": true, "cos": true, "cosd": true, "cot": true, "cotd": true, "sin": true,
	"sind": true, "tan": true, "tand": true, "sinh": true, "cosh": true, "tanh": true, "asinh": true,
	"acosh": true, "atanh": true, "cbrt": true, "ceil": true, "ceiling": true, "degrees": true,
	"radians": true, "div": true, "exp": true, "factorial": true, "floor": true, "gcd": true, "lcm": true,
	"ln": true, "log": true, "log10": true, "mod": true, "power": true, "pow": true, "round": true,
	"scale": true, "min_scale": true, "trim_scale": true, "sign": true, "sqrt": true, "trunc": true,
	"width_bucket": true,
	// strings
	"ascii": true, "btrim": true, "ltrim": true, "rtrim": true, "bit_length": true, "char_length": true,
	"character_length": true, "octet_length": true, "chr": true, "decode": true, "encode": true,
	"initcap": true, "left": true, "right": true, "lower": true, "upper": true, "lpad": true, "rpad": true,
	"md5": true, "sha224": true, "sha256": true, "sha384": true, "sha512": true, "overlay": true,
	"repeat": true, "replace": true, "reverse": true, "split_part": true, "starts_with": true, "like_escape": true,
	"strpos": true, "substr": true, "substring": true, "translate": true, "unistr": true,
	"regexp_count": true, "regexp_instr": true, "regexp_like": true, "regexp_match": true,
	"regexp_replace": true, "regexp_split_to_array": true, "regexp_substr": true,
	// arrays
	"array_append": true, "array_prepend": true, "array_cat": true, "array_fill": true,
	"array_length": true, "array_lower": true, "array_upper": true, "array_ndims": true,
	"cardinality": true, "array_position": true, "array_positions": true, "array_remove": true,
	"array_replace": true, "string_to_array": true, "trim_array": true, "parse_ident": true, "pg_size_pretty": true,
	// dates, times and intervals without a time zone
	"make_date": true, "make_time": true, "make_timestamp": true, "make_interval": true,
	"justify_days": true, "justify_hours": true, "justify_interval": true, "isfinite": true,
	// json
	"json_array_length": true, "jsonb_array_length": true, "json_typeof": true, "jsonb_typeof": true,
	"json_extract_path": true, "jsonb_extract_path": true, "json_extract_path_text": true,
	"jsonb_extract_path_text": true, "jsonb_set": true, "jsonb_concat": true, "jsonb_delete": true,
	"jsonb_delete_path": true, "jsonb_pretty": true, "json_object": true, "jsonb_object": true,
	"row_to_json": true, "row_to_json_pretty": true, "jsonb_strip_nulls": true, "json_strip_nulls": true,
	"jsonb_insert": true, "jsonb_set_lax": true, "jsonb_path_exists": true, "jsonb_path_match": true,
	"jsonb_path_query_array": true, "jsonb_path_query_first": true,
	// more of every kind
	"array_dims": true, "to_hex": true, "quote_ident": true, "date_bin": true,
	"isempty": true, "lower_inc": true, "upper_inc": true, "lower_inf": true, "upper_inf": true, "range_merge": true,
	"abbrev": true, "broadcast": true, "family": true, "host": true, "hostmask": true, "masklen": true,
	"netmask": true, "network": true, "set_masklen": true, "inet_same_family": true,
	// conditionals
	"coalesce": true, "nullif": true, "greatest": true, "least": true,
	"num_nulls": true, "num_nonnulls": true,
}

// IsImmutable reports whether PostgreSQL evaluates function name while
// planning when its arguments are constants (see immutableFuncs), and so
// raises its errors then.
func IsImmutable(name string) bool { return immutableFuncs[name] }
