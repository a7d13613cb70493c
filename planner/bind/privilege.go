package bind

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Grants is what PostgreSQL's privilege inquiry functions
// (has_table_privilege, has_column_privilege, has_any_column_privilege,
// has_schema_privilege) answer from, for one user: the engine derives it
// from the policy decision point, so the functions tell the truth of the
// session's policies. meshql is read-only: SELECT (tables, columns) and
// USAGE (schemas) are the only privileges ever held, never WITH GRANT
// OPTION.
type Grants struct {
	Tables  []TableGrant
	Schemas []SchemaGrant
	// Databases is meshql's one database; Usage is CONNECT on it.
	Databases []SchemaGrant
	// SearchPath resolves unqualified table names.
	SearchPath []string
}

// TableGrant is one table (data product or system table) and whether the
// user may read it; OID is its pg_class oid (0 for system tables, which
// pg_class does not list).
type TableGrant struct {
	Schema, Name string
	OID          int64
	Select       bool
	Columns      []ColumnGrant // in attnum order
}

// ColumnGrant is one column; Select is false for a column the policy
// denies (a masked column is readable: it reads masked).
type ColumnGrant struct {
	Name   string
	Select bool
}

// SchemaGrant is one schema and whether the user has USAGE on it.
type SchemaGrant struct {
	Name  string
	OID   int64
	Usage bool
}

// privilegeFunctions maps each inquiry function to the privileges its
// object kind knows (others are 22023) and the one meshql grants.
var privilegeFunctions = map[string]struct {
	known   []string
	granted string
	column  bool // takes a column argument after the table
	schema  bool
	// database: the object is a database (by name or oid).
	database bool
}{
	"has_table_privilege":      {known: []string{"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"}, granted: "SELECT"},
	"has_any_column_privilege": {known: []string{"SELECT", "INSERT", "UPDATE", "REFERENCES"}, granted: "SELECT"},
	"has_column_privilege":     {known: []string{"SELECT", "INSERT", "UPDATE", "REFERENCES"}, granted: "SELECT", column: true},
	"has_schema_privilege":     {known: []string{"USAGE", "CREATE"}, granted: "USAGE", schema: true},
	"has_database_privilege":   {known: []string{"CREATE", "CONNECT", "TEMPORARY", "TEMP"}, granted: "CONNECT", database: true},
}

// bindPrivilege binds a privilege inquiry function. Forms, as in
// PostgreSQL: ([user,] object, [column,] privilege), the object by name
// (text) or oid, the column by name or attnum. The user and the privilege
// must be constants; object and column may vary per row (psql's \dp and
// GUI tools pass pg_class.oid), and are then answered by an IN list over
// the grants.
func (b *binder) bindPrivilege(name string, fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	fn := privilegeFunctions[name]
	loc := int(fc.Location)
	args := make([]logical.Expr, len(fc.Args))
	for i, an := range fc.Args {
		e, err := b.bindExpr(an, sc, agg)
		if err != nil {
			return nil, err
		}
		if e.Type().Kind == sqltypes.Unknown {
			if e, err = b.coerce(e, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
		if e.Type().IsOID() {
			// An object by oid (pg_class.oid, a role's oid) is read as
			// the integer id it is.
			if e, err = b.castBound(e, sqltypes.TypeInt8, "", loc); err != nil {
				return nil, err
			}
		}
		args[i] = e
	}
	want := 2
	if fn.column {
		want = 3
	}
	user := b.opts.User
	switch len(args) {
	case want:
	case want + 1:
		u, ok := args[0].(*logical.Const)
		if !ok && b.opts.Roles != nil {
			return b.privilegePerUser(name, args, loc)
		}
		if !ok || u.V == nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s: the user argument must be a constant", name), loc)
		}
		if s, isText := u.V.(string); isText {
			user = s
		} else if oid, isInt := sqltypes.DatumInt64(u.V); !isInt || b.opts.RoleByOID == nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s: the user argument must be a name or an oid", name), loc)
		} else if user, ok = b.opts.RoleByOID(oid); !ok {
			return &logical.Const{T: sqltypes.TypeBool}, nil // PostgreSQL: NULL for an unknown role oid
		}
		args = args[1:]
	default:
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s with %d arguments does not exist", name, len(args)), loc)
	}
	return b.privilegeOf(name, user, args, loc)
}

