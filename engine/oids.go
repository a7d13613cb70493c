package engine

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// Object ids. Products, schemas and roles get ids derived from their names
// (stableOID), so that they are the same in every process and across
// restarts; the system catalogs and schemas keep PostgreSQL's own ids,
// which clients hard-code (pgjdbc compares pg_description.classoid with
// 'pg_class'::regclass, psql with 1259).

// systemClassOID is a system table's id: PostgreSQL 15's for the
// relations of pg_catalog, else one derived from its name.
func systemClassOID(schema, name string) int32 {
	if r, ok := pgCatalogRelations[name]; ok && schema == "pg_catalog" {
		return r.oid
	}
	return int32(stableOID("class", schema+"."+name))
}

// resolveOID is bind.Options.ResolveOID for the session: 'name'::regclass
// and friends, read as PostgreSQL's input functions (regclassin, …) read
// their text: "-" is no object (0), digits alone are the id itself, and
// anything else a name (see sqltypes.SplitQualifiedName; 42602 for one
// that does not split).
func (s *Session) resolveOID(kind, name string) (int32, error) {
	if readsAsID(name) {
		if name == "-" {
			return 0, nil
		}
		return oidIn(name)
	}
	switch kind {
	case "regclass":
		return s.relations().regclass(name)
	case "regtype":
		t, err := typeOfName(name)
		if sqltypes.Code(err) == sqltypes.CodeUndefinedObject {
			if oid, ok := s.rowTypeOfName(name); ok {
				return oid, nil
			}
		}
		if err != nil {
			return 0, err
		}
		return int32(t.OID()), nil
	case "regnamespace":
		n, err := singleName(name)
		if err != nil {
			return 0, err
		}
		for _, ns := range s.namespaces() {
			if ns.name == n {
				return ns.oid, nil
			}
		}
		return 0, sqltypes.New(sqltypes.CodeInvalidSchemaName, "schema \"%s\" does not exist", n)
	case "regrole":
		n, err := singleName(name)
		if err != nil {
			return 0, err
		}
		for _, r := range pgRoles(s) {
			if r.name == n {
				return r.oid, nil
			}
		}
		return 0, sqltypes.New(sqltypes.CodeUndefinedObject, "role \"%s\" does not exist", n)
	case "regproc", "regprocedure":
		return s.regproc(kind == "regprocedure", name)
	}
	return 0, sqltypes.New(sqltypes.CodeInternal, "internal error: no input function for %s", kind)
}

// readsAsID reports whether the reg* input functions read s as an id
// rather than a name: "-" (no object) or digits alone.
func readsAsID(s string) bool { return s == "-" || isDigits(s) }

// isDigits reports whether s is an id as the reg* input functions take
// one: digits only, no sign or blank (' 5' is a name).
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// oidIn reads the digits of an oid, up to 4294967295 (22003 beyond),
// as the bits of the int4 the engine's catalogs hold.
func oidIn(s string) (int32, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > math.MaxUint32 {
		return 0, sqltypes.New(sqltypes.CodeNumericOutOfRange, "value \"%s\" is out of range for type oid", s)
	}
	return int32(uint32(n)), nil
}

// singleName is the name of a schema or role as regnamespace and regrole
// read it: one name, unqualified (42602 otherwise).
func singleName(s string) (string, error) {
	parts, err := sqltypes.SplitQualifiedName(s)
	if err != nil {
		return "", err
	}
	if len(parts) != 1 {
		return "", sqltypes.New(sqltypes.CodeInvalidName, "invalid name syntax")
	}
	return parts[0], nil
}

// procOID is the id of a built-in function, by name.
func procOID(name string) int32 {
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	return int32(stableOID("proc", name))
}

