package expr

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// fnKernel computes a function over its evaluated arguments (n rows).
type fnKernel func(env *executor.Env, args []arrow.Array, n int) (arrow.Array, error)

// callExpr is a strict scalar function call: arguments are evaluated on
// the whole batch, then the kernel runs.
type callExpr struct {
	name string
	args []Expr
	t    sqltypes.Type
	k    fnKernel
	kc   ctxKernel // instead of k, for kernels that must see the context
	// acts marks a call with an effect per row (a session function that
	// signals): see actsOnRows.
	acts bool
}

func (e *callExpr) Type() sqltypes.Type { return e.t }
func (e *callExpr) children() []Expr    { return e.args }
func (e *callExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.args = ch
	return &c
}

func (e *callExpr) String() string { return callString(e.name, e.args) }

func callString(name string, args []Expr) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	return fmt.Sprintf("%s(%s)", name, strings.Join(parts, ", "))
}

func (e *callExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalArgs(ctx, env, b, e.args...)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	if e.kc != nil {
		return e.kc(ctx, env, args, int(b.NumRows()))
	}
	return e.k(env, args, int(b.NumRows()))
}

// builder resolves one function name for the given arguments.
type builder func(name string, args []Expr) (Expr, error)

// Call returns the scalar function name (lower case) applied to args. The
// result type follows from the argument types as in PostgreSQL (for
// example round(numeric, 2) is numeric with scale 2, ceil(integer) is
// double precision, date_part is double precision, extract is numeric).
// Unknown names and signatures are 42883 "function f(types) does not
// exist"; errors while evaluating are SQL errors (22012, 22003, 2201F…).
func Call(name string, args []Expr) (Expr, error) {
	b := lookupBuilder(name)
	if b == nil {
		return nil, functionError(name, args)
	}
	types := make([]Expr, len(args))
	copy(types, args)
	e, err := b(name, args)
	if err != nil && isNoSuchFunction(err, name) {
		// A builder that checks some arguments names only those: the
		// error names the call's whole signature, as PostgreSQL's does.
		return nil, functionError(name, types)
	}
	return e, err
}

// isNoSuchFunction reports whether err is functionError's for name.
func isNoSuchFunction(err error, name string) bool {
	e := sqltypes.AsError(err)
	return e != nil && e.Code == sqltypes.CodeUndefinedFunction && e.Hint == noFunctionHint &&
		strings.HasPrefix(e.Msg, "function "+name+"(") && strings.HasSuffix(e.Msg, ") does not exist")
}

