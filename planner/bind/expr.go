package bind

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

const opEq = expr.OpEq

var binaryOps = map[string]expr.BinaryOp{
	"+": expr.OpAdd, "-": expr.OpSub, "*": expr.OpMul, "/": expr.OpDiv, "%": expr.OpMod,
	"=": expr.OpEq, "<>": expr.OpNe, "!=": expr.OpNe, "<": expr.OpLt, "<=": expr.OpLe,
	">": expr.OpGt, ">=": expr.OpGe, "||": expr.OpConcat,
}

// funcName returns a function's unqualified, lower-case name
// (pg_catalog.lower → lower).
func funcName(fc *pg_query.FuncCall) string {
	parts := fc.Funcname
	if len(parts) == 0 {
		return ""
	}
	return strings.ToLower(parts[len(parts)-1].GetString_().Sval)
}

func opName(names []*pg_query.Node) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1].GetString_().Sval
}

// bindPredicate binds a boolean condition (WHERE, ON, HAVING, FILTER).
func (b *binder) bindPredicate(n *pg_query.Node, sc *scope, clause string) (logical.Expr, error) {
	restore := b.bindingIn(conditionClause(clause))
	e, err := b.bindExpr(n, sc, nil)
	restore()
	if err != nil {
		return nil, err
	}
	return b.coerceBool(e, clause, location(n))
}

// conditionClause is PostgreSQL's name of a condition's clause in the
// errors of calls it cannot hold.
func conditionClause(clause string) string {
	if clause == "JOIN/ON" {
		return "JOIN conditions"
	}
	return clause
}

func (b *binder) coerceBool(e logical.Expr, clause string, loc int) (logical.Expr, error) {
	if e.Type().Kind == sqltypes.Bool {
		return e, nil
	}
	if e.Type().Kind == sqltypes.Unknown {
		return b.coerce(e, sqltypes.TypeBool)
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, e.Type()), loc)
}

// bindExpr binds a scalar expression. agg is non-nil where aggregate calls
// are allowed (select list, HAVING, ORDER BY of an aggregating query).
func (b *binder) bindExpr(n *pg_query.Node, sc *scope, agg *aggState) (logical.Expr, error) {
	e, err := b.bindExprNode(n, sc, agg)
	if err == nil {
		err = recordOperand(e)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// recordOperand refuses an expression over a record value other than its
// cast to text: meshql holds records as their text, which is not what
// PostgreSQL's operators, functions and IS NULL see (fields).
func recordOperand(e logical.Expr) error {
	switch x := e.(type) {
	case *logical.Cast:
		if x.T.IsString() {
			return nil
		}
	case *logical.Func:
		if x.Name == expr.RowFunc {
			return nil // a record's fields are its text already
		}
	case *logical.Case:
		// Its results pass through, as PostgreSQL's; its conditions
		// are boolean, checked as they are bound.
		return nil
	}
	for _, c := range e.Children() {
		if hasRecord(c.Type()) {
			return sqltypes.New(sqltypes.CodeFeatureNotSupported, "operators and functions over record values are not supported").
				WithHint("Select its fields (t.col rather than t, (json_each(j)).key), or cast the record to text.")
		}
	}
	return nil
}

func hasRecord(t sqltypes.Type) bool { return t.HasKind(sqltypes.Record) }

func (b *binder) bindExprNode(n *pg_query.Node, sc *scope, agg *aggState) (logical.Expr, error) {
	switch {
	case n.GetColumnRef() != nil:
		e, err := b.bindColumnRef(n.GetColumnRef(), sc)
		if sqltypes.Code(err) == sqltypes.CodeUndefinedColumn && len(n.GetColumnRef().Fields) == 1 {
			if row, whole, rowErr := b.bindWholeRow(n, sc, agg); whole {
				return row, rowErr
			}
		}
		return e, err
	case n.GetRowExpr() != nil:
		return b.bindRow(n.GetRowExpr(), sc, agg)
	case n.GetAConst() != nil:
		e, err := bindConst(n.GetAConst())
		if c, ok := e.(*logical.Const); ok && c.T.Kind == sqltypes.Unknown {
			b.noteLiteral(c, int(n.GetAConst().Location))
		}
		return e, err
	case n.GetParamRef() != nil:
		p := n.GetParamRef()
		if p.Number < 1 {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedParameter, "there is no parameter $%d", p.Number), int(p.Location))
		}
		return &logical.Param{Index: int(p.Number), T: b.params.get(int(p.Number))}, nil
	case n.GetTypeCast() != nil:
		return b.bindTypeCast(n.GetTypeCast(), sc, agg)
	case n.GetAExpr() != nil:
		return b.bindAExpr(n.GetAExpr(), sc, agg)
	case n.GetBoolExpr() != nil:
		return b.bindBoolExpr(n.GetBoolExpr(), sc, agg)
	case n.GetNullTest() != nil:
		return b.bindNullTest(n.GetNullTest(), sc, agg)
	case n.GetBooleanTest() != nil:
		bt := n.GetBooleanTest()
		e, err := b.bindExpr(bt.Arg, sc, agg)
		if err != nil {
			return nil, err
		}
		if e, err = b.coerceBool(e, "IS TRUE", int(bt.Location)); err != nil {
			return nil, err
		}
		op := map[pg_query.BoolTestType]logical.UnaryOp{
			pg_query.BoolTestType_IS_TRUE: logical.OpIsTrue, pg_query.BoolTestType_IS_NOT_TRUE: logical.OpIsNotTrue,
			pg_query.BoolTestType_IS_FALSE: logical.OpIsFalse, pg_query.BoolTestType_IS_NOT_FALSE: logical.OpIsNotFalse,
			pg_query.BoolTestType_IS_UNKNOWN: logical.OpIsNull, pg_query.BoolTestType_IS_NOT_UNKNOWN: logical.OpIsNotNull,
		}[bt.Booltesttype]
		return &logical.Unary{Op: op, E: e, T: sqltypes.TypeBool}, nil
	case n.GetFuncCall() != nil:
		fc := n.GetFuncCall()
		if fc.Over != nil {
			return b.bindWindowCall(fc, sc, agg)
		}
		if isAggregate(fc) {
			if k := b.aggregateLevel(fc, sc); k >= 0 && k < len(b.levels)-1 {
				return b.bindOuter(k, "aggregate functions", int(fc.Location), func(sc *scope, agg *aggState) (logical.Expr, error) {
					return b.bindAggregate(fc, sc, agg)
				})
			}
			return b.bindAggregate(fc, sc, agg)
		}
		return b.bindFuncCall(fc, sc, agg)
	case n.GetCaseExpr() != nil:
		return b.bindCase(n.GetCaseExpr(), sc, agg)
	case n.GetCoalesceExpr() != nil:
		ce := n.GetCoalesceExpr()
		return b.bindVariadic("coalesce", ce.Args, sc, agg, int(ce.Location))
	case n.GetMinMaxExpr() != nil:
		mm := n.GetMinMaxExpr()
		name := "greatest"
		if mm.Op == pg_query.MinMaxOp_IS_LEAST {
			name = "least"
		}
		return b.bindVariadic(name, mm.Args, sc, agg, int(mm.Location))
	case n.GetSqlvalueFunction() != nil:
		return b.bindSQLValueFunction(n.GetSqlvalueFunction())
	case n.GetCollateClause() != nil:
		return b.bindCollate(n.GetCollateClause(), sc, agg)
	case n.GetGroupingFunc() != nil:
		gf := n.GetGroupingFunc()
		if k := b.callLevel(sc, gf.Args...); k >= 0 && k < len(b.levels)-1 {
			return b.bindOuter(k, "grouping operations", int(gf.Location), func(sc *scope, agg *aggState) (logical.Expr, error) {
				return b.bindGrouping(gf, sc, agg)
			})
		}
		return b.bindGrouping(gf, sc, agg)
	case n.GetSubLink() != nil:
		return b.bindSubLink(n.GetSubLink(), sc, agg)
	case n.GetAArrayExpr() != nil:
		return b.bindArray(n.GetAArrayExpr(), sc, agg, sqltypes.Type{})
	case n.GetAIndirection() != nil:
		return b.bindIndirection(n.GetAIndirection(), sc, agg, location(n))
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "expression %s is not supported", nodeKind(n)), location(n))
}

func (b *binder) bindColumnRef(cr *pg_query.ColumnRef, sc *scope) (logical.Expr, error) {
	var parts []string
	for i, f := range cr.Fields {
		if f.GetAStar() != nil {
			if i == 1 {
				if c, ok := sc.scalarRange(parts[0]); ok {
					return &logical.ColRef{ID: c.id, Name: c.name, T: c.t}, nil
				}
			}
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "* is only allowed in the select list"), int(cr.Location))
		}
		parts = append(parts, f.GetString_().Sval)
	}
	parts, err := withoutCatalog(parts, int(cr.Location))
	if err != nil {
		return nil, err
	}
	schema, table, name, ok := qualifiedName(parts)
	if !ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(parts, ".")), int(cr.Location))
	}
	c, err := sc.lookup(schema, table, name, int(cr.Location))
	if err != nil {
		// A bare name that no column is called may name a range (a
		// whole-row reference; wholeRowRange).
		s, ok := sc.scalarRange(name)
		if table != "" || !ok || sqltypes.Code(err) != sqltypes.CodeUndefinedColumn {
			return nil, err
		}
		c = s
	}
	return &logical.ColRef{ID: c.id, Name: c.name, T: c.t}, nil
}

// withoutCatalog drops the database name of a four-part column reference
// (mesh.schema.table.column); another database's is 0A000, as in
// PostgreSQL.
func withoutCatalog(parts []string, loc int) ([]string, error) {
	if len(parts) != 4 {
		return parts, nil
	}
	if parts[0] != "mesh" {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "cross-database references are not implemented: %s", strings.Join(parts, ".")), loc)
	}
	return parts[1:], nil
}

// bindConst types literals as PostgreSQL does: integers that fit int4 are
// int4, larger ones int8, then numeric; decimals are numeric; strings are
// unknown until context decides.
func bindConst(ac *pg_query.A_Const) (logical.Expr, error) {
	if ac.Isnull {
		return &logical.Const{T: sqltypes.TypeUnknown}, nil
	}
	switch v := ac.Val.(type) {
	case *pg_query.A_Const_Ival:
		return &logical.Const{T: sqltypes.TypeInt4, V: v.Ival.Ival}, nil
	case *pg_query.A_Const_Fval:
		str := v.Fval.Fval
		if i, err := strconv.ParseInt(str, 10, 64); err == nil {
			// The parser leaves -2147483648 a float literal; it still fits int4.
			if i == int64(int32(i)) {
				return &logical.Const{T: sqltypes.TypeInt4, V: int32(i)}, nil
			}
			return &logical.Const{T: sqltypes.TypeInt8, V: i}, nil
		}
		e, err := numericLiteral(str)
		if err != nil {
			return nil, errAt(sqltypes.AsError(err), int(ac.Location))
		}
		return e, nil
	case *pg_query.A_Const_Boolval:
		return &logical.Const{T: sqltypes.TypeBool, V: v.Boolval.Boolval}, nil
	case *pg_query.A_Const_Sval:
		return &logical.Const{T: sqltypes.TypeUnknown, V: v.Sval.Sval}, nil
	case *pg_query.A_Const_Bsval:
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "bit-string literals are not supported"), int(ac.Location))
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "unsupported literal"), int(ac.Location))
}

// bindFloatPair binds an operator's operands. A numeric literal beyond
// meshql's 38-digit numeric next to a double precision or real operand
// is read as double precision, which PostgreSQL's implicit cast makes of
// it too (1e300::float8 * 1e-300 is 1); elsewhere it stays 22003.
func bindFloatPair(ln, rn *pg_query.Node, bind func(*pg_query.Node) (logical.Expr, error)) (logical.Expr, logical.Expr, error) {
	l, lerr := bind(ln)
	if lerr != nil && !oversizeLiteral(ln) {
		return nil, nil, lerr
	}
	r, rerr := bind(rn)
	isFloat := func(e logical.Expr) bool {
		k := e.Type().Kind
		return k == sqltypes.Float8 || k == sqltypes.Float4
	}
	switch {
	case lerr != nil:
		if rerr == nil && isFloat(r) {
			if f, ok := floatLiteral(ln); ok {
				return f, r, nil
			}
		}
		return nil, nil, lerr
	case rerr != nil:
		if isFloat(l) && oversizeLiteral(rn) {
			if f, ok := floatLiteral(rn); ok {
				return l, f, nil
			}
		}
		return nil, nil, rerr
	}
	return l, r, nil
}

