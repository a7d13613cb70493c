package bind

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/catalog"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// scopeCol is one column visible to name resolution.
type scopeCol struct {
	table string // range alias or table name; "" for unnamed
	// schema is the schema of a relation's range named by the
	// relation's own name (no alias): only such a range answers a
	// schema-qualified reference, schema.table.column, as in PostgreSQL.
	schema string
	// relation is the relation's schema-qualified name on a range that
	// an alias renamed, for the hint naming the alias.
	relation string
	name     string
	id       logical.ColumnID
	t        sqltypes.Type
	hidden   bool // not expanded by *, e.g. the right column of a USING pair
	// system marks a system column (TableColumn.System): not expanded by
	// any *, qualified or not.
	system bool
	// usingOnly marks a column reachable only qualified: the side columns
	// of a USING/NATURAL join, whose unqualified name means the merged column.
	qualifiedOnly bool
	// denied names the product whose policy hides this column from the
	// session: referencing it is a permission error.
	denied string
	// sec is set on a data product's columns: the audit record of reads
	// and denials (nil for other relations).
	sec *securedCol
	// marker is set on a range's presence column (wholeRowMarker): TRUE
	// for the range's own rows, NULL where an outer join null-extended it.
	marker bool
	// scalar is set on the only column of a function in FROM that returns
	// a scalar type (no column list of its own, no ORDINALITY): the
	// range's whole-row value is this column's value, not a one-column
	// row (PostgreSQL's makeWholeRowVar), so count(f.*) skips its NULLs
	// and row_to_json(f) is row_to_json(integer).
	scalar bool
	// rowType is the pg_type id of the row type of the data product whose
	// range this column belongs to (rowTyped), 0 elsewhere: a subquery's,
	// CTE's or function's range has anonymous records, as in PostgreSQL.
	rowType uint32
}

// wholeRowMarker names a range's presence column; no identifier can
// contain a NUL byte, so no query can name it.
const wholeRowMarker = "\x00present"

// scope is the set of columns an expression may reference. parent is the
// enclosing query's scope, for correlated references (not yet supported).
type scope struct {
	cols   []scopeCol
	parent *scope
}

func (s *scope) add(c scopeCol) { s.cols = append(s.cols, c) }

