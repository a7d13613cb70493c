package rules

import (
	"math"
	"slices"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// deriveTransitive returns, for each restriction of one column by
// constants among sources (x < 100, x = 5, x IN (1, 2); BETWEEN is bound
// as two comparisons), the same restriction on every column of targets
// that the column equalities among eqs make equal to it (y < 100 from
// x = y), unless have already holds it. A join's key filter then reaches
// the other side's scan, where Parquet statistics prune by it, and the
// windows partitioned by that key (a decorrelated LATERAL's row numbers).
//
// The caller decides which conjuncts may serve: a derived restriction is
// implied only on the rows the equalities and sources both hold for, so
// into a null-extended side it is correct (its rows that fail it match
// no row the sources keep) and into a preserved side it is not.
// PostgreSQL's equivalence classes derive only equalities; deriving
// ranges too, as DuckDB and Trino do, is sound when an equality of two
// values of one type makes them compare alike with every constant, which
// sameOrderTypes keeps to. Integers of different widths (an integer key
// joined to a bigint one, bound as a widening cast) are equal as numbers
// and order alike too: the restriction then carries its constants over
// to the other column's type (onIntegerColumn).
func deriveTransitive(eqs, sources []logical.Expr, targets logical.ColSet, have []logical.Expr) []logical.Expr {
	classes := columnClasses{}
	cols := map[logical.ColumnID]*logical.ColRef{}
	for _, e := range eqs {
		l, r, ok := colEquality(e)
		if !ok {
			l, r, ok = logical.IntegerEquality(e)
		}
		if !ok || l.ID == r.ID || !sameOrderTypes(l.T) {
			continue
		}
		cols[l.ID], cols[r.ID] = l, r
		classes.union(l.ID, r.ID)
	}
	if len(cols) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, p := range have {
		seen[logical.CanonicalKey(p)] = true
	}
	for _, p := range sources {
		seen[logical.CanonicalKey(p)] = true
	}
	ids := make([]logical.ColumnID, 0, len(cols))
	for id := range cols {
		ids = append(ids, id)
	}
	slices.Sort(ids) // one plan, one EXPLAIN
	var out []logical.Expr
	for _, p := range sources {
		c, ok := constRestriction(p)
		if !ok || cols[c.ID] == nil || !c.T.Equal(cols[c.ID].T) {
			continue
		}
		root := classes.find(c.ID)
		for _, id := range ids {
			d := cols[id]
			if id == c.ID || !targets.Has(id) || classes.find(id) != root {
				continue
			}
			derived := logical.Rewrite(p, func(e logical.Expr) logical.Expr {
				if x, ok := e.(*logical.ColRef); ok && x.ID == c.ID {
					return d
				}
				return e
			})
			if !d.T.Equal(c.T) {
				if derived, ok = onIntegerColumn(derived, d.T); !ok {
					continue
				}
			}
			if k := logical.CanonicalKey(derived); !seen[k] {
				seen[k] = true
				out = append(out, derived)
			}
		}
	}
	return out
}

// sameOrderTypes reports whether two equal values of type t compare alike
// with every constant of t: integers, numerics (1.0 = 1.00 and both are
// below 2), text compared bytewise (meshql's only collation), dates and
// timestamps. Floats (NaN, -0), bpchar (trailing blanks) and the rest
// are left out: their equality is not identity, or not worth the risk.
func sameOrderTypes(t sqltypes.Type) bool {
	switch t.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric,
		sqltypes.Text, sqltypes.Varchar, sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ:
		return true
	}
	return false
}

// constRestriction returns the column p restricts when p compares that
// one column with non-NULL constants: col op const, const op col, or col
// [NOT] IN (consts). Each is NULL for a NULL column, so it rejects the
// rows an outer join pads, too.
func constRestriction(p logical.Expr) (*logical.ColRef, bool) {
	switch x := p.(type) {
	case *logical.Binary:
		switch x.Op {
		case expr.OpEq, expr.OpNe, expr.OpLt, expr.OpLe, expr.OpGt, expr.OpGe:
		default:
			return nil, false
		}
		if c, ok := x.L.(*logical.ColRef); ok && isNonNullConst(x.R) {
			return c, true
		}
		if c, ok := x.R.(*logical.ColRef); ok && isNonNullConst(x.L) {
			return c, true
		}
	case *logical.InList:
		c, ok := x.E.(*logical.ColRef)
		if !ok || len(x.List) == 0 {
			return nil, false
		}
		for _, e := range x.List {
			if _, isConst := e.(*logical.Const); !isConst {
				return nil, false
			}
		}
		return c, true
	}
	return nil, false
}

func isNonNullConst(e logical.Expr) bool {
	c, ok := e.(*logical.Const)
	return ok && c.V != nil
}

// columnClasses is a union-find over columns: the classes of columns that
// equalities make equal.
type columnClasses map[logical.ColumnID]logical.ColumnID

// find returns the representative of id's class.
func (c columnClasses) find(id logical.ColumnID) logical.ColumnID {
	p, ok := c[id]
	if !ok || p == id {
		return id
	}
	root := c.find(p)
	c[id] = root
	return root
}

// union puts a's and b's classes together.
func (c columnClasses) union(a, b logical.ColumnID) {
	if ra, rb := c.find(a), c.find(b); ra != rb {
		c[ra] = rb
	}
}

// onIntegerColumn gives the constants of restriction p (made for a column
// of another integer type, now on a column of type t) type t. A constant
// outside t's range cannot equal any value of the column: an IN or NOT IN
// list drops it (x IN (5, 2^40) keeps what x IN (5) keeps of an integer
// column), and a single comparison with it is always true or always
// false there, which restricts nothing worth deriving: ok is false then,
// and when a list keeps no constant.
func onIntegerColumn(p logical.Expr, t sqltypes.Type) (logical.Expr, bool) {
	convert := func(e logical.Expr) (*logical.Const, bool) {
		c, ok := e.(*logical.Const)
		if !ok {
			return nil, false
		}
		v, ok := sqltypes.DatumInt64(c.V)
		if !ok {
			return nil, false
		}
		switch t.Kind {
		case sqltypes.Int2:
			if v < math.MinInt16 || v > math.MaxInt16 {
				return nil, false
			}
			return &logical.Const{T: t, V: int16(v)}, true
		case sqltypes.Int4:
			if v < math.MinInt32 || v > math.MaxInt32 {
				return nil, false
			}
			return &logical.Const{T: t, V: int32(v)}, true
		case sqltypes.Int8:
			return &logical.Const{T: t, V: v}, true
		}
		return nil, false
	}
	switch x := p.(type) {
	case *logical.Binary:
		out := *x
		if _, isConst := x.L.(*logical.Const); isConst {
			c, ok := convert(x.L)
			if !ok {
				return nil, false
			}
			out.L = c
		} else {
			c, ok := convert(x.R)
			if !ok {
				return nil, false
			}
			out.R = c
		}
		return &out, true
	case *logical.InList:
		out := *x
		out.List = nil
		for _, e := range x.List {
			if c, ok := convert(e); ok {
				out.List = append(out.List, c)
			}
		}
		return &out, len(out.List) > 0
	}
	return nil, false
}