// oversizeLiteral reports whether n is a numeric literal meshql's numeric
// cannot hold.
func oversizeLiteral(n *pg_query.Node) bool {
	f := n.GetAConst().GetFval()
	if f == nil {
		return false
	}
	_, err := numericLiteral(f.Fval)
	return err != nil
}

// floatLiteral is the numeric literal n as the nearest double, if it is
// one within double precision's range.
func floatLiteral(n *pg_query.Node) (logical.Expr, bool) {
	f := n.GetAConst().GetFval()
	if f == nil {
		return nil, false
	}
	v, err := strconv.ParseFloat(f.Fval, 64)
	if err != nil || v == 0 && nonzeroText(f.Fval) {
		return nil, false
	}
	return &logical.Const{T: sqltypes.TypeFloat8, V: v}, true
}

// nonzeroText reports whether the numeric literal s has a digit other than
// 0 (a double that parses it as 0 underflowed).
func nonzeroText(s string) bool {
	mant, _, _ := strings.Cut(strings.ToLower(s), "e")
	return strings.ContainsAny(mant, "123456789")
}

// ResolveTypeName maps a TypeName node to a SQL type (PREPARE's declared
// parameter types).
func ResolveTypeName(tn *pg_query.TypeName) (sqltypes.Type, error) { return resolveTypeName(tn) }

// resolveTypeName maps a TypeName node to a SQL type.
func resolveTypeName(tn *pg_query.TypeName) (sqltypes.Type, error) {
	var name string
	for _, n := range tn.Names {
		if s := n.GetString_(); s != nil && s.Sval != "pg_catalog" {
			name = s.Sval
		}
	}
	var mods []int32
	for _, m := range tn.Typmods {
		if ac := m.GetAConst(); ac != nil {
			if iv, ok := ac.Val.(*pg_query.A_Const_Ival); ok {
				mods = append(mods, iv.Ival.Ival)
				continue
			}
		}
		return sqltypes.Type{}, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "type modifiers must be simple constants"), int(tn.Location))
	}
	if name == "char" && len(tn.Names) == 1 {
		// "char", PostgreSQL's one-byte internal type, not character(1)
		// (which the parser names pg_catalog.bpchar).
		if len(mods) > 0 {
			return sqltypes.Type{}, errAt(sqltypes.New(sqltypes.CodeSyntaxError, `type modifier is not allowed for type "char"`), int(tn.Location))
		}
		if len(tn.ArrayBounds) > 0 {
			return sqltypes.ListOf(sqltypes.TypeChar), nil
		}
		return sqltypes.TypeChar, nil
	}
	if name == "interval" {
		mods = nil // INTERVAL field restrictions (DAY TO SECOND…) do not change the value here
	}
	t, ok := sqltypes.LookupType(name, mods)
	if !ok && isMultirangeName(name) {
		return sqltypes.Type{}, errAt(errMultirange(name), int(tn.Location))
	}
	if !ok {
		return sqltypes.Type{}, errAt(sqltypes.New(sqltypes.CodeUndefinedObject, "type %q does not exist", name), int(tn.Location))
	}
	if (t.Kind == sqltypes.Bpchar || t.Kind == sqltypes.Varchar) && len(mods) > 0 && t.Precision < 1 {
		return sqltypes.Type{}, errAt(sqltypes.New(sqltypes.CodeInvalidParameterValue, "length for type %s must be at least 1", name), int(tn.Location))
	}
	if t.Kind == sqltypes.Numeric && t.Precision > sqltypes.MaxNumericPrecision {
		return sqltypes.Type{}, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "numeric precision %d exceeds meshql's maximum of %d", t.Precision, sqltypes.MaxNumericPrecision), int(tn.Location))
	}
	if len(tn.ArrayBounds) > 0 {
		t = sqltypes.ListOf(t)
	}
	return t, nil
}

// bindNullTestArg binds the operand of IS [NOT] NULL. An untyped literal
// is read as text: unknown-typed values are held in Arrow null arrays, so
// 'a' IS NULL would otherwise be true.
func (b *binder) bindNullTestArg(n *pg_query.Node, sc *scope, agg *aggState) (logical.Expr, error) {
	e, err := b.bindExpr(n, sc, agg)
	if err != nil || e.Type().Kind != sqltypes.Unknown {
		return e, err
	}
	if _, ok := e.(*logical.Param); ok {
		return b.looseParam(e, location(n)), nil
	}
	return b.coerce(e, sqltypes.TypeText)
}

// regKind is the name of an object-identifier type (regclass, regtype,
// regnamespace, regproc, regrole) a cast names, or "".
func regKind(tn *pg_query.TypeName) string {
	if tn == nil || len(tn.Names) == 0 || len(tn.ArrayBounds) > 0 {
		return ""
	}
	switch name := tn.Names[len(tn.Names)-1].GetString_().GetSval(); name {
	case "regclass", "regtype", "regnamespace", "regproc", "regprocedure", "regrole":
		return name
	}
	return ""
}

func (b *binder) bindTypeCast(tc *pg_query.TypeCast, sc *scope, agg *aggState) (logical.Expr, error) {
	unit := intervalFieldUnit(tc.TypeName)
	if unit != "" {
		// A bare number counts in the qualifier's last field: INTERVAL '90'
		// MINUTE is 90 minutes, not 90 seconds.
		if sv := tc.Arg.GetAConst().GetSval(); sv != nil && isBareNumber(sv.Sval) {
			arg := pg_query.MakeAConstStrNode(strings.TrimSpace(sv.Sval)+" "+unit, tc.Arg.GetAConst().Location)
			tc = &pg_query.TypeCast{Arg: arg, TypeName: tc.TypeName, Location: tc.Location}
		} else if sv != nil && intervalMask(tc.TypeName) == minuteToSecond {
			// MINUTE TO SECOND reads a two-field time as minutes:seconds.
			if v := strings.TrimSpace(sv.Sval); strings.Count(v, ":") == 1 && !strings.ContainsAny(v, ". ") {
				sign := ""
				if v[0] == '-' || v[0] == '+' {
					sign, v = v[:1], v[1:]
				}
				arg := pg_query.MakeAConstStrNode(sign+"0:"+v, tc.Arg.GetAConst().Location)
				tc = &pg_query.TypeCast{Arg: arg, TypeName: tc.TypeName, Location: tc.Location}
			}
		}
	}
	e, err := b.bindPlainCast(tc, sc, agg)
	if err != nil {
		return nil, err
	}
	if unit != "" && unit != "second" {
		// Fields below the qualifier's last one are dropped, which is
		// date_trunc on an interval.
		return &logical.Func{Name: "date_trunc", Args: []logical.Expr{&logical.Const{T: sqltypes.TypeText, V: unit}, e}, T: e.Type()}, nil
	}
	return roundToTypmod(e, tc.TypeName)
}

// arrayTextScale is the largest scale of the numbers an array literal
// writes (0 if it does not parse as an array: parsing it as numeric[]
// reports why).
func (b *binder) arrayTextScale(s string) int32 {
	v, err := b.parseLiteral(sqltypes.ArrayOf(sqltypes.TypeText, sqltypes.ArrayTextNdims(s)), s)
	if err != nil {
		return 0
	}
	var scale int32
	var walk func(any)
	walk = func(x any) {
		switch y := x.(type) {
		case []any:
			for _, e := range y {
				walk(e)
			}
		case string:
			scale = max(scale, min(sqltypes.NumericTextScale(y), sqltypes.MaxNumericPrecision))
		}
	}
	walk(v)
	return scale
}

// intervalFieldUnit is the last field of an INTERVAL qualifier (YEAR, DAY
// TO HOUR, …) as a date_trunc unit, or "" for an unqualified interval or
// another type. The typmod is PostgreSQL's field bit mask.
func intervalFieldUnit(tn *pg_query.TypeName) string {
	mask := intervalMask(tn)
	if mask == 0 {
		return ""
	}
	for _, f := range []struct {
		bit  int32
		unit string
	}{{12, "second"}, {11, "minute"}, {10, "hour"}, {3, "day"}, {1, "month"}, {2, "year"}} {
		if mask&(1<<f.bit) != 0 {
			return f.unit
		}
	}
	return ""
}

// minuteToSecond is the field mask of INTERVAL MINUTE TO SECOND.
const minuteToSecond = 1<<11 | 1<<12

// intervalMask is the field bit mask of an INTERVAL qualifier, 0 for an
// unqualified interval or another type.
func intervalMask(tn *pg_query.TypeName) int32 {
	if tn == nil || len(tn.Typmods) == 0 || len(tn.ArrayBounds) > 0 || len(tn.Names) == 0 ||
		tn.Names[len(tn.Names)-1].GetString_().GetSval() != "interval" {
		return 0
	}
	iv, ok := tn.Typmods[0].GetAConst().GetVal().(*pg_query.A_Const_Ival)
	if !ok {
		return 0
	}
	const fullRange = 0x7FFF
	if iv.Ival.Ival == fullRange {
		return 0
	}
	return iv.Ival.Ival
}

// isBareNumber reports whether s is a signed decimal number with no unit.
func isBareNumber(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "+-")
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !strings.Contains(s[i+1:], "."):
		default:
			return false
		}
	}
	return digits > 0
}

// roundToTypmod applies a timestamp(p), time(p) or interval(p) cast's
// precision: PostgreSQL rounds the fractional seconds to p digits (its
// timestamp(ts, p), time(t, p) and interval(i, p) functions).
func roundToTypmod(e logical.Expr, tn *pg_query.TypeName) (logical.Expr, error) {
	name := map[sqltypes.Kind]string{sqltypes.Timestamp: "timestamp", sqltypes.TimestampTZ: "timestamptz",
		sqltypes.Time: "time", sqltypes.Interval: "interval"}[e.Type().Leaf().Kind]
	mods := tn.Typmods
	if name == "interval" && len(mods) == 2 {
		mods = mods[1:] // the first is the field mask: INTERVAL SECOND(p), INTERVAL(p)
	} else if name == "interval" {
		return e, nil
	}
	if name == "" || len(mods) != 1 || (len(tn.ArrayBounds) > 0) != (e.Type().Kind == sqltypes.List) {
		return e, nil
	}
	iv, ok := mods[0].GetAConst().GetVal().(*pg_query.A_Const_Ival)
	if !ok {
		return e, nil
	}
	p := iv.Ival.Ival
	if c, ok := e.(*logical.Const); ok && (name == "timestamp" || name == "timestamptz") && c.T.Kind != sqltypes.List {
		if c.V == nil {
			return c, nil
		}
		v, _, err := expr.RoundTimestamp(c.V.(arrow.Timestamp), p)
		if err != nil {
			return nil, errAt(sqltypes.AsError(err), int(tn.Location))
		}
		return &logical.Const{T: c.T, V: v}, nil
	}
	return &logical.Func{Name: name, Args: []logical.Expr{e, &logical.Const{T: sqltypes.TypeInt4, V: p}}, T: e.Type()}, nil
}

func (b *binder) bindPlainCast(tc *pg_query.TypeCast, sc *scope, agg *aggState) (logical.Expr, error) {
	t, err := resolveTypeName(tc.TypeName)
	if err != nil {
		return nil, err
	}
	return b.bindCastTo(tc.Arg, t, regKind(tc.TypeName), int(tc.Location), sc, agg)
}

// bindCastTo binds arg cast explicitly to t; kind is the reg* type t was
// named as ("" for others) and loc where errors point.
func (b *binder) bindCastTo(arg *pg_query.Node, t sqltypes.Type, kind string, loc int, sc *scope, agg *aggState) (logical.Expr, error) {
	if ae := arg.GetAArrayExpr(); ae != nil && t.Kind == sqltypes.List {
		return b.bindArray(ae, sc, agg, t.Leaf())
	}
	if f := arg.GetAConst().GetFval(); f != nil && (t.Kind == sqltypes.Float8 || t.Kind == sqltypes.Float4) {
		// PostgreSQL reads the literal as numeric, exactly, and rounds
		// that to the nearest double once: parse its text the same way,
		// also when it is beyond meshql's 38-digit numeric (1e-39::float8).
		bits := 64
		if t.Kind == sqltypes.Float4 {
			bits = 32
		}
		v, err := strconv.ParseFloat(f.Fval, bits)
		if err != nil || v == 0 && nonzeroText(f.Fval) {
			return nil, errAt(sqltypes.New(sqltypes.CodeNumericOutOfRange, "%q is out of range for type %s", f.Fval, t), int(arg.GetAConst().Location))
		}
		if bits == 32 {
			return &logical.Const{T: t, V: float32(v)}, nil
		}
		return &logical.Const{T: t, V: v}, nil
	}
	e, err := b.bindExpr(arg, sc, agg)
	if err != nil {
		return nil, err
	}
	if c := arg.GetAConst(); c != nil && c.GetSval() != nil && c.Location >= 0 {
		// PostgreSQL points a literal's input error ('a'::int,
		// CAST('x' AS int), int 'x') at the literal, not at the cast.
		loc = int(c.Location)
	}
	return b.castBound(e, t, kind, loc)
}

