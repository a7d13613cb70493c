package main

import (
	"fmt"
	"io"
	"strings"
)

// errorLine is how psql's libpq shows where in the statement an error is
// (reportErrorPosition in fe-protocol3.c): the line holding the 1-based
// character position pos, as "LINE n: text", and a caret under the
// position. A line longer than 60 characters is cut to about 60 around
// the position, with "..." where text was left out. Tabs show as one
// space, as libpq prints them.
func errorLine(w io.Writer, sql string, pos int) {
	const displaySize, minRightCut = 60, 10
	text := []rune(sql)
	loc := min(pos-1, len(text)) // past the end: "at end of input"
	if loc < 0 {
		return
	}
	line, ibeg := 1, 0
	for i := 0; i < loc; i++ {
		if text[i] == '\n' || (text[i] == '\r' && (i+1 >= len(text) || text[i+1] != '\n')) {
			line++
			ibeg = i + 1
		}
	}
	iend := ibeg
	for iend < len(text) && text[iend] != '\n' && text[iend] != '\r' {
		iend++
	}
	begTrunc, endTrunc := false, false
	if iend-ibeg > displaySize {
		if ibeg+displaySize >= loc+minRightCut {
			iend, endTrunc = ibeg+displaySize, true
		} else {
			if loc+minRightCut < iend {
				iend, endTrunc = loc+minRightCut, true
			}
			if iend-ibeg > displaySize {
				ibeg, begTrunc = iend-displaySize, true
			}
		}
	}
	prefix := fmt.Sprintf("LINE %d: ", line)
	if begTrunc {
		prefix += "..."
	}
	shown := strings.ReplaceAll(string(text[ibeg:iend]), "\t", " ")
	if endTrunc {
		shown += "..."
	}
	fmt.Fprintf(w, "%s%s\n%s^\n", prefix, shown, strings.Repeat(" ", len(prefix)+loc-ibeg))
}
