package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Text encodings and Unicode forms: convert_from/convert_to/convert
// between bytea and text (decoding base64 payloads is
// convert_from(decode(x, 'base64'), 'UTF8')), normalize and IS
// NORMALIZED, unistr. meshql's text is UTF-8, as the server encoding
// PostgreSQL reports.

// charset is an encoding name resolved: its canonical name (LATIN1 for
// 'iso-8859-1') and, for a single-byte encoding, its charmap; cm is nil
// for UTF8 and for SQL_ASCII, which PostgreSQL passes through.
type charset struct {
	name string
	cm   *charmap.Charmap
}

// lookupCharset resolves an encoding name as PostgreSQL's
// pg_char_to_encoding reads it; role is "source" or "destination", for
// PostgreSQL's error text.
func lookupCharset(name, role string) (charset, error) {
	enc, ok := sqltypes.EncodingName(name)
	if !ok {
		return charset{}, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid %s encoding name \"%s\"", role, name)
	}
	cs := charset{name: enc, cm: sqltypes.SingleByteCharmap(enc)}
	if cs.cm == nil && enc != "UTF8" && enc != "SQL_ASCII" {
		return charset{}, sqltypes.New(sqltypes.CodeFeatureNotSupported, "conversion with encoding %q is not supported", name).
			WithHint("meshql converts UTF8, SQL_ASCII, the LATIN and ISO-8859 encodings, WIN866, WIN874, WIN1250 to WIN1258, KOI8R and KOI8U.")
	}
	return cs, nil
}

// charsetMemo remembers the last encoding name a kernel resolved: the
// name is nearly always a literal, the same on every row, and resolving
// it builds a key string per call.
type charsetMemo struct {
	name string
	cs   charset
	set  bool
}

func (m *charsetMemo) lookup(name, role string) (charset, error) {
	if m.set && m.name == name {
		return m.cs, nil
	}
	cs, err := lookupCharset(name, role)
	if err != nil {
		return charset{}, err
	}
	m.name, m.cs, m.set = name, cs, true
	return cs, nil
}

// toUTF8 appends src, in charset cm (nil: UTF-8), to dst as UTF-8; bytes
// that are not valid UTF-8 are 22021 as in PostgreSQL.
func toUTF8(dst, src []byte, cm *charmap.Charmap) ([]byte, error) {
	if cm != nil {
		for _, c := range src {
			dst = utf8.AppendRune(dst, cm.DecodeByte(c))
		}
		return dst, nil
	}
	if !utf8.Valid(src) {
		return nil, invalidUTF8(src)
	}
	if i := indexNUL(src); i >= 0 {
		return nil, invalidUTF8(src[i:])
	}
	return append(dst, src...), nil
}

// fromUTF8 appends UTF-8 text src to dst in charset cs; a character cs
// cannot hold is 22P05 as in PostgreSQL.
func fromUTF8(dst, src []byte, cs charset) ([]byte, error) {
	if cs.cm == nil {
		return append(dst, src...), nil
	}
	return sqltypes.AppendEncoded(dst, src, cs.name)
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

func invalidUTF8(b []byte) error {
	_, n := utf8.DecodeRune(b)
	if n == 0 {
		n = 1
	}
	return sqltypes.New("22021", "invalid byte sequence for encoding \"UTF8\": %s", byteSeq(b[:min(len(b), max(n, 1))]))
}

func byteSeq(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("0x%02x", c)
	}
	return strings.Join(parts, " ")
}

// buildConvert binds convert_from(bytea, src) → text, convert_to(text,
// dst) → bytea and convert(bytea, src, dst) → bytea.
func buildConvert(name string, args []Expr) (Expr, error) {
	want := 2
	if name == "convert" {
		want = 3
	}
	if err := wantArgs(name, args, want, want); err != nil {
		return nil, err
	}
	var first Expr
	var err error
	out := sqltypes.TypeBytea
	switch name {
	case "convert_to":
		var a []Expr
		if a, err = coerceArgs(name, args[:1], sqltypes.TypeText); err == nil {
			first = a[0]
		}
	case "convert_from":
		out = sqltypes.TypeText
		fallthrough
	default:
		first, err = byteaArg(name, args, 0)
	}
	if err != nil {
		return nil, err
	}
	names, err := coerceArgs(name, args[1:], sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append([]Expr{first}, names...), t: out, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := textViews(in)
		// The memos and mid live for one batch: names alias its buffers.
		var src1, dst1 charsetMemo
		var mid []byte
		return boundedStr(env, name, out.Arrow(), n, in, func(i int, dst []byte) ([]byte, bool, error) {
			src := v[0].bytes(i)
			switch name {
			case "convert_from":
				cs, err := src1.lookup(v[1].str(i), "source")
				if err != nil {
					return nil, false, err
				}
				dst, err = toUTF8(dst, src, cs.cm)
				return dst, false, err
			case "convert_to":
				cs, err := dst1.lookup(v[1].str(i), "destination")
				if err != nil {
					return nil, false, err
				}
				dst, err = fromUTF8(dst, src, cs)
				return dst, false, err
			}
			from, err := src1.lookup(v[1].str(i), "source")
			if err != nil {
				return nil, false, err
			}
			to, err := dst1.lookup(v[2].str(i), "destination")
			if err != nil {
				return nil, false, err
			}
			if mid, err = toUTF8(mid[:0], src, from.cm); err != nil {
				return nil, false, err
			}
			dst, err = fromUTF8(dst, mid, to)
			return dst, false, err
		})
	}}, nil
}