// castBound casts the bound expression e explicitly to t (see bindCastTo).
func (b *binder) castBound(e logical.Expr, t sqltypes.Type, kind string, loc int) (logical.Expr, error) {
	if c, ok := e.(*logical.Const); ok && c.T.Kind == sqltypes.Unknown {
		if c.V == nil {
			return &logical.Const{T: t}, nil
		}
		if kind != "" && b.opts.ResolveOID != nil {
			oid, err := b.opts.ResolveOID(kind, c.V.(string))
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			return &logical.Const{T: t, V: uint32(oid)}, nil
		}
		if t.Kind == sqltypes.Numeric && t.Precision == 0 {
			// Unconstrained numeric keeps the literal's own scale ('1.50'
			// is 1.50); ParseNumeric only checks the syntax here.
			if _, err := sqltypes.ParseNumeric(c.V.(string), 0, 0); err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			e, err := numericLiteral(c.V.(string))
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			return e, nil
		}
		if t.Kind == sqltypes.List {
			leaf := t.Leaf()
			if leaf.Kind == sqltypes.Numeric && leaf.Precision == 0 {
				// numeric[] keeps its elements' digits ('{3.1}' is {3.1}):
				// the largest scale written.
				leaf.Scale = b.arrayTextScale(c.V.(string))
			}
			t = sqltypes.ArrayOf(leaf, sqltypes.ArrayTextNdims(c.V.(string)))
		}
		if unconstrainedNumericArray(t) {
			e, err := b.numericArrayLiteral(t, c.V.(string))
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			return e, nil
		}
		v, err := b.parseLiteral(t, c.V.(string))
		if err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
		return &logical.Const{T: t, V: v}, nil
	}
	if t.Kind == sqltypes.List && e.Type().Kind == sqltypes.List {
		// int[] names the array type of any dimensions: the value keeps its own.
		t = sqltypes.ArrayOf(t.Leaf(), e.Type().Ndims())
	}
	if kind != "" {
		if in, ok := b.regInput(kind, e, t); ok {
			return in, nil
		}
	}
	if p, ok := e.(*logical.Param); ok && p.T.Kind == sqltypes.Unknown {
		b.params.set(p.Index, t)
		return &logical.Param{Index: p.Index, T: b.params.get(p.Index)}, nil
	}
	if e.Type().Equal(t) {
		return e, nil
	}
	if e.Type().IsReg() && (t.IsString() || t.Kind == sqltypes.Name) {
		return b.regOutput(e, t, loc)
	}
	if t.Kind == sqltypes.Numeric && t.Precision == 0 {
		if e.Type().Kind == sqltypes.Numeric {
			return e, nil // numeric without a modifier keeps the value's scale
		}
		if e.Type().IsInteger() {
			t = sqltypes.NumericType(0, 0)
		}
		if n, ok := foldToNumeric(e); ok {
			return n, nil
		}
	}
	rt, err := castType(e.Type(), t)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	c := &logical.Cast{E: e, T: rt, Explicit: true}
	if _, ok := e.(*logical.Const); ok {
		if v, ok := constValue(c); ok {
			return &logical.Const{T: rt, V: v}, nil // 2::int2 is a smallint literal (constfold.go)
		}
	}
	return c, nil
}

// regInput binds the cast of a parameter of unknown type, or of a text
// value, to the reg* type kind (of SQL type t) as a call of the engine's
// action for that type's input function: PostgreSQL infers $1 in
// $1::regclass as regclass and accepts a relation's name for it, which
// can only be looked up once the value is known. Text cast to regclass is
// PostgreSQL's function regclass(text) instead, which reads a name only
// (not '-' nor an id). ok is false when the engine has no such action or
// e is of another type.
func (b *binder) regInput(kind string, e logical.Expr, t sqltypes.Type) (logical.Expr, bool) {
	if b.opts.Action == nil {
		return nil, false
	}
	p, isParam := e.(*logical.Param)
	unknownParam := isParam && p.T.Kind == sqltypes.Unknown
	fn := kind + "in"
	if kind == "regclass" && !unknownParam {
		fn = "regclass"
	}
	want, rt, ok := b.opts.Action(fn, 1)
	if !ok || len(want) != 1 || !rt.Equal(t) {
		return nil, false
	}
	if unknownParam {
		b.params.set(p.Index, want[0])
		e = &logical.Param{Index: p.Index, T: b.params.get(p.Index)}
	}
	if !e.Type().IsString() && e.Type().Kind != sqltypes.Name {
		return nil, false
	}
	if !e.Type().Equal(want[0]) {
		e = &logical.Cast{E: e, T: want[0]}
	}
	return &logical.Func{Name: fn, Args: []logical.Expr{e}, T: rt}, true
}

// makeBinary types a binary operator through the kernel registry.
func (b *binder) makeBinary(op expr.BinaryOp, l, r logical.Expr, loc int) (logical.Expr, error) {
	t, err := binaryType(op, l.Type(), r.Type())
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	if op == expr.OpDiv && t.Kind == sqltypes.Numeric {
		if q, ok := foldNumericDiv(l, r); ok {
			return q, nil
		}
	}
	return &logical.Binary{Op: op, L: l, R: r, T: t}, nil
}

// isTemporalArith reports whether l op r is date/time arithmetic, whose
// operands keep their own types (date - integer, timestamp + interval…).
func isTemporalArith(op expr.BinaryOp, l, r sqltypes.Type) bool {
	if op != expr.OpAdd && op != expr.OpSub && op != expr.OpMul && op != expr.OpDiv {
		return false
	}
	tl := l.IsTemporal() || l.Kind == sqltypes.Interval || l.Kind == sqltypes.Time
	tr := r.IsTemporal() || r.Kind == sqltypes.Interval || r.Kind == sqltypes.Time
	return tl || tr
}

// bindIndirection binds subscripts and slices of an array value:
// arr[i] (NULL when out of range) and arr[lo:hi], arr[:hi], arr[lo:].
func (b *binder) bindIndirection(ind *pg_query.A_Indirection, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	if e, ok, err := b.bindRecordField(ind, sc, agg); ok {
		return e, err
	}
	if e, ok, err := b.bindSetFunctionField(ind, sc, agg, loc); ok {
		return e, err
	}
	e, err := b.bindExpr(ind.Arg, sc, agg)
	if err != nil {
		return nil, err
	}
	var idxs []*pg_query.A_Indices
	slice := false
	for _, step := range ind.Indirection {
		idx := step.GetAIndices()
		if idx == nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "field selection from a composite value is not supported"), loc)
		}
		idxs, slice = append(idxs, idx), slice || idx.IsSlice
	}
	t := e.Type()
	if t.Kind != sqltypes.List {
		return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "cannot subscript type %s because it does not support subscripting", t), loc)
	}
	bound := func(n *pg_query.Node, open int32) (logical.Expr, error) {
		if n == nil {
			return &logical.Const{T: sqltypes.TypeInt4, V: open}, nil
		}
		x, err := b.bindExpr(n, sc, agg)
		if err != nil {
			return nil, err
		}
		return b.coerce(x, sqltypes.TypeInt4)
	}
	// As in PostgreSQL: with a slice anywhere every subscript is a slice
	// (a plain [i] meaning [1:i]); otherwise there must be one subscript
	// per dimension, and a different number gives NULL.
	name, args := "array_element", []logical.Expr{e}
	if slice {
		name = "array_slice"
	}
	for _, idx := range idxs {
		if slice {
			lo, err := bound(idx.Lidx, 1)
			if err != nil {
				return nil, err
			}
			args = append(args, lo)
		}
		hi, err := bound(idx.Uidx, expr.SliceOpenBound)
		if err != nil {
			return nil, err
		}
		args = append(args, hi)
	}
	if !slice && len(idxs) != t.Ndims() {
		return &logical.Const{T: t.Leaf()}, nil
	}
	rt, err := funcType(name, args)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: name, Args: args, T: rt}, nil
}

// bindRecordField binds (t.k).f, a field of a record column, where the
// record was flattened into a column named "k.f" (rewriteExpandArray is
// the one producer of such columns). ok is false for anything else.
func (b *binder) bindRecordField(ind *pg_query.A_Indirection, sc *scope, agg *aggState) (logical.Expr, bool, error) {
	cr := ind.Arg.GetColumnRef()
	if cr == nil || len(ind.Indirection) != 1 || ind.Indirection[0].GetString_() == nil || len(cr.Fields) > 2 {
		return nil, false, nil
	}
	fields := make([]*pg_query.Node, len(cr.Fields))
	copy(fields, cr.Fields)
	last := fields[len(fields)-1].GetString_()
	if last == nil {
		return nil, false, nil
	}
	fields[len(fields)-1] = pg_query.MakeStrNode(last.Sval + "." + ind.Indirection[0].GetString_().Sval)
	flat := pg_query.MakeColumnRefNode(fields, cr.Location)
	if !sc.resolves(flat.GetColumnRef()) {
		return nil, false, nil
	}
	e, err := b.bindExpr(flat, sc, agg)
	return e, true, err
}

// arrayOperators are the operators over two arrays, bound as functions.
var arrayOperators = map[string]string{"@>": "array_contains", "<@": "array_contained", "&&": "array_overlap"}

// bindArrayOperator binds || with an array operand (array_cat,
// array_append, array_prepend) and @>, <@, && over arrays; ok is false
// when no operand is an array. An untyped literal next to an array is
// read as an array of the same type, as PostgreSQL resolves it.
func (b *binder) bindArrayOperator(name string, l, r logical.Expr, loc int) (logical.Expr, bool, error) {
	lt, rt := l.Type(), r.Type()
	if lt.Kind != sqltypes.List && rt.Kind != sqltypes.List {
		return nil, false, nil
	}
	var err error
	if lt.Kind == sqltypes.Unknown {
		l, err = b.coerce(l, b.arrayTypeFor(l, rt.Leaf()))
	} else if rt.Kind == sqltypes.Unknown {
		r, err = b.coerce(r, b.arrayTypeFor(r, lt.Leaf()))
	}
	if err != nil {
		return nil, true, errAt(sqltypes.AsError(err), loc)
	}
	fn, ok := arrayOperators[name]
	if name == "||" {
		switch {
		case l.Type().Kind == sqltypes.List && r.Type().Kind == sqltypes.List:
			fn = "array_cat"
		case l.Type().Kind == sqltypes.List:
			fn = "array_append"
		default:
			fn = "array_prepend"
		}
	} else if !ok {
		return nil, false, nil
	}
	args, err := b.unifyArrayElements(fn, []logical.Expr{l, r})
	var t sqltypes.Type
	if err == nil {
		t, err = funcType(fn, args)
	}
	if sqltypes.Code(err) == sqltypes.CodeUndefinedFunction {
		return nil, true, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s %s", l.Type(), name, r.Type()).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts."), loc)
	}
	if err != nil {
		return nil, true, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: fn, Args: args, T: t}, true, nil
}

// jsonbOperators are jsonb's containment and existence operators, bound
// as the functions PostgreSQL implements them with.
var jsonbOperators = map[string]string{"@>": "jsonb_contains", "<@": "jsonb_contained",
	"?": "jsonb_exists", "?|": "jsonb_exists_any", "?&": "jsonb_exists_all"}

