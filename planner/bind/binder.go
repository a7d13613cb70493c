package bind

import (
	"context"
	"slices"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// Catalog is what the binder needs from the engine: tables by name, as the
// session may see them.
type Catalog interface {
	// ResolveTable finds a table. schema "" means: search the session's
	// search_path. Errors are 42P01 (with a hint naming the closest
	// tables), 3F000, or 42501 when who may not read the product (who is
	// the session's principal, or a derived product's definer).
	ResolveTable(ctx context.Context, schema, name string, who policy.Principal) (*Table, error)
}

// Table is a resolved table reference.
type Table struct {
	Product *catalog.Product // nil for system tables
	Name    string           // qualified name
	Columns []TableColumn
	// Source is the opened connector table; nil for derived products,
	// which are bound from DefiningSQL instead.
	Source      connectors.Table
	DefiningSQL string
}

// TableColumn is a column of a resolved table. SourceIndex is its field in
// Source.Schema(); SourceType the type the source delivers.
type TableColumn struct {
	Name        string
	Type        sqltypes.Type
	SourceIndex int
	SourceType  sqltypes.Type
	// System marks a column read only by its name (a catalog's tableoid),
	// as PostgreSQL's system columns: * and NATURAL joins skip it.
	System bool
}

// ObjectValues are a function's values by object (Options.ObjectFunction).
type ObjectValues struct {
	ByKey map[int64]sqltypes.Datum
	T     sqltypes.Type
	// Sub keys the values by the object id and the call's second
	// argument, an integer under 1<<16, as id<<16 | sub
	// (pg_get_indexdef(index, column, pretty)); a call matches a key on
	// both, so no other second argument reaches another object's value.
	Sub bool
	// OtherSub, with Sub, is the value for an object that has values and
	// a non-NULL second argument none of them match (nil: NULL).
	OtherSub sqltypes.Datum
}

// Options are the session facts binding depends on.
type Options struct {
	Now      time.Time      // transaction start, for 'now' and 'today' literals (now() itself is read at execution)
	Location *time.Location // session TimeZone
	// DateStyle is the session's DateStyle and IntervalStyle: date
	// literals such as '01/02/2024' read in its field order, interval
	// literals in its IntervalStyle.
	DateStyle sqltypes.DateStyle
	User      string
	// ParamTypes are the types a client declared for $n (Parse message);
	// Unknown entries are inferred.
	ParamTypes []sqltypes.Type
	// ParamValueScales are, for $n of numeric type without a modifier, the
	// scale of the value the statement will run with: PostgreSQL keeps a
	// numeric value's own scale ($1::numeric given '1.50' is 1.50), and an
	// Arrow decimal needs it in the type. Missing or negative entries mean
	// the value is unknown (Describe before Bind): paramNumericScale.
	ParamValueScales []int32
	// SessionFunction evaluates functions whose value depends on the
	// session, not on rows (version(), current_schema(), pg_backend_pid()…).
	// ok is false for names it does not know. May be nil.
	SessionFunction func(name string, args []sqltypes.Type) (v sqltypes.Datum, t sqltypes.Type, ok bool)
	// ObjectFunction answers functions of an object id that the session
	// knows a value of for each object (pg_get_viewdef over pg_class's
	// oids): the binder makes a CASE over the values' keys, so the id may
	// vary per row; an id not among them gives NULL. ok is false for
	// names it does not know. May be nil.
	ObjectFunction func(name string, nargs int) (values ObjectValues, ok bool)
	// Action declares the functions with a side effect that the engine
	// performs at each execution, not at bind time (meshql_cancel): the
	// binder coerces the arguments to args and leaves a logical.Func of
	// type result, which the engine replaces by its outcome before
	// planning. nargs is the number of arguments of the call, for
	// functions with several forms (current_setting). ok is false for
	// names it does not know. May be nil.
	//
	// A cast of a parameter or of a text value to a reg* type (regclass,
	// regtype, …) is bound as a call of the action named like PostgreSQL's
	// input function of that type (regclassin, regtypein, …) on the text,
	// when the engine declares it: the name is looked up when the
	// statement runs, as PostgreSQL does for $1::regclass.
	Action func(name string, nargs int) (args []sqltypes.Type, result sqltypes.Type, ok bool)
	// Mesh and Principal drive access policies: every product reference
	// is rewritten through policy.Decide (masks, denied columns, row
	// filters) before anything else sees its columns. Mesh nil disables
	// policies (tests of the binder alone).
	Mesh      *catalog.Mesh
	Principal policy.Principal
	// Access, when set, receives what the statement reads and is refused
	// (the audit record); it is filled even when binding fails.
	Access *Access
	// Privileges returns the grants of a user for has_*_privilege (ok
	// false: no such user); nil leaves those functions unknown. RoleByOID
	// resolves a user given by oid.
	Privileges func(user string) (g *Grants, ok bool)
	RoleByOID  func(oid int64) (user string, ok bool)
	// Roles lists every user and role a user argument may name, for the
	// inquiry functions given a user that varies per row (pg_roles.rolname
	// or oid); nil makes such a user argument 0A000.
	Roles func() []RoleRef
	// ResolveOID turns the name in a 'name'::regclass (regtype,
	// regnamespace, …) literal into the object's id; kind is the reg*
	// type's name. Errors are the user's (42P01, 42704). May be nil: the
	// literal must then be a number.
	ResolveOID func(kind, name string) (int32, error)
}

// Query is a bound SELECT.
type Query struct {
	Plan       logical.Node
	Meta       *logical.Metadata
	Columns    []OutputColumn // result columns, in order
	ParamTypes []sqltypes.Type
	// Notices are sent to the client before the result (columns hidden by
	// policy from SELECT *).
	Notices []*sqltypes.Error
	// HidesRows is set when operators inside the plan see rows the session
	// may not: a derived product read with its definer's rights, or one
	// whose own row filter applies above its plan. EXPLAIN ANALYZE then
	// shows only the result's row count.
	HidesRows bool
}

// OutputColumn is a result column: its name and the plan column holding it.
type OutputColumn struct {
	Name string
	ID   logical.ColumnID
	Type sqltypes.Type
}

// maxViewDepth bounds the expansion of derived products defined over each other.
const maxViewDepth = 16

type binder struct {
	ctx context.Context
	// litLoc is where each untyped literal bound so far was written
	// (noteLiteral).
	litLoc map[*logical.Const]int
	cat    Catalog
	opts   Options
	meta   *logical.Metadata
	params *paramTypes
	ctes   []*cteLevel
	// binding lists the WITH queries whose bodies are being bound, the
	// innermost last: a reference to one of them from inside another of
	// its own list is mutual recursion.
	binding []*cteDef
	nCTEs   int // WITH queries seen so far, numbering logical.Shared keys
	depth   int
	// levels are the SELECT blocks being bound, the innermost last
	// (outeragg.go).
	levels []*queryLevel
	// who is whose rights product references are secured with: the
	// session's principal, or inside a derived product with
	// source.security: definer, its owning domain's (policy.Definer).
	// definer counts the definer products being expanded.
	who     policy.Principal
	definer int
	// attrs, when set, is whose attributes current_user_attr reads (a
	// row filter reads those of the principal its policy applies to);
	// nil reads the session's.
	attrs *policy.Principal
	// hidesRows: see Query.HidesRows.
	hidesRows bool
	win       *winState // window calls of the query block being bound
	// inAggArgs is set while binding an aggregate's arguments.
	inAggArgs bool
	// srfOK is set while binding a select-list entry, the one place
	// set-returning functions (unnest, generate_series) may appear
	// outside FROM.
	srfOK   bool
	notices []*sqltypes.Error
	// decorrelations and perRowBuilds count the rewrites of correlated
	// subqueries (decorrelate, perRowOf), which are the costly part of
	// binding one: tests check that a subquery is rewritten once.
	decorrelations, perRowBuilds int
	// rowKeys are the columns numberRows made: keys telling rows apart,
	// whose values mean nothing else (padOver filters below them).
	rowKeys logical.ColSet
	// varArrays maps a constant array of numerics (numericArrayLiteral)
	// to the same array with each element at its own display scale, for
	// the scale flow to give the readers that keep them.
	varArrays map[*logical.Const]*logical.Const
	// wholeRowNames are the names the statements being bound use as a
	// whole-row reference (`t.*`, or a bare name that may be one): the
	// ranges an outer join null-extends get a presence column only when
	// their name is among them (nullableRanges).
	wholeRowNames map[string]bool
	// floatLits holds the numeric literals beyond meshql's numeric that
	// bindItem read as doubles, with their 22003: unifyAll keeps them
	// only where the others make the common type a float.
	floatLits map[*logical.Const]error
}

// cteLevel is one WITH list.
type cteLevel struct {
	defs map[string]*cteDef
	// recursive: WITH RECURSIVE, whose items see each other in any order
	// (PostgreSQL orders them by their references). Otherwise an item
	// sees only the items before it: while one binds, visible is its
	// position (len(defs) for the query the list belongs to).
	recursive bool
	visible   int
	outer     *scope // the outer scope of the query the list belongs to
}

type cteDef struct {
	key        int
	pos        int // position in its WITH list
	level      int // index of its list in binder.ctes
	name       string
	share      pg_query.CTEMaterialize // AS [NOT] MATERIALIZED
	query      *pg_query.SelectStmt
	loc        int
	colAliases []string
	recursive  bool // WITH RECURSIVE query that reads itself
	cycle      *pg_query.CTECycleClause
	working    *workingDef // set while its recursive term is bound
	// bound is the query as bound for its first reference; later
	// references share its node (computed once, logical.Shared) under
	// fresh column IDs, so that WITH queries reading each other twice
	// bind in linear, not exponential, time and space.
	bound *relation
	// correlated: the query reads the outer query's columns; each
	// reference binds it afresh instead of sharing bound.
	correlated bool
	// referenced: some reference bound the query (see
	// bindUnreferencedCTEs).
	referenced bool
}

// interrupted reports why the statement's context ended (statement_timeout,
// a cancel request), if it did: binding every query block checks it, so
// that a statement whose planning takes long (WITH queries inlined into
// each other, thousands of UNION branches) stops when asked to.
func (b *binder) interrupted() error {
	if b.ctx == nil || b.ctx.Err() == nil {
		return nil
	}
	return sqltypes.AsError(context.Cause(b.ctx))
}

// BindSelect binds a SELECT (or VALUES) statement.
func BindSelect(ctx context.Context, cat Catalog, stmt *parse.Node, opts Options) (*Query, error) {
	sel := stmt.GetSelectStmt()
	if sel == nil {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "statement is not a query")
	}
	b := &binder{ctx: ctx, cat: cat, opts: opts, meta: &logical.Metadata{}, params: newParamTypes(opts.ParamTypes, opts.ParamValueScales), who: opts.Principal}
	if b.opts.Location == nil {
		b.opts.Location = time.UTC
	}
	b.noteWholeRowNames(stmt)
	rel, err := b.bindSelect(sel, nil)
	if err != nil {
		return nil, err
	}
	b.widenScales(rel)
	if !flowsClosed(rel.node) {
		// A decorrelation built a plan reading a column where it is not
		// there (nested correlated subqueries): refused as unsupported
		// rather than failing in the physical planner.
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "this nested correlated subquery form is not supported yet").
			WithHint("Rewrite the innermost subquery as a join in the middle query.")
	}
	q := &Query{Plan: rel.node, Meta: b.meta, ParamTypes: b.params.final(), Notices: b.notices, HidesRows: b.hidesRows}
	if err := b.params.checkLoose(q.ParamTypes); err != nil {
		return nil, err
	}
	for _, c := range rel.cols {
		q.Columns = append(q.Columns, OutputColumn{Name: c.name, ID: c.id, Type: c.t})
	}
	return q, nil
}

