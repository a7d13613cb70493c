package bind

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// setFunctionMarker names the placeholder a set-returning function in the
// select list binds to until expandSetFunctions replaces it by a column
// of an Unnest below the projection. No scalar function has this name.
const setFunctionMarker = "unnest"

// bindSelectListSetFunction binds unnest(array) or generate_series(...)
// in a select-list entry, possibly inside an expression
// (`unnest(a) + 1`), as a placeholder over the array it expands.
func (b *binder) bindSelectListSetFunction(fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	if !b.srfOK {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "set-returning function %s is only allowed in FROM and in the select list", funcName(fc)), loc)
	}
	if funcName(fc) == "unnest" && len(fc.Args) > 1 {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "unnest with several arrays is only allowed in FROM").
			WithHint("Write FROM unnest(a, b) AS u(x, y)."), loc)
	}
	lists, err := b.bindSetFunction(fc, sc, agg)
	if err != nil {
		return nil, err
	}
	if len(setFunctionColumns(funcName(fc))) > 1 {
		// json_each(j) alone is a record of its columns, expanded in
		// lockstep, printed as PostgreSQL prints a record.
		fields := make([]logical.Expr, len(lists))
		for i, l := range lists {
			fields[i] = setFunctionPlaceholder(l)
		}
		return &logical.Func{Name: expr.RecordFunc, Args: fields, T: recordOf(fields, 0)}, nil
	}
	return setFunctionPlaceholder(lists[0]), nil
}

func setFunctionPlaceholder(list logical.Expr) logical.Expr {
	return &logical.Func{Name: setFunctionMarker, Args: []logical.Expr{list}, T: setElemType(list)}
}

// setFunctionsNotAllowed is PostgreSQL's 0A000 for a set-returning
// function inside CASE or COALESCE, whose lazily evaluated arms cannot
// expand rows. nil entries of es are skipped.
func setFunctionsNotAllowed(construct string, es []logical.Expr, loc int) error {
	for _, e := range es {
		if e != nil && hasSetFunctionPlaceholder(e) {
			return errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "set-returning functions are not allowed in %s", construct).
				WithHint("You might be able to move the set-returning function into a LATERAL FROM item."), loc)
		}
	}
	return nil
}

// hasSetFunctionPlaceholder reports whether e holds a set-returning
// function of the select list (see setFunctionPlaceholder).
func hasSetFunctionPlaceholder(e logical.Expr) bool {
	found := false
	logical.Walk(e, func(x logical.Expr) bool {
		if f, ok := x.(*logical.Func); ok && f.Name == setFunctionMarker {
			found = true
		}
		return !found
	})
	return found
}

// bindSetFunctionField binds (f(...)).field in the select list, where f
// returns rows of named columns (json_each's key and value): the column's
// list, expanded as the function in the select list is. ok is false for
// any other indirection.
func (b *binder) bindSetFunctionField(ind *pg_query.A_Indirection, sc *scope, agg *aggState, loc int) (logical.Expr, bool, error) {
	fc := ind.Arg.GetFuncCall()
	if fc == nil || len(ind.Indirection) != 1 || ind.Indirection[0].GetString_() == nil {
		return nil, false, nil
	}
	cols := setFunctionColumns(funcName(fc))
	if len(cols) < 2 {
		return nil, false, nil
	}
	if !b.srfOK {
		return nil, true, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "set-returning function %s is only allowed in FROM and in the select list", funcName(fc)), loc)
	}
	field := ind.Indirection[0].GetString_().Sval
	i := slices.Index(cols, field)
	if i < 0 {
		return nil, true, errAt(sqltypes.New(sqltypes.CodeUndefinedColumn, "column \"%s\" not found in data type record", field), loc)
	}
	lists, err := b.bindSetFunction(fc, sc, agg)
	if err != nil {
		return nil, true, err
	}
	return setFunctionPlaceholder(lists[i]), true, nil
}