// relations are the relations a session can name in a regclass, by
// schema: the system tables, and the products it may read with their
// primary key indexes. A product it may not read is absent, as is a
// domain all of whose products it may not read, so a regclass cannot probe
// for either (42P01 and 3F000 as for names that exist nowhere).
type relations struct {
	schemas map[string]map[string]int32
	// path is where an unqualified name is looked for: the search_path,
	// after pg_catalog unless the path places pg_catalog itself.
	path []string
	// byOID is regclassout's names by id, built on first use (names).
	namesOnce sync.Once
	byOID     map[int32]string
}

// relationsKey is what a session's relations depend on: the catalog (its
// grants decide which products the session's user sees; the user never
// changes) and the search path as set.
type relationsKey struct {
	mesh *catalog.Mesh
	path string
}

// relations returns the relations the session sees now. They are built
// once per catalog and search path and kept until either changes (every
// reg* cast, to_regclass and regclass output reads them), so that a
// reload that revokes a grant, or a SET search_path, is seen by the next
// call.
func (s *Session) relations() *relations {
	path, _ := s.Setting("search_path")
	v := s.current()
	key := relationsKey{mesh: v.mesh, path: path}
	s.mu.Lock()
	if s.rels != nil && s.relsKey == key {
		r := s.rels
		s.mu.Unlock()
		return r
	}
	s.mu.Unlock()
	r := s.buildRelations(v, path)
	s.mu.Lock()
	s.rels, s.relsKey = r, key
	s.mu.Unlock()
	return r
}

// buildRelations indexes the relations v's principal sees, path being
// the search_path setting: from the same view and path as the cache key,
// so that an index is never kept under another catalog's key.
func (s *Session) buildRelations(v catalogSnapshot, path string) *relations {
	r := &relations{schemas: map[string]map[string]int32{}}
	add := func(schema, rel string, oid int32) {
		if r.schemas[schema] == nil {
			r.schemas[schema] = map[string]int32{}
		}
		r.schemas[schema][rel] = oid
	}
	for _, t := range systemTables() {
		add(t.schema, t.name, systemClassOID(t.schema, t.name))
	}
	for _, p := range v.visibleProducts() {
		add(p.Domain, p.TableName(), classOID(p))
		if primaryKey(p) != nil {
			add(p.Domain, pkeyName(p), pkeyIndexOID(p))
		}
	}
	r.path = s.parseSearchPath(path)
	if !slices.Contains(r.path, "pg_catalog") {
		r.path = append([]string{"pg_catalog"}, r.path...)
	}
	return r
}

// rowTypeOfName resolves name as the row type of a product the session
// reads, named as the product (psycopg 3's CompositeInfo.fetch reads
// 'catalog.products_v2'::regtype), along the search path like a relation.
func (s *Session) rowTypeOfName(name string) (int32, bool) {
	r := &relations{schemas: map[string]map[string]int32{}, path: s.searchPath()}
	for _, p := range s.visibleProducts() {
		if r.schemas[p.Domain] == nil {
			r.schemas[p.Domain] = map[string]int32{}
		}
		r.schemas[p.Domain][p.TableName()] = p.RowTypeOID()
	}
	oid, err := r.regclass(name)
	return oid, err == nil
}

// typeOfName reads a type name as PostgreSQL's regtypein does: as the
// type of a cast in SQL (SELECT NULL::<name>), so that qualified, quoted,
// multi-word, modified and array names all read ('pg_catalog.int4',
// '"int4"', 'character varying(10)', 'int4[]'); 42601 for text that is no
// type name, 42704 for a name of no type.
func typeOfName(name string) (sqltypes.Type, error) {
	invalid := sqltypes.New(sqltypes.CodeSyntaxError, "invalid type name \"%s\"", name)
	stmts, err := parse.Parse("SELECT NULL::" + name)
	if err != nil || len(stmts) != 1 {
		return sqltypes.Type{}, invalid
	}
	sel := stmts[0].Node.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || sel.FromClause != nil || sel.WhereClause != nil {
		return sqltypes.Type{}, invalid
	}
	cast := sel.TargetList[0].GetResTarget().GetVal().GetTypeCast()
	if cast == nil || cast.Arg.GetAConst() == nil || !cast.Arg.GetAConst().Isnull {
		return sqltypes.Type{}, invalid
	}
	t, err := bind.ResolveTypeName(cast.TypeName)
	if err != nil {
		return sqltypes.Type{}, sqltypes.New(sqltypes.CodeUndefinedObject, "type \"%s\" does not exist", strings.TrimSpace(name))
	}
	return t, nil
}

