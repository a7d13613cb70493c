package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one located validation error in a mesh folder.
type Problem struct {
	File  string // file as reached from the directory given to Load
	Line  int    // 1-based; 0 when the problem is about the file as a whole
	Field string // path of the offending field, e.g. "columns[2].type"; "" for the whole file
	Msg   string // what is wrong, lower case, no trailing period
}

// String formats the problem as "file:line: field: msg", leaving out the
// parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// LoadError holds every problem found while loading one mesh folder,
// ordered by file and line.
type LoadError struct {
	Problems []Problem
}

// Error returns one problem per line.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects the problems of one load.
type problems struct {
	list []Problem
}

func (ps *problems) add(file string, line int, field, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// err returns a *LoadError if any problem was found, else nil. Problems
// are ordered by file and line; problems on one line keep the order found.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return &LoadError{Problems: ps.list}
}
