// Package parse is meshql's SQL front end and the only package that imports
// pg_query_go (PostgreSQL's own grammar, through cgo). It splits SQL text
// into statements and reports syntax errors as *sqltypes.Error with SQLSTATE
// 42601 and the cursor position.
//
// The parse tree types are re-exported as aliases so that the binder can
// walk them without importing pg_query_go itself; no other package links
// the grammar directly.
package parse

import (
	"errors"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/meshql/meshql/sqltypes"
)

// Node is a parse tree node (a oneof over every PostgreSQL node type).
type Node = pg_query.Node

// Statement is one statement of a query string.
type Statement struct {
	Node *Node
	SQL  string // the statement's own text, trimmed
	// Offset is the byte offset of SQL in the whole query string, so that
	// error positions inside the statement can be reported against it;
	// OffsetChars is the same offset in characters.
	Offset      int
	OffsetChars int
}

// CharPosition converts a 1-based byte position in the whole query
// string (a parse node's location + 1) into the 1-based character
// position PostgreSQL reports. A position outside the statement is kept.
func (s Statement) CharPosition(pos int) int {
	rel := pos - 1 - s.Offset
	if pos <= 0 || rel < 0 || rel > len(s.SQL) {
		return pos
	}
	return s.OffsetChars + utf8.RuneCountInString(s.SQL[:rel]) + 1
}

// Parse splits sql into statements. An empty string (or one holding only
// comments and semicolons) yields no statements and no error.
func Parse(sql string) ([]Statement, error) {
	if err := checkNesting(sql); err != nil {
		return nil, err
	}
	res, err := pg_query.Parse(sql)
	if err != nil {
		return nil, syntaxError(sql, err)
	}
	if err := checkNumericLiterals(sql); err != nil {
		return nil, err
	}
	stmts := make([]Statement, 0, len(res.Stmts))
	for _, rs := range res.Stmts {
		start := int(rs.StmtLocation)
		end := len(sql)
		if rs.StmtLen > 0 {
			end = start + int(rs.StmtLen)
		}
		if start > len(sql) || end > len(sql) || start > end {
			start, end = 0, len(sql)
		}
		text := sql[start:end]
		trimmed := strings.TrimLeft(text, " \t\r\n")
		offset := start + (len(text) - len(trimmed))
		stmts = append(stmts, Statement{
			Node:        rs.Stmt,
			SQL:         strings.TrimRight(trimmed, " \t\r\n;"),
			Offset:      offset,
			OffsetChars: utf8.RuneCountInString(sql[:offset]),
		})
	}
	return stmts, nil
}

// syntaxError converts a pg_query error into 42601 with the 1-based
// character position PostgreSQL would report.
func syntaxError(sql string, err error) error {
	var pe *parser.Error
	if !errors.As(err, &pe) {
		if strings.Contains(err.Error(), "exceeded maximum recursion depth") {
			// The parse tree crosses from C as protobuf, whose decoder
			// stops at 10,000 levels; PostgreSQL's own limit is its stack.
			return errStackDepth()
		}
		return sqltypes.Wrap(err, sqltypes.CodeSyntaxError, "%s", err.Error())
	}
	code := lexerErrorCode(pe)
	if pe.Filename == "gram.y" && strings.HasPrefix(pe.Message, "frame ") {
		// The grammar's frame checks (frame start cannot be UNBOUNDED
		// FOLLOWING, …) raise ERRCODE_WINDOWING_ERROR, which the
		// parser's error does not carry.
		code = sqltypes.CodeWindowingError
	}
	e := sqltypes.New(code, "%s", pe.Message)
	if e.Code == sqltypes.CodeInvalidEscapeSequence {
		e.Hint = `Unicode escapes must be \uXXXX or \UXXXXXXXX.`
	}
	if pe.Cursorpos > 0 {
		e.Position = pe.Cursorpos
	}
	if h := joinUnnestHint(sql); h != "" {
		e.Hint = h
	}
	return e
}

// checkNumericLiterals rejects the numeric literals PostgreSQL 16 added
// (0x1F, 0o17, 0b101, 1_000), which the linked grammar (17's) accepts and
// PostgreSQL 15 reads as trailing junk. Only text that may hold one is
// scanned again.
func checkNumericLiterals(sql string) error {
	if !mayHaveNewNumeric(sql) {
		return nil
	}
	res, err := pg_query.Scan(sql)
	if err != nil {
		return nil // the parse succeeded: nothing to add
	}
	for _, t := range res.Tokens {
		if t.Token != pg_query.Token_ICONST && t.Token != pg_query.Token_FCONST {
			continue
		}
		text := sql[t.Start:t.End]
		if len(text) > 1 && text[0] == '0' && strings.ContainsAny(text[1:2], "xXoObB") || strings.Contains(text, "_") {
			e := sqltypes.New(sqltypes.CodeSyntaxError, "trailing junk after numeric literal at or near \"%s\"", text)
			e.Position = utf8.RuneCountInString(sql[:t.Start]) + 1
			return e
		}
	}
	return nil
}

// mayHaveNewNumeric reports whether sql has a digit followed by '_' or a
// 0 followed by x, o or b: the start of a PostgreSQL 16 numeric literal
// (or of an identifier such as c1_x, which the scan then tells apart).
func mayHaveNewNumeric(sql string) bool {
	for i := 0; i+1 < len(sql); i++ {
		c, n := sql[i], sql[i+1]
		if c >= '0' && c <= '9' && n == '_' || c == '0' && strings.IndexByte("xXoObB", n) >= 0 {
			return true
		}
	}
	return false
}

// lexerErrorCode is the SQLSTATE PostgreSQL reports with pe (its code
// does not cross from C): a bad byte or \u escape in an E'\u…' string
// is a data error; U&'\…' escapes (str_udeescape) are syntax errors there.
func lexerErrorCode(pe *parser.Error) string {
	switch {
	case strings.HasPrefix(pe.Message, "invalid byte sequence for encoding"):
		return "22021"
	case pe.Message == "invalid Unicode escape" && pe.Funcname == "core_yylex":
		return sqltypes.CodeInvalidEscapeSequence
	}
	return sqltypes.CodeSyntaxError
}

// Deparse renders a parse tree back into SQL text (EXECUTE's arguments).
func Deparse(n *Node) (string, error) {
	// The grammar checks that a tree carries its version; the version
	// of a tree built here is the linked grammar's, read from a parse.
	v, err := pg_query.Parse("")
	if err != nil {
		return "", err
	}
	tree := &pg_query.ParseResult{Version: v.Version, Stmts: []*pg_query.RawStmt{{Stmt: n}}}
	return pg_query.Deparse(tree)
}

// Fingerprint identifies statements that differ only in constants.
func Fingerprint(sql string) (string, error) {
	if err := checkNesting(sql); err != nil {
		return "", err
	}
	return pg_query.Fingerprint(sql)
}
