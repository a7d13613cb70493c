package tpch

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Result is a query result as text: column names and rows of values in
// PostgreSQL's text format ("NULL" for NULL).
type Result struct {
	Columns []string
	Rows    [][]string
}

// LoadAnswer reads a reference answer: CSV with a header row, as the
// reference generator (DuckDB) writes it. NULL is written as an empty
// field, so in a one-column answer an empty line is a row holding NULL
// (encoding/csv would skip it).
func LoadAnswer(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no header row", path)
	}
	res := &Result{Columns: recs[0], Rows: recs[1:]}
	if len(res.Columns) == 1 {
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		res.Rows = res.Rows[:0]
		for _, line := range lines[1:] {
			if line == "" {
				res.Rows = append(res.Rows, []string{""})
				continue
			}
			rec, err := csv.NewReader(strings.NewReader(line)).Read()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			res.Rows = append(res.Rows, rec)
		}
	}
	return res, nil
}

// Compare checks got against the reference answer want of query (the SQL
// text, used to decide whether row order matters) and describes the first
// difference.
//
// Values are equal when their text is equal, when both parse as numbers
// and |got-want| <= max(0.01, 1e-6*|want|) (money is rounded to cents,
// averages are printed with full float precision), or when got is NULL
// and want is empty (CSV has no NULL). Rows are compared in order when the
// query's outermost SELECT has an ORDER BY (18 TPC-H queries do, on keys
// that order their output completely; the other 4 return one row),
// otherwise as multisets.
// Column names are not compared: the reference names unaliased aggregates
// as DuckDB does ("sum(l_quantity)"), PostgreSQL and meshql as "sum".
func Compare(query string, got, want *Result) error { return CompareColumns(query, got, want, nil) }

// CompareColumns is Compare that does not compare the values of the
// columns (named as in want) for which skip returns true, for data whose
// free text differs from the reference's (generated addresses and
// comments). Skipped columns still take part in ordering unordered rows.
func CompareColumns(query string, got, want *Result, skip func(column string) bool) error {
	if len(got.Columns) != len(want.Columns) {
		return fmt.Errorf("%d columns %v, want %d %v", len(got.Columns), got.Columns, len(want.Columns), want.Columns)
	}
	g, w := got.Rows, want.Rows
	ordered := HasOrderBy(query)
	if !ordered {
		g, w = sortedRows(g), sortedRows(w)
	}
	for i := 0; i < min(len(g), len(w)); i++ {
		for j := range w[i] {
			if skip != nil && skip(want.Columns[j]) {
				continue
			}
			if j >= len(g[i]) || !equalValue(g[i][j], w[i][j]) {
				gv := "(missing)"
				if j < len(g[i]) {
					gv = strconv.Quote(g[i][j])
				}
				return fmt.Errorf("row %d, column %d (%s): got %s, want %q (ordered=%v, %d rows, want %d)\n got row: %v\nwant row: %v",
					i+1, j+1, want.Columns[j], gv, w[i][j], ordered, len(g), len(w), g[i], w[i])
			}
		}
	}
	if len(g) != len(w) {
		return fmt.Errorf("%d rows, want %d", len(g), len(w))
	}
	return nil
}

func equalValue(got, want string) bool {
	if got == want || got == "NULL" && want == "" {
		return true
	}
	a, err1 := strconv.ParseFloat(got, 64)
	b, err2 := strconv.ParseFloat(want, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	return math.Abs(a-b) <= max(0.01, 1e-6*math.Abs(b))
}

func sortedRows(rows [][]string) [][]string {
	out := append([][]string(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool {
		return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00")
	})
	return out
}

// HasOrderBy reports whether the outermost query of sql ends with an
// ORDER BY: it looks for the words ORDER BY outside parentheses, string
// literals, quoted identifiers and comments.
func HasOrderBy(sql string) bool {
	depth := 0
	var prev string // the previous word at depth 0
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return false
			}
			i += end + 4
		case c == '\'' || c == '"':
			end := strings.IndexByte(sql[i+1:], c)
			if end < 0 {
				return false
			}
			i += end + 2
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			i++
		case isWordByte(c):
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			word := strings.ToLower(sql[i:j])
			if depth == 0 {
				if prev == "order" && word == "by" {
					return true
				}
				prev = word
			}
			i = j
		default:
			i++
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
