package bind

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Binding of the operator forms of logical/expr_extra.go: op ANY/ALL
// (array), ~ ~* !~ !~* (also spelled OPERATOR(pg_catalog.~)), SIMILAR TO,
// and the JSON accessors -> ->> #> #>>. The executor constructors check
// the operand types (probed with placeholders, see typing.go).

// bindExtraAExpr binds a, or returns handled=false when a is not one of
// the forms above so that bindAExpr goes on with it.
func (b *binder) bindExtraAExpr(a *pg_query.A_Expr, sc *scope, agg *aggState) (logical.Expr, bool, error) {
	name := opName(a.Name)
	var (
		e   logical.Expr
		err error
	)
	switch {
	case a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY || a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL:
		if a.Rexpr.GetSubLink() != nil && a.Rexpr.GetSubLink().SubLinkType != pg_query.SubLinkType_EXPR_SUBLINK {
			return nil, false, nil
		}
		e, err = b.bindAnyArray(a, name, sc, agg)
	case a.Kind == pg_query.A_Expr_Kind_AEXPR_SIMILAR:
		e, err = b.bindSimilar(a, name == "!~", sc, agg)
	case (a.Kind == pg_query.A_Expr_Kind_AEXPR_LIKE || a.Kind == pg_query.A_Expr_Kind_AEXPR_ILIKE) && escapeCall(a.Rexpr, "like_escape") != nil:
		e, err = b.bindLikeEscape(a, name, sc, agg)
	case a.Kind == pg_query.A_Expr_Kind_AEXPR_OP && isNetworkOperator(name, a.Lexpr != nil):
		e, err = b.bindNetworkOperator(a, name, sc, agg)
	case a.Kind == pg_query.A_Expr_Kind_AEXPR_OP && isBitwiseOperator(name, a.Lexpr != nil):
		e, err = b.bindBitwise(a, name, sc, agg)
	case a.Kind == pg_query.A_Expr_Kind_AEXPR_OP && a.Lexpr != nil:
		switch name {
		case "~", "~*", "!~", "!~*":
			e, err = b.bindRegex(a, name, sc, agg)
		case "->", "->>", "#>", "#>>":
			e, err = b.bindJSONOp(a, name, sc, agg)
		case "~~", "!~~", "~~*", "!~~*":
			// The operator spellings of [NOT] [I]LIKE.
			var l, p logical.Expr
			if l, p, err = b.bindOperands(a, sc, agg); err != nil {
				return nil, true, err
			}
			if l, p, err = b.textOperands(name, l, p, int(a.Location)); err != nil {
				return nil, true, err
			}
			e = &logical.Like{E: l, Pattern: p, Negated: name[0] == '!', ILike: strings.HasSuffix(name, "*")}
		case "^@":
			e, err = b.bindVariadic("starts_with", []*pg_query.Node{a.Lexpr, a.Rexpr}, sc, agg, int(a.Location))
		default:
			return nil, false, nil
		}
	default:
		return nil, false, nil
	}
	return e, true, err
}

// bindOperands binds both sides of a binary A_Expr.
func (b *binder) bindOperands(a *pg_query.A_Expr, sc *scope, agg *aggState) (logical.Expr, logical.Expr, error) {
	l, err := b.bindExpr(a.Lexpr, sc, agg)
	if err != nil {
		return nil, nil, err
	}
	r, err := b.bindExpr(a.Rexpr, sc, agg)
	if err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

// ambiguousOperator is 42725 for an operator whose operands fit several
// of its signatures with none preferred (two untyped literals next to +).
func ambiguousOperator(name string, l, r sqltypes.Type, loc int) error {
	return errAt(sqltypes.New(sqltypes.CodeAmbiguousFunction, "operator is not unique: %s %s %s", l, name, r).
		WithHint("Could not choose a best candidate operator. You might need to add explicit type casts."), loc)
}

// opError is 42883 for an operator without a matching signature.
func opError(name string, l, r sqltypes.Type, loc int) error {
	return errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s %s", l, name, r).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts."), loc)
}

