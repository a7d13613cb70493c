package pgwire

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/meshql/meshql/executor/jsonpath"
	"github.com/meshql/meshql/sqltypes"
)

// parseText is the input function of t: it parses a parameter's text form
// (what the client would write in a quoted literal) into t's datum.
// Unknown, text, varchar and json give the string itself.
func parseText(s string, t sqltypes.Type, in sqltypes.InputContext) (sqltypes.Datum, error) {
	syntax := func() error {
		return sqltypes.New(sqltypes.CodeInvalidTextRepr, "invalid input syntax for type %s: \"%s\"", t, s)
	}
	switch t.Kind {
	case sqltypes.Unknown, sqltypes.Text, sqltypes.Varchar, sqltypes.JSON:
		return s, nil
	case sqltypes.Bpchar:
		return sqltypes.PadChars(s, int(t.Precision)), nil
	case sqltypes.Char:
		return sqltypes.ParseChar(s)
	case sqltypes.Name:
		return sqltypes.ClipName(s), nil
	case sqltypes.Oid:
		return sqltypes.ParseOID(s)
	case sqltypes.RegClass, sqltypes.RegType, sqltypes.RegProc, sqltypes.RegProcedure, sqltypes.RegNamespace, sqltypes.RegRole:
		if v, err := sqltypes.ParseOID(s); err == nil {
			return v, nil
		}
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "a %s parameter given as a name is not supported", t).
			WithHint("Cast the parameter: $1::%s reads a name.", t)
	case sqltypes.JSONB:
		return sqltypes.NormalizeJSONB(s)
	case sqltypes.JSONPath:
		p, err := jsonpath.Parse(s)
		if err != nil {
			return nil, err
		}
		return p.String(), nil
	case sqltypes.Bool:
		return parseBool(s, syntax)
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		bits := int(t.Size()) * 8
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "value \"%s\" is out of range for type %s", s, t)
			}
			return nil, syntax()
		}
		switch t.Kind {
		case sqltypes.Int2:
			return int16(v), nil
		case sqltypes.Int4:
			return int32(v), nil
		}
		return v, nil
	case sqltypes.Float4, sqltypes.Float8:
		// float4in/float8in: a denormal is accepted, an underflow to 0 is 22003.
		bits := int(t.Size()) * 8
		v, err := sqltypes.ParseFloat(s, bits)
		switch {
		case err != nil:
			return nil, err
		case bits == 32:
			return float32(v), nil
		}
		return v, nil
	case sqltypes.Numeric:
		if len(s) > 1000 { // decimal128 holds 38 digits; keep big-number parsing cheap
			return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format")
		}
		if v, ok := sqltypes.ParseNumericSpecial(s); ok {
			return v, sqltypes.CheckNumericTypmod(v, t.Precision, t.Scale)
		}
		if !plainNumber(s) {
			if strings.ContainsAny(s, "eE") && plainNumber(strings.NewReplacer("e", "", "E", "").Replace(s)) {
				return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format")
			}
			return nil, syntax()
		}
		return sqltypes.ParseDecimal(s, t.Precision, t.Scale)
	case sqltypes.Bytea:
		return parseByteaText(s, syntax)
	case sqltypes.Inet, sqltypes.Cidr, sqltypes.Macaddr:
		return sqltypes.ParseValue(t, s)
	case sqltypes.UUID:
		h := strings.NewReplacer("-", "", "{", "", "}", "").Replace(strings.TrimSpace(s))
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 16 {
			return nil, syntax()
		}
		return [16]byte(b), nil
	case sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ:
		// Every form PostgreSQL reads ('01/02/2024' in the session's
		// DateStyle order, 'now', month names); ISO text takes its fast path.
		return sqltypes.ParseValueIn(t, s, in)
	case sqltypes.Int4Range, sqltypes.Int8Range, sqltypes.NumRange, sqltypes.DateRange, sqltypes.TsRange, sqltypes.TstzRange:
		return sqltypes.ParseValueIn(t, s, in)
	case sqltypes.Time:
		return sqltypes.ParseTimeIn(s, in)
	case sqltypes.Interval:
		// sql_standard reads a leading sign differently: sqltypes knows.
		if in.Interval != sqltypes.IntervalSQLStandard {
			if iv, ok := parseInterval(s); ok {
				return iv, nil
			}
		}
		return sqltypes.ParseIntervalIn(s, in)
	case sqltypes.List:
		// Array literals ('{1,NULL,3}'); elements parse as parameters
		// of the element type do, so dates and times follow the session.
		parts, err := sqltypes.ParseArray(sqltypes.TypeText, s)
		if sqltypes.Code(err) == sqltypes.CodeFeatureNotSupported {
			return nil, errMultidimParam()
		}
		if err != nil || t.Elem == nil {
			return nil, syntax()
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			if p == nil {
				continue
			}
			if out[i], err = parseText(p.(string), *t.Elem, in); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "parameters of type %s are not supported", t)
}

// plainNumber reports whether s is [sign] digits [. digits] [e [sign]
// digits] with an exponent of at most 3 digits: what numeric_in accepts,
// bounded so that no input makes the decimal parser work on huge powers.
func plainNumber(s string) bool {
	s = strings.TrimSpace(s)
	i, digits := 0, 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 || exp > 3 {
			return false
		}
	}
	return i == len(s)
}

// parseBool accepts what boolin accepts: t/f, true/false, yes/no, on/off,
// 1/0 and unique prefixes, in any case, with surrounding spaces.
func parseBool(s string, syntax func() error) (sqltypes.Datum, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch {
	case v == "":
	case v == "1", v == "on", strings.HasPrefix("true", v), strings.HasPrefix("yes", v):
		return true, nil
	case v == "0", v == "of", v == "off", strings.HasPrefix("false", v), strings.HasPrefix("no", v):
		return false, nil
	}
	return nil, syntax()
}

// parseByteaText reads the hex format (\x0102) or the escape format.
func parseByteaText(s string, syntax func() error) (sqltypes.Datum, error) {
	if h, ok := strings.CutPrefix(s, `\x`); ok {
		b, err := hex.DecodeString(strings.Join(strings.Fields(h), ""))
		if err != nil {
			return nil, syntax()
		}
		return b, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) && s[i+1] <= '3':
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
		default:
			return nil, syntax()
		}
	}
	return out, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