// paramTypes collects the types of $n as binding infers them.
type paramTypes struct {
	types  []sqltypes.Type
	used   []bool  // $n occurs in the statement
	scales []int32 // Options.ParamValueScales
	// loose are the references to untyped parameters bound where any type
	// goes ($1 IS NULL, concat($1)), which give their parameter no type.
	loose []looseParam
}

// looseParam is a reference to parameter index at loc (-1: unknown).
type looseParam struct{ index, loc int }

// isLoose reports whether a reference to parameter i left it untyped.
func (p *paramTypes) isLoose(i int) bool {
	return slices.ContainsFunc(p.loose, func(r looseParam) bool { return r.index == i })
}

// checkLoose is PostgreSQL's 42P08 for a statement in which a reference
// to a parameter left it untyped while another typed it later ($1 IS
// NULL, $1: the select list reads the second as text): nil when every
// loose reference's parameter is still untyped (which a Parse or PREPARE
// refuses with 42P18) or there are none.
func (p *paramTypes) checkLoose(types []sqltypes.Type) error {
	for _, r := range p.loose {
		if r.index-1 < len(types) && types[r.index-1].Kind != sqltypes.Unknown {
			return errAt(sqltypes.New(sqltypes.CodeAmbiguousParameter, "could not determine data type of parameter $%d", r.index), r.loc)
		}
	}
	return nil
}