// bindAnyArray binds lhs op ANY/ALL (array). The array's elements and
// lhs are brought to a common type: an ARRAY[...] constructor is re-bound
// with that element type, a string literal is parsed as an array of
// lhs's type, and otherwise lhs is converted to the element type.
func (b *binder) bindAnyArray(a *pg_query.A_Expr, name string, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	all := a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL
	if like, ok := likeOperators[name]; ok {
		return b.bindLikeAnyArray(a, like, all, sc, agg)
	}
	op, ok := binaryOps[name]
	if !ok || !op.IsComparison() {
		return b.bindAnyOperator(a, name, all, sc, agg)
	}
	l, r, err := b.bindOperands(a, sc, agg)
	if err != nil {
		return nil, err
	}
	if arr, ok := r.(*logical.Array); ok && arr.T.Ndims() == 1 && slices.ContainsFunc(arr.Elems, raiseOverflows) {
		// ARRAY[1e-29, 1e23]'s common scale cannot hold its elements:
		// compare with each as written, as IN lists do.
		return b.orComparisons(op, name, l, arr.Elems, all, loc)
	}
	if r, err = b.anyArrayOperand(name, r, l.Type(), all, loc); err != nil {
		return nil, err
	}
	rt := r.Type()
	et := rt.Leaf() // a multidimensional array compares its elements
	t, ok := commonType(l.Type(), et)
	if !ok || t.HasKind(sqltypes.JSON) {
		return nil, opError(name, l.Type(), et, loc)
	}
	if !sameFamily(t, et) {
		if t.Kind == sqltypes.Numeric {
			t = sqltypes.NumericType(0, 0)
		}
		if ae := a.Rexpr.GetAArrayExpr(); ae != nil {
			if r, err = b.bindArray(ae, sc, agg, t); err != nil {
				return nil, err
			}
		} else if t.IsNumeric() && et.IsNumeric() || t.IsOID() && (et.IsInteger() || et.IsOID()) {
			// bigint = ANY(int4[] value): the elements widen, as
			// PostgreSQL's cross-type operators compare them; an oid
			// compares with int4[] elements read as oids (implicitly).
			if r, err = b.coerce(r, sqltypes.ArrayOf(t, rt.Ndims())); err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
		} else {
			return nil, opError(name, l.Type(), rt, loc)
		}
		et = t
	}
	if t.Kind == sqltypes.Numeric && et.Kind == sqltypes.Numeric {
		et = sqltypes.NumericType(0, 0)
	}
	if l.Type().Kind == sqltypes.Unknown {
		et = untypedAs(et) // 'abcd' = ANY(varchar(3)[]) is not cut to 'abc'
	}
	if l, err = b.coerce(l, et); err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	in := placeholders(l.Type(), r.Type())
	if _, err := expr.AnyArray(op, in[0], in[1], all); err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.AnyArray{Op: op, L: l, R: r, All: all}, nil
}

// textOperands converts unknown operands to text and requires text.
func (b *binder) textOperands(name string, l, r logical.Expr, loc int) (logical.Expr, logical.Expr, error) {
	lt0, rt0 := l.Type(), r.Type() // as written, for the error
	var err error
	if l.Type().Kind == sqltypes.Unknown {
		if l, err = b.coerce(l, sqltypes.TypeText); err != nil {
			return nil, nil, err
		}
	}
	if r.Type().Kind == sqltypes.Unknown {
		if r, err = b.coerce(r, sqltypes.TypeText); err != nil {
			return nil, nil, err
		}
	}
	if r.Type().Kind == sqltypes.Bpchar || r.Type().Kind == sqltypes.Name {
		if r, err = b.coerceText(r); err != nil {
			return nil, nil, err
		}
	}
	if l.Type().Kind == sqltypes.Name {
		// PostgreSQL's name variants (namelike, nameregexeq, …) match
		// the name's text.
		if l, err = b.coerceText(l); err != nil {
			return nil, nil, err
		}
	}
	if lt0.Kind == sqltypes.Bytea && strings.Contains(name, "~~") && (rt0.Kind == sqltypes.Bytea || rt0.Kind == sqltypes.Unknown) {
		// PostgreSQL's bytea LIKE matches bytes; the text form would not.
		return nil, nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "LIKE over bytea is not supported").
			WithHint("Match the text it holds instead: convert_from(value, 'UTF8') LIKE pattern."), loc)
	}
	if !(l.Type().IsString() || l.Type().Kind == sqltypes.Bpchar) || !r.Type().IsString() {
		return nil, nil, opError(name, lt0, rt0, loc)
	}
	return l, r, nil
}

func (b *binder) bindRegex(a *pg_query.A_Expr, name string, sc *scope, agg *aggState) (logical.Expr, error) {
	l, r, err := b.bindOperands(a, sc, agg)
	if err != nil {
		return nil, err
	}
	if l, r, err = b.textOperands(name, l, r, int(a.Location)); err != nil {
		return nil, err
	}
	neg := name[0] == '!'
	ci := name[len(name)-1] == '*'
	return &logical.Regex{E: l, Pattern: r, CI: ci, Negated: neg}, nil
}

