package bind

import (
	"slices"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// outputArrays gives the numeric elements of an ARRAY[...] the query
// outputs the scales they were written with (ARRAY[1.5, 2.25] is
// {1.5,2.25}). Arrays of variable-scale numerics built by ARRAY[...] go
// only to the client (and to ORDER BY), unnest and array_agg's readers:
// the other array readers know one element scale.
func (f *scaleFlow) outputArrays(rel *relation) {
	var sorts []*logical.Sort
	node := rel.node
	for {
		switch x := node.(type) {
		case *logical.Limit:
			node = x.Input
			continue
		case *logical.Sort:
			sorts = append(sorts, x)
			node = x.Input
			continue
		}
		break
	}
	p, ok := node.(*logical.Project)
	if !ok {
		return
	}
	out := logical.NewColSet()
	for _, c := range rel.cols {
		out.Add(c.id)
	}
	for i, e := range p.Exprs {
		if !out.Has(p.Cols[i]) {
			continue
		}
		var w logical.Expr
		switch x := e.(type) {
		case *logical.Array:
			if w, ok = varArray(x); !ok {
				continue
			}
		case *logical.Func:
			if w, ok = varArrayFunc(x); !ok {
				continue
			}
		default:
			continue
		}
		old := p.Cols[i]
		p.Exprs[i] = w
		f.define(&p.Cols[i], w.Type())
		for _, s := range sorts {
			for k, key := range s.Keys {
				if c, ok := key.Expr.(*logical.ColRef); ok && c.ID == old {
					s.Keys[k].Expr = &logical.ColRef{ID: p.Cols[i], Name: c.Name, T: w.Type()}
				}
			}
		}
	}
}

// varArray returns the one-dimensional numeric ARRAY[...] a with its
// elements at the scales they were written with, if some differs from
// a's element scale or is read through a cast from a variable-scale
// value.
func varArray(a *logical.Array) (*logical.Array, bool) {
	if a.T.Ndims() != 1 || a.T.Elem.Kind != sqltypes.Numeric || a.T.Elem.VarScale || a.T.Elem.Precision > 0 {
		return nil, false
	}
	et := *a.T.Elem
	vt := sqltypes.VarNumericType(et.Scale)
	// An element read through a cast from a variable-scale value keeps
	// that value, the others the scale they were written with.
	varOf := func(el logical.Expr) logical.Expr {
		if c, ok := el.(*logical.Cast); ok && c.E.Type().VarScale && c.E.Type().Kind == sqltypes.Numeric {
			return c.E
		}
		return nil
	}
	differs := false
	for _, el := range a.Elems {
		differs = differs || varOf(el) != nil || writtenScale(el) != et.Scale
	}
	if !differs {
		return nil, false
	}
	elems := make([]logical.Expr, len(a.Elems))
	for k, el := range a.Elems {
		if v := varOf(el); v != nil {
			el = v
		}
		elems[k] = asVarScale(el, vt)
	}
	return &logical.Array{Elems: elems, T: sqltypes.ListOf(vt)}, true
}

// varArrayFunc returns fn, an anycompatible array function building a
// one-dimensional array of unconstrained numerics (array_append,
// array_cat, array_remove, ...), over arrays and elements that keep the
// scales their values have: ARRAY[1] || 1.5 is {1,1.5}, not the
// {1.0,1.5} of one element scale.
func varArrayFunc(fn *logical.Func) (*logical.Func, bool) {
	if !varArrayFuncs[fn.Name] || fn.T.Ndims() != 1 || fn.T.Elem.Kind != sqltypes.Numeric || fn.T.Elem.VarScale || fn.T.Elem.Precision > 0 {
		return nil, false
	}
	vt := sqltypes.VarNumericType(fn.T.Elem.Scale)
	lt := sqltypes.ListOf(vt)
	args := make([]logical.Expr, len(fn.Args))
	for i, a := range fn.Args {
		switch t := a.Type(); {
		case t.Ndims() == 1 && (t.Elem.Kind == sqltypes.Numeric || t.Elem.IsInteger()):
			args[i] = varArrayArg(a, lt)
		case t.Kind == sqltypes.Numeric:
			args[i] = asVarScale(a, vt)
		default:
			args[i] = a
		}
	}
	return &logical.Func{Name: fn.Name, Args: args, T: lt}, true
}

// varArrayFuncs are the functions varArrayFunc widens.
var varArrayFuncs = map[string]bool{"array_append": true, "array_prepend": true, "array_cat": true, "array_remove": true, "array_replace": true}

// varArrayArg is the array argument a of varArrayFunc as an array of lt:
// the binding's casts between element types dropped (an integer array's
// elements have scale 0), ARRAY[...] and nested calls with their values'
// scales.
func varArrayArg(a logical.Expr, lt sqltypes.Type) logical.Expr {
	for {
		c, ok := a.(*logical.Cast)
		if !ok || c.Explicit || c.E.Type().Ndims() != 1 || !(c.E.Type().Elem.Kind == sqltypes.Numeric || c.E.Type().Elem.IsInteger()) {
			break
		}
		a = c.E
	}
	switch x := a.(type) {
	case *logical.Func:
		if w, ok := varArrayFunc(x); ok {
			a = w
		}
	case *logical.Array:
		if w, ok := varArray(x); ok {
			a = w
		}
	}
	if a.Type().Equal(lt) {
		return a
	}
	if a.Type().Elem.IsInteger() {
		// The executor widens numeric arrays to variable scales.
		a = &logical.Cast{E: a, T: sqltypes.ListOf(sqltypes.NumericType(0, 0))}
	}
	return &logical.Cast{E: a, T: lt}
}

// unnest widens the arrays an Unnest reads for the element columns some
// reader keeps: arrays of variable-scale numerics (array_agg's), and
// ARRAY[...] of numerics written with different scales.
func (f *scaleFlow) unnest(x *logical.Unnest) {
	for i, l := range x.Lists {
		keep := f.demand.Has(x.Cols[i])
		if a, ok := l.(*logical.Array); ok && keep {
			if w, ok := varArray(a); ok {
				l = w
			}
		}
		l = f.expr(l, keep)
		if t := l.Type(); keep && t.Kind == sqltypes.List && t.Leaf().VarScale {
			f.define(&x.Cols[i], t.Leaf())
		} else if t.HasVarScale() {
			l = &logical.Cast{E: l, T: t.StaticAll()}
		}
		x.Lists[i] = l
	}
}

// arraySubquery settles ARRAY(SELECT …), bound as coalesce(subquery
// or its join's column, '{}') (arraySubquery in subquery.go): an array of
// variable-scale numerics keeps them, the empty array taking its type.
func (f *scaleFlow) arraySubquery(fn *logical.Func) (logical.Expr, bool) {
	if fn.Name != "coalesce" || len(fn.Args) != 2 || fn.T.Kind != sqltypes.List {
		return nil, false
	}
	empty, ok := fn.Args[1].(*logical.Const)
	if !ok {
		return nil, false
	}
	if l, ok := empty.V.([]any); !ok || len(l) != 0 {
		return nil, false
	}
	r := f.settle(fn.Args[0], true)
	t := r.Type()
	if !t.HasVarScale() {
		return &logical.Func{Name: fn.Name, Args: []logical.Expr{r, empty}, T: fn.T}, true
	}
	return &logical.Func{Name: fn.Name, Args: []logical.Expr{r, &logical.Const{T: t, V: empty.V}}, T: t}, true
}

// numericSeries returns generate_series_array over numerics with its
// values at the scales PostgreSQL gives them (start's for the first, the
// larger of start's and the step's for the others: generate_series(1,
// 3, 0.5) is 1, 1.5, 2.0, …), the two scales added as arguments, if one
// differs from the element scale.
func numericSeries(fn *logical.Func) (logical.Expr, bool) {
	if fn.Name != "generate_series_array" || fn.T.Elem == nil || fn.T.Elem.Kind != sqltypes.Numeric || fn.T.Elem.VarScale {
		return nil, false
	}
	s := fn.T.Elem.Scale
	start, step := writtenScale(fn.Args[0]), int32(0)
	if len(fn.Args) == 3 {
		step = writtenScale(fn.Args[2])
	}
	if start == s && max(start, step) == s {
		return nil, false
	}
	scale := func(v int32) logical.Expr { return &logical.Const{T: sqltypes.TypeInt4, V: v} }
	args := append(slices.Clone(fn.Args), scale(start), scale(step))
	return &logical.Func{Name: fn.Name, Args: args, T: sqltypes.ListOf(sqltypes.VarNumericType(s))}, true
}

// setOpArrays makes column j of set operation x, of one-dimensional
// numeric arrays of type t, an array of variable-scale numerics when an
// input's arrays have another scale or variable-scale elements (SELECT
// ARRAY[1.5] UNION ALL SELECT ARRAY[2.25] is {1.5} and {2.25}; array_agg
// keeps its values'). Each input's arrays keep their elements' scales.
func (f *scaleFlow) setOpArrays(x *logical.SetOp, conv *[2]*logical.Project, j int, t sqltypes.Type) {
	sides := [2]*logical.Node{&x.Left, &x.Right}
	need := false
	for _, in := range sides {
		inner, a := f.inputArray(*in, j)
		switch {
		case a != nil:
			for _, el := range a.Elems {
				need = need || el.Type().VarScale || writtenScale(el) != t.Elem.Scale
			}
		case inner != nil:
			need = need || inner.Type().HasVarScale() || inner.Type().Elem.Scale != t.Elem.Scale
		default:
			need = need || f.b.meta.Column((*in).Output()[j]).Type.HasVarScale()
		}
	}
	if !need {
		return
	}
	vt := sqltypes.ListOf(sqltypes.VarNumericType(t.Elem.Scale))
	toVar := func(e logical.Expr) logical.Expr {
		if e.Type().Equal(vt) {
			return e
		}
		return &logical.Cast{E: e, T: vt} // each element keeps its scale
	}
	for k, in := range sides {
		out := (*in).Output()
		if f.b.meta.Column(out[j]).Type.Equal(vt) {
			continue
		}
		if inner, a := f.inputArray(*in, j); inner != nil {
			p := (*in).(*logical.Project)
			if a != nil {
				inner = f.varElems(p, a, vt)
			}
			p.Exprs[j] = toVar(inner)
			f.define(&p.Cols[j], vt)
			continue
		}
		c := conv[k]
		if c == nil {
			c = &logical.Project{Input: *in}
			for _, id := range out {
				m := f.b.meta.Column(id)
				c.Exprs = append(c.Exprs, &logical.ColRef{ID: id, Name: m.Name, T: m.Type})
				c.Cols = append(c.Cols, id)
			}
			conv[k], *in = c, c
		}
		c.Exprs[j] = toVar(c.Exprs[j])
		c.Cols[j] = f.b.meta.NewColumn(f.b.meta.Column(out[j]).Name, "", vt)
	}
	f.define(&x.Cols[j], vt)
}

// inputArray returns what column j of the set operation input in
// computes before the casts binding and settling added to it, if that is
// a one-dimensional numeric array (inner), and the ARRAY[...] that
// computes it if there is one, in the input's projection or in the
// projection below it (a select list under the set operation's
// conversion).
func (f *scaleFlow) inputArray(in logical.Node, j int) (inner logical.Expr, a *logical.Array) {
	p, ok := in.(*logical.Project)
	if !ok {
		return nil, nil
	}
	e := p.Exprs[j]
	for {
		c, ok := e.(*logical.Cast)
		if !ok || c.Explicit || c.E.Type().Ndims() != 1 || c.E.Type().Elem.Kind != sqltypes.Numeric {
			break
		}
		e = c.E
	}
	if e.Type().Ndims() != 1 || e.Type().Elem.Kind != sqltypes.Numeric {
		return nil, nil
	}
	switch x := e.(type) {
	case *logical.Array:
		return e, x
	case *logical.ColRef:
		if below, ok := p.Input.(*logical.Project); ok {
			if k := slices.Index(below.Cols, x.ID); k >= 0 {
				if arr, ok := below.Exprs[k].(*logical.Array); ok {
					return e, arr
				}
			}
		}
	}
	return e, nil
}

// varElems returns the ARRAY[...] a (a column of p or of the
// projection below p) with its elements at the scales they were written
// with, as an array of vt.
func (f *scaleFlow) varElems(p *logical.Project, a *logical.Array, vt sqltypes.Type) logical.Expr {
	elems := make([]logical.Expr, len(a.Elems))
	for i, el := range a.Elems {
		elems[i] = asVarScale(el, *vt.Elem)
	}
	w := &logical.Array{Elems: elems, T: vt}
	if below, ok := p.Input.(*logical.Project); ok {
		if k := slices.IndexFunc(below.Exprs, func(e logical.Expr) bool { return e == a }); k >= 0 {
			below.Exprs[k] = w
			f.define(&below.Cols[k], vt)
			return &logical.ColRef{ID: below.Cols[k], Name: f.b.meta.Column(below.Cols[k]).Name, T: vt}
		}
	}
	return w
}

// unconstrainedNumericArray reports whether t is an array of numeric
// without a typmod, whose elements keep their own display scales.
func unconstrainedNumericArray(t sqltypes.Type) bool {
	l := t.Leaf()
	return t.Kind == sqltypes.List && l.Kind == sqltypes.Numeric && l.Precision == 0 && !l.VarScale
}

// numericArrayLiteral reads the array literal s as t, an array of numeric
// without a typmod. PostgreSQL keeps each element's display scale
// ('{12.50,1.5}' is {12.50,1.5}): the constant has the largest of them,
// so that every value is exact for the readers of one scale, and the
// elements' own scales are kept in b.varArrays for the scale flow
// (settle) to give the readers that keep them.
func (b *binder) numericArrayLiteral(t sqltypes.Type, s string) (logical.Expr, error) {
	nd := t.Ndims()
	v, err := b.parseLiteral(sqltypes.ArrayOf(sqltypes.VarNumericType(0), nd), s)
	if err != nil {
		return nil, err
	}
	vals := v.([]any)
	scale, differs := int32(-1), false
	var walk func(xs []any)
	walk = func(xs []any) {
		for _, x := range xs {
			switch y := x.(type) {
			case []any:
				walk(y)
			case sqltypes.Decimal:
				differs = differs || scale >= 0 && y.Scale != scale
				scale = max(scale, y.Scale)
			}
		}
	}
	walk(vals)
	st := sqltypes.ArrayOf(sqltypes.NumericType(0, max(scale, 0)), nd)
	sv, err := b.parseLiteral(st, s)
	if err != nil {
		return nil, err
	}
	c := &logical.Const{T: st, V: sv}
	if differs {
		if b.varArrays == nil {
			b.varArrays = map[*logical.Const]*logical.Const{}
		}
		b.varArrays[c] = &logical.Const{T: sqltypes.ArrayOf(sqltypes.VarNumericType(scale), nd), V: vals}
	}
	return c, nil
}

// varElements reports whether t is text (an array's text) or an array
// whose elements a cast to numeric[] gives their own scales: text,
// floats, variable-scale numerics.
func varElements(t sqltypes.Type) bool {
	l := t.Leaf()
	return t.IsString() || t.Kind == sqltypes.List && (l.IsString() || l.Kind == sqltypes.Float8 || l.Kind == sqltypes.Float4 || l.VarScale)
}
