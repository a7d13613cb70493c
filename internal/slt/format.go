package slt

import (
	"fmt"
	"slices"
	"strings"
)

// ColumnSep separates the values of a row in expected results.
const ColumnSep = " | "

// RenderValue renders one value for an expected-results line. The text is
// PostgreSQL's text output; the rendering only makes it unambiguous:
//
//	NULL                  → NULL
//	empty string          → (empty)
//	"NULL" / "(empty)"    → \NULL / \(empty)
//	\  |  tab  LF  CR     → \\  \|  \t  \n  \r
//	leading/trailing " "  → \s
//
// Interior spaces are kept, so most values read as psql prints them.
func RenderValue(v *string) string {
	if v == nil {
		return "NULL"
	}
	s := *v
	switch s {
	case "":
		return "(empty)"
	case "NULL", "(empty)":
		return `\` + s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '|':
			b.WriteString(`\|`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case ' ':
			if i == 0 || i == len(s)-1 {
				b.WriteString(`\s`)
			} else {
				b.WriteByte(' ')
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// renderRows renders rows as expected-result lines in the given sort mode.
func renderRows(rows *Rows, mode SortMode) []string {
	var out []string
	if mode == ValueSort {
		for _, row := range rows.Values {
			for _, v := range row {
				out = append(out, RenderValue(v))
			}
		}
		slices.Sort(out)
		return out
	}
	for _, row := range rows.Values {
		vals := make([]string, len(row))
		for i, v := range row {
			vals[i] = RenderValue(v)
		}
		out = append(out, strings.Join(vals, ColumnSep))
	}
	if mode == RowSort {
		sortRows(out)
	}
	return out
}

// sortRows sorts rendered rows for rowsort: by their values compared
// column by column as strings, so rows read in first-column order. Values
// never contain an unescaped ColumnSep, so splitting is exact.
func sortRows(lines []string) {
	slices.SortStableFunc(lines, func(a, b string) int {
		return slices.Compare(strings.Split(a, ColumnSep), strings.Split(b, ColumnSep))
	})
}

// maxDiffCells bounds the LCS table of diffLines; larger inputs are shown
// in full instead of diffed.
const maxDiffCells = 1 << 20

// diffLines returns a line diff of want and got: "  " for common lines,
// "- " for lines only in want, "+ " for lines only in got.
func diffLines(want, got []string) string {
	var b strings.Builder
	if (len(want)+1)*(len(got)+1) > maxDiffCells {
		b.WriteString("expected:\n")
		for _, l := range want {
			b.WriteString("  " + l + "\n")
		}
		b.WriteString("got:\n")
		for _, l := range got {
			b.WriteString("  " + l + "\n")
		}
		return b.String()
	}
	// lcs[i][j] = length of the LCS of want[i:] and got[j:].
	lcs := make([][]int, len(want)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(got)+1)
	}
	for i := len(want) - 1; i >= 0; i-- {
		for j := len(got) - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case i < len(want) && j < len(got) && want[i] == got[j]:
			fmt.Fprintf(&b, "  %s\n", want[i])
			i, j = i+1, j+1
		case j < len(got) && (i == len(want) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&b, "+ %s\n", got[j])
			j++
		default:
			fmt.Fprintf(&b, "- %s\n", want[i])
			i++
		}
	}
	return b.String()
}

// indent prefixes every line of s with two spaces.
func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