// privilegeOf answers inquiry function name for user over args (without
// the user argument).
func (b *binder) privilegeOf(name, user string, args []logical.Expr, loc int) (logical.Expr, error) {
	fn := privilegeFunctions[name]
	p, ok := args[len(args)-1].(*logical.Const)
	if !ok || p.V == nil {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s: the privilege argument must be a constant", name), loc)
	}
	held, err := holdsPrivilege(p.V, fn.known, fn.granted)
	if err != nil {
		return nil, errAt(err, loc)
	}
	g, ok := b.opts.Privileges(user)
	if !ok {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedObject, "role %q does not exist", user), loc)
	}
	if !held {
		return &logical.Const{T: sqltypes.TypeBool, V: false}, nil
	}
	if fn.schema {
		return b.namedObjectPrivilege(g.Schemas, args[0], loc, func(name string) *sqltypes.Error {
			return sqltypes.New(sqltypes.CodeInvalidSchemaName, "schema %q does not exist", name)
		})
	}
	if fn.database {
		return b.namedObjectPrivilege(g.Databases, args[0], loc, func(name string) *sqltypes.Error {
			return sqltypes.New(sqltypes.CodeInvalidCatalogName, "database %q does not exist", name)
		})
	}
	var col logical.Expr
	if fn.column {
		col = args[1]
	}
	return b.tablePrivilege(g, args[0], col, loc)
}

// RoleRef is a user or role a privilege inquiry may name: its name and
// its pg_roles oid.
type RoleRef struct {
	Name string
	OID  int64
}

// privilegePerUser answers an inquiry whose user argument varies per row
// (has_table_privilege(rolname, …) over pg_roles) as a CASE over every
// user and role: WHEN user = 'analyst' THEN <analyst's answer> …. A name
// or oid that is neither answers NULL (PostgreSQL raises 42704 for an
// unknown name; a per-row error would fail the whole query).
func (b *binder) privilegePerUser(name string, args []logical.Expr, loc int) (logical.Expr, error) {
	who := args[0]
	byOID := who.Type().IsInteger()
	if !byOID {
		c, err := b.coerce(who, sqltypes.TypeText)
		if err != nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s: the user argument must be a name or an oid", name), loc)
		}
		who = c
	}
	roles := b.opts.Roles()
	if len(roles) == 0 {
		return &logical.Const{T: sqltypes.TypeBool}, nil
	}
	out := &logical.Case{T: sqltypes.TypeBool}
	for _, r := range roles {
		var key logical.Expr = &logical.Const{T: sqltypes.TypeText, V: r.Name}
		if byOID {
			c, err := b.coerce(&logical.Const{T: sqltypes.TypeInt8, V: r.OID}, who.Type())
			if err != nil {
				return nil, err
			}
			key = c
		}
		then, err := b.privilegeOf(name, r.Name, args[1:], loc)
		if err != nil {
			return nil, err
		}
		out.Whens = append(out.Whens, logical.When{Cond: boolBinary(expr.OpEq, who, key), Then: then})
	}
	return out, nil
}

// holdsPrivilege parses a privilege list ("SELECT, UPDATE WITH GRANT
// OPTION") and reports whether it names the granted privilege without
// grant option (any listed privilege held is enough, as in PostgreSQL).
func holdsPrivilege(v sqltypes.Datum, known []string, granted string) (bool, *sqltypes.Error) {
	s, _ := v.(string)
	held := false
	for _, part := range strings.Split(s, ",") {
		p := strings.ToUpper(strings.Join(strings.Fields(part), " "))
		withGrant := strings.HasSuffix(p, " WITH GRANT OPTION")
		p = strings.TrimSuffix(p, " WITH GRANT OPTION")
		ok := false
		for _, k := range known {
			ok = ok || k == p
		}
		if !ok {
			return false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "unrecognized privilege type: %q", strings.TrimSpace(part))
		}
		held = held || (p == granted && !withGrant)
	}
	return held, nil
}