// bindJSONBOperator binds @>, <@, ?, ?| and ?& with a jsonb operand; ok
// is false when no operand is jsonb. An untyped literal is read as jsonb
// next to @> and <@, as the key (text) or keys (text[]) of ?, ?| and ?&.
func (b *binder) bindJSONBOperator(name string, l, r logical.Expr, loc int) (logical.Expr, bool, error) {
	fn, ok := jsonbOperators[name]
	if !ok || l.Type().Kind != sqltypes.JSONB && r.Type().Kind != sqltypes.JSONB {
		return nil, false, nil
	}
	rt := sqltypes.TypeJSONB
	switch name {
	case "?":
		rt = sqltypes.TypeText
	case "?|", "?&":
		rt = sqltypes.ListOf(sqltypes.TypeText)
	}
	e, err := b.bindJSONBCall(fn, name, l, r, rt, loc)
	return e, true, err
}

// bindJSONBEdit binds jsonb || jsonb (jsonb_concat) and jsonb - key,
// jsonb - keys, jsonb - index (jsonb_delete); ok is false for other
// operands. An untyped literal next to jsonb is jsonb for ||, text for -.
func (b *binder) bindJSONBEdit(op expr.BinaryOp, opText string, l, r logical.Expr, loc int) (logical.Expr, bool, error) {
	lt, rt := l.Type().Kind, r.Type().Kind
	switch {
	case op == expr.OpConcat && (lt == sqltypes.JSONB && (rt == sqltypes.JSONB || rt == sqltypes.Unknown) ||
		rt == sqltypes.JSONB && lt == sqltypes.Unknown):
		e, err := b.bindJSONBCall("jsonb_concat", opText, l, r, sqltypes.TypeJSONB, loc)
		return e, true, err
	case op == expr.OpSub && (lt == sqltypes.JSONB ||
		lt == sqltypes.Unknown && (r.Type().IsString() || rt == sqltypes.List && r.Type().Leaf().IsString())):
		// An untyped literal minus text is jsonb - text, the one
		// operator taking text on the right.
		e, err := b.bindJSONBCall("jsonb_delete", opText, l, r, sqltypes.TypeText, loc)
		return e, true, err
	}
	return nil, false, nil
}

// bindJSONBCall binds the jsonb operator opText as the function fn(l, r),
// an untyped left operand read as jsonb and an untyped right one as rt.
func (b *binder) bindJSONBCall(fn, opText string, l, r logical.Expr, rt sqltypes.Type, loc int) (logical.Expr, error) {
	var err error
	if l.Type().Kind == sqltypes.Unknown {
		l, err = b.coerce(l, sqltypes.TypeJSONB)
	}
	if err == nil && r.Type().Kind == sqltypes.Unknown {
		r, err = b.coerce(r, rt)
	}
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	args := []logical.Expr{l, r}
	t, err := funcType(fn, args)
	if err != nil || l.Type().Kind != sqltypes.JSONB {
		return nil, opError(opText, l.Type(), r.Type(), loc)
	}
	return &logical.Func{Name: fn, Args: args, T: t}, nil
}

// bindOperator binds l opText r. An error that no operator fits names
// an untyped operand unknown, as PostgreSQL's does, whatever type it was
// tried as.
func (b *binder) bindOperator(op expr.BinaryOp, opText string, l, r logical.Expr, loc int) (logical.Expr, error) {
	lt, rt := l.Type(), r.Type()
	if lt.Kind == sqltypes.Unknown && rt.Kind == sqltypes.Unknown && op <= expr.OpMod {
		// Numbers, dates, intervals, inet… all have arithmetic, and no
		// category is preferred for two untyped operands.
		return nil, ambiguousOperator(opText, lt, rt, loc)
	}
	e, err := b.bindTypedOperator(op, opText, l, r, loc)
	if lt.Kind != sqltypes.Unknown && rt.Kind != sqltypes.Unknown {
		return e, err
	}
	if se := sqltypes.AsError(err); se != nil && se.Code == sqltypes.CodeUndefinedFunction && strings.HasPrefix(se.Msg, "operator does not exist: ") {
		c := *se
		c.Msg = fmt.Sprintf("operator does not exist: %s %s %s", lt, opText, rt)
		return nil, &c
	}
	return e, err
}

func (b *binder) bindTypedOperator(op expr.BinaryOp, opText string, l, r logical.Expr, loc int) (logical.Expr, error) {
	if e, ok, err := b.bindJSONBEdit(op, opText, l, r, loc); ok {
		return e, err
	}
	if e, ok, err := b.bindRangeOperator(op, opText, l, r, loc); ok {
		return e, err
	}
	if e, ok, err := b.inetArith(op, opText, l, r, loc); ok {
		return e, err
	}
	lt, rt := l.Type(), r.Type()
	if (op.IsComparison() || op == expr.OpIsDistinctFrom || op == expr.OpIsNotDistinctFrom) && (lt.Kind == sqltypes.JSONPath || rt.Kind == sqltypes.JSONPath) {
		// jsonpath has no comparison operators in PostgreSQL.
		return nil, opError(opText, lt, rt, loc)
	}
	if (op.IsComparison() || op == expr.OpIsDistinctFrom || op == expr.OpIsNotDistinctFrom) && (lt.HasKind(sqltypes.JSON) || rt.HasKind(sqltypes.JSON)) {
		// Nor has json (jsonb has): its text may differ for equal values.
		return nil, opError(opText, lt, rt, loc)
	}
	var err error
	if op == expr.OpConcat && (lt.IsReg() && rt.Kind != sqltypes.List || rt.IsReg() && lt.Kind != sqltypes.List) {
		// text || regclass (textanycat) prints the reg* value with its
		// output function.
		if lt.IsReg() {
			l, err = b.regOutput(l, sqltypes.TypeText, loc)
		} else {
			r, err = b.regOutput(r, sqltypes.TypeText, loc)
		}
		if err != nil {
			return nil, err
		}
		lt, rt = l.Type(), r.Type()
	}
	switch {
	case op == expr.OpConcat:
		if e, ok, err := b.bindArrayOperator("||", l, r, loc); ok {
			return e, err
		}
		if lt.Kind == sqltypes.Bytea && rt.Kind == sqltypes.Unknown {
			if r, err = b.coerce(r, sqltypes.TypeBytea); err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			rt = r.Type()
		} else if rt.Kind == sqltypes.Bytea && lt.Kind == sqltypes.Unknown {
			if l, err = b.coerce(l, sqltypes.TypeBytea); err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			lt = l.Type()
		}
		if lt.Kind == sqltypes.Bytea && rt.Kind == sqltypes.Bytea {
			break
		}
		// || concatenates text (text || anynonarray, anynonarray || text):
		// one operand is text and the other is converted to text.
		textLike := func(t sqltypes.Type) bool {
			return t.IsString() || t.Kind == sqltypes.Bpchar || t.Kind == sqltypes.Name || t.Kind == sqltypes.Unknown
		}
		if err := charConcatAmbiguous(lt, rt, loc); err != nil {
			return nil, err
		}
		if !textLike(lt) && !textLike(rt) && lt.Kind != sqltypes.Char && rt.Kind != sqltypes.Char {
			return nil, opError(opText, lt, rt, loc)
		}
		if l, err = b.coerceText(l); err != nil {
			return nil, err
		}
		if r, err = b.coerceText(r); err != nil {
			return nil, err
		}
	case isTemporalArith(op, lt, rt):
		// An unknown literal next to a date/time value takes the type
		// PostgreSQL's operator resolution picks for it.
		if lt.Kind == sqltypes.Unknown || rt.Kind == sqltypes.Unknown {
			isLeft, other := lt.Kind == sqltypes.Unknown, lt
			if isLeft {
				other = rt
			}
			t, err := temporalOperandFor(op, opText, other, isLeft)
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
			if isLeft {
				l, err = b.coerce(l, t)
			} else {
				r, err = b.coerce(r, t)
			}
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
		}
		// date ± integer takes int4: smallint widens to it; bigint does
		// not narrow (42883, as PostgreSQL has no date + bigint).
		if l.Type().Kind == sqltypes.Int2 && r.Type().Kind == sqltypes.Date {
			l = &logical.Cast{E: l, T: sqltypes.TypeInt4}
		}
		if r.Type().Kind == sqltypes.Int2 && l.Type().Kind == sqltypes.Date {
			r = &logical.Cast{E: r, T: sqltypes.TypeInt4}
		}
		// Only interval * and / take a number (as float8); any other
		// operator keeps the number's type so its error names it. time
		// converts to interval implicitly, so time * 2 is an interval.
		scales := op == expr.OpMul || op == expr.OpDiv
		if scales && l.Type().Kind == sqltypes.Time && r.Type().IsNumeric() {
			l = &logical.Cast{E: l, T: sqltypes.TypeInterval}
		} else if op == expr.OpMul && r.Type().Kind == sqltypes.Time && l.Type().IsNumeric() {
			r = &logical.Cast{E: r, T: sqltypes.TypeInterval}
		}
		if scales && (r.Type().IsNumeric() && l.Type().Kind == sqltypes.Interval || l.Type().IsNumeric() && r.Type().Kind == sqltypes.Interval) {
			if l.Type().IsNumeric() {
				l, err = b.coerce(l, sqltypes.TypeFloat8)
			} else {
				r, err = b.coerce(r, sqltypes.TypeFloat8)
			}
			if err != nil {
				return nil, err
			}
		}
	default:
		if op <= expr.OpMod && (l.Type().IsOID() || r.Type().IsOID()) {
			// oid has comparisons only: PostgreSQL finds no oid + integer.
			return nil, opError(opText, l.Type(), r.Type(), loc)
		}
		if l, r, err = b.unify(l, r, opText, loc); err != nil {
			return nil, err
		}
		if l.Type().Kind == sqltypes.Unknown {
			if l, err = b.coerce(l, sqltypes.TypeText); err != nil {
				return nil, err
			}
			if r, err = b.coerce(r, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
	}
	return b.makeBinary(op, l, r, loc)
}

// temporalOperandFor is the type an untyped operand takes opposite a
// date/time operand of type other, as PostgreSQL's operator resolution
// picks it: first the other side's own type where op takes it on both
// sides (date - '2024-01-01', interval '1 day' + '1 hour', '10:00' -
// time '09:00'); else the one operator left (timestamp + '1 day' is an
// interval, interval * '2' a double precision, and time, which converts
// to interval implicitly, * '2' too). date + unknown is ambiguous
// (42725: date + integer, + interval and + time all fit), and an
// operator no candidate offers is 42883 naming the literal unknown.
func temporalOperandFor(op expr.BinaryOp, opText string, other sqltypes.Type, isLeft bool) (sqltypes.Type, error) {
	if op == expr.OpSub || op == expr.OpAdd && other.Kind == sqltypes.Interval {
		return untypedAs(other), nil
	}
	interval := other.Kind == sqltypes.Interval || other.Kind == sqltypes.Time
	switch {
	case op == expr.OpAdd && other.Kind == sqltypes.Date:
		l, r := other.String(), "unknown"
		if isLeft {
			l, r = r, l
		}
		return sqltypes.Type{}, sqltypes.New(sqltypes.CodeAmbiguousFunction, "operator is not unique: %s %s %s", l, opText, r).
			WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
	case op == expr.OpAdd:
		return sqltypes.TypeInterval, nil // timestamp(tz) + interval, time + interval
	case interval && (op == expr.OpMul || op == expr.OpDiv && !isLeft):
		return sqltypes.TypeFloat8, nil // interval * float8, float8 * interval, interval / float8
	}
	l, r := other, sqltypes.TypeUnknown
	if isLeft {
		l, r = r, l
	}
	return sqltypes.Type{}, sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s %s", l, opText, r).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

func (b *binder) coerceText(e logical.Expr) (logical.Expr, error) {
	if e.Type().IsString() {
		return e, nil
	}
	return b.coerce(e, sqltypes.TypeText)
}

// matchSubject is the left operand of LIKE, ILIKE, SIMILAR TO and the
// regular expression operators as text, except bpchar: PostgreSQL's
// bpchar variants of these operators match the blank-padded value.
func (b *binder) matchSubject(e logical.Expr) (logical.Expr, error) {
	if e.Type().Kind == sqltypes.Bpchar {
		return e, nil
	}
	return b.coerceText(e)
}

func (b *binder) bindAExpr(a *pg_query.A_Expr, sc *scope, agg *aggState) (logical.Expr, error) {
	if e, ok, err := b.bindExtraAExpr(a, sc, agg); ok {
		return e, err
	}
	loc := int(a.Location)
	bind := func(n *pg_query.Node) (logical.Expr, error) { return b.bindExpr(n, sc, agg) }
	switch a.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		name := opName(a.Name)
		if a.Lexpr == nil { // prefix operator
			switch name {
			case "@": // absolute value
				return b.bindVariadic("abs", []*pg_query.Node{a.Rexpr}, sc, agg, loc)
			case "|/", "||/": // square and cube root, of double precision
				fn := map[string]string{"|/": "sqrt", "||/": "cbrt"}[name]
				return b.bindVariadic(fn, []*pg_query.Node{float8Cast(a.Rexpr)}, sc, agg, loc)
			}
			r, err := bind(a.Rexpr)
			if err != nil {
				return nil, err
			}
			switch name {
			case "-":
				if c, ok := r.(*logical.Const); ok {
					if neg, ok := negateConst(c); ok {
						return neg, nil
					}
				}
				// An untyped literal is ambiguous (42725), as PostgreSQL
				// has no preferred one among the numeric negations.
				t, err := negateType(r.Type())
				if err != nil {
					return nil, errAt(sqltypes.AsError(err), loc)
				}
				return &logical.Unary{Op: logical.OpNegate, E: r, T: t}, nil
			case "+":
				return r, nil
			}
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s", name, r.Type()), loc)
		}
		if name == "^" {
			// exponentiation is power() on double precision here
			return b.bindVariadic("power", []*pg_query.Node{a.Lexpr, a.Rexpr}, sc, agg, loc)
		}
		if name == "@?" || name == "@@" {
			l, r, err := b.bindOperands(a, sc, agg)
			if err != nil {
				return nil, err
			}
			return b.bindJSONPathOperator(name, l, r, loc)
		}
		if name == "#-" {
			l, r, err := b.bindOperands(a, sc, agg)
			if err != nil {
				return nil, err
			}
			return b.bindJSONBCall("jsonb_delete_path", name, l, r, sqltypes.ListOf(sqltypes.TypeText), loc)
		}
		_, isArrayOp := arrayOperators[name]
		if _, isJSONBOp := jsonbOperators[name]; isArrayOp || isJSONBOp || isRangeOnlyOperator(name) {
			l, r, err := b.bindOperands(a, sc, agg)
			if err != nil {
				return nil, err
			}
			if e, ok, err := b.containmentOperator(name, l, r, loc); ok {
				return e, err
			}
		}
		op, ok := binaryOps[name]
		if !ok && (name == "|/" || name == "||/") {
			// Square and cube root are prefix operators only.
			l, r, err := b.bindOperands(a, sc, agg)
			if err != nil {
				return nil, err
			}
			return nil, opError(name, l.Type(), r.Type(), loc)
		}
		if !ok {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "operator %s is not supported yet", name), loc)
		}
		if lr, rr := a.Lexpr.GetRowExpr(), a.Rexpr.GetRowExpr(); lr != nil && rr != nil {
			return b.bindRowCompare(op, name, lr, rr, sc, agg, loc)
		}
		l, r, err := bindFloatPair(a.Lexpr, a.Rexpr, bind)
		if err != nil {
			return nil, err
		}
		return b.bindOperator(op, name, l, r, loc)
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		op := expr.OpIsDistinctFrom
		if a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT {
			op = expr.OpIsNotDistinctFrom
		}
		if lr, rr := a.Lexpr.GetRowExpr(), a.Rexpr.GetRowExpr(); lr != nil && rr != nil {
			return b.bindRowCompare(op, "IS DISTINCT FROM", lr, rr, sc, agg, loc)
		}
		l, err := bind(a.Lexpr)
		if err != nil {
			return nil, err
		}
		r, err := bind(a.Rexpr)
		if err != nil {
			return nil, err
		}
		// x IS [NOT] DISTINCT FROM NULL is a null test in PostgreSQL: it
		// gives an untyped parameter x no type.
		if isNullConst(a.Rexpr) {
			l = b.looseParam(l, location(a.Lexpr))
		} else if isNullConst(a.Lexpr) {
			r = b.looseParam(r, location(a.Rexpr))
		}
		return b.bindOperator(op, "IS DISTINCT FROM", l, r, loc)
	case pg_query.A_Expr_Kind_AEXPR_NULLIF:
		return b.bindVariadic("nullif", []*pg_query.Node{a.Lexpr, a.Rexpr}, sc, agg, loc)
	case pg_query.A_Expr_Kind_AEXPR_IN:
		return b.bindIn(a, sc, agg)
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		l, err := bind(a.Lexpr)
		if err != nil {
			return nil, err
		}
		p, err := bind(a.Rexpr)
		if err != nil {
			return nil, err
		}
		if l, p, err = b.textOperands(opName(a.Name), l, p, loc); err != nil {
			return nil, err
		}
		neg := strings.HasPrefix(opName(a.Name), "!")
		return &logical.Like{E: l, Pattern: p, Negated: neg, ILike: a.Kind == pg_query.A_Expr_Kind_AEXPR_ILIKE}, nil
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		return b.bindBetween(a, sc, agg)
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "this operator form is not supported yet"), loc)
}