// lookupBuilder is the function table: a switch, so there is no mutable
// registry.
func lookupBuilder(name string) builder {
	if JSONPathFunc(name) {
		return buildJSONPath
	}
	if _, ok := RangeConstructor(name); ok {
		return buildRangeConstructor
	}
	if _, ok := rangeFuncs[name]; ok && name != "lower" && name != "upper" {
		return buildRangeFunc
	}
	if InetFunc(name) {
		return buildInet
	}
	if _, _, ok := sessionSigOf(name); ok {
		return buildSessionCall
	}
	if MacaddrFunc(name) {
		return buildMacaddr
	}
	switch name {
	case "mesh_mask_hash", "mesh_mask_redact", "mesh_mask_partial", "mesh_mask_round", "mesh_mask_null":
		return buildMask
	case RecordFunc:
		return buildRecord
	case RowFunc:
		return buildRow
	case "coalesce":
		return buildCoalesce
	case "nullif":
		return buildNullif
	case "greatest", "least":
		return buildGreatest
	case "abs", "ceil", "ceiling", "floor", "sign", "sqrt", "cbrt", "exp", "ln", "log10",
		"sin", "cos", "tan", "cot", "asin", "acos", "atan", "degrees", "radians",
		"sind", "cosd", "tand", "cotd", "asind", "acosd", "atand",
		"sinh", "cosh", "tanh", "asinh", "acosh", "atanh":
		return buildMath1
	case "round", "trunc":
		return buildRound
	case "log":
		return buildLog
	case "power", "pow", "atan2", "atan2d":
		return buildPower
	case "mod":
		return buildMod
	case "pi":
		return buildPi
	case "lower", "upper", "initcap", "reverse", "md5", "ascii":
		return buildTextUnary
	case "length", "char_length", "character_length", "octet_length", "bit_length":
		return buildLength
	case "substring":
		return buildSubstringAny
	case "substr":
		return buildSubstring
	case "strpos", "position":
		return buildStrpos
	case "trim", "btrim", "ltrim", "rtrim":
		return buildTrim
	case "replace":
		return buildReplace
	case "concat", "concat_ws":
		return buildConcat
	case "left", "right", "repeat":
		return buildTextInt
	case "lpad", "rpad":
		return buildPad
	case "like_escape":
		return buildLikeEscape
	case "starts_with":
		return buildStartsWith
	case "split_part":
		return buildSplitPart
	case "chr":
		return buildChr
	case "date_part", "extract":
		return buildDatePart
	case "date_trunc":
		return buildDateTrunc
	case "make_date":
		return buildMakeDate
	case "timestamp", "timestamptz", "time", "interval":
		return buildTimestampTypmod
	case "to_char":
		return buildToChar
	case "to_timestamp":
		return buildToTimestamp
	case ToNumberTextFunc:
		return buildToNumberText
	case "cardinality", "array_length", "array_ndims", "array_dims", "array_upper", "array_lower":
		return buildArrayDims
	case "format_type":
		return buildFormatType
	case "pg_typeof":
		return buildPgTypeof
	case "regexp_replace", "regexp_match", "regexp_like", "regexp_count", "regexp_split_to_array":
		return buildRegexpFunc
	case "regexp_matches":
		return buildRegexpMatches
	case "array_to_string":
		return buildArrayToString
	case "string_to_array":
		return buildStringToArray
	case "array_position":
		return buildArrayPosition
	case "array_positions":
		return buildArrayPositions
	case "array_replace":
		return buildArrayReplace
	case "trim_array":
		return buildTrimArray
	case "array_fill":
		return buildArrayFill
	case "random", "clock_timestamp", "timeofday", "gen_random_uuid":
		return buildVolatile
	case NowFunc, StatementTimestampFunc:
		return buildStableClock
	case "convert_from", "convert_to", "convert":
		return buildConvert
	case "normalize", "is_normalized":
		return buildNormalize
	case "unistr":
		return buildUnistr
	case SampleFunc:
		return buildSample
	case "encode", "decode":
		return buildEncode
	case "sha224", "sha256", "sha384", "sha512":
		return buildSHA
	case "array_element":
		return buildArrayElement
	case "generate_series_array":
		return buildGenerateSeriesArray
	case "json_build_object":
		return buildJSONBuildObject
	case "jsonb_build_object":
		return func(name string, args []Expr) (Expr, error) { return asJSONB(buildJSONBuildObject(name, args)) }
	case "json_build_array":
		return buildJSONBuildArray
	case "jsonb_build_array":
		return func(name string, args []Expr) (Expr, error) { return asJSONB(buildJSONBuildArray(name, args)) }
	case "to_json":
		return buildToJSON
	case "to_jsonb":
		return func(name string, args []Expr) (Expr, error) { return asJSONB(buildToJSON(name, args)) }
	case "jsonb_contains", "jsonb_contained":
		return buildJSONBContains
	case "jsonb_exists", "jsonb_exists_any", "jsonb_exists_all":
		return buildJSONBExists
	case "json_typeof", "jsonb_typeof":
		return buildJSONTypeof
	case "json_array_length", "jsonb_array_length":
		return buildJSONArrayLength
	case "jsonb_set", "jsonb_insert":
		return buildJSONBEdit
	case "json_strip_nulls", "jsonb_strip_nulls":
		return buildJSONStripNulls
	case "row_to_json", "row_to_json_pretty":
		return buildRowToJSON
	case "jsonb_concat":
		return buildJSONBConcat
	case "jsonb_delete":
		return buildJSONBDelete
	case "jsonb_delete_path":
		return buildJSONBDeletePath
	case "jsonb_pretty":
		return buildJSONBPretty
	case "json_object", "jsonb_object":
		return buildJSONObjectFromArrays
	case "translate":
		return buildTranslate
	case "quote_ident", "quote_literal", "quote_nullable":
		return buildQuote
	case "parse_ident":
		return buildParseIdent
	case "pg_size_pretty":
		return buildSizePretty
	case "pg_get_expr":
		return buildPgGetExpr
	case OneRowFunc:
		return buildOneRow
	case "format":
		return buildFormat
	case "age":
		return buildAge
	case "array_slice":
		return buildArraySlice
	case "array_append", "array_prepend", "array_cat", "array_remove":
		return buildArrayEdit
	case "array_contains", "array_contained", "array_overlap":
		return buildArrayContains
	case "div":
		return buildDiv
	case "to_hex":
		return buildToHex
	case "num_nulls", "num_nonnulls":
		return buildNumNulls
	case "to_date":
		return buildToDate
	case "make_timestamp":
		return buildMakeTimestamp
	case "make_timestamptz":
		return buildMakeTimestamptz
	case "justify_days", "justify_hours", "justify_interval":
		return buildJustify
	case "make_interval":
		return buildMakeInterval
	case "make_time":
		return buildMakeTime
	case "date_bin":
		return buildDateBin
	case "isfinite":
		return buildIsFinite
	case "regexp_instr", "regexp_substr":
		return buildRegexpPosition
	case "overlaps":
		return buildOverlaps
	case "overlay":
		return buildOverlay
	case "gcd", "lcm":
		return buildGcdLcm
	case "width_bucket":
		return buildWidthBucket
	case "factorial":
		return buildFactorial
	case "scale", "min_scale", "trim_scale":
		return buildScaleFunc
	case "get_bit", "get_byte", "set_bit", "set_byte", "bit_count":
		return buildByteaBits
	case "pg_sleep", "pg_sleep_for", "pg_sleep_until":
		return buildSleep
	case "timezone":
		return buildTimezone
	}
	if isBitwiseFunction(name) {
		return buildBitwise
	}
	if _, _, ok := jsonRecordFunc(name); ok {
		return buildJSONRecord
	}
	if _, ok := jsonEachFunc(name); ok {
		return buildJSONSetPairs
	}
	if _, _, ok := jsonSetFunc(name); ok {
		return buildJSONSetList
	}
	return nil
}

