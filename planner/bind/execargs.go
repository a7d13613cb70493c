package bind

import (
	"context"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// BindExecuteArgs binds the arguments of SQL-level EXECUTE name (args) as
// PostgreSQL's EvaluateParams does: each an expression over no columns,
// converted to its parameter's type (types[i]; Unknown reads as text) as
// an assignment would. The caller evaluates the results once, so that a
// volatile argument (random()) is one value however often the statement
// reads its parameter.
//
// Errors carry the argument's position in the statement: 0A000 for a
// subquery, 42803 for an aggregate, 42P20 for a window function, 42P02
// for a $n, 42804 for a type with no assignment cast (boolean to
// integer), and the literal's own error (22P02) for bad text.
func BindExecuteArgs(ctx context.Context, cat Catalog, args []*pg_query.Node, types []sqltypes.Type, opts Options) ([]logical.Expr, error) {
	b := &binder{ctx: ctx, cat: cat, opts: opts, meta: &logical.Metadata{}, params: newParamTypes(nil, nil), who: opts.Principal}
	if b.opts.Location == nil {
		b.opts.Location = time.UTC
	}
	out := make([]logical.Expr, len(args))
	for i, a := range args {
		if err := executeArgAllowed(a); err != nil {
			return nil, err
		}
		e, err := b.bindExpr(a, &scope{}, nil)
		if err != nil {
			return nil, err
		}
		t := types[i]
		if t.Kind == sqltypes.Unknown {
			t = sqltypes.TypeText
		}
		if !assignable(e.Type(), t) {
			return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "parameter $%d of type %s cannot be coerced to the expected type %s", i+1, e.Type(), t).
				WithHint("You will need to rewrite or cast the expression."), location(a))
		}
		if out[i], err = b.castBound(e, t, "", location(a)); err != nil {
			return nil, errAt(sqltypes.AsError(err), location(a))
		}
	}
	return out, nil
}

// executeArgAllowed refuses, as PostgreSQL does, what an EXECUTE argument
// may not hold: it is evaluated once, outside any query.
func executeArgAllowed(n *pg_query.Node) error {
	var err error
	var visit func(n *pg_query.Node)
	visit = func(n *pg_query.Node) {
		if err != nil || n == nil {
			return
		}
		switch {
		case n.GetSubLink() != nil:
			err = errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "cannot use subquery in EXECUTE parameter"), int(n.GetSubLink().Location))
		case n.GetFuncCall() != nil && n.GetFuncCall().Over != nil:
			err = errAt(sqltypes.New(sqltypes.CodeWindowingError, "window functions are not allowed in EXECUTE parameters"), int(n.GetFuncCall().Location))
		case n.GetFuncCall() != nil && isAggregate(n.GetFuncCall()):
			err = errAt(sqltypes.New(sqltypes.CodeGroupingError, "aggregate functions are not allowed in EXECUTE parameters"), int(n.GetFuncCall().Location))
		case n.GetParamRef() != nil:
			err = errAt(sqltypes.New(sqltypes.CodeUndefinedParameter, "there is no parameter $%d", n.GetParamRef().Number), int(n.GetParamRef().Location))
		}
		if err == nil {
			walkChildren(n, visit)
		}
	}
	visit(n)
	return err
}

// assignable reports whether PostgreSQL converts a value of type from to
// type to in an assignment (pg_cast's 'a' and 'i' contexts, and I/O
// conversion to a string type), given that an explicit cast exists: the
// explicit-only casts are boolean to and from integer, jsonb to scalars,
// and text to anything but text. An untyped literal converts to any type.
func assignable(from, to sqltypes.Type) bool {
	for from.Kind == sqltypes.List && to.Kind == sqltypes.List {
		from, to = from.Leaf(), to.Leaf()
	}
	stringy := func(t sqltypes.Type) bool {
		return t.IsString() || t.Kind == sqltypes.Bpchar || t.Kind == sqltypes.Name
	}
	switch {
	case from.Kind == sqltypes.Unknown, to.Kind == from.Kind, stringy(to):
		return true
	case stringy(from), from.Kind == sqltypes.JSONB && !to.IsJSON():
		return false
	case from.Kind == sqltypes.Bool, to.Kind == sqltypes.Bool:
		return false
	}
	return true
}
