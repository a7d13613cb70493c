package parse

import (
	"strconv"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/sqltypes"
)

// IdentifierNotices returns PostgreSQL's NOTICE 42622 for each identifier
// in sql longer than 63 bytes, in order, as its scanner raises them while
// reading the text: `identifier "…" will be truncated to "…"`, the name
// folded to lower case unless quoted, cut without splitting a character.
// Text with no run of 64 name bytes is not scanned.
func IdentifierNotices(sql string) []*sqltypes.Error {
	if !mayHaveLongIdentifier(sql) {
		return nil
	}
	res, err := pg_query.Scan(sql)
	if err != nil {
		return nil // a syntax error is reported by Parse
	}
	var out []*sqltypes.Error
	for i, t := range res.Tokens {
		if (t.Token != pg_query.Token_IDENT && t.Token != pg_query.Token_UIDENT) || int(t.End) > len(sql) || t.Start >= t.End {
			continue
		}
		name := identifierValue(sql[t.Start:t.End])
		if t.Token == pg_query.Token_UIDENT {
			if i+1 < len(res.Tokens) && res.Tokens[i+1].Token == pg_query.Token_UESCAPE {
				continue // an escape character of its own: rare, not worth decoding here
			}
			var ok bool
			if name, ok = unicodeIdentifierValue(sql[t.Start:t.End]); !ok {
				continue
			}
		}
		if len(name) <= sqltypes.MaxIdentifierLength {
			continue
		}
		out = append(out, &sqltypes.Error{Code: sqltypes.CodeNameTooLong, Severity: "NOTICE",
			Msg: `identifier "` + name + `" will be truncated to "` + sqltypes.TruncateIdentifier(name) + `"`})
	}
	return out
}

// identifierValue is the name an IDENT token's text stands for: a quoted
// one without its quotes (a doubled quote is one), an unquoted one with
// ASCII letters in lower case, as PostgreSQL's downcase_identifier.
func identifierValue(text string) string {
	if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
		return strings.ReplaceAll(text[1:len(text)-1], `""`, `"`)
	}
	b := []byte(text)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// unicodeIdentifierValue is the name a U&"…" token stands for, with
// PostgreSQL's default escape: \XXXX and \+XXXXXX code points, \\ a
// backslash; ok is false for text that does not decode (the parser
// reports it).
func unicodeIdentifierValue(text string) (string, bool) {
	if len(text) < 4 || !strings.HasPrefix(strings.ToUpper(text[:3]), `U&"`) || text[len(text)-1] != '"' {
		return "", false
	}
	in := strings.ReplaceAll(text[3:len(text)-1], `""`, `"`)
	var b strings.Builder
	for i := 0; i < len(in); {
		if in[i] != '\\' {
			b.WriteByte(in[i])
			i++
			continue
		}
		digits := 4
		switch {
		case strings.HasPrefix(in[i:], `\\`):
			b.WriteByte('\\')
			i += 2
			continue
		case strings.HasPrefix(in[i:], `\+`):
			digits = 6
			i++
		}
		if i+1+digits > len(in) {
			return "", false
		}
		cp, err := strconv.ParseUint(in[i+1:i+1+digits], 16, 32)
		if err != nil || cp == 0 || cp > utf8.MaxRune || (cp >= 0xd800 && cp <= 0xdfff) {
			return "", false
		}
		b.WriteRune(rune(cp))
		i += 1 + digits
	}
	return b.String(), true
}

// mayHaveLongIdentifier reports whether sql holds a quoted name or a run
// of name bytes (letters, digits, _, $, non-ASCII) longer than 63 bytes,
// the only text that can hold a long identifier. Quotes inside string
// literals may make it answer true; the scan then finds nothing.
func mayHaveLongIdentifier(sql string) bool {
	run := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(sql) && (sql[j] != '"' || j+1 < len(sql) && sql[j+1] == '"') {
				if sql[j] == '"' {
					j++ // a doubled quote
				}
				j++
			}
			if j-i-1 > sqltypes.MaxIdentifierLength {
				return true
			}
			i, run = j, 0
		case c >= 0x80 || c == '_' || c == '$' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z':
			if run++; run > sqltypes.MaxIdentifierLength {
				return true
			}
		default:
			run = 0
		}
	}
	return false
}