// lookup resolves a possibly qualified column name (schema is set only
// with table). It returns 42703 when nothing matches, 42702 when several
// do and 42P01 when no range is named table (in schema).
func (s *scope) lookup(schema, table, name string, pos int) (scopeCol, error) {
	var found []scopeCol
	for _, c := range s.cols {
		if c.name != name {
			continue
		}
		if table == "" && c.qualifiedOnly {
			continue
		}
		if table != "" && (c.table != table || schema != "" && c.schema != schema) {
			continue
		}
		found = append(found, c)
	}
	switch len(found) {
	case 1:
		if found[0].denied != "" {
			found[0].sec.deny()
			return scopeCol{}, errAt(sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied for column %s of %s", name, found[0].denied), pos)
		}
		found[0].sec.read()
		return found[0], nil
	case 0:
		if s.parent != nil {
			// A correlated reference to an enclosing query's column. One
			// the enclosing query resolves but refuses (42501, 42702) is
			// that error, not "missing FROM-clause entry" here.
			c, err := s.parent.lookup(schema, table, name, pos)
			switch sqltypes.Code(err) {
			case sqltypes.CodeUndefinedColumn:
				if table != "" && !s.hasTableIn(schema, table) {
					// An enclosing query's range that lacks the column:
					// 42703 there, as PostgreSQL finds the range first.
					return c, err
				}
			case sqltypes.CodeUndefinedTable:
			default:
				return c, err
			}
		}
		if table != "" && !s.hasTableIn(schema, table) {
			return scopeCol{}, errAt(s.missingRange(schema, table), pos)
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

// scalarRange returns the column that is the whole-row value of the
// nearest range named table, in s or an enclosing scope, when that range
// is a function returning a scalar (see scopeCol.scalar).
func (s *scope) scalarRange(table string) (scopeCol, bool) {
	for ; s != nil; s = s.parent {
		if !s.hasTable(table) {
			continue
		}
		for _, c := range s.cols {
			if c.table == table && c.scalar {
				return c, true
			}
		}
		return scopeCol{}, false
	}
	return scopeCol{}, false
}

// hasTableIn is hasTable for a range that answers schema.table (any
// range named table when schema is "").
func (s *scope) hasTableIn(schema, table string) bool {
	for _, c := range s.cols {
		if c.table == table && (schema == "" || c.schema == schema) {
			return true
		}
	}
	return false
}

// missingRange is PostgreSQL's errorMissingRTE for a reference to a range
// table that no range of s (or an enclosing scope) answers: a relation
// renamed by an alias is referenced by the alias, and a range of that
// name that the reference's schema does not match cannot be referenced so.
func (s *scope) missingRange(schema, table string) *sqltypes.Error {
	for sc := s; sc != nil; sc = sc.parent {
		for _, c := range sc.cols {
			if c.relation != "" && c.table != table && (c.relation == schema+"."+table || schema == "" && strings.HasSuffix(c.relation, "."+table)) {
				return sqltypes.New(sqltypes.CodeUndefinedTable, "invalid reference to FROM-clause entry for table %q", table).
					WithHint("Perhaps you meant to reference the table alias %q.", c.table)
			}
		}
	}
	for sc := s; sc != nil; sc = sc.parent {
		if sc.hasTable(table) {
			return sqltypes.New(sqltypes.CodeUndefinedTable, "invalid reference to FROM-clause entry for table %q", table).
				WithHint("There is an entry for table %q, but it cannot be referenced from this part of the query.", table)
		}
	}
	return sqltypes.New(sqltypes.CodeUndefinedTable, "missing FROM-clause entry for table %q", table)
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
		if c.marker {
			continue
		}
		if d := catalog.EditDistance(strings.ToLower(name), c.name); d < bestD {
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

// star returns the columns * expands to, optionally only those of table:
// a qualified t.* lists all of t's columns, also those a USING or NATURAL
// join merged (which only the unqualified * shows once).
func (s *scope) star(table string) []scopeCol {
	var out []scopeCol
	for _, c := range s.cols {
		if c.denied != "" || c.marker || c.system || (table != "" && c.table != table) {
			continue
		}
		if table == "" && (c.hidden || c.qualifiedOnly) {
			continue
		}
		c.sec.read()
		out = append(out, c)
	}
	return out
}

// naturalNames are the names of the columns NATURAL matches: those *
// lists and those a policy denies. A denied one shared by both sides then
// fails 42501 when its condition is bound, as PostgreSQL's privilege check
// of a join column does, instead of leaving the join without that
// condition (a cross join where the other names differ).
func (s *scope) naturalNames() []string {
	var out []string
	for _, c := range s.cols {
		if !c.marker && !c.system && !c.hidden && !c.qualifiedOnly {
			out = append(out, c.name)
		}
	}
	return out
}

// errAt attaches a 0-based parse location as a 1-based cursor position.
func errAt(e *sqltypes.Error, loc int) *sqltypes.Error {
	if loc >= 0 && e.Position == 0 {
		return e.WithPosition(loc + 1)
	}
	return e
}

// sortDirection reads a SortBy's direction and NULLS placement; NULLs
// sort as larger than any value unless NULLS FIRST/LAST says otherwise.
//
// ORDER BY ... USING < and USING > are ASC and DESC (PostgreSQL's default
// btree ordering operators of every sortable type); other USING operators
// are 0A000.
func sortDirection(sb *pg_query.SortBy) (desc, nullsFirst bool, err error) {
	desc = sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
	if sb.SortbyDir == pg_query.SortByDir_SORTBY_USING {
		switch op := opName(sb.UseOp); op {
		case "<":
		case ">":
			desc = true
		default:
			return false, false, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "ORDER BY ... USING %s is not supported (only < and >)", op), int(sb.Location))
		}
	}
	switch sb.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		return desc, true, nil
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		return desc, false, nil
	}
	return desc, desc, nil
}

// rangeColumns returns the columns of the range named table in s itself,
// for a whole-row reference at cursor loc: one the session may not read
// is 42501 (recorded as denied), as such a reference reads every column.
func (s *scope) rangeColumns(table string, loc int) ([]scopeCol, error) {
	var out []scopeCol
	for _, c := range s.cols {
		if c.table != table || c.marker || c.system {
			continue
		}
		if c.denied != "" {
			c.sec.deny()
			return nil, errAt(sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied for column %s of %s", c.name, c.denied), loc)
		}
		out = append(out, c)
	}
	return out, nil
}

// qualifiedName splits a column reference's names into the range's
// schema and name and the column; ok is false for more than three names.
func qualifiedName(parts []string) (schema, table, name string, ok bool) {
	switch len(parts) {
	case 1:
		return "", "", parts[0], true
	case 2:
		return "", parts[0], parts[1], true
	case 3:
		return parts[0], parts[1], parts[2], true
	}
	return "", "", "", false
}