// isNullConst reports whether n is the literal NULL.
func isNullConst(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && c.Isnull
}

// float8Cast wraps n in a cast to double precision.
func float8Cast(n *pg_query.Node) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg:      n,
		TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode("float8")}, Typemod: -1},
		Location: -1,
	}}}
}

func negateConst(c *logical.Const) (logical.Expr, bool) {
	switch v := c.V.(type) {
	case int32:
		if v != -v || v == 0 {
			return &logical.Const{T: c.T, V: -v}, true
		}
	case int64:
		if v != -v || v == 0 {
			return &logical.Const{T: c.T, V: -v}, true
		}
	}
	if c.T.Kind == sqltypes.Numeric && c.V != nil {
		return nil, false
	}
	return nil, false
}

func (b *binder) bindBetween(a *pg_query.A_Expr, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	x, err := b.bindExpr(a.Lexpr, sc, agg)
	if err != nil {
		return nil, err
	}
	bounds := a.Rexpr.GetList().GetItems()
	lo, err := b.bindExpr(bounds[0], sc, agg)
	if err != nil {
		return nil, err
	}
	hi, err := b.bindExpr(bounds[1], sc, agg)
	if err != nil {
		return nil, err
	}
	between := func(lo, hi logical.Expr) (logical.Expr, error) {
		ge, err := b.bindOperator(expr.OpGe, ">=", x, lo, loc)
		if err != nil {
			return nil, err
		}
		le, err := b.bindOperator(expr.OpLe, "<=", x, hi, loc)
		if err != nil {
			return nil, err
		}
		return &logical.Binary{Op: expr.OpAnd, L: ge, R: le, T: sqltypes.TypeBool}, nil
	}
	res, err := between(lo, hi)
	if err != nil {
		return nil, err
	}
	sym := a.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
	if sym {
		rev, err := between(hi, lo)
		if err != nil {
			return nil, err
		}
		res = &logical.Binary{Op: expr.OpOr, L: res, R: rev, T: sqltypes.TypeBool}
	}
	if a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN || a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM {
		res = &logical.Unary{Op: logical.OpNot, E: res, T: sqltypes.TypeBool}
	}
	return res, nil
}

func (b *binder) bindIn(a *pg_query.A_Expr, sc *scope, agg *aggState) (logical.Expr, error) {
	if row := a.Lexpr.GetRowExpr(); row != nil {
		return b.bindRowIn(row, a, sc, agg)
	}
	x, err := b.bindExpr(a.Lexpr, sc, agg)
	if err != nil {
		return nil, err
	}
	if a.Rexpr.GetSubLink() != nil {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "IN (subquery) is not supported yet"), int(a.Location))
	}
	items := a.Rexpr.GetList().GetItems()
	list, err := b.bindItems(items, sc, agg)
	if err != nil {
		return nil, err
	}
	negated := opName(a.Name) == "<>"
	if c, ok := list[0].(*logical.Const); ok && len(list) == 1 && b.floatLits[c] != nil {
		if k := x.Type().Kind; k != sqltypes.Float8 && k != sqltypes.Float4 {
			return nil, b.floatLits[c] // a double only next to one
		}
	}
	if len(list) == 1 {
		// PostgreSQL binds x IN (y) as x = y: the operator's types, not
		// the list's common type (real IN (1.1) compares in float8).
		if negated {
			return b.bindOperator(expr.OpNe, "<>", x, list[0], int(a.Location))
		}
		return b.bindOperator(expr.OpEq, "=", x, list[0], int(a.Location))
	}
	coerced, _, err := b.unifyList(append([]logical.Expr{x}, list...), "", locations(append([]*pg_query.Node{a.Lexpr}, items...)), int(a.Location))
	if sqltypes.Code(err) == sqltypes.CodeDatatypeMismatch {
		// No common type: PostgreSQL compares x with each item in turn,
		// and the first comparison it finds no operator for is the error.
		op, opText := expr.OpEq, "="
		if negated {
			op, opText = expr.OpNe, "<>"
		}
		for _, it := range list {
			if _, cerr := b.bindOperator(op, opText, x, it, int(a.Location)); cerr != nil {
				return nil, cerr
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if t := coerced[0].Type(); t.HasKind(sqltypes.JSON) {
		return nil, opError(opName(a.Name), t, t, int(a.Location))
	}
	if slices.ContainsFunc(coerced, raiseOverflows) {
		// The list's common scale cannot hold every value (5 IN (1e-29,
		// 1e23) has scale 29): compare one at a time, as the operators
		// compare numerics of different scales exactly.
		if negated {
			return b.orComparisons(expr.OpNe, "<>", x, list, true, int(a.Location))
		}
		return b.orComparisons(expr.OpEq, "=", x, list, false, int(a.Location))
	}
	return &logical.InList{E: coerced[0], List: coerced[1:], Negated: negated}, nil
}

// orComparisons is x op ANY (items), or x op ALL (items) when all is
// set, bound as comparisonChain of the operator with each item as
// written: items whose common scale cannot hold them all.
func (b *binder) orComparisons(op expr.BinaryOp, name string, x logical.Expr, items []logical.Expr, all bool, loc int) (logical.Expr, error) {
	return comparisonChain(items, all, func(it logical.Expr) (logical.Expr, error) {
		return b.bindOperator(op, name, x, unraised(it), loc)
	})
}

// comparisonChain is the OR of compare(item) over items, or the AND when
// all is set: SQL's three-valued x op ANY (items) and x op ALL (items).
// It compares a value with numerics no one scale holds (1e-29 and 1e23)
// exactly, one at a time, where an IN list's kernel reads the list at
// one scale: orComparisons when binding finds such literals, and
// scaleFlow.settleAnyList for variable-scale operands.
func comparisonChain(items []logical.Expr, all bool, compare func(logical.Expr) (logical.Expr, error)) (logical.Expr, error) {
	join := expr.OpOr
	if all {
		join = expr.OpAnd
	}
	var res logical.Expr
	for _, it := range items {
		cmp, err := compare(it)
		if err != nil {
			return nil, err
		}
		if res != nil {
			cmp = &logical.Binary{Op: join, L: res, R: cmp, T: sqltypes.TypeBool}
		}
		res = cmp
	}
	return res, nil
}

// bindRowIn binds `(a, b) [NOT] IN ((x, y), ...)` as the OR of row
// equalities, each the AND of its fields' equalities: SQL's three-valued
// row comparison (a NULL field makes the row equality NULL unless another
// field differs).
func (b *binder) bindRowIn(row *pg_query.RowExpr, a *pg_query.A_Expr, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	items := a.Rexpr.GetList().GetItems()
	if a.Rexpr.GetSubLink() != nil || len(items) == 0 {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "this IN form is not supported yet"), loc)
	}
	width := len(row.Args)
	// fields[i] holds field i of the left row, then of every list row.
	fields := make([][]logical.Expr, width)
	for r, n := range append([]*pg_query.Node{a.Lexpr}, items...) {
		re := n.GetRowExpr()
		if re == nil || len(re.Args) != width {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "IN list row %d does not have %d fields", r, width), location(n))
		}
		for i, fn := range re.Args {
			e, err := b.bindExpr(fn, sc, agg)
			if err != nil {
				return nil, err
			}
			fields[i] = append(fields[i], e)
		}
	}
	for i := range fields {
		coerced, _, err := b.unifyAll(fields[i], loc)
		if err != nil {
			return nil, err
		}
		fields[i] = coerced
	}
	var res logical.Expr
	for r := 1; r <= len(items); r++ {
		var eqs []logical.Expr
		for i := range fields {
			eq, err := b.bindOperator(expr.OpEq, "=", fields[i][0], fields[i][r], loc)
			if err != nil {
				return nil, err
			}
			eqs = append(eqs, eq)
		}
		if res == nil {
			res = logical.And(eqs)
		} else {
			res = &logical.Binary{Op: expr.OpOr, L: res, R: logical.And(eqs), T: sqltypes.TypeBool}
		}
	}
	if opName(a.Name) == "<>" {
		res = &logical.Unary{Op: logical.OpNot, E: res, T: sqltypes.TypeBool}
	}
	return res, nil
}