func newParamTypes(declared []sqltypes.Type, scales []int32) *paramTypes {
	p := &paramTypes{scales: scales}
	for i, t := range declared {
		p.set(i+1, t)
	}
	return p
}

// paramNumericScale is the scale of a parameter of numeric type without a
// modifier while its value is unknown (see Options.ParamValueScales).
const paramNumericScale = 10

// get is the type of $i so far, for a reference to it.
func (p *paramTypes) get(i int) sqltypes.Type {
	for len(p.used) < i {
		p.used = append(p.used, false)
	}
	p.used[i-1] = true
	if i-1 < len(p.types) {
		return p.types[i-1]
	}
	return sqltypes.TypeUnknown
}

func (p *paramTypes) set(i int, t sqltypes.Type) {
	for len(p.types) < i {
		p.types = append(p.types, sqltypes.TypeUnknown)
	}
	if t.Kind == sqltypes.Numeric && t.Precision == 0 {
		scale := int32(paramNumericScale)
		if i-1 < len(p.scales) && p.scales[i-1] >= 0 {
			scale = p.scales[i-1]
		}
		t = sqltypes.NumericType(0, max(t.Scale, scale))
	}
	if p.types[i-1].Kind == sqltypes.Unknown {
		p.types[i-1] = t
	}
}

// final is the parameters' types. One that nothing typed stays Unknown,
// whether the statement skips it ($1 of SELECT $2::int) or only takes it
// where any type goes ($1 IS NULL, pg_typeof($1), concat($1)): no type
// can be determined for it, which a Parse or PREPARE refuses (42P18), as
// PostgreSQL does. Contexts PostgreSQL reads an untyped value as text in
// (a select list, comparisons with another untyped value, UNION) coerce
// it to text while binding.
func (p *paramTypes) final() []sqltypes.Type {
	out := make([]sqltypes.Type, max(len(p.types), len(p.used)))
	for i := range out {
		out[i] = sqltypes.TypeUnknown
		if i < len(p.types) {
			out[i] = p.types[i]
		}
	}
	return out
}

// UndeterminedParam is the error of a statement to be prepared whose
// parameter $n has no type (final's Unknown): PostgreSQL's 42P18 for the
// first such; nil when every parameter has one.
func UndeterminedParam(types []sqltypes.Type) error {
	for i, t := range types {
		if t.Kind == sqltypes.Unknown {
			return sqltypes.New(sqltypes.CodeIndeterminateDatatype, "could not determine data type of parameter $%d", i+1)
		}
	}
	return nil
}
