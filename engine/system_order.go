package engine

import (
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// catalogConstant is a column meshql's definition of a catalog lacks,
// with the value every row has in it.
type catalogConstant struct {
	col   sysColumn
	value any
}

// inPostgresOrder returns st with its columns in PostgreSQL's order (the
// names of order), those it lacks added from constants: clients that read
// pg_attribute, information_schema.columns or SELECT * see PostgreSQL's
// shape, while the rows keep being built in the definition's order. A
// name of order that is neither a column of st nor a constant (a mistake
// in a static spec) is left without a type, which checkColumns reports
// as the table's XX000 (and TestSystemTableColumns first).
func inPostgresOrder(st sysTable, order string, constants ...catalogConstant) sysTable {
	names := strings.Fields(order)
	from := make([]int, len(names)) // index into a row of st, or -1-i for constants[i]
	cols := make([]sysColumn, len(names))
	for i, n := range names {
		from[i], cols[i] = -len(constants)-1, sysColumn{n, sqltypes.TypeUnknown}
		for j, c := range st.cols {
			if c.name == n {
				from[i], cols[i] = j, c
			}
		}
		for j, c := range constants {
			if c.col.name == n {
				from[i], cols[i] = -1-j, c.col
			}
		}
	}
	rows := st.rows
	st.cols = cols
	st.rows = func(s *Session) [][]any {
		in := rows(s)
		out := make([][]any, len(in))
		for r, row := range in {
			o := make([]any, len(from))
			for i, f := range from {
				switch {
				case f >= 0:
					o[i] = row[f]
				case -1-f < len(constants):
					o[i] = constants[-1-f].value
				}
			}
			out[r] = o
		}
		return out
	}
	return st
}