func (b *binder) bindBoolExpr(be *pg_query.BoolExpr, sc *scope, agg *aggState) (logical.Expr, error) {
	var args []logical.Expr
	for _, an := range be.Args {
		e, err := b.bindExpr(an, sc, agg)
		if err != nil {
			return nil, err
		}
		clause := map[pg_query.BoolExprType]string{pg_query.BoolExprType_AND_EXPR: "AND", pg_query.BoolExprType_OR_EXPR: "OR", pg_query.BoolExprType_NOT_EXPR: "NOT"}[be.Boolop]
		if e, err = b.coerceBool(e, clause, location(an)); err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	switch be.Boolop {
	case pg_query.BoolExprType_NOT_EXPR:
		return &logical.Unary{Op: logical.OpNot, E: args[0], T: sqltypes.TypeBool}, nil
	case pg_query.BoolExprType_AND_EXPR, pg_query.BoolExprType_OR_EXPR:
		op := expr.OpAnd
		if be.Boolop == pg_query.BoolExprType_OR_EXPR {
			op = expr.OpOr
		}
		out := args[0]
		for _, a := range args[1:] {
			out = &logical.Binary{Op: op, L: out, R: a, T: sqltypes.TypeBool}
		}
		return out, nil
	}
	return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "unsupported boolean expression")
}

func (b *binder) bindCase(ce *pg_query.CaseExpr, sc *scope, agg *aggState) (logical.Expr, error) {
	var subject logical.Expr
	var err error
	if ce.Arg != nil {
		if subject, err = b.bindExpr(ce.Arg, sc, agg); err != nil {
			return nil, err
		}
		if subject.Type().Kind == sqltypes.Unknown {
			// An untyped CASE subject is text, as PostgreSQL reads it
			// before comparing (CASE '1' WHEN 1 is text = integer, 42883).
			if subject, err = b.coerce(subject, sqltypes.TypeText); err != nil {
				return nil, errAt(sqltypes.AsError(err), location(ce.Arg))
			}
		}
	}
	var conds, vals []logical.Expr
	var locs []int // of vals
	for _, wn := range ce.Args {
		w := wn.GetCaseWhen()
		c, err := b.bindExpr(w.Expr, sc, agg)
		if err != nil {
			return nil, err
		}
		if subject != nil {
			if c, err = b.bindOperator(expr.OpEq, "=", subject, c, int(w.Location)); err == nil {
				err = recordOperand(c)
			}
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), int(w.Location))
			}
		} else if hasSetFunctionPlaceholder(c) {
			return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "argument of CASE/WHEN must not return a set"), location(w.Expr))
		} else if c, err = b.coerceBool(c, "CASE/WHEN", int(w.Location)); err != nil {
			return nil, err
		}
		v, err := b.bindItem(w.Result, sc, agg)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
		vals = append(vals, v)
		locs = append(locs, location(w.Result))
	}
	if ce.Defresult != nil {
		d, err := b.bindItem(ce.Defresult, sc, agg)
		if err != nil {
			return nil, err
		}
		vals = append(vals, d)
		locs = append(locs, location(ce.Defresult))
	}
	if err := setFunctionsNotAllowed("CASE", append([]logical.Expr{subject}, vals...), int(ce.Location)); err != nil {
		return nil, err
	}
	if ce.Defresult != nil {
		// PostgreSQL's select_common_type sees the ELSE value first: it
		// decides between types that convert to each other (CASE … THEN
		// name ELSE text END is text).
		vals = append(vals[len(vals)-1:], vals[:len(vals)-1]...)
		locs = append(locs[len(locs)-1:], locs[:len(locs)-1]...)
	}
	coerced, t, err := b.unifyList(vals, "CASE", locs, int(ce.Location))
	if err != nil {
		return nil, err
	}
	if ce.Defresult != nil {
		coerced = append(coerced[1:], coerced[0])
	}
	out := &logical.Case{T: t}
	for i := range conds {
		out.Whens = append(out.Whens, logical.When{Cond: conds[i], Then: coerced[i]})
	}
	if ce.Defresult != nil {
		out.Else = coerced[len(coerced)-1]
	}
	return out, nil
}

// bindExprs binds each of nodes in the same scope.
// bindItem binds n, one of the values unifyAll brings to a common type
// (of VALUES, CASE, COALESCE, GREATEST, LEAST, NULLIF and IN lists). A
// numeric literal beyond meshql's numeric is read as a double there for
// now: PostgreSQL's implicit cast makes one of it when the others are
// double precision or real (VALUES (1e200::float8), (1e200)); unifyAll
// reports its 22003 otherwise.
func (b *binder) bindItem(n *pg_query.Node, sc *scope, agg *aggState) (logical.Expr, error) {
	e, err := b.bindExpr(n, sc, agg)
	if err == nil || !oversizeLiteral(n) {
		return e, err
	}
	f, ok := floatLiteral(n)
	if !ok {
		return nil, err
	}
	if b.floatLits == nil {
		b.floatLits = map[*logical.Const]error{}
	}
	b.floatLits[f.(*logical.Const)] = err
	return f, nil
}

// bindItems is bindExprs of values unifyAll brings to one type (bindItem).
func (b *binder) bindItems(nodes []*pg_query.Node, sc *scope, agg *aggState) ([]logical.Expr, error) {
	return bindEach(nodes, func(n *pg_query.Node) (logical.Expr, error) { return b.bindItem(n, sc, agg) })
}

func (b *binder) bindExprs(nodes []*pg_query.Node, sc *scope, agg *aggState) ([]logical.Expr, error) {
	return bindEach(nodes, func(n *pg_query.Node) (logical.Expr, error) { return b.bindExpr(n, sc, agg) })
}

func bindEach(nodes []*pg_query.Node, bind func(*pg_query.Node) (logical.Expr, error)) ([]logical.Expr, error) {
	out := make([]logical.Expr, 0, len(nodes))
	for _, n := range nodes {
		e, err := bind(n)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// bindVariadic binds COALESCE/GREATEST/LEAST/NULLIF: arguments share one type.
func (b *binder) bindVariadic(name string, argNodes []*pg_query.Node, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	args, err := b.bindItems(argNodes, sc, agg)
	if err != nil {
		return nil, err
	}
	if name == "coalesce" {
		if err := setFunctionsNotAllowed("COALESCE", args, loc); err != nil {
			return nil, err
		}
	}
	if (name == "power" || name == "abs") && !slices.ContainsFunc(args, func(a logical.Expr) bool { return a.Type().Kind != sqltypes.Unknown }) {
		// '2' ^ '3' and @ '-4': untyped operands of the number operators
		// are double precision, the numeric category's preferred type.
		for i, a := range args {
			if args[i], err = b.coerce(a, sqltypes.TypeFloat8); err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
		}
	}
	coerced, _, err := b.unifyList(args, strings.ToUpper(name), locations(argNodes), loc)
	if name == "nullif" && sqltypes.Code(err) == sqltypes.CodeDatatypeMismatch {
		// NULLIF is an = comparison: PostgreSQL finds no operator.
		return nil, opError("=", args[0].Type(), args[1].Type(), loc)
	}
	if err != nil {
		return nil, err
	}
	if name == "nullif" && coerced[0].Type().HasKind(sqltypes.JSON) {
		// NULLIF compares with =, which json lacks.
		return nil, opError("=", coerced[0].Type(), coerced[1].Type(), loc)
	}
	if t := args[0].Type(); name == "nullif" && len(args) == 2 && (t.Kind == sqltypes.Numeric || t.IsInteger()) &&
		(slices.ContainsFunc(coerced, raiseOverflows) || t.Kind == sqltypes.Numeric && !coerced[0].Type().Equal(t)) {
		// nullif(1e23, 1e-29): no one scale holds both, and the result is
		// the first argument as it is (PostgreSQL's type is its type), not
		// at the second's scale (nullif(1.5::numeric(2,1), '1.54') is 1.5).
		eq, err := b.bindOperator(expr.OpEq, "=", args[0], args[1], loc)
		if err != nil {
			return nil, err
		}
		return &logical.Case{Whens: []logical.When{{Cond: eq, Then: &logical.Const{T: t}}}, Else: args[0], T: t}, nil
	}
	rt, err := funcType(name, coerced)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: name, Args: coerced, T: rt}, nil
}

func typesOf(es []logical.Expr) []sqltypes.Type {
	out := make([]sqltypes.Type, len(es))
	for i, e := range es {
		out[i] = e.Type()
	}
	return out
}

func (b *binder) bindFuncCall(fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	name := funcName(fc)
	loc := int(fc.Location)
	if name == "range_agg" || isMultirangeName(name) {
		return nil, errAt(errMultirange(name), loc)
	}
	if rt, ok := expr.RangeConstructor(name); ok && len(fc.Funcname) <= 2 {
		return b.bindRangeConstructor(rt, fc, sc, agg)
	}
	if expr.JSONPathFunc(name) && !isJSONPathSetFunction(name) {
		// Named arguments (silent => true) with defaults of their own.
		return b.bindJSONPathCall(fc, sc, agg)
	}
	if (expr.InetFunc(name) || expr.MacaddrFunc(name)) && !fc.AggStar && !fc.AggDistinct && fc.AggFilter == nil && len(fc.AggOrder) == 0 && fc.Over == nil {
		return b.bindInetFunction(name, fc, sc, agg)
	}
	fc, err := positionalArgs(name, fc)
	if err != nil {
		return nil, err
	}
	if fc, err = variadicArgs(name, fc); err != nil {
		return nil, err
	}
	name = funcName(fc)
	if fc.AggStar || fc.AggDistinct || fc.AggFilter != nil || len(fc.AggOrder) > 0 {
		return nil, errAt(sqltypes.New(sqltypes.CodeWrongObjectType, "%s is not an aggregate function", name), loc)
	}
	if err := b.ambiguousCall(name, fc); err != nil {
		return nil, err
	}
	if isSetFunction(name) {
		return b.bindSelectListSetFunction(fc, sc, agg, loc)
	}
	switch name {
	case "now", "transaction_timestamp", "current_timestamp":
		if len(fc.Args) == 0 {
			return nowExpr(), nil
		}
	case expr.StatementTimestampFunc:
		if len(fc.Args) == 0 {
			return &logical.Func{Name: expr.StatementTimestampFunc, T: sqltypes.TypeTimestampTZ}, nil
		}
	case "coalesce", "greatest", "least", "nullif":
		return b.bindVariadic(name, fc.Args, sc, agg, loc)
	case "pg_typeof":
		if len(fc.Args) == 1 {
			// Of the argument as written: an untyped literal or NULL is
			// "unknown", before any coercion could give it a type.
			arg, err := b.bindExpr(fc.Args[0], sc, agg)
			if err != nil {
				return nil, err
			}
			if hasSetFunctionPlaceholder(arg) {
				// pg_typeof(generate_series(1, 3)) is a row per element:
				// the call keeps its argument so that it is expanded.
				return &logical.Func{Name: name, Args: []logical.Expr{arg}, T: sqltypes.Type{Kind: sqltypes.RegType}}, nil
			}
			return &logical.Const{T: sqltypes.Type{Kind: sqltypes.RegType}, V: arg.Type().RegTypeOID()}, nil
		}
	case "current_user_attr":
		return b.bindUserAttr(fc, loc)
	case "to_number":
		return b.bindToNumber(fc, sc, agg, loc)
	case "array_fill":
		return b.bindArrayFill(fc, sc, agg, loc)
	case "row_to_json", "to_json", "to_jsonb":
		if len(fc.Args) >= 1 {
			e, present, whole, err := b.bindWholeRowJSON(fc.Args[0], sc, agg)
			if err != nil || whole {
				if err == nil {
					e, err = b.rowJSONCall(name, e, fc, sc, agg, loc)
				}
				if err != nil {
					return nil, err
				}
				return nullWhenAbsent(e, present), nil
			}
		}
	case "json_extract_path", "json_extract_path_text", "jsonb_extract_path", "jsonb_extract_path_text":
		return b.bindExtractPath(name, fc, sc, agg, loc)
	case "col_description", "obj_description":
		if sub := descriptionSubquery(name, fc); sub != nil {
			return b.bindExpr(sub, sc, agg)
		}
	case "pg_total_relation_size", "pg_relation_size", "pg_table_size", "pg_indexes_size", "pg_database_size":
		if sub := sizeSubquery(name, fc); sub != nil {
			return b.bindExpr(sub, sc, agg)
		}
	}
	if _, ok := privilegeFunctions[name]; ok && b.opts.Privileges != nil {
		return b.bindPrivilege(name, fc, sc, agg)
	}
	if expr.IsInternalFunction(name) {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s does not exist", name), loc)
	}
	if b.opts.Action != nil {
		if want, rt, ok := b.opts.Action(name, len(fc.Args)); ok {
			return b.bindAction(name, want, rt, fc, sc, agg, loc)
		}
	}
	if b.opts.ObjectFunction != nil {
		if values, ok := b.opts.ObjectFunction(name, len(fc.Args)); ok {
			return b.objectFunction(values, fc, sc, agg, loc)
		}
	}
	if b.opts.SessionFunction != nil {
		var argTypes []sqltypes.Type
		for _, an := range fc.Args {
			e, err := b.bindExpr(an, sc, agg)
			if err != nil {
				return nil, err
			}
			argTypes = append(argTypes, e.Type())
		}
		if v, t, ok := b.opts.SessionFunction(name, argTypes); ok {
			if name == "current_schemas" {
				return b.currentSchemas(v, t, fc, sc, agg)
			}
			return &logical.Const{T: t, V: v}, nil
		}
	}
	e, err := b.bindScalarCall(name, fc, sc, agg)
	if sqltypes.Code(err) == sqltypes.CodeUndefinedFunction && len(fc.Args) == 1 {
		// A type name called as a function is a cast when no function of
		// that name takes the argument (date(ts), text(n), float8(x)).
		if _, isType := sqltypes.LookupType(name, nil); isType {
			return b.bindTypeCast(&pg_query.TypeCast{Arg: fc.Args[0], TypeName: &pg_query.TypeName{Names: fc.Funcname, Typemod: -1, Location: fc.Location}, Location: fc.Location}, sc, agg)
		}
	}
	return e, err
}

// namedParams lists, per function that takes named arguments, its
// parameters in order; every one defaults to 0.
var namedParams = map[string][]string{
	"make_interval": {"years", "months", "weeks", "days", "hours", "mins", "secs"},
}

// positionalArgs rewrites a call with named arguments (make_interval(days
// => 10)) into positional form, filling skipped parameters with their
// default. Named arguments to other functions are 42883, as in PostgreSQL.
func positionalArgs(name string, fc *pg_query.FuncCall) (*pg_query.FuncCall, error) {
	named := false
	for _, a := range fc.Args {
		named = named || a.GetNamedArgExpr() != nil
	}
	if !named {
		return fc, nil
	}
	params, ok := namedParams[name]
	if isJSONPathSetFunction(name) {
		return fc, nil // bound by bindJSONPathCall
	}
	if !ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s with named arguments does not exist", name), int(fc.Location))
	}
	args := make([]*pg_query.Node, len(params))
	last := -1
	for i, a := range fc.Args {
		pos := i
		if na := a.GetNamedArgExpr(); na != nil {
			pos = slices.Index(params, na.Name)
			if pos < 0 {
				return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s has no parameter named %q", name, na.Name), int(na.Location))
			}
			a = na.Arg
		} else if pos >= len(params) {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s takes at most %d arguments", name, len(params)), int(fc.Location))
		}
		if args[pos] != nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "argument name %q used more than once", params[pos]), int(fc.Location))
		}
		args[pos] = a
		last = max(last, pos)
	}
	for i := range args[:last+1] {
		if args[i] == nil {
			args[i] = pg_query.MakeAConstIntNode(0, fc.Location)
		}
	}
	return &pg_query.FuncCall{Funcname: fc.Funcname, Args: args[:last+1], Funcformat: fc.Funcformat, Location: fc.Location}, nil
}