// isSetFunction reports whether name is a set-returning function meshql
// evaluates (in FROM and in the select list).
func isSetFunction(name string) bool {
	switch name {
	case "unnest", "generate_series", "regexp_split_to_table", "regexp_matches", "string_to_table", "generate_subscripts",
		"json_array_elements", "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text",
		"json_each", "jsonb_each", "json_each_text", "jsonb_each_text", "json_object_keys", "jsonb_object_keys",
		"jsonb_path_query", "jsonb_path_query_tz":
		return true
	}
	return false
}

// setFunctionColumns names the columns of a set-returning function whose
// PostgreSQL declaration names them (OUT parameters, which a table alias
// does not rename); nil for the others, whose one column takes the
// function's name or the table alias.
func setFunctionColumns(name string) []string {
	switch name {
	case "json_array_elements", "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text":
		return []string{"value"}
	case "json_each", "jsonb_each", "json_each_text", "jsonb_each_text":
		return []string{"key", "value"}
	}
	return nil
}

// setElemType is the type of the rows the list of a set-returning
// function expands to: the array's elements, whatever its dimensions, for
// unnest (a multidimensional array unnests to all its elements); each
// match's whole text[] for regexp_matches, whose list holds one array per
// match. Unnest keeps the element arrays whole when this type is an array.
func setElemType(l logical.Expr) sqltypes.Type {
	if f, ok := l.(*logical.Func); ok && f.Name == "regexp_matches" {
		return *f.T.Elem
	}
	return l.Type().Leaf()
}

