package expr

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// quote_ident, quote_literal, quote_nullable and format(fmt, args...)
// with %s %I %L, %% and positional %n$ (no width flags).

// quotedKeyword reports whether word is a keyword quote_ident must quote:
// every PostgreSQL 15 keyword that is not unreserved (pg_get_keywords()
// catcode <> 'U').
func quotedKeyword(word string) bool {
	switch word {
	case "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
		"between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check",
		"coalesce", "collate", "collation", "column", "concurrently", "constraint", "create", "cross",
		"current_catalog", "current_date", "current_role", "current_schema", "current_time",
		"current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc", "distinct",
		"do", "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for", "foreign",
		"freeze", "from", "full", "grant", "greatest", "group", "grouping", "having", "ilike", "in",
		"initially", "inner", "inout", "int", "integer", "intersect", "interval", "into", "is", "isnull",
		"join", "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp",
		"national", "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
		"offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing", "position",
		"precision", "primary", "real", "references", "returning", "right", "row", "select", "session_user",
		"setof", "similar", "smallint", "some", "substring", "symmetric", "table", "tablesample", "then",
		"time", "timestamp", "to", "trailing", "treat", "trim", "true", "union", "unique", "user", "using",
		"values", "varchar", "variadic", "verbose", "when", "where", "window", "with", "xmlattributes",
		"xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi",
		"xmlroot", "xmlserialize", "xmltable":
		return true
	}
	return false
}

// QuoteIdent quotes s as PostgreSQL's quote_identifier does: as is when
// it is a lower-case identifier and no reserved keyword.
func QuoteIdent(s string) string { return string(appendQuoteIdent(nil, s)) }

// appendQuoteIdent quotes s as PostgreSQL's quote_identifier does.
func appendQuoteIdent(dst []byte, s string) []byte {
	safe := s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] == '_')
	for i := 0; safe && i < len(s); i++ {
		c := s[i]
		safe = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if safe && !quotedKeyword(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	dst = append(dst, strings.ReplaceAll(s, `"`, `""`)...)
	return append(dst, '"')
}

// appendQuoteLiteral quotes s as a string literal, using E” with doubled
// backslashes when s contains one.
func appendQuoteLiteral(dst []byte, s string) []byte {
	if strings.IndexByte(s, '\\') >= 0 {
		dst = append(dst, 'E')
	}
	return appendQuoted(dst, s, '\'')
}

// appendQuoted writes s between quote characters q, doubling q and
// backslashes inside.
func appendQuoted(dst []byte, s string, q byte) []byte {
	dst = append(dst, q)
	for i := 0; i < len(s); i++ {
		if s[i] == q || s[i] == '\\' {
			dst = append(dst, s[i])
		}
		dst = append(dst, s[i])
	}
	return append(dst, q)
}

// toTextArg converts any argument to text (the output function).
func toTextArg(name string, args []Expr, a Expr) (Expr, error) {
	if a.Type().IsString() {
		return a, nil
	}
	if a.Type().Kind == sqltypes.Unknown {
		return coerceTo(a, sqltypes.TypeText), nil
	}
	c, err := Cast(a, sqltypes.TypeText)
	if err != nil {
		return nil, functionError(name, args)
	}
	return c, nil
}

func buildQuote(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a, err := toTextArg(name, args, args[0])
	if err != nil {
		return nil, err
	}
	if name == "quote_ident" && !implicitText(args[0].Type()) {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: []Expr{a}, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		valid := in
		if name == "quote_nullable" {
			valid = nil
		}
		return boundedStr(env, name, arrow.BinaryTypes.String, n, valid, func(i int, dst []byte) ([]byte, bool, error) {
			switch {
			case name == "quote_ident":
				return appendQuoteIdent(dst, v.str(i)), false, nil
			case in[0].IsNull(i):
				return append(dst, "NULL"...), false, nil
			}
			return appendQuoteLiteral(dst, v.str(i)), false, nil
		})
	}}, nil
}

// buildFormat is format(fmt, args...): %s inserts the text form (NULL is
// empty), %I an identifier (NULL is 22004), %L a literal (NULL is NULL
// unquoted), %% a percent sign; %n$ selects argument n.
func buildFormat(name string, args []Expr) (Expr, error) {
	if len(args) < 1 {
		return nil, functionError(name, args)
	}
	a := make([]Expr, len(args))
	for i, x := range args {
		if x.Type().Kind == sqltypes.Bool { // the output function's t/f, as concat
			a[i] = &castExpr{in: x, t: sqltypes.TypeText, k: boolOutKernel}
			continue
		}
		c, err := toTextArg(name, args, outputText(x))
		if err != nil {
			return nil, err
		}
		a[i] = c
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := textViews(in)
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in[:1], func(i int, dst []byte) ([]byte, bool, error) {
			return appendFormat(dst, v[0].str(i), in[1:], v[1:], i)
		})
	}}, nil
}

func errFormat(msg string) error {
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, "%s", msg)
}

