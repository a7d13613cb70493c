package expr

import (
	"bytes"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildJSONBuildObject is json_build_object(k1, v1, …): a JSON object of
// the pairs, keys as text, values as JSON numbers, booleans, null or
// strings (other types by their text form), as PostgreSQL's to_json does
// for scalars. Catalog queries (SQLAlchemy's column reflection) call it.
func buildJSONBuildObject(name string, args []Expr) (Expr, error) {
	if len(args)%2 != 0 {
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "argument list must have even number of elements").
			WithHint("The arguments of json_build_object() must consist of alternating keys and values.")
	}
	for i := 0; i < len(args); i += 2 {
		args[i] = coerceTo(args[i], sqltypes.TypeText)
		if !args[i].Type().IsString() {
			return nil, functionError(name, args)
		}
	}
	types := make([]sqltypes.Type, len(args))
	for i, a := range args {
		types[i] = a.Type()
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeJSON, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		// No inputs for validity: NULL values give JSON null, not NULL.
		return boundedStr(env, name, arrow.BinaryTypes.String, n, nil, func(i int, dst []byte) ([]byte, bool, error) {
			dst = append(dst, '{')
			for j := 0; j < len(in); j += 2 {
				if in[j].IsNull(i) {
					if name == "jsonb_build_object" {
						return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "argument %d: key must not be null", j+1)
					}
					return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "argument %d cannot be null", j+1).WithHint("Object keys should be text.")
				}
				if j > 0 {
					dst = append(dst, ", "...)
				}
				dst = appendJSONValue(dst, sqltypes.TypeText, datumAt(in[j], types[j], i), castCtxOf(env))
				dst = append(dst, " : "...)
				dst = appendJSONValue(dst, types[j+1], datumAt(in[j+1], types[j+1], i), castCtxOf(env))
			}
			return append(dst, '}'), false, nil
		})
	}}, nil
}

// buildRowToJSON is row_to_json over a row given as (name, value)
// pairs, the names constants: {"a":1,"b":"x"}, as PostgreSQL prints a
// record's JSON; row_to_json_pretty puts each field after the first on
// its own line.
func buildRowToJSON(name string, args []Expr) (Expr, error) {
	if len(args)%2 != 0 {
		return nil, functionError(name, args)
	}
	names := make([][]byte, 0, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		v, _ := IsLiteral(args[i])
		s, ok := v.(string)
		if !ok {
			return nil, functionError(name, args)
		}
		names = append(names, sqltypes.AppendJSONString(nil, s))
	}
	sep := ","
	if name == "row_to_json_pretty" {
		sep = ",\n "
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeJSON, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		// No inputs for validity: a NULL field is JSON null.
		return boundedStr(env, name, arrow.BinaryTypes.String, n, nil, func(i int, dst []byte) ([]byte, bool, error) {
			dst = append(dst, '{')
			for j := 1; j < len(in); j += 2 {
				if j > 1 {
					dst = append(dst, sep...)
				}
				dst = append(append(dst, names[j/2]...), ':')
				t := args[j].Type()
				dst = appendJSONValue(dst, t, datumAt(in[j], t, i), castCtxOf(env))
			}
			return append(dst, '}'), false, nil
		})
	}}, nil
}

// IsRowToJSON reports whether e is row_to_json over a row, whose values
// json_agg sets apart as PostgreSQL does a record's.
func IsRowToJSON(e Expr) bool {
	c, ok := e.(*callExpr)
	return ok && (c.name == "row_to_json" || c.name == "row_to_json_pretty")
}

// appendJSONValue appends a datum as JSON, as to_json does: timestamps in
// ISO 8601 form ("2026-07-01T05:30:00+05:30") whatever the DateStyle, a
// timestamptz in the session's zone; intervals in its IntervalStyle.
func appendJSONValue(dst []byte, t sqltypes.Type, v sqltypes.Datum, cx castCtx) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	switch t.Kind {
	case sqltypes.Bool:
		return strconv.AppendBool(dst, v.(bool))
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Float4, sqltypes.Float8, sqltypes.Numeric:
		s := sqltypes.FormatValue(t, v)
		if s == "NaN" || s == "Infinity" || s == "-Infinity" {
			// Not JSON numbers: PostgreSQL's to_json quotes them.
			return sqltypes.AppendJSONString(dst, s)
		}
		return append(dst, s...)
	case sqltypes.JSON, sqltypes.JSONB:
		return append(dst, v.(string)...)
	case sqltypes.List:
		// array_to_json: elements (and sub-arrays) joined by commas.
		dst = append(dst, '[')
		for i, e := range v.([]any) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONValue(dst, *t.Elem, e, cx)
		}
		return append(dst, ']')
	case sqltypes.Timestamp, sqltypes.TimestampTZ:
		// JSON's timestamps are XSD dateTimes: 'T' between date and time.
		// Their text needs no escaping.
		start := len(dst) + 1
		dst = sqltypes.AppendTimestamp(append(dst, '"'), int64(v.(arrow.Timestamp)), cx.loc, t.Kind == sqltypes.TimestampTZ)
		if sep := bytes.IndexByte(dst[start:], ' '); sep >= 0 {
			dst[start+sep] = 'T'
		}
		if t.Kind == sqltypes.TimestampTZ {
			dst = xsdOffset(dst, start)
		}
		return append(dst, '"')
	case sqltypes.Interval:
		// Interval text has nothing JSON escapes.
		dst = sqltypes.AppendInterval(append(dst, '"'), v.(arrow.MonthDayNanoInterval), cx.style.Interval)
		return append(dst, '"')
	}
	return sqltypes.AppendJSONString(dst, sqltypes.FormatValue(t, v))
}

// xsdOffset gives the zone offset ending dst[start:] its minutes, as XSD
// dateTimes (and PostgreSQL's JSON) write it: +00:00, not +00.
func xsdOffset(dst []byte, start int) []byte {
	end := len(dst)
	if bytes.HasSuffix(dst[start:], []byte(" BC")) {
		end -= 3
	}
	sign := bytes.LastIndexAny(dst[start:end], "+-")
	if sign < 0 || end-(start+sign) != 3 {
		return dst
	}
	tail := append([]byte(":00"), dst[end:]...)
	return append(dst[:end], tail...)
}