// escapeCall returns n when it is the parser's fname(pattern, escape)
// wrapper of a pattern with an ESCAPE clause (or of any SIMILAR TO
// pattern, which is always wrapped).
func escapeCall(n *pg_query.Node, names ...string) *pg_query.FuncCall {
	fc := n.GetFuncCall()
	if fc == nil {
		return nil
	}
	for _, nm := range names {
		if funcName(fc) == nm && len(fc.Args) >= 1 && len(fc.Args) <= 2 {
			return fc
		}
	}
	return nil
}

// backslashPattern binds the pattern of an escape wrapper and rewrites it
// to use backslash as its escape character, which the LIKE and SIMILAR TO
// kernels expect: once, when binding, for a constant pattern, else per
// row with like_escape. An escape of more than one character is 22025.
func (b *binder) backslashPattern(fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	p, err := b.bindExpr(fc.Args[0], sc, agg)
	if err != nil {
		return nil, err
	}
	if len(fc.Args) == 1 {
		return p, nil
	}
	esc, err := b.bindExpr(fc.Args[1], sc, agg)
	if err != nil {
		return nil, err
	}
	ec, ok1 := esc.(*logical.Const)
	pc, ok2 := p.(*logical.Const)
	if ok1 && ec.V == nil || ok2 && pc.V == nil {
		return &logical.Const{T: sqltypes.TypeText}, nil
	}
	if es, ok := constString(ec, ok1); ok {
		if es == `\` {
			return p, nil
		}
		if ps, ok := constString(pc, ok2); ok {
			out, err := expr.LikeEscape(ps, es)
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			return &logical.Const{T: sqltypes.TypeText, V: out}, nil
		}
	}
	args := []logical.Expr{p, esc}
	for i, a := range args {
		if a.Type().Kind == sqltypes.Unknown {
			if args[i], err = b.coerce(a, sqltypes.TypeText); err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
		}
	}
	if _, err := funcType("like_escape", args); err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: "like_escape", Args: args, T: sqltypes.TypeText}, nil
}

// constString is c's value when ok (c is a constant) and it is a string.
func constString(c *logical.Const, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	s, ok := c.V.(string)
	return s, ok
}

// bindSimilar binds x [NOT] SIMILAR TO p [ESCAPE e]; the parser wraps p
// in similar_to_escape(p [, e]).
func (b *binder) bindSimilar(a *pg_query.A_Expr, negated bool, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	var p logical.Expr
	var err error
	if fc := escapeCall(a.Rexpr, "similar_to_escape", "similar_escape"); fc != nil {
		p, err = b.backslashPattern(fc, sc, agg, loc)
	} else {
		p, err = b.bindExpr(a.Rexpr, sc, agg)
	}
	if err != nil {
		return nil, err
	}
	l, err := b.bindExpr(a.Lexpr, sc, agg)
	if err != nil {
		return nil, err
	}
	if l, p, err = b.textOperands("~", l, p, loc); err != nil {
		return nil, err
	}
	return &logical.Similar{E: l, Pattern: p, Negated: negated}, nil
}

// bindLikeEscape binds x [NOT] [I]LIKE p ESCAPE e.
func (b *binder) bindLikeEscape(a *pg_query.A_Expr, name string, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	p, err := b.backslashPattern(escapeCall(a.Rexpr, "like_escape"), sc, agg, loc)
	if err != nil {
		return nil, err
	}
	l, err := b.bindExpr(a.Lexpr, sc, agg)
	if err != nil {
		return nil, err
	}
	if l, p, err = b.textOperands(name, l, p, loc); err != nil {
		return nil, err
	}
	return &logical.Like{E: l, Pattern: p, Negated: name[0] == '!', ILike: a.Kind == pg_query.A_Expr_Kind_AEXPR_ILIKE}, nil
}

func (b *binder) bindJSONOp(a *pg_query.A_Expr, name string, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	l, r, err := b.bindOperands(a, sc, agg)
	if err != nil {
		return nil, err
	}
	if l.Type().Kind == sqltypes.Unknown {
		// json and jsonb both have the accessors, neither preferred.
		return nil, ambiguousOperator(name, l.Type(), r.Type(), loc)
	}
	path := name[0] == '#'
	if r.Type().Kind == sqltypes.Unknown {
		want := sqltypes.TypeText
		if path {
			want = sqltypes.ListOf(sqltypes.TypeText)
		}
		if r, err = b.coerce(r, want); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	asText := name[len(name)-1] == '>' && len(name) == 3
	in := placeholders(l.Type(), r.Type())
	if path {
		_, err = expr.JSONPath(in[0], in[1], asText)
	} else {
		_, err = expr.JSONGet(in[0], in[1], asText)
	}
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.JSONGet{E: l, Key: r, AsText: asText, Path: path}, nil
}

// likeOperators are LIKE's operator names, as ANY/ALL name them.
var likeOperators = map[string]logical.Like{
	"~~": {}, "!~~": {Negated: true}, "~~*": {ILike: true}, "!~~*": {Negated: true, ILike: true},
}

// bindLikeAnyArray binds s [NOT] [I]LIKE ANY/ALL (patterns). Over an array
// known when binding (ARRAY[...] or a literal) it is the OR (ANY) or AND
// (ALL) of one LIKE per pattern, each compiled once, SQL's three-valued
// logic giving PostgreSQL's answers, an empty array false (ANY) or true
// (ALL). An array computed per row is matched element by element at run
// time (expr.AnyLike), with the same answers.
func (b *binder) bindLikeAnyArray(a *pg_query.A_Expr, like logical.Like, all bool, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	l, r, err := b.bindOperands(a, sc, agg)
	if err != nil {
		return nil, err
	}
	if r.Type().Kind == sqltypes.Unknown {
		if r, err = b.coerce(r, sqltypes.ListOf(sqltypes.TypeText)); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	isText := func(t sqltypes.Type) bool {
		return t.IsString() || t.Kind == sqltypes.Bpchar || t.Kind == sqltypes.Name || t.Kind == sqltypes.Unknown
	}
	if lt, rt := l.Type(), r.Type(); !isText(lt) || rt.Kind == sqltypes.List && !isText(rt.Leaf()) {
		// Both sides: PostgreSQL has no LIKE over integer patterns either.
		return nil, opError(opName(a.Name), lt, rt.Leaf(), loc)
	}
	if l, err = b.matchSubject(l); err != nil {
		return nil, err
	}
	var patterns []logical.Expr
	switch x := r.(type) {
	case *logical.Array:
		patterns = x.Elems
	case *logical.Const:
		if x.T.Kind != sqltypes.List || x.T.Elem == nil || x.T.Elem.Kind == sqltypes.List {
			return nil, errAt(sqltypes.New(sqltypes.CodeWrongObjectType, "op ANY/ALL (array) requires array on right side"), loc)
		}
		if x.V == nil {
			return &logical.Const{T: sqltypes.TypeBool}, nil // a NULL array: NULL, as PostgreSQL
		}
		elems, _ := x.V.([]any)
		for _, v := range elems {
			patterns = append(patterns, &logical.Const{T: *x.T.Elem, V: v})
		}
	default:
		// An array computed per row: its elements are matched at run time.
		in := placeholders(l.Type(), r.Type())
		if _, err := expr.AnyLike(in[0], in[1], like.Negated, like.ILike, all); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
		return &logical.AnyArray{L: l, R: r, All: all, Like: &logical.Like{Negated: like.Negated, ILike: like.ILike}}, nil
	}
	combine := expr.OpOr
	if all {
		combine = expr.OpAnd
	}
	var res logical.Expr = &logical.Const{T: sqltypes.TypeBool, V: all}
	for i, p := range patterns {
		if p, err = b.coerceText(p); err != nil {
			return nil, err
		}
		m := &logical.Like{E: l, Pattern: p, Negated: like.Negated, ILike: like.ILike}
		if i == 0 {
			res = m
			continue
		}
		res = &logical.Binary{Op: combine, L: res, R: m, T: sqltypes.TypeBool}
	}
	return res, nil
}

// charConcatAmbiguous is PostgreSQL's 42725 for "char" || a character
// type or an untyped literal (or the other way round): "char" converts to
// text implicitly but belongs to no type category, so text || text,
// text || anynonarray and anynonarray || text all fit and none is
// preferred. "char" || 1 is text, "char" being the text side.
func charConcatAmbiguous(lt, rt sqltypes.Type, loc int) error {
	character := func(t sqltypes.Type) bool {
		return t.IsString() || t.Kind == sqltypes.Bpchar || t.Kind == sqltypes.Name || t.Kind == sqltypes.Unknown || t.Kind == sqltypes.Char
	}
	if lt.Kind != sqltypes.Char && rt.Kind != sqltypes.Char || !character(lt) || !character(rt) {
		return nil
	}
	name := func(t sqltypes.Type) string {
		if t.Kind == sqltypes.Bpchar {
			return "character"
		}
		return sqltypes.Type{Kind: t.Kind}.String()
	}
	return errAt(sqltypes.New(sqltypes.CodeAmbiguousFunction, "operator is not unique: %s || %s", name(lt), name(rt)).
		WithHint("Could not choose a best candidate operator. You might need to add explicit type casts."), loc)
}