// variadicFuncs are the VARIADIC "any" functions variadicArgs expands,
// with the number of arguments before the variadic ones (json(b)_extract_path
// take VARIADIC text[] and bind it themselves).
var variadicFuncs = map[string]int{
	"concat": 0, "concat_ws": 1, "format": 1, "num_nulls": 0, "num_nonnulls": 0,
	"json_build_object": 0, "json_build_array": 0, "jsonb_build_object": 0, "jsonb_build_array": 0,
}

// variadicArgs rewrites f(a, VARIADIC arr) for the variadicFuncs, which
// then take arr's elements as their trailing arguments: an ARRAY[...]
// constructor's elements become the arguments; concat and concat_ws over
// any other array are array_to_string(arr, ” or the separator), which
// joins the elements the same way, NULLs skipped and a NULL array NULL.
func variadicArgs(name string, fc *pg_query.FuncCall) (*pg_query.FuncCall, error) {
	fixed, ok := variadicFuncs[name]
	if !fc.FuncVariadic || !ok || len(fc.Args) == 0 {
		return fc, nil
	}
	last := fc.Args[len(fc.Args)-1]
	head := fc.Args[:len(fc.Args)-1]
	if len(head) != fixed {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s with %d arguments before VARIADIC does not exist", name, len(head)).
			WithHint("%s takes %d arguments before its variadic ones.", name, fixed), int(fc.Location))
	}
	call := func(fn string, args []*pg_query.Node) *pg_query.FuncCall {
		return &pg_query.FuncCall{Funcname: []*pg_query.Node{pg_query.MakeStrNode(fn)}, Args: args, Funcformat: fc.Funcformat, Location: fc.Location}
	}
	if ae := last.GetAArrayExpr(); ae != nil && !slices.ContainsFunc(ae.Elements, func(e *pg_query.Node) bool { return e.GetAArrayExpr() != nil }) {
		return call(name, append(slices.Clone(head), ae.Elements...)), nil
	}
	switch name {
	case "concat":
		return call("array_to_string", []*pg_query.Node{last, pg_query.MakeAConstStrNode("", fc.Location)}), nil
	case "concat_ws":
		return call("array_to_string", []*pg_query.Node{last, head[0]}), nil
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s(VARIADIC array) is supported with an ARRAY[...] constructor only", name).
		WithHint("Write the elements as ARRAY[a, b, ...], or pass them as separate arguments."), int(fc.Location))
}

// bindAction binds a call of a function declared by Options.Action.
func (b *binder) bindAction(name string, want []sqltypes.Type, rt sqltypes.Type, fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	if len(fc.Args) != len(want) {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s takes %d argument(s), not %d", name, len(want), len(fc.Args)), loc)
	}
	args := make([]logical.Expr, len(want))
	for i, an := range fc.Args {
		e, err := b.bindExpr(an, sc, agg)
		if err != nil {
			return nil, err
		}
		if args[i], err = b.coerce(e, want[i]); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	return &logical.Func{Name: name, Args: args, T: rt}, nil
}

func (b *binder) bindSQLValueFunction(f *pg_query.SQLValueFunction) (logical.Expr, error) {
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		return &logical.Cast{E: nowExpr(), T: sqltypes.TypeDate}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return withPrecision(nowExpr(), f.Typmod), nil
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		return withPrecision(&logical.Cast{E: nowExpr(), T: sqltypes.TypeTimestamp}, f.Typmod), nil
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME_N:
		return &logical.Cast{E: withPrecision(&logical.Cast{E: nowExpr(), T: sqltypes.TypeTimestamp}, f.Typmod), T: sqltypes.TypeTime}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "current_time (time with time zone) is not supported").
			WithHint("Use localtime, or current_timestamp."), int(f.Location))
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_USER,
		pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		return &logical.Const{T: sqltypes.TypeName, V: sqltypes.ClipName(b.opts.User)}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return &logical.Const{T: sqltypes.TypeName, V: "mesh"}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		if b.opts.SessionFunction != nil {
			if v, t, ok := b.opts.SessionFunction("current_schema", nil); ok {
				return &logical.Const{T: t, V: v}, nil
			}
		}
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s is not supported yet", f.Op), int(f.Location))
}

// nowExpr is now(): the transaction's start, which the plan reads when it
// is built for an execution (expr.NowFunc), so that a prepared statement
// is bound once and each execution sees its own transaction's start.
func nowExpr() logical.Expr {
	return &logical.Func{Name: expr.NowFunc, T: sqltypes.TypeTimestampTZ}
}

// withPrecision rounds a timestamp or timestamptz to the fractional-second
// precision typmod of current_timestamp(p) and its kin (typmod < 0: none
// given), as the length coercion timestamp(p) does.
func withPrecision(e logical.Expr, typmod int32) logical.Expr {
	if typmod < 0 {
		return e
	}
	name := "timestamp"
	if e.Type().Kind == sqltypes.TimestampTZ {
		name = "timestamptz"
	}
	return &logical.Func{Name: name, Args: []logical.Expr{e, &logical.Const{T: sqltypes.TypeInt4, V: typmod}}, T: e.Type()}
}

// expandTargets expands * and names the select-list entries as PostgreSQL does.
func (b *binder) expandTargets(list []*pg_query.Node, sc *scope) ([]target, error) {
	var out []target
	for _, tn := range list {
		rt := tn.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			var names []string
			for _, f := range cr.Fields[:len(cr.Fields)-1] {
				names = append(names, f.GetString_().Sval)
			}
			names, err := withoutCatalog(append(names, "*"), int(cr.Location))
			if err != nil {
				return nil, err
			}
			schema, table, _, ok := qualifiedName(names)
			if !ok {
				return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(names, ".")), int(cr.Location))
			}
			cols := sc.star(table)
			if table != "" && !sc.hasTableIn(schema, table) && (len(cols) == 0 || schema != "") {
				return nil, errAt(sc.missingRange(schema, table), int(cr.Location))
			}
			if table == "" && len(sc.cols) == 0 {
				return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "SELECT * with no tables specified is not valid"), int(cr.Location))
			}
			for _, c := range cols {
				out = append(out, target{name: c.name, bound: &logical.ColRef{ID: c.id, Name: c.name, T: c.t}})
			}
			continue
		}
		name := rt.Name
		if name == "" {
			name = defaultName(rt.Val)
		}
		out = append(out, target{name: name, ast: rt.Val})
	}
	return out, nil
}

// defaultName is PostgreSQL's FigureColname.
func defaultName(n *pg_query.Node) string {
	name, _ := figureName(n)
	return name
}

// figureName is FigureColnameInternal: the name and its strength, 2 for a
// name the expression carries (a column's, a function's), 1 for a
// fallback (a cast's type, "case"), 0 for none; a cast names its result
// after its type only when its operand's name is weaker than 2.
func figureName(n *pg_query.Node) (string, int) {
	switch {
	case n.GetColumnRef() != nil:
		f := n.GetColumnRef().Fields
		if s := f[len(f)-1].GetString_(); s != nil {
			return s.Sval, 2
		}
	case n.GetFuncCall() != nil:
		return funcName(n.GetFuncCall()), 2
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		if inner, strength := figureName(tc.Arg); strength > 1 {
			return inner, strength
		}
		names := tc.TypeName.Names
		return names[len(names)-1].GetString_().Sval, 1
	case n.GetCollateClause() != nil:
		return figureName(n.GetCollateClause().Arg)
	case n.GetCaseExpr() != nil:
		// The ELSE arm's name, if it has a strong one.
		if def := n.GetCaseExpr().Defresult; def != nil {
			if name, strength := figureName(def); strength > 1 {
				return name, strength
			}
		}
		return "case", 1
	case n.GetAArrayExpr() != nil:
		return "array", 2 // ARRAY[] and ROW() name their result like functions
	case n.GetRowExpr() != nil:
		return "row", 2
	case n.GetCoalesceExpr() != nil:
		return "coalesce", 2
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg_query.MinMaxOp_IS_LEAST {
			return "least", 2
		}
		return "greatest", 2
	case n.GetSqlvalueFunction() != nil:
		return map[pg_query.SQLValueFunctionOp]string{
			pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE: "current_date", pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP: "current_timestamp",
			pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER: "current_user", pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER: "session_user",
			pg_query.SQLValueFunctionOp_SVFOP_USER: "user", pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP: "localtimestamp",
			pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG: "current_catalog", pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE: "current_role",
			pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA: "current_schema", pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME: "localtime",
			pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME: "current_time", pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N: "current_time",
			pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME_N: "localtime", pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N: "localtimestamp",
			pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N: "current_timestamp",
		}[n.GetSqlvalueFunction().Op], 2
	case n.GetAExpr() != nil && n.GetAExpr().Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF:
		return "nullif", 2
	case n.GetGroupingFunc() != nil:
		return "grouping", 2
	case n.GetAIndirection() != nil:
		// The last field name selected, else the name of what is subscripted.
		ind := n.GetAIndirection()
		for i := len(ind.Indirection) - 1; i >= 0; i-- {
			if f := ind.Indirection[i].GetString_(); f != nil {
				return f.Sval, 2
			}
		}
		return figureName(ind.Arg)
	case n.GetSubLink() != nil:
		switch sl := n.GetSubLink(); sl.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			return "exists", 2
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			return "array", 2
		case pg_query.SubLinkType_EXPR_SUBLINK:
			// The subquery's one column's name (of its leftmost SELECT).
			sel := sl.Subselect.GetSelectStmt()
			for sel != nil && sel.Op != pg_query.SetOperation_SETOP_NONE && sel.Larg != nil {
				sel = sel.Larg
			}
			if sel != nil && len(sel.TargetList) > 0 {
				if rt := sel.TargetList[0].GetResTarget(); rt != nil {
					if rt.Name != "" {
						return rt.Name, 2
					}
					return defaultName(rt.Val), 2
				}
			}
		}
	}
	return "?column?", 0
}

