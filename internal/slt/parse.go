package slt

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Engine names accepted by skipif and onlyif.
const (
	EngineMeshQL   = "meshql"
	EnginePostgres = "postgres"
)

// Kind is the kind of a record.
type Kind uint8

const (
	// Statement runs SQL and expects success or an error with a SQLSTATE.
	Statement Kind = iota
	// Query runs SQL and compares its rows with the expected rows.
	Query
	// Halt ends the file for the engines it applies to.
	Halt
)

// SortMode says how a query's rows are ordered before comparison.
type SortMode uint8

const (
	NoSort    SortMode = iota // compare rows in the order returned
	RowSort                   // sort rendered rows as strings
	ValueSort                 // sort all values individually, one per line
)

var sortModes = map[string]SortMode{"nosort": NoSort, "rowsort": RowSort, "valuesort": ValueSort}

func (m SortMode) String() string {
	for k, v := range sortModes {
		if v == m {
			return k
		}
	}
	return fmt.Sprintf("SortMode(%d)", uint8(m))
}

// typeLetters are the valid letters of a query's type string.
const typeLetters = "TIRBD"

// Record is one statement, query or halt of an .slt file.
type Record struct {
	Kind   Kind
	Line   int      // 1-based line number of the record's header
	SkipIf []string // engines that skip this record
	OnlyIf []string // if non-empty, only these engines run it
	SQL    string   // the statement text, lines joined with "\n"

	// Statement records.
	ExpectError bool           // "statement error"
	ErrorCode   string         // expected SQLSTATE; "" accepts any error
	ErrorRegex  *regexp.Regexp // optional; searched for in the error's text

	// Query records.
	Types    string   // one letter per column, from typeLetters
	Sort     SortMode // how rows are ordered before comparison
	Expected []string // expected result lines, as written

	// Line indexes (0-based) used by Complete to rewrite the record:
	// lines[hdr] is the header, lines[hdr+1:sqlEnd] the SQL, and the record
	// ends before lines[end]. src is lines[hdr:sqlEnd].
	hdr, sqlEnd, end int
	src              []string
}

// AppliesTo reports whether engine runs r, per its skipif/onlyif lines.
func (r *Record) AppliesTo(engine string) bool {
	for _, e := range r.SkipIf {
		if e == engine {
			return false
		}
	}
	if len(r.OnlyIf) == 0 {
		return true
	}
	for _, e := range r.OnlyIf {
		if e == engine {
			return true
		}
	}
	return false
}

// File is a parsed .slt file.
type File struct {
	Path string
	// PGDivergent is set by a "# pg-divergent" comment line: meshql
	// deliberately differs from PostgreSQL here, so the file's expectations
	// cannot come from PostgreSQL and the postgres engine skips it.
	PGDivergent bool
	Records     []Record
	lines       []string
}

