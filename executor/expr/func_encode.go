package expr

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// encode(bytea, format) → text, decode(text, format) → bytea for the
// formats base64 (MIME lines of 76 characters; whitespace ignored when
// decoding), hex and escape, and sha224/256/384/512(bytea) → bytea, as
// PostgreSQL. Bad input and unknown formats are 22023.

func errEncoding(format string, args ...any) *sqltypes.Error {
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, format, args...)
}

// byteaArg casts x to bytea when it is bytea already or untyped (a
// literal or parameter); text has no implicit cast, as in PostgreSQL.
func byteaArg(name string, args []Expr, k int) (Expr, error) {
	x := args[k]
	if x.Type().Kind == sqltypes.Bytea {
		return x, nil
	}
	if x.Type().Kind == sqltypes.Unknown {
		return Cast(x, sqltypes.TypeBytea)
	}
	return nil, functionError(name, args)
}

func buildEncode(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	out := sqltypes.TypeBytea
	var a0 Expr
	var err error
	if name == "encode" {
		out = sqltypes.TypeText
		a0, err = byteaArg(name, args, 0)
	} else {
		var a []Expr
		a, err = coerceArgs(name, args[:1], sqltypes.TypeText)
		if err == nil {
			a0 = a[0]
		}
	}
	if err != nil {
		return nil, err
	}
	f, err := coerceArgs(name, args[1:], sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	encode := name == "encode"
	return &callExpr{name: name, args: []Expr{a0, f[0]}, t: out, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := textViews(in)
		return boundedStr(env, name, out.Arrow(), n, in, func(i int, dst []byte) ([]byte, bool, error) {
			src, format := v[0].bytes(i), strings.ToLower(v[1].str(i))
			if encode {
				return encodeBytes(dst, src, format)
			}
			return decodeBytes(dst, src, format)
		})
	}}, nil
}

func encodeBytes(dst, src []byte, format string) ([]byte, bool, error) {
	switch format {
	case "hex":
		return hex.AppendEncode(dst, src), false, nil
	case "base64":
		enc := base64.StdEncoding.AppendEncode(nil, src)
		for len(enc) > 76 {
			dst = append(append(dst, enc[:76]...), '\n')
			enc = enc[76:]
		}
		return append(dst, enc...), false, nil
	case "escape":
		for _, c := range src {
			switch {
			case c == 0 || c >= 0x80:
				dst = append(dst, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
			case c == '\\':
				dst = append(dst, '\\', '\\')
			default:
				dst = append(dst, c)
			}
		}
		return dst, false, nil
	}
	return nil, false, errEncoding("unrecognized encoding: %q", format)
}

func decodeBytes(dst, src []byte, format string) ([]byte, bool, error) {
	switch format {
	case "hex":
		out, err := sqltypes.DecodeHex(string(src))
		return append(dst, out...), false, err
	case "base64":
		clean := make([]byte, 0, len(src))
		for _, c := range src {
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			case c == '=' || c == '+' || c == '/' || isAlnumByte(c):
				clean = append(clean, c)
			default:
				return nil, false, errEncoding("invalid symbol %q found while decoding base64 sequence", string(c))
			}
		}
		out, err := base64.StdEncoding.AppendDecode(dst, clean)
		if err != nil {
			return nil, false, errEncoding("invalid base64 end sequence").WithHint("Input data is missing padding, is truncated, or is otherwise corrupted.")
		}
		return out, false, nil
	case "escape":
		out, err := sqltypes.DecodeEscape(string(src))
		return append(dst, out...), false, err
	}
	return nil, false, errEncoding("unrecognized encoding: %q", format)
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// buildSHA: sha224/sha256/sha384/sha512(bytea) → bytea.
func buildSHA(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a, err := byteaArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	var sum func([]byte) []byte
	switch name {
	case "sha224":
		sum = func(b []byte) []byte { s := sha256.Sum224(b); return s[:] }
	case "sha256":
		sum = func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	case "sha384":
		sum = func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }
	default:
		sum = func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }
	}
	return &callExpr{name: name, args: []Expr{a}, t: sqltypes.TypeBytea, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		return boundedStr(env, name, arrow.BinaryTypes.Binary, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			return append(dst, sum(v.bytes(i))...), false, nil
		})
	}}, nil
}