// formMemo remembers the last normal form name resolved, for the same
// reason as charsetMemo.
type formMemo struct {
	name string
	f    norm.Form
	set  bool
}

func (m *formMemo) lookup(name string) (norm.Form, error) {
	if m.set && m.name == name {
		return m.f, nil
	}
	f, err := normalForm(name)
	if err != nil {
		return 0, err
	}
	m.name, m.f, m.set = name, f, true
	return f, nil
}

func normalForm(s string) (norm.Form, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "NFC":
		return norm.NFC, nil
	case "NFD":
		return norm.NFD, nil
	case "NFKC":
		return norm.NFKC, nil
	case "NFKD":
		return norm.NFKD, nil
	}
	return 0, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid normalization form: %s", s)
}

// buildNormalize binds normalize(text [, form]) and is_normalized(text
// [, form]) (text IS [form] NORMALIZED); form defaults to NFC.
func buildNormalize(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 2); err != nil {
		return nil, err
	}
	if len(args) == 1 {
		args = append(args, Literal(sqltypes.TypeText, "NFC"))
	}
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	if name == "is_normalized" {
		return &callExpr{name: name, args: a, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			v := textViews(in)
			var forms formMemo
			return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
				f, err := forms.lookup(v[1].str(i))
				if err != nil {
					return false, false, err
				}
				return f.IsNormal(v[0].bytes(i)), false, nil
			})
		}}, nil
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		var forms formMemo
		return strKernel(name, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
			f, err := forms.lookup(v[1].str(i))
			if err != nil {
				return nil, false, err
			}
			return f.Append(dst, v[0].bytes(i)...), false, nil
		})(env, in, n)
	}}, nil
}

// buildUnistr binds unistr(text): \XXXX, \+XXXXXX, \uXXXX and \UXXXXXXXX
// (hex code points, UTF-16 surrogate pairs joined) and \\; a malformed
// escape is 42601 and a code point out of range 22023, as in PostgreSQL.
func buildUnistr(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	return textCall(name, args, func(i int, dst []byte, v []strView) ([]byte, bool, error) {
		s := v[0].str(i)
		bad := func() error {
			return sqltypes.New(sqltypes.CodeSyntaxError, "invalid Unicode escape").
				WithHint("Unicode escapes must be \\XXXX, \\+XXXXXX, \\uXXXX, or \\UXXXXXXXX.")
		}
		var high rune
		for j := 0; j < len(s); {
			if s[j] != '\\' {
				if high != 0 {
					return nil, false, sqltypes.New(sqltypes.CodeSyntaxError, "invalid Unicode surrogate pair")
				}
				dst = append(dst, s[j])
				j++
				continue
			}
			if j+1 < len(s) && s[j+1] == '\\' {
				dst = append(dst, '\\')
				j += 2
				continue
			}
			var digits int
			start := j + 1
			switch {
			case j+1 < len(s) && s[j+1] == '+':
				digits, start = 6, j+2
			case j+1 < len(s) && s[j+1] == 'u':
				digits, start = 4, j+2
			case j+1 < len(s) && s[j+1] == 'U':
				digits, start = 8, j+2
			default:
				digits = 4
			}
			if start+digits > len(s) {
				return nil, false, bad()
			}
			cp, err := strconv.ParseUint(s[start:start+digits], 16, 32)
			if err != nil {
				return nil, false, bad()
			}
			if cp > utf8.MaxRune {
				// Checked before the rune conversion, which would wrap
				// \U80000000 and above to negative runes.
				return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid Unicode code point: %04X", cp)
			}
			r := rune(cp)
			j = start + digits
			switch {
			case r >= 0xD800 && r <= 0xDBFF:
				if high != 0 {
					return nil, false, sqltypes.New(sqltypes.CodeSyntaxError, "invalid Unicode surrogate pair")
				}
				high = r
				continue
			case r >= 0xDC00 && r <= 0xDFFF:
				if high == 0 {
					return nil, false, sqltypes.New(sqltypes.CodeSyntaxError, "invalid Unicode surrogate pair")
				}
				r, high = (high-0xD800)<<10+(r-0xDC00)+0x10000, 0
			case high != 0:
				return nil, false, sqltypes.New(sqltypes.CodeSyntaxError, "invalid Unicode surrogate pair")
			}
			if r == 0 || r > utf8.MaxRune {
				return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid Unicode code point: %04X", r)
			}
			dst = utf8.AppendRune(dst, r)
		}
		if high != 0 {
			return nil, false, sqltypes.New(sqltypes.CodeSyntaxError, "invalid Unicode surrogate pair")
		}
		return dst, false, nil
	})
}