// name is regclassout over r: a relation's name, unqualified where the
// search path finds it first, else qualified, quoted as needed; ok is
// false for an id of no relation the session sees. It is safe for
// concurrent use.
func (r *relations) name(oid int32) (string, bool) {
	r.namesOnce.Do(func() {
		r.byOID = map[int32]string{}
		for schema, rels := range r.schemas {
			for rel, oid := range rels {
				name := expr.QuoteIdent(rel)
				if r.visible(schema, rel) != oid {
					name = expr.QuoteIdent(schema) + "." + name
				}
				r.byOID[oid] = name
			}
		}
	})
	name, ok := r.byOID[oid]
	return name, ok
}

// out is PostgreSQL's regclassout of an id: its name (see name); "-"
// for 0 (no relation); for an id of no relation the session sees, the
// number, as an unsigned oid. NULL stays NULL.
func (r *relations) out(id sqltypes.Datum) sqltypes.Datum {
	switch oid := id.(type) {
	case int32:
		return r.text(oid)
	case uint32:
		return r.text(int32(oid))
	}
	return nil
}

func (r *relations) text(oid int32) string {
	if name, ok := r.name(oid); ok {
		return name
	}
	if oid == 0 {
		return "-"
	}
	return strconv.FormatUint(uint64(uint32(oid)), 10)
}

// visible is the id an unqualified name finds on the search path (0:
// none).
func (r *relations) visible(schema, rel string) int32 {
	for _, sc := range r.path {
		if oid, ok := r.schemas[sc][rel]; ok {
			return oid
		}
	}
	return 0
}

// regclass is PostgreSQL's regclass(text): the id of the relation a name
// ("rel", "schema.rel" or "database.schema.rel") finds, or the error
// PostgreSQL gives (42602 for text that is no name, 42601 for more than
// three parts, 0A000 for another database, 3F000 for an unknown schema,
// 42P01 for an unknown relation). It is regclassin after the '-' and id
// cases, and what a cast of text to regclass does, constant or per row.
func (r *relations) regclass(text string) (int32, error) {
	names, err := sqltypes.SplitQualifiedName(text)
	if err != nil {
		return 0, err
	}
	schema, rel := "", names[len(names)-1]
	switch len(names) {
	case 1:
		for _, sc := range r.path {
			if oid, ok := r.schemas[sc][rel]; ok {
				return oid, nil
			}
		}
		return 0, sqltypes.New(sqltypes.CodeUndefinedTable, "relation \"%s\" does not exist", rel)
	case 2:
		schema = names[0]
	case 3:
		if names[0] != databaseName {
			return 0, sqltypes.New(sqltypes.CodeFeatureNotSupported, "cross-database references are not implemented: \"%s\"", strings.Join(names, "."))
		}
		schema = names[1]
	default:
		return 0, sqltypes.New(sqltypes.CodeSyntaxError, "improper relation name (too many dotted names): %s", strings.Join(names, "."))
	}
	rels, ok := r.schemas[schema]
	if !ok {
		return 0, sqltypes.New(sqltypes.CodeInvalidSchemaName, "schema \"%s\" does not exist", schema)
	}
	if oid, ok := rels[rel]; ok {
		return oid, nil
	}
	return 0, sqltypes.New(sqltypes.CodeUndefinedTable, "relation \"%s.%s\" does not exist", schema, rel)
}
