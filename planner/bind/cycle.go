package bind

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// cycleSpec is a recursive WITH query's CYCLE clause, bound as PostgreSQL
// rewrites it (rewriteSearchAndCycle): every row carries the path of the
// rows that led to it and a mark telling whether its cycle columns repeat
// one of them; a marked row is emitted but not expanded.
//
// PostgreSQL's path is an array of records; meshql has no record type, so
// the path is a text[] of each step's record text (what record_out
// prints): it prints the same (`{(1),(2)}`), and comparing the texts is
// comparing the values for the cycle column types allowed (integers,
// text, varchar, boolean, dates and times, uuid, bytea). Others are 0A000.
type cycleSpec struct {
	cols       []int // positions of the cycle columns in the query's columns
	mark, path string
	value, def logical.Expr // the mark's values, of markType
	markType   sqltypes.Type
}

var pathType = sqltypes.ArrayOf(sqltypes.TypeText, 1)

// bindCycle checks a CYCLE clause against the query's column names and
// types (the anchor's).
func (b *binder) bindCycle(c *pg_query.CTECycleClause, names []string, types []sqltypes.Type) (*cycleSpec, error) {
	loc := int(c.Location)
	spec := &cycleSpec{mark: c.CycleMarkColumn, path: c.CyclePathColumn}
	for _, n := range c.CycleColList {
		name := n.GetString_().GetSval()
		i := indexOf(names, name)
		if i < 0 {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "cycle column %q not in WITH query column list", name), loc)
		}
		if !cycleComparable(types[i]) {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "CYCLE over a column of type %s is not supported", types[i]).
				WithHint("Cycle columns may be integers, text, varchar, boolean, date/time types, uuid or bytea."), loc)
		}
		spec.cols = append(spec.cols, i)
	}
	if spec.mark == spec.path {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "cycle mark column name and cycle path column name are the same"), loc)
	}
	var err error
	if spec.value, err = b.bindExpr(c.CycleMarkValue, &scope{}, nil); err != nil {
		return nil, err
	}
	if spec.def, err = b.bindExpr(c.CycleMarkDefault, &scope{}, nil); err != nil {
		return nil, err
	}
	vals, t, err := b.unifyAll([]logical.Expr{spec.value, spec.def}, loc)
	if err != nil {
		return nil, err
	}
	spec.value, spec.def, spec.markType = vals[0], vals[1], resolvedType(t)
	if t.Kind == sqltypes.Unknown {
		for i, v := range vals {
			if vals[i], err = b.coerce(v, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
		spec.value, spec.def = vals[0], vals[1]
	}
	return spec, nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// cycleComparable reports whether values of t are equal exactly when
// their texts are (numeric 1.0 = 1.00, floats and intervals are not).
func cycleComparable(t sqltypes.Type) bool {
	switch t.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Text, sqltypes.Varchar, sqltypes.Bool,
		sqltypes.Date, sqltypes.Time, sqltypes.Timestamp, sqltypes.TimestampTZ, sqltypes.UUID, sqltypes.Bytea:
		return true
	}
	return false
}

// anchorCycleColumns returns the anchor's mark (the default) and path (its
// own step) for the anchor's columns cols.
func (b *binder) anchorCycleColumns(spec *cycleSpec, cols []logical.Expr) ([]logical.Expr, error) {
	path, err := b.cycleExpr("ARRAY[%s]", spec, cols, nil)
	if err != nil {
		return nil, err
	}
	return []logical.Expr{spec.def, path}, nil
}

// recursiveCycleColumns returns the mark and path of a row the recursive
// term produced (cols) from a working-table row whose path is prev.
func (b *binder) recursiveCycleColumns(spec *cycleSpec, cols []logical.Expr, prev logical.Expr) ([]logical.Expr, error) {
	mark, err := b.cycleExpr("CASE WHEN %s = ANY(__prev) THEN __value ELSE __default END", spec, cols, prev)
	if err != nil {
		return nil, err
	}
	path, err := b.cycleExpr("__prev || %s", spec, cols, prev)
	if err != nil {
		return nil, err
	}
	return []logical.Expr{mark, path}, nil
}

// cycleExpr binds the SQL expression format, whose %s is the record text
// of the cycle columns of cols, and whose __prev, __value and __default
// are the previous path and the mark's values.
func (b *binder) cycleExpr(format string, spec *cycleSpec, cols []logical.Expr, prev logical.Expr) (logical.Expr, error) {
	sc := &scope{}
	subst := map[logical.ColumnID]logical.Expr{}
	placeholder := func(name string, e logical.Expr) {
		id := b.meta.NewColumn(name, "", e.Type())
		sc.add(scopeCol{name: name, id: id, t: e.Type()})
		subst[id] = e
	}
	fields := make([]string, len(spec.cols))
	for k, i := range spec.cols {
		name := fmt.Sprintf("__c%d", k)
		placeholder(name, cols[i])
		fields[k] = recordField(name, cols[i].Type())
	}
	if prev != nil {
		placeholder("__prev", prev)
	}
	placeholder("__value", spec.value)
	placeholder("__default", spec.def)
	text := "('('::text || " + strings.Join(fields, " || ',' || ") + " || ')')"
	stmts, err := parse.Parse("SELECT " + fmt.Sprintf(format, text))
	if err != nil {
		return nil, err
	}
	target := stmts[0].Node.GetSelectStmt().TargetList[0].GetResTarget().Val
	e, err := b.bindExpr(target, sc, nil)
	if err != nil {
		return nil, err
	}
	return logical.Rewrite(e, func(x logical.Expr) logical.Expr {
		if c, ok := x.(*logical.ColRef); ok {
			if r, ok := subst[c.ID]; ok {
				return r
			}
		}
		return x
	}), nil
}

// recordField is the SQL for how record_out prints one field: nothing
// for NULL, booleans as t/f, and a value that is empty or holds a quote,
// backslash, parenthesis, comma or white space in double quotes, with
// quotes and backslashes doubled.
func recordField(name string, t sqltypes.Type) string {
	if t.Kind == sqltypes.Bool {
		return fmt.Sprintf("CASE WHEN %[1]s THEN 't' WHEN NOT %[1]s THEN 'f' ELSE '' END", name)
	}
	v := name + "::text"
	return fmt.Sprintf(`coalesce(CASE WHEN %[1]s = '' OR %[1]s ~ '[\s"\\(),]' THEN '"' || replace(replace(%[1]s, '\', '\\'), '"', '""') || '"' ELSE %[1]s END, '')`, v)
}

// notCycled keeps the working-table rows not marked as a cycle, the only
// ones the recursive term expands.
func (b *binder) notCycled(spec *cycleSpec, wt logical.Node, mark *logical.ColRef) (logical.Node, error) {
	pred, err := b.makeBinary(expr.OpNe, mark, spec.value, -1)
	if err != nil {
		return nil, err
	}
	return &logical.Filter{Input: wt, Pred: pred}, nil
}
