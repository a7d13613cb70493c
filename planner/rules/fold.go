package rules

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// ConstEvaluator evaluates an expression that reads no columns.
type ConstEvaluator func(e logical.Expr) (sqltypes.Datum, error)

// FoldConstants replaces column-free subexpressions by their values, the
// way PostgreSQL's planner simplifies them (eval_const_expressions): top
// down, so that a CASE arm whose condition is constantly false or NULL, the
// arguments of COALESCE after a non-null constant, and the operands of AND
// (OR) after a constant false (true) are dropped unevaluated. A constant
// call PostgreSQL evaluates while planning (immutable operators, casts and
// functions) raises its error then, even if no row would reach it:
// `SELECT 1/0 FROM t WHERE false` fails, as in PostgreSQL. Any other
// expression whose evaluation fails is left for run time, where only a row
// that reaches it raises the error.
func FoldConstants(n logical.Node, eval ConstEvaluator) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		var err error
		out := logical.MapExprs(n, func(e logical.Expr) logical.Expr {
			if err != nil {
				return e
			}
			var f logical.Expr
			f, err = foldExpr(e, eval)
			return f
		})
		return out, err
	})
}

func foldExpr(e logical.Expr, eval ConstEvaluator) (logical.Expr, error) {
	switch x := e.(type) {
	case nil, *logical.Const, *logical.ColRef, *logical.Param:
		return e, nil
	case *logical.Case:
		return foldCase(x, eval)
	case *logical.Binary:
		if x.Op == expr.OpAnd || x.Op == expr.OpOr {
			return foldAndOr(x, eval)
		}
	case *logical.Func:
		if x.Name == "coalesce" {
			return foldCoalesce(x, eval)
		}
	}
	orig := e
	ch := e.Children()
	if len(ch) > 0 {
		nc := make([]logical.Expr, len(ch))
		for i, c := range ch {
			f, err := foldExpr(c, eval)
			if err != nil {
				return nil, err
			}
			nc[i] = f
		}
		e = e.WithChildren(nc)
	}
	return foldNode(e, orig, eval)
}

// foldNode evaluates e if its children are all constants; orig is e as
// it was before its children folded.
func foldNode(e, orig logical.Expr, eval ConstEvaluator) (logical.Expr, error) {
	switch x := e.(type) {
	case *logical.Const, *logical.ColRef, *logical.Param:
		return e, nil
	case *logical.Binary:
		// Comparisons and arithmetic are strict: with a NULL constant
		// on either side the result is NULL whatever the other side
		// reads, as PostgreSQL folds it (`WHERE d.c >= NULL` over a
		// derived table ran its grouping to return nothing; `(SELECT 1
		// UNION SELECT 2) + NULL` is NULL, the subquery never run).
		strict := x.Op.IsComparison() || x.Op <= expr.OpMod && !x.T.HasVarScale()
		if strict && (isNullConst(x.L) || isNullConst(x.R)) {
			return &logical.Const{T: x.T}, nil
		}
	case *logical.Func:
		// A series can be any length: folding generate_series(1,
		// 3000000) built the whole array while planning, where no
		// cancel or timeout reaches, and printed it in EXPLAIN.
		if x.Name == "generate_series" || x.Name == "generate_series_array" || expr.IsVolatile(x.Name) {
			return e, nil
		}
	}
	for _, c := range e.Children() {
		if _, ok := c.(*logical.Const); ok {
			continue
		}
		// A constant of per-value scale stays an expression (below), but
		// PostgreSQL folds it and goes on: power(round(x / 3600, 2) ...,
		// -1) raises while planning. Its own evaluation must succeed,
		// or the error is its own, already left for run time.
		if !c.Type().HasVarScale() || !constTree(c) {
			return e, nil
		}
		if _, err := eval(c); err != nil {
			return e, nil
		}
	}
	v, err := eval(e)
	if err != nil {
		if raisedWhilePlanning(e, err) && argsFoldInPG(orig) {
			return nil, err
		}
		return e, nil
	}
	if e.Type().HasVarScale() {
		// A literal has one scale; the value keeps its own (an array's
		// elements theirs).
		return e, nil
	}
	return &logical.Const{T: e.Type(), V: v}, nil
}

// foldCase drops the arms whose condition folds to false or NULL without
// folding their results, and ends the CASE at an arm whose condition folds
// to true.
func foldCase(c *logical.Case, eval ConstEvaluator) (logical.Expr, error) {
	out := &logical.Case{T: c.T}
	for _, w := range c.Whens {
		cond, err := foldExpr(w.Cond, eval)
		if err != nil {
			return nil, err
		}
		k, isConst := cond.(*logical.Const)
		if isConst && (k.V == nil || k.V == false) {
			continue
		}
		then, err := foldExpr(w.Then, eval)
		if err != nil {
			return nil, err
		}
		out.Whens = append(out.Whens, logical.When{Cond: cond, Then: then})
		if isConst && k.V == true {
			return simplifyCase(out, eval)
		}
	}
	els, err := foldExpr(c.Else, eval)
	if err != nil {
		return nil, err
	}
	out.Else = els
	return simplifyCase(out, eval)
}

// simplifyCase replaces a CASE whose first arm always applies, or that has
// no arm left, by its result (when that has the CASE's type).
func simplifyCase(c *logical.Case, eval ConstEvaluator) (logical.Expr, error) {
	var only logical.Expr
	switch {
	case len(c.Whens) == 0 && c.Else == nil:
		return &logical.Const{T: c.T}, nil
	case len(c.Whens) == 0:
		only = c.Else
		c.Whens, c.Else = []logical.When{{Cond: &logical.Const{T: sqltypes.TypeBool, V: true}, Then: c.Else}}, nil
	default:
		if k, ok := c.Whens[0].Cond.(*logical.Const); ok && k.V == true {
			only = c.Whens[0].Then
		}
	}
	if only != nil && only.Type().Equal(c.T) {
		return only, nil
	}
	return foldNode(c, c, eval)
}