func appendFormat(dst []byte, f string, in []arrow.Array, v []strView, row int) ([]byte, bool, error) {
	next := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			dst = append(dst, f[i])
			continue
		}
		i++
		if i >= len(f) {
			return nil, false, errFormat("unterminated format() type specifier")
		}
		if f[i] == '%' {
			dst = append(dst, '%')
			continue
		}
		arg := next
		if j := strings.IndexByte(f[i:], '$'); j > 0 {
			if k, err := strconv.Atoi(f[i : i+j]); err == nil {
				if k < 1 {
					return nil, false, errFormat("format specifies argument 0, but arguments are numbered from 1")
				}
				arg, i = k-1, i+j+1
				if i >= len(f) {
					return nil, false, errFormat("unterminated format() type specifier")
				}
			}
		}
		// Flags and width: %-10s, %*s, %*2$s (a width from an argument
		// is consumed before the value; a negative one left-justifies).
		left, width := false, 0
		for i < len(f) && f[i] == '-' {
			left = true
			i++
		}
		switch {
		case i < len(f) && f[i] == '*':
			i++
			warg := arg
			if j := strings.IndexByte(f[i:], '$'); j > 0 {
				if k, err := strconv.Atoi(f[i : i+j]); err == nil && k >= 1 {
					warg, i = k-1, i+j+1
				}
			} else {
				arg++
			}
			if warg >= len(in) {
				return nil, false, errFormat("too few arguments for format()")
			}
			if !in[warg].IsNull(row) {
				w, err := strconv.Atoi(strings.TrimSpace(v[warg].str(row)))
				if err != nil {
					return nil, false, sqltypes.New(sqltypes.CodeInvalidTextRepr, "invalid input syntax for type integer: %q", v[warg].str(row))
				}
				if w < 0 {
					left, w = true, -w
				}
				width = w
			}
		default:
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				width = width*10 + int(f[i]-'0')
				if width > 1<<20 {
					return nil, false, errFormat("number is out of range")
				}
				i++
			}
		}
		if i >= len(f) {
			return nil, false, errFormat("unterminated format() type specifier")
		}
		next = arg + 1
		c := f[i]
		if c != 's' && c != 'I' && c != 'L' {
			return nil, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "unrecognized format() type specifier \"%c\"", c).
				WithHint("For a single \"%%\" use \"%%%%\".")
		}
		if arg >= len(in) {
			return nil, false, errFormat("too few arguments for format()")
		}
		null := in[arg].IsNull(row)
		start := len(dst)
		switch c {
		case 's':
			if !null {
				dst = append(dst, v[arg].bytes(row)...)
			}
		case 'I':
			if null {
				return nil, false, sqltypes.New("22004", "null values cannot be formatted as an SQL identifier")
			}
			dst = appendQuoteIdent(dst, v[arg].str(row))
		case 'L':
			if null {
				dst = append(dst, "NULL"...)
			} else {
				dst = appendQuoteLiteral(dst, v[arg].str(row))
			}
		}
		if pad := width - utf8.RuneCount(dst[start:]); pad > 0 {
			if left {
				dst = append(dst, strings.Repeat(" ", pad)...)
			} else {
				dst = append(dst[:start], append([]byte(strings.Repeat(" ", pad)), dst[start:]...)...)
			}
		}
	}
	return dst, false, nil
}

// buildParseIdent is parse_ident(text [, strict boolean]): a qualified
// identifier split into its names as PostgreSQL's parser reads them,
// unquoted ones lower-cased (not cut to 63 bytes, as PostgreSQL 15), quoted ones as written
// ("" an inner quote). Without strict, text after the last name is
// ignored.
func buildParseIdent(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 2); err != nil {
		return nil, err
	}
	a := []Expr{coerceTo(args[0], sqltypes.TypeText)}
	if len(args) == 2 {
		a = append(a, coerceTo(args[1], sqltypes.TypeBool))
	}
	if !a[0].Type().IsString() || len(a) == 2 && a[1].Type().Kind != sqltypes.Bool {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: a, t: textListType, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		return textListRows(env.Mem, n, in, func(i int, dst []textElem) ([]textElem, bool, error) {
			strict := len(in) < 2 || boolAt(in[1], i)
			names, err := parseIdent(v.str(i), strict)
			for _, s := range names {
				dst = append(dst, textElem{s: s})
			}
			return dst, false, err
		})
	}}, nil
}

// parseIdent is PostgreSQL's parse_ident (utils/adt/misc.c).
func parseIdent(s string, strict bool) ([]string, error) {
	invalid := func(detail string) error {
		err := sqltypes.New(sqltypes.CodeInvalidParameterValue, "string is not a valid identifier: \"%s\"", s)
		if detail != "" {
			err = err.WithDetail("%s", detail)
		}
		return err
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	isStart := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80 }
	skipSpace := func(p int) int {
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		return p
	}
	var names []string
	p := skipSpace(0)
	afterDot := false
	for {
		switch {
		case p < len(s) && s[p] == '"':
			name, next, ok := sqltypes.QuotedIdentifier(s, p)
			if !ok {
				return nil, invalid("String has unclosed double quotes.")
			}
			p = next
			if len(name) == 0 {
				return nil, invalid("Quoted identifier must not be empty.")
			}
			names = append(names, string(name))
		case p < len(s) && isStart(s[p]):
			start := p
			for p < len(s) && (isStart(s[p]) || s[p] >= '0' && s[p] <= '9' || s[p] == '$') {
				p++
			}
			names = append(names, asciiLower(s[start:p]))
		case p < len(s) && s[p] == '.':
			return nil, invalid(`No valid identifier before ".".`)
		case afterDot:
			return nil, invalid(`No valid identifier after ".".`)
		default:
			return nil, invalid("")
		}
		p = skipSpace(p)
		switch {
		case p < len(s) && s[p] == '.':
			afterDot = true
			p = skipSpace(p + 1)
		case p >= len(s):
			return names, nil
		case strict:
			return nil, invalid("")
		default:
			return names, nil
		}
	}
}

// asciiLower lower-cases A-Z only, as PostgreSQL folds identifiers in a
// multibyte encoding.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// buildPgGetExpr is pg_get_expr(expr, relation [, pretty]): meshql keeps
// the expressions clients ask about (row filters in pg_policy.polqual) as
// SQL text, which is their decompiled form; anything else has none.
func buildPgGetExpr(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	if e := coerceTo(args[0], sqltypes.TypeText); e.Type().IsString() {
		return e, nil
	}
	return Literal(sqltypes.TypeText, nil), nil
}