// ParseFile reads and parses the .slt file at path.
func ParseFile(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// Parse parses src; path is used in error messages. Errors name the line.
func Parse(path string, src []byte) (*File, error) {
	text := string(bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n")))
	text = strings.TrimSuffix(text, "\n")
	f := &File{Path: path}
	if text != "" {
		f.lines = strings.Split(text, "\n")
	}
	p := parser{f: f}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return f, nil
}

type parser struct {
	f              *File
	i              int // index of the next line
	skipIf, onlyIf []string
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.f.Path, line+1, fmt.Sprintf(format, args...))
}

func (p *parser) parse() error {
	lines := p.f.lines
	for p.i < len(lines) {
		line := strings.TrimSpace(lines[p.i])
		switch {
		case line == "":
			p.i++
			continue
		case strings.HasPrefix(line, "#"):
			if strings.HasPrefix(strings.TrimSpace(line[1:]), "pg-divergent") {
				p.f.PGDivergent = true
			}
			p.i++
			continue
		}
		fields := strings.Fields(line)
		switch fields[0] {
		case "skipif", "onlyif":
			if len(fields) != 2 || (fields[1] != EngineMeshQL && fields[1] != EnginePostgres) {
				return p.errorf(p.i, "want %q or %q, got %q", fields[0]+" "+EngineMeshQL, fields[0]+" "+EnginePostgres, line)
			}
			if fields[0] == "skipif" {
				p.skipIf = append(p.skipIf, fields[1])
			} else {
				p.onlyIf = append(p.onlyIf, fields[1])
			}
			p.i++
		case "halt":
			if len(fields) != 1 {
				return p.errorf(p.i, "halt takes no arguments")
			}
			p.add(Record{Kind: Halt, hdr: p.i, sqlEnd: p.i + 1, end: p.i + 1})
			p.i++
		case "statement":
			if err := p.statement(fields); err != nil {
				return err
			}
		case "query":
			if err := p.query(fields); err != nil {
				return err
			}
		default:
			return p.errorf(p.i, "unknown record %q (want statement, query, skipif, onlyif, halt or # comment)", fields[0])
		}
	}
	if len(p.skipIf)+len(p.onlyIf) > 0 {
		return p.errorf(len(lines)-1, "skipif/onlyif at end of file without a record")
	}
	return nil
}

// add appends r with the pending conditions and clears them.
func (p *parser) add(r Record) {
	r.Line = r.hdr + 1
	r.src = p.f.lines[r.hdr:r.sqlEnd]
	r.SkipIf, r.OnlyIf = p.skipIf, p.onlyIf
	p.skipIf, p.onlyIf = nil, nil
	p.f.Records = append(p.f.Records, r)
}

// sqlLines consumes lines up to a blank line, EOF or (if stopAtSep) "----".
func (p *parser) sqlLines(stopAtSep bool) (string, error) {
	hdr := p.i
	p.i++
	start := p.i
	for p.i < len(p.f.lines) {
		l := strings.TrimSpace(p.f.lines[p.i])
		if l == "" || (stopAtSep && l == "----") {
			break
		}
		p.i++
	}
	if p.i == start {
		return "", p.errorf(hdr, "record has no SQL")
	}
	return strings.Join(p.f.lines[start:p.i], "\n"), nil
}

func (p *parser) statement(fields []string) error {
	r := Record{Kind: Statement, hdr: p.i}
	switch {
	case len(fields) == 2 && fields[1] == "ok":
	case len(fields) >= 2 && fields[1] == "error":
		r.ExpectError = true
		if len(fields) >= 3 {
			r.ErrorCode = fields[2]
			if !isSQLState(r.ErrorCode) {
				return p.errorf(p.i, "invalid SQLSTATE %q (want 5 characters of 0-9A-Z)", r.ErrorCode)
			}
		}
		if len(fields) >= 4 {
			// The regex is the rest of the line after the code, spaces kept.
			line := strings.TrimSpace(p.f.lines[p.i])
			src := strings.TrimSpace(line[strings.Index(line, r.ErrorCode)+len(r.ErrorCode):])
			re, err := regexp.Compile(src)
			if err != nil {
				return p.errorf(p.i, "invalid error regex: %v", err)
			}
			r.ErrorRegex = re
		}
	default:
		return p.errorf(p.i, "want \"statement ok\" or \"statement error <SQLSTATE> [regex]\"")
	}
	sql, err := p.sqlLines(false)
	if err != nil {
		return err
	}
	r.SQL, r.sqlEnd, r.end = sql, p.i, p.i
	p.add(r)
	return nil
}

func isSQLState(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (p *parser) query(fields []string) error {
	r := Record{Kind: Query, hdr: p.i}
	if len(fields) < 2 || len(fields) > 3 {
		return p.errorf(p.i, "want \"query <types> [nosort|rowsort|valuesort]\"")
	}
	r.Types = fields[1]
	for _, c := range r.Types {
		if !strings.ContainsRune(typeLetters, c) {
			return p.errorf(p.i, "invalid type letter %q in %q (want letters of %s)", c, r.Types, typeLetters)
		}
	}
	if len(fields) == 3 {
		m, ok := sortModes[fields[2]]
		if !ok {
			return p.errorf(p.i, "invalid sort mode %q (want nosort, rowsort or valuesort)", fields[2])
		}
		r.Sort = m
	}
	sql, err := p.sqlLines(true)
	if err != nil {
		return err
	}
	r.SQL, r.sqlEnd = sql, p.i
	if p.i < len(p.f.lines) && strings.TrimSpace(p.f.lines[p.i]) == "----" {
		p.i++
		for p.i < len(p.f.lines) && strings.TrimSpace(p.f.lines[p.i]) != "" {
			r.Expected = append(r.Expected, p.f.lines[p.i])
			p.i++
		}
	}
	r.end = p.i
	p.add(r)
	return nil
}