// findTable resolves a table name as the session would: qualified, or the
// first match on the search path (system tables in pg_catalog first).
func (g *Grants) findTable(name string) *TableGrant {
	name = strings.ToLower(strings.ReplaceAll(name, `"`, ""))
	schema, rel, qualified := strings.Cut(name, ".")
	if !qualified {
		rel = schema
		for _, sp := range append([]string{"pg_catalog"}, g.SearchPath...) {
			if t := g.table(sp, rel); t != nil {
				return t
			}
		}
		return nil
	}
	return g.table(schema, rel)
}

func (g *Grants) table(schema, name string) *TableGrant {
	for i := range g.Tables {
		if t := &g.Tables[i]; t.Schema == schema && t.Name == name {
			return t
		}
	}
	return nil
}

func boolConst(v bool) logical.Expr { return &logical.Const{T: sqltypes.TypeBool, V: v} }

// tablePrivilege answers a table (and optionally column) privilege for a
// table given by name or oid.
func (b *binder) tablePrivilege(g *Grants, table, col logical.Expr, loc int) (logical.Expr, error) {
	if tc, ok := table.(*logical.Const); ok {
		if tc.V == nil {
			return &logical.Const{T: sqltypes.TypeBool}, nil
		}
		var t *TableGrant
		if s, isText := tc.V.(string); isText {
			if t = g.findTable(s); t == nil {
				return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedTable, "relation %q does not exist", s), loc)
			}
		} else if oid, isInt := sqltypes.DatumInt64(tc.V); isInt {
			for i := range g.Tables {
				if g.Tables[i].OID == oid && oid != 0 {
					t = &g.Tables[i]
				}
			}
			if t == nil {
				return &logical.Const{T: sqltypes.TypeBool}, nil // unknown oid: NULL, as in PostgreSQL
			}
		}
		if t == nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function argument of type %s is not a table name or oid", tc.T), loc)
		}
		if col == nil || !t.Select {
			return boolConst(t.Select), nil
		}
		cc, ok := col.(*logical.Const)
		if !ok {
			return b.columnPerRow(g, []*TableGrant{t}, table, col)
		}
		if cc.V == nil {
			return &logical.Const{T: sqltypes.TypeBool}, nil
		}
		for i, c := range t.Columns {
			if n, isInt := sqltypes.DatumInt64(cc.V); (isInt && int64(i+1) == n) || cc.V == c.Name {
				return boolConst(c.Select), nil
			}
		}
		if s, isText := cc.V.(string); isText {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedColumn, "column %q of relation %q does not exist", s, t.Name), loc)
		}
		return &logical.Const{T: sqltypes.TypeBool}, nil
	}
	var readable []*TableGrant
	for i := range g.Tables {
		if g.Tables[i].Select {
			readable = append(readable, &g.Tables[i])
		}
	}
	if col != nil {
		return b.columnPerRow(g, readable, table, col)
	}
	return b.inTables(g, readable, table)
}

// inTables is "table IN (the readable tables)", by oid or by name.
func (b *binder) inTables(g *Grants, ts []*TableGrant, table logical.Expr) (logical.Expr, error) {
	var list []logical.Expr
	for _, t := range ts {
		if table.Type().IsInteger() {
			if t.OID == 0 {
				continue
			}
			c, err := b.coerce(&logical.Const{T: sqltypes.TypeInt8, V: t.OID}, table.Type())
			if err != nil {
				return nil, err
			}
			list = append(list, c)
			continue
		}
		list = append(list, &logical.Const{T: sqltypes.TypeText, V: t.Schema + "." + t.Name})
		if g != nil && g.findTable(t.Name) == t {
			// Found unqualified on the search path, as the name alone.
			list = append(list, &logical.Const{T: sqltypes.TypeText, V: t.Name})
		}
	}
	if len(list) == 0 {
		return boolConst(false), nil
	}
	if !table.Type().IsInteger() {
		c, err := b.coerce(table, sqltypes.TypeText)
		if err != nil {
			return nil, err
		}
		table = normalizedRelationName(c)
	}
	return &logical.InList{E: table, List: list}, nil
}

