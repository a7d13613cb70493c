package bind

import (
	"strings"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// scopeCol is one column visible to name resolution.
type scopeCol struct {
	table  string // range alias or table name; "" for unnamed
	name   string
	id     logical.ColumnID
	t      sqltypes.Type
	hidden bool // not expanded by *, e.g. the right column of a USING pair
	// usingOnly marks a column reachable only qualified: the side columns
	// of a USING/NATURAL join, whose unqualified name means the merged column.
	qualifiedOnly bool
	// denied names the product whose policy hides this column from the
	// session: referencing it is a permission error.
	denied string
}

// scope is the set of columns an expression may reference. parent is the
// enclosing query's scope, for correlated references (not yet supported).
type scope struct {
	cols   []scopeCol
	parent *scope
}

func (s *scope) add(c scopeCol) { s.cols = append(s.cols, c) }

// lookup resolves a possibly qualified column name. It returns 42703 when
// nothing matches and 42702 when several do.
func (s *scope) lookup(table, name string, pos int) (scopeCol, error) {
	var found []scopeCol
	for _, c := range s.cols {
		if c.name != name {
			continue
		}
		if table == "" && c.qualifiedOnly {
			continue
		}
		if table != "" && c.table != table {
			continue
		}
		found = append(found, c)
	}
	switch len(found) {
	case 1:
		if found[0].denied != "" {
			return scopeCol{}, errAt(sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied for column %s of %s", name, found[0].denied), pos)
		}
		return found[0], nil
	case 0:
		if s.parent != nil {
			// A correlated reference to an enclosing query's column.
			if c, err := s.parent.lookup(table, name, pos); err == nil {
				return c, nil
			}
		}
		if table != "" && !s.hasTable(table) {
			return scopeCol{}, errAt(sqltypes.New(sqltypes.CodeUndefinedTable, "missing FROM-clause entry for table %q", table), pos)
		}
		full := `"` + name + `"`
		if table != "" {
			full = table + "." + name
		}
		err := sqltypes.New(sqltypes.CodeUndefinedColumn, "column %s does not exist", full)
		if hint := s.suggest(name); hint != "" {
			err = err.WithHint("Perhaps you meant to reference the column %s.", hint)
		}
		return scopeCol{}, errAt(err, pos)
	}
	return scopeCol{}, errAt(sqltypes.New(sqltypes.CodeAmbiguousColumn, "column reference %q is ambiguous", name), pos)
}

func (s *scope) hasTable(table string) bool {
	for _, c := range s.cols {
		if c.table == table {
			return true
		}
	}
	return false
}

// suggest returns the closest visible column, quoted as PostgreSQL does.
func (s *scope) suggest(name string) string {
	best, bestD := "", 3
	for _, c := range s.cols {
		if d := editDistance(strings.ToLower(name), c.name); d < bestD {
			bestD = d
			if c.table != "" {
				best = `"` + c.table + "." + c.name + `"`
			} else {
				best = `"` + c.name + `"`
			}
		}
	}
	return best
}

// star returns the columns * expands to, optionally only those of table.
func (s *scope) star(table string) []scopeCol {
	var out []scopeCol
	for _, c := range s.cols {
		if c.hidden || c.denied != "" || (table != "" && c.table != table) {
			continue
		}
		if table == "" && c.qualifiedOnly {
			continue
		}
		out = append(out, c)
	}
	return out
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// errAt attaches a 0-based parse location as a 1-based cursor position.
func errAt(e *sqltypes.Error, loc int) *sqltypes.Error {
	if loc >= 0 && e.Position == 0 {
		return e.WithPosition(loc + 1)
	}
	return e
}