// bindScalarCall binds fc's arguments as a call of the scalar function
// name. Untyped string literals and parameters are text where the
// function takes text there, as PostgreSQL's function resolution prefers
// the string category for unknown arguments; elsewhere they take the
// type the function wants (resolveUnknowns), which explicitly typed text
// never does (left('abc', '2') runs, left('abc', '2'::text) is 42883).
func (b *binder) bindScalarCall(name string, fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	raw, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	if err := untypedPolymorphic(name, raw); err != nil {
		return nil, err
	}
	if raw, err = b.unifyArrayElements(name, raw); err != nil {
		return nil, errAt(sqltypes.AsError(err), int(fc.Location))
	}
	args := append([]logical.Expr(nil), raw...)
	for i, a := range args {
		if a.Type().Kind == sqltypes.Unknown {
			if args[i], err = b.tentative(a, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
		if a.Type().IsReg() && printsArgs(name) {
			// format('%s', 'pg_class'::regclass), as psql's \dX writes:
			// the value's text is its output function's name.
			if args[i], err = b.regOutput(a, sqltypes.TypeText, int(fc.Location)); err != nil {
				return nil, err
			}
		}
	}
	rt, err := funcType(name, args)
	if err != nil {
		if sqltypes.Code(err) == sqltypes.CodeUndefinedFunction {
			if f, ok, err := b.resolveUnknowns(name, raw, fc.Args); ok || err != nil {
				return f, err
			}
		}
		if f, ok := b.unknownsAsOthers(name, raw); ok {
			return f, nil
		}
		return nil, errAt(namingUnknowns(err, name, raw), int(fc.Location))
	}
	if from := anyArgsFrom(name); from >= 0 {
		for i := from; i < len(args); i++ {
			if p, ok := raw[i].(*logical.Param); ok && p.T.Kind == sqltypes.Unknown {
				args[i] = b.looseParam(raw[i], location(fc.Args[i]))
			}
		}
	}
	b.settleParams(args)
	return &logical.Func{Name: name, Args: args, T: rt}, nil
}

// anyArgsFrom is the position from which the function name takes
// arguments of PostgreSQL's pseudo-type "any" (-1: none), which give an
// untyped parameter no type.
func anyArgsFrom(name string) int {
	switch name {
	case "concat", "num_nulls", "num_nonnulls", "pg_typeof", "pg_column_size",
		"json_build_array", "json_build_object", "jsonb_build_array", "jsonb_build_object":
		return 0
	case "concat_ws", "format":
		return 1
	}
	return -1
}

// tentative is coerce for an argument of a call that may not resolve
// with it as t: an untyped parameter becomes a parameter of t without
// fixing the statement's parameter type, which settleParams does once
// the call resolved.
func (b *binder) tentative(a logical.Expr, t sqltypes.Type) (logical.Expr, error) {
	if p, ok := a.(*logical.Param); ok && p.T.Kind == sqltypes.Unknown {
		return &logical.Param{Index: p.Index, T: t}, nil
	}
	return b.coerce(a, t)
}

// paramAsText types an untyped parameter text, as PostgreSQL reads one
// in a select list, ORDER BY or GROUP BY; other expressions stay as they
// are.
func (b *binder) paramAsText(e logical.Expr) (logical.Expr, error) {
	if p, ok := e.(*logical.Param); ok && p.T.Kind == sqltypes.Unknown {
		return b.coerce(e, sqltypes.TypeText)
	}
	return e, nil
}

// looseParam is e where any type goes (IS NULL, concat's arguments): an
// untyped parameter there gets no type from it, as in PostgreSQL, so a
// statement in which nothing else types it cannot be prepared (42P18).
// The reference reads the value as text should it run.
func (b *binder) looseParam(e logical.Expr, loc int) logical.Expr {
	p, ok := e.(*logical.Param)
	if !ok || p.T.Kind != sqltypes.Unknown {
		return e
	}
	b.params.loose = append(b.params.loose, looseParam{index: p.Index, loc: loc})
	return &logical.Param{Index: p.Index, T: sqltypes.TypeText}
}

// settleParams fixes the types of the untyped parameters a resolved
// call's arguments gave tentatively.
func (b *binder) settleParams(args []logical.Expr) {
	for i, a := range args {
		if p, ok := a.(*logical.Param); ok && b.params.get(p.Index).Kind == sqltypes.Unknown && !b.params.isLoose(p.Index) {
			b.params.set(p.Index, p.T)
			args[i] = &logical.Param{Index: p.Index, T: b.params.get(p.Index)}
		}
	}
}

// printsArgs reports whether the function name prints its "any"
// arguments with their types' output functions.
func printsArgs(name string) bool {
	switch name {
	case "concat", "concat_ws", "format":
		return true
	}
	return false
}

// namingUnknowns rewrites the function library's "function f(text, …)
// does not exist" to name an untyped literal's type unknown, as
// PostgreSQL's message does: the call was tried with such literals as
// text, but the user wrote no text there.
func namingUnknowns(err error, name string, raw []logical.Expr) *sqltypes.Error {
	e := sqltypes.AsError(err)
	prefix := "function " + name + "("
	if e == nil || e.Code != sqltypes.CodeUndefinedFunction || !strings.HasPrefix(e.Msg, prefix) || !strings.HasSuffix(e.Msg, ") does not exist") {
		return e
	}
	ts := make([]string, len(raw))
	for i, a := range raw {
		ts[i] = a.Type().String()
	}
	c := *e
	c.Msg = prefix + strings.Join(ts, ", ") + ") does not exist"
	return &c
}

// resolveUnknowns retries a call none of whose signatures takes its
// untyped literals and parameters as text with each of them as the type
// the function converts it to (left('abc', '2') reads '2' as an integer),
// text where it converts it to none. A literal that is no value of its
// type is the error (left('abc', 'x') is 22P02).
func (b *binder) resolveUnknowns(name string, raw []logical.Expr, argNodes []*pg_query.Node) (logical.Expr, bool, error) {
	resolved := make([]sqltypes.Type, len(raw))
	probe := make([]expr.Expr, len(raw))
	for i, a := range raw {
		if a.Type().Kind != sqltypes.Unknown {
			probe[i] = probeArg(i, a)
			continue
		}
		c, isConst := a.(*logical.Const)
		if isConst {
			probe[i] = expr.UnknownArg(i, c.V, false, &resolved[i])
		} else {
			probe[i] = expr.UnknownArg(i, nil, true, &resolved[i])
		}
	}
	if _, err := expr.Call(name, probe); err != nil {
		return nil, false, nil
	}
	args := make([]logical.Expr, len(raw))
	for i, a := range raw {
		args[i] = a
		if a.Type().Kind != sqltypes.Unknown {
			continue
		}
		t := resolved[i]
		if t.Kind == sqltypes.Unknown {
			t = sqltypes.TypeText
		}
		var err error
		if args[i], err = b.tentative(a, t); err != nil {
			return nil, false, errAt(sqltypes.AsError(err), location(argNodes[i]))
		}
	}
	rt, err := funcType(name, args)
	if err != nil {
		return nil, false, nil
	}
	b.settleParams(args)
	return &logical.Func{Name: name, Args: args, T: rt}, true, nil
}

// unknownsAsOthers retries a call none of whose signatures takes its
// untyped literals as text with them read as the type of a typed
// argument, each tried in turn: power(price, '2') is power(numeric,
// numeric), as PostgreSQL's resolution reads an unknown like the other
// arguments (with none typed, float8 is tried last).
func (b *binder) unknownsAsOthers(name string, raw []logical.Expr) (logical.Expr, bool) {
	tried := map[string]bool{}
	candidates := append(typesOf(raw), sqltypes.TypeFloat8) // float8: the preferred numeric type, for abs('-5')
	for _, t := range candidates {
		if t.Kind == sqltypes.Unknown || tried[t.String()] {
			continue
		}
		tried[t.String()] = true
		args := make([]logical.Expr, len(raw))
		ok := true
		for i, a := range raw {
			args[i] = a
			if a.Type().Kind != sqltypes.Unknown {
				continue
			}
			var err error
			if s, isStr := constString(asConst(a)); isStr && t.Kind == sqltypes.Numeric {
				args[i], err = numericLiteral(s) // its own scale, as an unconstrained numeric
			} else {
				args[i], err = b.tentative(a, t)
			}
			ok = ok && err == nil
		}
		if !ok {
			continue
		}
		if rt, err := funcType(name, args); err == nil {
			b.settleParams(args)
			return &logical.Func{Name: name, Args: args, T: rt}, true
		}
	}
	return nil, false
}

// bindJSONSetCall binds a JSON set-returning function's document argument
// as the calls of the list functions names (see expr.JSONSetKeysFunc). An
// untyped literal is a json (jsonb) document, as PostgreSQL resolves it;
// text is not.
func (b *binder) bindJSONSetCall(fc *pg_query.FuncCall, sc *scope, agg *aggState, names ...string) ([]logical.Expr, error) {
	args, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	if len(args) == 1 && args[0].Type().Kind == sqltypes.Unknown {
		if args[0], err = b.coerce(args[0], expr.JSONSetArgType(funcName(fc))); err != nil {
			return nil, errAt(sqltypes.AsError(err), location(fc.Args[0]))
		}
	}
	lists := make([]logical.Expr, len(names))
	for i, name := range names {
		rt, err := funcType(name, args)
		if err != nil {
			return nil, errAt(sqltypes.AsError(err), int(fc.Location))
		}
		lists[i] = &logical.Func{Name: name, Args: args, T: rt}
	}
	return lists, nil
}

// expandSetFunctions evaluates the set-returning functions of a select
// list: one Unnest over node expands all of them in lockstep, as
// PostgreSQL (10 and later) does — as many rows as the longest, the
// others NULL — and an input row whose arrays are all empty or NULL
// yields no rows. exprs read the element columns instead.
func (b *binder) expandSetFunctions(node logical.Node, exprs []logical.Expr) (logical.Node, []logical.Expr) {
	var u *logical.Unnest
	out := make([]logical.Expr, len(exprs))
	for i, e := range exprs {
		out[i] = logical.Rewrite(e, func(x logical.Expr) logical.Expr {
			f, ok := x.(*logical.Func)
			if !ok || f.Name != setFunctionMarker {
				return x
			}
			if u == nil {
				u = &logical.Unnest{Input: node}
			}
			id := b.meta.NewColumn(setFunctionMarker, "", f.T)
			u.Lists, u.Cols = append(u.Lists, f.Args[0]), append(u.Cols, id)
			return b.colRef(id)
		})
	}
	if u == nil {
		return node, exprs
	}
	return b.splitJSONEach(u), out
}

// jsonEachColumn marks, among the lists of an Unnest, a column of
// json_each (or a variant): Args are the call's list of members
// (expr.JSONSetPairsFunc) and the field (0 key, 1 value). splitJSONEach
// replaces the marks before the plan is complete.
const jsonEachColumn = "json_each column"

// jsonEachColumns returns the marks of json_each's key and value columns
// over pairs, its list of members, which both share.
func jsonEachColumns(srf string, pairs logical.Expr) []logical.Expr {
	value := sqltypes.TypeText
	if !strings.HasSuffix(srf, "_text") {
		value = expr.JSONRecordFieldType(srf)
	}
	return []logical.Expr{
		&logical.Func{Name: jsonEachColumn, Args: []logical.Expr{pairs, &logical.Const{T: sqltypes.TypeInt4, V: int32(0)}}, T: sqltypes.ListOf(sqltypes.TypeText)},
		&logical.Func{Name: jsonEachColumn, Args: []logical.Expr{pairs, &logical.Const{T: sqltypes.TypeInt4, V: int32(1)}}, T: sqltypes.ListOf(value)},
	}
}

// splitJSONEach unnests, in place of u's json_each columns, each call's
// list of members once (so a document is parsed once per row, not once
// per column), and returns a projection that reads the key and value of
// each member into those columns (u itself when it has none).
func (b *binder) splitJSONEach(u *logical.Unnest) logical.Node {
	var lists []logical.Expr
	var cols []logical.ColumnID
	members := map[logical.Expr]logical.ColumnID{} // a call's list of members → its column
	hidden := map[logical.ColumnID]bool{}
	var fields []logical.Expr
	var fieldCols []logical.ColumnID
	for i, l := range u.Lists {
		m, ok := l.(*logical.Func)
		if !ok || m.Name != jsonEachColumn {
			lists, cols = append(lists, l), append(cols, u.Cols[i])
			continue
		}
		pairs := m.Args[0].(*logical.Func)
		id, seen := members[pairs]
		if !seen {
			id = b.meta.NewColumn("?members?", "", *expr.JSONSetPairsType.Elem)
			members[pairs], hidden[id] = id, true
			lists, cols = append(lists, pairs), append(cols, id)
		}
		srf := strings.TrimSuffix(pairs.Name, " pairs")
		elem := *m.T.Elem
		raw := elem.Kind != sqltypes.Text
		fields = append(fields, &logical.Func{Name: expr.JSONRecordFieldFunc(srf),
			Args: []logical.Expr{&logical.ColRef{ID: id, Name: "?members?", T: *expr.JSONSetPairsType.Elem}, m.Args[1], &logical.Const{T: sqltypes.TypeBool, V: raw}},
			T:    elem})
		fieldCols = append(fieldCols, u.Cols[i])
	}
	if fields == nil {
		return u
	}
	u.Lists, u.Cols = lists, cols
	p := &logical.Project{Input: u}
	for _, id := range u.Output() {
		if !hidden[id] {
			p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
		}
	}
	p.Exprs, p.Cols = append(p.Exprs, fields...), append(p.Cols, fieldCols...)
	return p
}

// asConst is e as a constant, for constString.
func asConst(e logical.Expr) (*logical.Const, bool) {
	c, ok := e.(*logical.Const)
	return c, ok
}