// bindArray binds ARRAY[...]; elem is the element type a cast asked for
// (zero Kind: the elements' common type). ARRAY[] needs a cast. Elements
// that are arrays (ARRAY[ARRAY[1,2], ARRAY[3,4]], or the bare
// ARRAY[[1,2],[3,4]]) make an array of one more dimension.
func (b *binder) bindArray(ae *pg_query.A_ArrayExpr, sc *scope, agg *aggState, elem sqltypes.Type) (logical.Expr, error) {
	elems := make([]logical.Expr, len(ae.Elements))
	for i, n := range ae.Elements {
		var err error
		if sub := n.GetAArrayExpr(); sub != nil {
			elems[i], err = b.bindArray(sub, sc, agg, elem)
		} else {
			elems[i], err = b.bindItem(n, sc, agg)
		}
		if err != nil {
			return nil, err
		}
		if elems[i].Type().Kind == sqltypes.Void {
			return nil, errAt(sqltypes.ErrNoArrayType(elems[i].Type()), int(ae.Location))
		}
	}
	if elem.Kind != sqltypes.Unknown && elem.Kind != sqltypes.Float8 && elem.Kind != sqltypes.Float4 {
		for _, e := range elems {
			if c, ok := e.(*logical.Const); ok && b.floatLits[c] != nil {
				return nil, b.floatLits[c] // a double only as one (ARRAY[1e-300]::float8[])
			}
		}
	}
	if sub, ok, err := b.subArrays(elems, elem, int(ae.Location)); ok || err != nil {
		return sub, err
	}
	if len(elems) == 0 && elem.Kind == sqltypes.Unknown {
		return nil, errAt(sqltypes.New(sqltypes.CodeIndeterminateDatatype, "cannot determine type of empty array").
			WithHint("Explicitly cast to the desired type, for example ARRAY[]::integer[]."), int(ae.Location))
	}
	if elem.Kind != sqltypes.Unknown {
		for i, e := range elems {
			c, err := b.coerce(e, elem)
			if err != nil {
				return nil, errAt(sqltypes.AsError(err), int(ae.Location))
			}
			if elem.Kind == sqltypes.Numeric && elem.Precision > 0 && !c.Type().Equal(elem) {
				// coerce leaves a numeric at its scale; a typmod rounds
				// it (ARRAY[1.25]::numeric(4,1)[] is {1.3}).
				c = &logical.Cast{E: c, T: elem, Explicit: true}
			}
			elems[i] = c
		}
		if unconstrainedNumericArray(sqltypes.ListOf(elem)) {
			// numeric without a typmod: the elements' common scale, as
			// for ARRAY[...] without a cast (varArray keeps each one's).
			coerced, t, err := b.unifyList(elems, "ARRAY", locations(ae.Elements), int(ae.Location))
			if err != nil {
				return nil, err
			}
			elems, elem = coerced, t
		}
	} else {
		coerced, t, err := b.unifyList(elems, "ARRAY", locations(ae.Elements), int(ae.Location))
		if err != nil {
			return nil, err
		}
		elems, elem = coerced, t
	}
	return &logical.Array{Elems: elems, T: sqltypes.ListOf(elem)}, nil
}

// bindUserAttr binds current_user_attr('name'): the session user's
// attribute from the mesh (NULL when the user has none). In a row filter
// it is the attribute of the principal the filter applies to, which for a
// derived product's definer is always NULL.
func (b *binder) bindUserAttr(fc *pg_query.FuncCall, loc int) (logical.Expr, error) {
	if len(fc.Args) == 1 {
		if ac := fc.Args[0].GetAConst(); ac != nil {
			if sv, ok := ac.Val.(*pg_query.A_Const_Sval); ok {
				who := b.opts.Principal
				if b.attrs != nil {
					who = *b.attrs
				}
				if v, ok := who.Attr(sv.Sval.Sval); ok {
					return &logical.Const{T: sqltypes.TypeText, V: v}, nil
				}
				return &logical.Const{T: sqltypes.TypeText}, nil
			}
		}
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "current_user_attr takes one string constant"), loc)
}

// objectFunction binds a function answered object by object
// (Options.ObjectFunction) as CASE WHEN id = k THEN value[k] … END over
// its first argument, the object id, and for values.Sub its second, an
// integer (key k is id<<16 | sub: both must match); the other arguments
// are bound for their errors only.
func (b *binder) objectFunction(values ObjectValues, fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	args, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	id, err := b.coerce(args[0], sqltypes.TypeInt8)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	var sub logical.Expr
	if values.Sub {
		if sub, err = b.coerce(args[1], sqltypes.TypeInt8); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	keys := make([]int64, 0, len(values.ByKey))
	for k := range values.ByKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	int8Const := func(v int64) logical.Expr { return &logical.Const{T: sqltypes.TypeInt8, V: v} }
	out := &logical.Case{T: values.T}
	for _, k := range keys {
		cond := boolBinary(expr.OpEq, id, int8Const(k))
		if sub != nil {
			cond = logical.And([]logical.Expr{boolBinary(expr.OpEq, id, int8Const(k>>16)), boolBinary(expr.OpEq, sub, int8Const(k&(1<<16-1)))})
		}
		out.Whens = append(out.Whens, logical.When{Cond: cond, Then: &logical.Const{T: values.T, V: values.ByKey[k]}})
	}
	if sub != nil && values.OtherSub != nil {
		for i, k := range keys {
			if i > 0 && keys[i-1]>>16 == k>>16 {
				continue
			}
			cond := logical.And([]logical.Expr{boolBinary(expr.OpEq, id, int8Const(k>>16)), &logical.Unary{Op: logical.OpIsNotNull, E: sub, T: sqltypes.TypeBool}})
			out.Whens = append(out.Whens, logical.When{Cond: cond, Then: &logical.Const{T: values.T, V: values.OtherSub}})
		}
	}
	if len(out.Whens) == 0 {
		return &logical.Const{T: values.T}, nil
	}
	return out, nil
}

// bindExtractPath binds json(b)_extract_path[_text](from, VARIADIC path)
// as the #> / #>> operator: the path arguments make a text[].
func (b *binder) bindExtractPath(name string, fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	args, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	noFunction := func() error {
		return errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s(%s) does not exist", name, typeNames(args)).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), loc)
	}
	docType := sqltypes.TypeJSON
	if strings.HasPrefix(name, "jsonb") {
		docType = sqltypes.TypeJSONB
	}
	textList := sqltypes.ListOf(sqltypes.TypeText)
	if len(args) < 2 || fc.FuncVariadic && len(args) != 2 {
		return nil, noFunction()
	}
	doc := args[0]
	if doc.Type().Kind == sqltypes.Unknown {
		if doc, err = b.coerce(doc, docType); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
	}
	var path logical.Expr
	if fc.FuncVariadic {
		path = args[1]
		if path.Type().Kind == sqltypes.Unknown {
			if path, err = b.coerce(path, textList); err != nil {
				return nil, errAt(sqltypes.AsError(err), loc)
			}
		}
	} else {
		elems := make([]logical.Expr, len(args)-1)
		for i, a := range args[1:] {
			if a.Type().Kind == sqltypes.Unknown {
				if a, err = b.coerce(a, sqltypes.TypeText); err != nil {
					return nil, errAt(sqltypes.AsError(err), loc)
				}
			}
			elems[i] = a
		}
		path = &logical.Array{Elems: elems, T: textList}
	}
	pt := path.Type()
	ok := doc.Type().Kind == docType.Kind && pt.Kind == sqltypes.List && pt.Elem.IsString()
	if arr, isArr := path.(*logical.Array); isArr {
		for _, e := range arr.Elems {
			ok = ok && e.Type().IsString()
		}
	}
	if !ok {
		return nil, noFunction()
	}
	return &logical.JSONGet{E: doc, Key: path, AsText: strings.HasSuffix(name, "_text"), Path: true}, nil
}

// bindCollate binds x COLLATE name. meshql compares text bytewise, as the
// collations PostgreSQL has whatever the system's locales (C, POSIX,
// ucs_basic, C.utf8 and, for a database created with the C locale,
// default) do; any other name is unknown (42704) or, for ICU's, not
// supported, rather than ignored. Only character types (and arrays of
// them) have collations.
func (b *binder) bindCollate(cc *pg_query.CollateClause, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(cc.Location)
	parts := make([]string, len(cc.Collname))
	for i, p := range cc.Collname {
		parts[i] = p.GetString_().GetSval()
	}
	name := strings.Join(parts, ".")
	if len(parts) == 2 && parts[0] == "pg_catalog" {
		name = parts[1]
	}
	switch {
	case name == "C" || name == "POSIX" || name == "ucs_basic" || name == "C.utf8" || name == "default":
	case strings.HasSuffix(name, "-x-icu"):
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "collation \"%s\" is not supported", name).
			WithHint(`meshql compares text bytewise, as COLLATE "C" does.`), loc)
	default:
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedObject, "collation \"%s\" for encoding \"UTF8\" does not exist", name), loc)
	}
	e, err := b.bindExpr(cc.Arg, sc, agg)
	if err != nil {
		return nil, err
	}
	t := e.Type()
	el := t
	for el.Kind == sqltypes.List && el.Elem != nil {
		el = *el.Elem
	}
	if !el.IsString() && el.Kind != sqltypes.Bpchar && el.Kind != sqltypes.Name && el.Kind != sqltypes.Unknown {
		t.Precision, t.Scale = 0, 0
		return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch, "collations are not supported by type %s", t), loc)
	}
	return e, nil
}

// currentSchemas is current_schemas(include_implicit) given the search
// path's schemas that exist: with implicit schemas, pg_catalog comes
// first unless the path lists it (PostgreSQL searches it first then), as
// pgjdbc's TypeInfoCache relies on to name pg_catalog's types unqualified.
func (b *binder) currentSchemas(explicit sqltypes.Datum, t sqltypes.Type, fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	paths, _ := explicit.([]any)
	if paths == nil {
		paths = []any{} // an empty array, not NULL
	}
	implicit := paths
	if !slices.Contains(paths, any("pg_catalog")) {
		implicit = append([]any{"pg_catalog"}, paths...)
	}
	arg, err := b.bindExpr(fc.Args[0], sc, agg)
	if err != nil {
		return nil, err
	}
	if arg, err = b.coerce(arg, sqltypes.TypeBool); err != nil {
		return nil, err
	}
	if c, ok := arg.(*logical.Const); ok {
		switch c.V {
		case nil:
			return &logical.Const{T: t}, nil // strict: NULL in, NULL out
		case true:
			return &logical.Const{T: t, V: implicit}, nil
		default:
			return &logical.Const{T: t, V: paths}, nil
		}
	}
	return &logical.Case{T: t, Whens: []logical.When{
		{Cond: arg, Then: &logical.Const{T: t, V: implicit}},
		{Cond: &logical.Unary{Op: logical.OpNot, E: arg, T: sqltypes.TypeBool}, Then: &logical.Const{T: t, V: paths}},
	}}, nil
}