// wantArgs checks the argument count.
func wantArgs(name string, args []Expr, min, max int) error {
	if len(args) < min || len(args) > max {
		return functionError(name, args)
	}
	return nil
}

// coerceArgs casts every argument to t, failing with 42883 if one cannot be
// converted implicitly.
func coerceArgs(name string, args []Expr, t sqltypes.Type) ([]Expr, error) {
	out := make([]Expr, len(args))
	for i, a := range args {
		if !implicitArg(a.Type(), t) {
			return nil, functionError(name, args)
		}
		c := coerceTo(a, t)
		if !c.Type().Equal(t) && !(c.Type().IsString() && t.IsString()) {
			return nil, functionError(name, args)
		}
		out[i] = c
	}
	return out, nil
}

// inexact reports whether t is numeric or floating point.
func inexact(t sqltypes.Type) bool {
	return t.Kind == sqltypes.Numeric || t.Kind == sqltypes.Float4 || t.Kind == sqltypes.Float8
}

// coerceTextInts coerces the first nText arguments to text and the rest
// to integer, the signature of split_part, overlay and their kind.
func coerceTextInts(name string, args []Expr, nText int) ([]Expr, error) {
	s, err := coerceArgs(name, args[:nText], sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	k, err := coerceArgs(name, args[nText:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return append(s, k...), nil
}

// implicitText reports whether an argument can stand where text is
// expected: a string, an untyped literal, bpchar (whose cast to text,
// which coerceTo inserts, drops its trailing blanks), "char" or name.
func implicitText(t sqltypes.Type) bool {
	return t.IsString() || t.Kind == sqltypes.Unknown || t.Kind == sqltypes.Bpchar || t.Kind == sqltypes.Char || t.Kind == sqltypes.Name
}

// commonArgType is the type GREATEST/COALESCE-like functions convert to:
// the first typed argument's, widened across numeric kinds.
func commonArgType(args []Expr) (sqltypes.Type, bool) {
	t := sqltypes.TypeUnknown
	for _, a := range args {
		at := a.Type()
		switch {
		case at.Kind == sqltypes.Unknown:
		case t.Kind == sqltypes.Unknown:
			t = at
		case at.Equal(t) || at.IsString() && t.IsString():
		case at.Kind.NumericRank() > 0 && t.Kind.NumericRank() > 0:
			if at.Kind == sqltypes.Numeric && t.Kind == sqltypes.Numeric {
				t = sqltypes.NumericType(0, max(at.Scale, t.Scale))
			} else if at.Kind.NumericRank() > t.Kind.NumericRank() {
				t = at
			}
			if t.Kind == sqltypes.Numeric && t.Precision > 0 {
				t = sqltypes.NumericType(0, t.Scale)
			}
		case tempRank(at.Kind) > 0 && tempRank(t.Kind) > 0:
			if tempRank(at.Kind) > tempRank(t.Kind) {
				t = at
			}
		default:
			return t, false
		}
	}
	if t.Kind == sqltypes.Unknown {
		t = sqltypes.TypeText
	}
	return t, true
}
