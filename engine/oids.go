package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Object ids. Products, schemas and roles get ids derived from their names
// (stableOID), so that they are the same in every process and across
// restarts; the system catalogs and schemas keep PostgreSQL's own ids,
// which clients hard-code (pgjdbc compares pg_description.classoid with
// 'pg_class'::regclass, psql with 1259).

// systemClassOIDs are PostgreSQL's ids of the catalogs clients name.
var systemClassOIDs = map[string]int32{
	"pg_type": 1247, "pg_attribute": 1249, "pg_proc": 1255, "pg_class": 1259, "pg_namespace": 2615,
	"pg_constraint": 2606, "pg_description": 2609, "pg_index": 2610, "pg_database": 1262, "pg_roles": 1260,
	"pg_authid": 1260, "pg_am": 2601, "pg_trigger": 2620, "pg_collation": 3456, "pg_extension": 3079,
}

// systemClassOID is a system table's id: PostgreSQL's where clients rely on
// it, else one derived from its name.
func systemClassOID(schema, name string) int32 {
	if oid, ok := systemClassOIDs[name]; ok && schema == "pg_catalog" {
		return oid
	}
	return int32(stableOID("class", schema+"."+name))
}

// splitName splits a possibly qualified, possibly quoted name as
// PostgreSQL's regclass input does: unquoted parts fold to lower case.
func splitName(s string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
		case c == '.' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		case !quoted && c >= 'A' && c <= 'Z':
			cur.WriteByte(c + 'a' - 'A')
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}

// resolveOID is bind.Options.ResolveOID for the session: 'name'::regclass
// and friends. A number is taken as the id itself.
func (s *Session) resolveOID(kind, name string) (int32, error) {
	name = strings.TrimSpace(name)
	if n, err := strconv.ParseInt(name, 10, 32); err == nil {
		return int32(n), nil
	}
	parts := splitName(name)
	switch kind {
	case "regclass":
		if len(parts) <= 2 {
			schema, rel := "", parts[len(parts)-1]
			if len(parts) == 2 {
				schema = parts[0]
			}
			if oid, ok := s.classOID(schema, rel); ok {
				return oid, nil
			}
			if schema != "" && !s.hasNamespace(schema) {
				return 0, sqltypes.New(sqltypes.CodeInvalidSchemaName, "schema \"%s\" does not exist", schema)
			}
		}
		return 0, sqltypes.New(sqltypes.CodeUndefinedTable, "relation \"%s\" does not exist", name)
	case "regtype":
		if t, err := sqltypes.ParseType(name); err == nil {
			return int32(t.OID()), nil
		}
		return 0, sqltypes.New(sqltypes.CodeUndefinedObject, "type \"%s\" does not exist", name)
	case "regnamespace":
		for _, n := range s.namespaces() {
			if len(parts) == 1 && n.name == parts[0] {
				return n.oid, nil
			}
		}
		return 0, sqltypes.New(sqltypes.CodeInvalidSchemaName, "schema \"%s\" does not exist", name)
	case "regrole":
		if len(parts) == 1 {
			for _, r := range roleRows(s) {
				if r[1] == parts[0] {
					return r[0].(int32), nil
				}
			}
		}
		return 0, sqltypes.New(sqltypes.CodeUndefinedObject, "role \"%s\" does not exist", name)
	}
	// regproc, regprocedure: meshql's functions are built in and have no
	// catalog rows but pg_type's I/O function columns, which use procOID.
	return procOID(parts[len(parts)-1]), nil
}

// hasNamespace reports whether the session sees a schema of that name.
func (s *Session) hasNamespace(name string) bool {
	for _, n := range s.namespaces() {
		if n.name == name {
			return true
		}
	}
	return false
}

// procOID is the id of a built-in function, by name.
func procOID(name string) int32 {
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	return int32(stableOID("proc", name))
}

// classOID finds a relation the session can see: a system table, or a
// product it may read (an unqualified name searched along search_path).
func (s *Session) classOID(schema, rel string) (int32, bool) {
	if _, ok := lookupSystem(schema, rel); ok {
		if schema == "" {
			schema = "pg_catalog"
		}
		return systemClassOID(schema, rel), true
	}
	schemas := []string{schema}
	if schema == "" {
		schemas = s.searchPath()
	}
	for _, sc := range schemas {
		for _, p := range s.visibleProducts() {
			if p.Domain == sc && p.TableName() == rel {
				return classOID(p), true
			}
		}
	}
	return 0, false
}

// regclassLookup is text::regclass of a name that depends on rows: CASE
// over the relations the session can see (products, their primary key
// indexes and the system tables), each under its qualified name and, for
// those a name alone finds (pg_catalog's, then the search path's),
// unqualified; names are split and folded as parse_ident does. A name no
// relation has fails with 42P01, as in PostgreSQL; an oid written as a
// number is not read.
func (s *Session) regclassLookup(name logical.Expr, t sqltypes.Type) logical.Expr {
	textList := sqltypes.ListOf(sqltypes.TypeText)
	key := &logical.Func{Name: "array_to_string", T: sqltypes.TypeText, Args: []logical.Expr{
		&logical.Func{Name: "parse_ident", Args: []logical.Expr{name}, T: textList},
		&logical.Const{T: sqltypes.TypeText, V: "."},
	}}
	oids := map[string]int32{}
	add := func(schema, rel string, oid int32) {
		oids[schema+"."+rel] = oid
	}
	for _, t := range systemTables() {
		add(t.schema, t.name, systemClassOID(t.schema, t.name))
		if t.schema == "pg_catalog" {
			oids[t.name] = systemClassOID(t.schema, t.name)
		}
	}
	products := s.visibleProducts()
	for _, p := range products {
		add(p.Domain, p.TableName(), classOID(p))
		if primaryKey(p) != nil {
			add(p.Domain, pkeyName(p), pkeyIndexOID(p))
		}
	}
	for _, sc := range s.searchPath() {
		for _, p := range products {
			if _, taken := oids[p.TableName()]; p.Domain == sc && !taken {
				oids[p.TableName()] = classOID(p)
			}
		}
	}
	names := make([]string, 0, len(oids))
	for n := range oids {
		names = append(names, n)
	}
	slices.Sort(names)
	out := &logical.Case{T: t, Else: &logical.Func{Name: expr.NoRelationFunc, Args: []logical.Expr{name}, T: t}}
	for _, n := range names {
		out.Whens = append(out.Whens, logical.When{
			Cond: &logical.Binary{Op: expr.OpEq, L: key, R: &logical.Const{T: sqltypes.TypeText, V: n}, T: sqltypes.TypeBool},
			Then: &logical.Const{T: t, V: oids[n]},
		})
	}
	return out
}
