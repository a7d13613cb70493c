package engine

import (
	"runtime"
	"strings"

	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/sqltypes"
)

// sessionFunction answers the functions clients call to learn about the
// server and their session; their values do not depend on rows. Functions
// that take an object id (pg_get_userbyid, pg_table_is_visible) answer for
// every object alike: meshql's objects all have one owner and every schema
// a session can see is on its path for catalog purposes.
func (s *Session) sessionFunction(name string, args []sqltypes.Type) (sqltypes.Datum, sqltypes.Type, bool) {
	if v, t, ok := s.connAddrFunction(name, len(args)); ok {
		return v, t, true
	}
	if v, t, ok := s.jdbcFunction(name, args); ok {
		return v, t, true
	}
	switch name {
	case "version":
		if len(args) == 0 {
			return "PostgreSQL " + ServerVersion + " meshql on " + runtime.GOOS + "/" + runtime.GOARCH, sqltypes.TypeText, true
		}
	case "current_database", "current_catalog":
		if len(args) == 0 {
			return databaseName, sqltypes.TypeName, true
		}
	case "current_schema":
		if len(args) == 0 {
			for _, sp := range s.searchPath() {
				if s.schemaExists(sp) {
					return sp, sqltypes.TypeName, true
				}
			}
			return nil, sqltypes.TypeName, true
		}
	case "current_schemas":
		// The schemas of the search path that exist; the binder adds
		// pg_catalog, searched first unless the path lists it, for
		// current_schemas(true).
		if len(args) == 1 {
			var out []any
			for _, sp := range s.searchPath() {
				if s.schemaExists(sp) {
					out = append(out, sp)
				}
			}
			return out, sqltypes.ListOf(sqltypes.TypeName), true
		}
	case "pg_backend_pid":
		if len(args) == 0 {
			return s.pid, sqltypes.TypeInt4, true
		}
	case "pg_get_userbyid":
		if len(args) == 1 {
			return ownerName, sqltypes.TypeName, true
		}
	case "pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible", "pg_operator_is_visible",
		"pg_opclass_is_visible", "pg_opfamily_is_visible", "pg_collation_is_visible", "pg_conversion_is_visible",
		"pg_statistics_obj_is_visible", "pg_ts_parser_is_visible", "pg_ts_dict_is_visible", "pg_ts_template_is_visible",
		"pg_ts_config_is_visible":
		if len(args) == 1 {
			return true, sqltypes.TypeBool, true
		}
	case "shobj_description":
		// Users, roles and the database carry no comments in meshql.
		if len(args) == 2 {
			return nil, sqltypes.TypeText, true
		}
	case "pg_get_constraintdef", "pg_get_indexdef", "pg_get_triggerdef", "pg_get_ruledef", "pg_get_partkeydef", "pg_get_statisticsobjdef_columns":
		// meshql has no check constraints, rules or indexes but the primary
		// keys (objectFunction) to print; clients get NULL, as for an
		// object without one. pg_get_expr is a function (expr).
		if len(args) >= 1 {
			return nil, sqltypes.TypeText, true
		}
	case "pg_relation_is_publishable":
		// meshql publishes nothing for logical replication.
		if len(args) == 1 {
			return false, sqltypes.TypeBool, true
		}
	case "pg_get_serial_sequence":
		// meshql has no sequences: no column owns one.
		if len(args) == 2 {
			return nil, sqltypes.TypeText, true
		}
	case "pg_tablespace_location":
		// pg_default, meshql's only tablespace, lives in the data
		// directory: PostgreSQL prints it as the empty string.
		if len(args) == 1 {
			return "", sqltypes.TypeText, true
		}
	case "pg_stat_get_numscans":
		// meshql keeps no index scan statistics (its only indexes are the
		// primary keys pg_index shows).
		if len(args) == 1 {
			return int64(0), sqltypes.TypeInt8, true
		}
	case "pg_encoding_to_char":
		if len(args) == 1 {
			return "UTF8", sqltypes.TypeName, true
		}
	case "current_setting":
		// needs the argument's value; handled by the general path
	}
	return nil, sqltypes.Type{}, false
}

// objectFunction answers the functions of an object id that meshql
// knows per object (bind.Options.ObjectFunction). pg_get_viewdef, which
// psql's \d+ and DBeaver call, gives a SQL-defined product's query as its
// descriptor states it; other relations are no views (NULL).
// pg_get_constraintdef and pg_get_indexdef print the primary keys, the
// latter with a column number (pgjdbc's getIndexInfo, psql's \d) that
// column's name, or the whole definition for 0. pg_get_functiondef and
// pg_get_function_result, _arguments, _identity_arguments and _sqlbody
// print the built-in functions pg_proc lists (psql's \df, \df+, \sf).
func (s *Session) objectFunction(name string, nargs int) (bind.ObjectValues, bool) {
	text := func(m map[int64]sqltypes.Datum, sub bool) (bind.ObjectValues, bool) {
		v := bind.ObjectValues{ByKey: m, T: sqltypes.TypeText, Sub: sub}
		if sub {
			// An index's column past its key columns (or below 1) prints
			// nothing in PostgreSQL's pg_get_indexdef.
			v.OtherSub = ""
		}
		return v, true
	}
	switch {
	case name == "pg_get_constraintdef" && (nargs == 1 || nargs == 2):
		return text(s.constraintDefs(), false)
	case name == "pg_get_indexdef" && nargs == 1:
		return text(s.indexDefs(false), false)
	case name == "pg_get_indexdef" && nargs == 3:
		return text(s.indexDefs(true), true)
	case nargs == 1 && strings.HasPrefix(name, "pg_get_function"):
		if defs, ok := procObjectValues(name); ok {
			return text(defs, false)
		}
	case name == "pg_get_viewdef" && (nargs == 1 || nargs == 2):
		defs := map[int64]sqltypes.Datum{}
		for _, p := range s.visibleProducts() {
			if isView(p) {
				defs[int64(classOID(p))] = strings.TrimSpace(p.Source.Query)
			}
		}
		return text(defs, false)
	}
	return bind.ObjectValues{}, false
}

// schemaExists reports whether a search path entry names a schema: a
// domain of the mesh or one of meshql's own (pg_catalog,
// information_schema, mesh).
func (s *Session) schemaExists(name string) bool {
	if systemSchemas[name] {
		return true
	}
	_, ok := s.engine.Mesh().Domain(name)
	return ok
}