// normalizedRelationName reads a relation's name as PostgreSQL's regclass
// input does, quoted parts as written and unquoted ones lower-cased, and
// joins its parts with dots: Metabase's sync asks for
// '"sales"."orders_v1"', psql and pgAdmin for sales.orders_v1.
func normalizedRelationName(name logical.Expr) logical.Expr {
	textList := sqltypes.ListOf(sqltypes.TypeText)
	parts := &logical.Func{Name: "parse_ident", Args: []logical.Expr{name, boolConst(false)}, T: textList}
	return &logical.Func{Name: "array_to_string", Args: []logical.Expr{parts, &logical.Const{T: sqltypes.TypeText, V: "."}}, T: sqltypes.TypeText}
}

// columnPerRow is "table readable AND NOT (one of the denied columns)"
// for arguments that vary per row.
func (b *binder) columnPerRow(g *Grants, ts []*TableGrant, table, col logical.Expr) (logical.Expr, error) {
	readable, err := b.inTables(g, ts, table)
	if err != nil {
		return nil, err
	}
	var denied logical.Expr
	for _, t := range ts {
		for i, c := range t.Columns {
			if c.Select {
				continue
			}
			isTable, err := b.inTables(g, []*TableGrant{t}, table)
			if err != nil {
				return nil, err
			}
			var colVal logical.Expr = &logical.Const{T: sqltypes.TypeText, V: c.Name}
			if col.Type().IsInteger() {
				if colVal, err = b.coerce(&logical.Const{T: sqltypes.TypeInt8, V: int64(i + 1)}, col.Type()); err != nil {
					return nil, err
				}
			}
			l, r, err := b.unify(col, colVal, "column", 0)
			if err != nil {
				return nil, err
			}
			pair := boolBinary(expr.OpAnd, isTable, boolBinary(expr.OpEq, l, r))
			if denied == nil {
				denied = pair
			} else {
				denied = boolBinary(expr.OpOr, denied, pair)
			}
		}
	}
	if denied == nil {
		return readable, nil
	}
	return boolBinary(expr.OpAnd, readable, &logical.Unary{Op: logical.OpNot, E: denied, T: sqltypes.TypeBool}), nil
}

func boolBinary(op expr.BinaryOp, l, r logical.Expr) logical.Expr {
	return &logical.Binary{Op: op, L: l, R: r, T: sqltypes.TypeBool}
}

// namedObjectPrivilege answers the privilege on a schema or a database
// given by name or oid; missing is the error for an unknown name.
func (b *binder) namedObjectPrivilege(objects []SchemaGrant, schema logical.Expr, loc int, missing func(name string) *sqltypes.Error) (logical.Expr, error) {
	if sc, ok := schema.(*logical.Const); ok {
		if sc.V == nil {
			return &logical.Const{T: sqltypes.TypeBool}, nil
		}
		s, isText := sc.V.(string)
		oid, isInt := sqltypes.DatumInt64(sc.V)
		for _, n := range objects {
			// A schema's or database's name is taken as it is written, not
			// folded (PostgreSQL's get_namespace_oid, get_database_oid).
			if (isText && n.Name == s) || (isInt && n.OID == oid) {
				return boolConst(n.Usage), nil
			}
		}
		if isText {
			return nil, errAt(missing(s), loc)
		}
		return &logical.Const{T: sqltypes.TypeBool}, nil
	}
	var list []logical.Expr
	for _, n := range objects {
		if !n.Usage {
			continue
		}
		if schema.Type().IsInteger() {
			c, err := b.coerce(&logical.Const{T: sqltypes.TypeInt8, V: n.OID}, schema.Type())
			if err != nil {
				return nil, err
			}
			list = append(list, c)
		} else {
			list = append(list, &logical.Const{T: sqltypes.TypeText, V: n.Name})
		}
	}
	if !schema.Type().IsInteger() {
		c, err := b.coerce(schema, sqltypes.TypeText)
		if err != nil {
			return nil, err
		}
		schema = c
	}
	return &logical.InList{E: schema, List: list}, nil
}
