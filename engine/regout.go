package engine

import (
	"strconv"
	"strings"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// The output functions of the reg* types (regclassout, regtypeout, …):
// an id printed as the name of the object it names, as the session sees
// it; "-" for 0 and the number for an id that names nothing the session
// sees, as PostgreSQL prints them.

// regOutputs are the engine's actions printing a reg* value, by name, with
// the type they print: the binder calls them for x::regtype::text and
// the like.
var regOutputs = map[string]sqltypes.Kind{
	regclassOut: sqltypes.RegClass, "regtypeout": sqltypes.RegType, "regprocout": sqltypes.RegProc,
	"regprocedureout": sqltypes.RegProcedure, "regnamespaceout": sqltypes.RegNamespace, "regroleout": sqltypes.RegRole,
}

// regOut returns the output function of the reg* kind k over what the
// session sees now (nil for another kind). It is built once per call of
// the returned function, which a front makes once per batch.
func (s *Session) regOut(k sqltypes.Kind) func() func(oid uint32) string {
	var names func() map[uint32]string
	switch k {
	case sqltypes.RegClass:
		return func() func(uint32) string {
			rels := s.relations()
			return func(oid uint32) string { return rels.text(int32(oid)) }
		}
	case sqltypes.RegType:
		return func() func(uint32) string {
			rows := s.rowTypeNames()
			return func(oid uint32) string { return regNameOr(oid, typeOutName(oid, rows)) }
		}
	case sqltypes.RegProc:
		names = func() map[uint32]string { return procOutNames(false) }
	case sqltypes.RegProcedure:
		names = func() map[uint32]string { return procOutNames(true) }
	case sqltypes.RegNamespace:
		names = func() map[uint32]string {
			out := map[uint32]string{}
			for _, n := range s.namespaces() {
				out[uint32(n.oid)] = expr.QuoteIdent(n.name)
			}
			return out
		}
	case sqltypes.RegRole:
		names = func() map[uint32]string {
			out := map[uint32]string{}
			for _, r := range pgRoles(s) {
				out[uint32(r.oid)] = expr.QuoteIdent(r.name)
			}
			return out
		}
	default:
		return nil
	}
	return func() func(uint32) string {
		m := names()
		return func(oid uint32) string { return regNameOr(oid, m[oid]) }
	}
}

// regNameOr is name, or what the output functions print for an id of no
// object: "-" for 0, else the number.
func regNameOr(oid uint32, name string) string {
	switch {
	case name != "":
		return name
	case oid == 0:
		return "-"
	}
	return strconv.FormatUint(uint64(oid), 10)
}

// rowTypeNames are the names regtypeout prints for the row types of the
// products the session may read: the relation's name, qualified where
// the search path would not find it.
func (s *Session) rowTypeNames() map[uint32]string {
	rels := s.relations()
	out := map[uint32]string{}
	for _, p := range s.visibleProducts() {
		out[uint32(p.RowTypeOID())] = rels.text(classOID(p))
	}
	return out
}

// typeOutName is regtypeout's name of a type id ("" for none): format_type
// without modifiers for meshql's types, else a product's row type.
func typeOutName(oid uint32, rows map[uint32]string) string {
	if oid == 0 {
		return ""
	}
	if t, ok := sqltypes.FromOID(oid); ok && t.Kind != sqltypes.Unknown {
		return t.RegTypeName()
	}
	if n, ok := pseudoTypeNames[oid]; ok {
		return n
	}
	for _, r := range jdbcTypeRows() {
		if uint32(r[0].(int32)) == oid {
			return r[1].(string)
		}
	}
	return rows[oid]
}

// pseudoTypeNames are the pseudo-types built-in functions take and
// return (pg_proc's lower(anyrange)), which pg_type does not list here,
// as format_type prints them.
var pseudoTypeNames = map[uint32]string{
	705: "unknown", 2249: "record", 2275: "cstring", 2276: `"any"`, 2277: "anyarray", 2278: "void", 2279: "trigger",
	2281: "internal", 2283: "anyelement", 2776: "anynonarray", 3500: "anyenum", 3831: "anyrange",
	4537: "anymultirange", 5077: "anycompatible", 5078: "anycompatiblearray", 5079: "anycompatiblenonarray",
	5080: "anycompatiblerange", 4538: "anycompatiblemultirange",
}

// procOutNames are regprocout's names of pg_proc's rows (withArgs false):
// the name, qualified with pg_catalog when it names several functions
// (regprocin would not find it alone); or regprocedureout's (withArgs):
// the name and its argument types, "lower(text)".
func procOutNames(withArgs bool) map[uint32]string {
	rows := procRows()
	count := map[string]int{}
	for _, r := range rows {
		count[r[1].(string)]++
	}
	out := map[uint32]string{}
	for _, r := range rows {
		name := r[1].(string)
		oid := uint32(r[0].(int32))
		if !withArgs {
			if count[name] > 1 {
				out[oid] = "pg_catalog." + expr.QuoteIdent(name)
			} else {
				out[oid] = expr.QuoteIdent(name)
			}
			continue
		}
		var args []string
		if s, ok := r[19].(string); ok {
			for _, f := range strings.Fields(s) {
				n, err := strconv.ParseUint(f, 10, 32)
				if err != nil {
					continue
				}
				args = append(args, regNameOr(uint32(n), typeOutName(uint32(n), nil)))
			}
		}
		out[oid] = expr.QuoteIdent(name) + "(" + strings.Join(args, ",") + ")"
	}
	return out
}

// regOutput applies a reg* output function to an evaluated id (NULL stays
// NULL).
func regOutput(out func(uint32) string, id sqltypes.Datum) sqltypes.Datum {
	switch oid := id.(type) {
	case uint32:
		return out(oid)
	case int32:
		return out(uint32(oid))
	}
	return nil
}