// foldCoalesce drops the arguments after the first non-null constant one
// and the NULL constants before it.
func foldCoalesce(f *logical.Func, eval ConstEvaluator) (logical.Expr, error) {
	var args []logical.Expr
	for _, a := range f.Args {
		fa, err := foldExpr(a, eval)
		if err != nil {
			return nil, err
		}
		if k, ok := fa.(*logical.Const); ok {
			if k.V == nil {
				continue
			}
			args = append(args, fa)
			break
		}
		args = append(args, fa)
	}
	switch len(args) {
	case 0:
		return &logical.Const{T: f.T}, nil
	case 1:
		if args[0].Type().Equal(f.T) {
			return args[0], nil
		}
	}
	return foldNode(&logical.Func{Name: f.Name, Args: args, T: f.T}, f, eval)
}

// foldAndOr stops at a left operand that decides the result (false for
// AND, true for OR), leaving the right one unevaluated.
func foldAndOr(b *logical.Binary, eval ConstEvaluator) (logical.Expr, error) {
	decides := b.Op == expr.OpOr // the constant that decides b
	l, err := foldExpr(b.L, eval)
	if err != nil {
		return nil, err
	}
	if k, ok := l.(*logical.Const); ok && k.V == decides {
		return l, nil
	}
	r, err := foldExpr(b.R, eval)
	if err != nil {
		return nil, err
	}
	if k, ok := r.(*logical.Const); ok && k.V == decides {
		return r, nil
	}
	return foldNode(&logical.Binary{Op: b.Op, L: l, R: r, T: b.T}, b, eval)
}

// raisedWhilePlanning reports whether PostgreSQL raises err of constant
// expression e while planning: e is an immutable operator, cast or
// function (see expr.IsImmutable). Those reading the session's TimeZone or
// DateStyle (timestamptz arithmetic, date/time text input and output,
// to_char) are stable, evaluated only per row.
func raisedWhilePlanning(e logical.Expr, err error) bool {
	return sqltypes.Code(err) != sqltypes.CodeInternal && foldsInPG(e)
}

// argsFoldInPG reports whether PostgreSQL reduces every argument of e to
// a constant while planning, as it must before it calls e there: a
// constant meshql folds from a stable call (jsonb_build_object, to_jsonb)
// is no constant to PostgreSQL, which calls an immutable jsonb_set over it
// per row, so raising nothing when no row comes (seed 81's query 853).
func argsFoldInPG(e logical.Expr) bool {
	for _, c := range e.Children() {
		if !constInPG(c) {
			return false
		}
	}
	return true
}

// constInPG reports whether PostgreSQL's planner reduces e to a constant.
func constInPG(e logical.Expr) bool {
	switch x := e.(type) {
	case *logical.Const:
		return true
	case *logical.Case, *logical.InList, *logical.Array:
	case *logical.Binary:
		if x.Op != expr.OpAnd && x.Op != expr.OpOr && !foldsInPG(e) {
			return false
		}
	default:
		if !foldsInPG(e) {
			return false
		}
	}
	return argsFoldInPG(e)
}

// foldsInPG reports whether PostgreSQL evaluates operator, cast or
// function e while planning when its arguments are constants.
func foldsInPG(e logical.Expr) bool {
	zoned := func(ts ...sqltypes.Type) bool {
		for _, t := range ts {
			if t.Kind == sqltypes.TimestampTZ || t.Kind == sqltypes.List {
				return true
			}
		}
		return false
	}
	switch x := e.(type) {
	case *logical.Binary:
		return x.Op != expr.OpConcat && !zoned(x.L.Type(), x.R.Type(), x.T)
	case *logical.Unary:
		return true
	case *logical.Cast:
		from, to := x.E.Type(), x.T
		textIn := from.IsString() || from.Kind == sqltypes.Unknown || from.Kind == sqltypes.Bpchar
		switch {
		case from.IsNumeric() && to.IsNumeric():
			return true
		case textIn:
			// Text input of numbers, booleans, uuid, json and bytea is
			// immutable; of dates, times, intervals and arrays stable.
			return to.IsNumeric() || to.Kind == sqltypes.Bool || to.Kind == sqltypes.UUID || to.IsJSON() || to.Kind == sqltypes.Bytea
		}
		return false
	case *logical.Func:
		switch x.Name {
		case "extract", "date_part", "date_trunc", "age":
			// Immutable but for their timestamptz overloads and age of
			// one timestamp (from today).
			if x.Name == "age" && len(x.Args) < 2 {
				return false
			}
			for _, a := range x.Args {
				if a.Type().Kind == sqltypes.TimestampTZ {
					return false
				}
			}
			return true
		}
		return expr.IsImmutable(x.Name)
	case *logical.Regex, *logical.Similar, *logical.Like, *logical.JSONGet:
		return true
	}
	return false
}

func isNullConst(e logical.Expr) bool {
	c, ok := e.(*logical.Const)
	return ok && c.V == nil
}

// constTree reports whether e is operators, casts and non-volatile
// functions over constants only.
func constTree(e logical.Expr) bool {
	switch x := e.(type) {
	case *logical.Const:
		return true
	case *logical.Func:
		if x.Name == "generate_series" || x.Name == "generate_series_array" || expr.IsVolatile(x.Name) {
			return false
		}
	case *logical.Binary, *logical.Unary, *logical.Cast:
	default:
		return false
	}
	for _, c := range e.Children() {
		if !constTree(c) {
			return false
		}
	}
	return true
}
