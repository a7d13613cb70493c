package expr

import "github.com/meshql/meshql/sqltypes"

// UnknownArg is an untyped literal (v a string, or nil for NULL) or, with
// param set, a parameter of unspecified type, as a function's builder
// sees it while the binder resolves a call: an argument of type Unknown,
// which PostgreSQL lets match any parameter type. The type the builder
// casts it to is stored in *resolved (left alone when it casts it to
// none), so that the binder can give the argument that type itself: a
// parameter's type is the binder's to infer, and a literal's bad input
// is reported where it was written.
func UnknownArg(index int, v sqltypes.Datum, param bool, resolved *sqltypes.Type) Expr {
	if param {
		return &unknownParam{ColumnExpr: ColumnExpr{Index: index, T: sqltypes.TypeUnknown}, resolved: resolved}
	}
	return &LiteralExpr{t: sqltypes.TypeUnknown, v: v, resolved: resolved}
}

// unknownParam is UnknownArg's parameter: a column of type Unknown.
type unknownParam struct {
	ColumnExpr
	resolved *sqltypes.Type
}

// noteResolved records, on an UnknownArg, the type Cast converted it to.
func noteResolved(e Expr, to sqltypes.Type) {
	switch x := e.(type) {
	case *LiteralExpr:
		if x.resolved != nil {
			*x.resolved = to
		}
	case *unknownParam:
		*x.resolved = to
	}
}
