package engine

import (
	"slices"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/sqltypes"
)

// The catalog pieces pgjdbc's DatabaseMetaData and JetBrains' DataGrip
// (IntelliJ's database tools) read when they connect and introspect:
// pg_proc's argument columns, the shared catalogs, lock and time zone
// views, and the functions DataGrip asks for the server's transaction
// state. Each is what PostgreSQL 15 shows for a server with meshql's
// objects; where meshql has no such thing (locks, shared comments,
// transactions) the table is empty and the function answers as a server
// that never wrote would.

// xminColumn is the system column xmin every pg_catalog table carries
// (DataGrip reads N.xmin AS state_number). meshql's catalog is not
// versioned by transactions: every row carries catalogXID and age() of
// any xid is 0, so a client that introspects "what changed since" reads
// everything again (the mesh may have been reloaded since).
const xminColumn = "xmin"

// catalogXID is the xmin of every catalog row and the session's
// transaction id: age() of it is 0.
const catalogXID = int64(3)

var tInterval = sqltypes.TypeInterval

func jdbcTables() []sysTable {
	return []sysTable{
		{schema: "pg_catalog", name: "pg_proc", cols: []sysColumn{
			{"oid", tInt4}, {"proname", tText}, {"pronamespace", tInt4}, {"proowner", tInt4}, {"prolang", tInt4},
			{"procost", tFloat4}, {"prorows", tFloat4}, {"provariadic", tInt4}, {"prosupport", tInt4}, {"prokind", tText},
			{"prosecdef", tBool}, {"proleakproof", tBool}, {"proisstrict", tBool}, {"proretset", tBool}, {"provolatile", tText},
			{"proparallel", tText}, {"pronargs", tInt2}, {"pronargdefaults", tInt2}, {"prorettype", tInt4},
			{"proargtypes", tText}, {"proallargtypes", sqltypes.ListOf(tInt4)}, {"proargmodes", tTexts}, {"proargnames", tTexts},
			{"proargdefaults", tText}, {"protrftypes", sqltypes.ListOf(tInt4)}, {"prosrc", tText}, {"probin", tText},
			{"prosqlbody", tText}, {"proconfig", tTexts}, {"proacl", tTexts},
		}, rows: func(*Session) [][]any { return procRows() }},
		// Comments on shared objects (databases, roles, tablespaces):
		// the mesh describes none of them.
		{schema: "pg_catalog", name: "pg_shdescription", cols: []sysColumn{{"objoid", tInt4}, {"classoid", tInt4}, {"description", tText}},
			rows: func(*Session) [][]any { return nil }},
		// meshql takes no locks a client could wait on: reads see
		// pinned snapshots and nothing writes.
		{schema: "pg_catalog", name: "pg_locks", cols: []sysColumn{
			{"locktype", tText}, {"database", tInt4}, {"relation", tInt4}, {"page", tInt4}, {"tuple", tInt2},
			{"virtualxid", tText}, {"transactionid", tInt8}, {"classid", tInt4}, {"objid", tInt4}, {"objsubid", tInt2},
			{"virtualtransaction", tText}, {"pid", tInt4}, {"mode", tText}, {"granted", tBool}, {"fastpath", tBool},
			{"waitstart", sqltypes.TypeTimestampTZ},
		}, rows: func(*Session) [][]any { return nil }},
		{schema: "pg_catalog", name: "pg_timezone_names", cols: []sysColumn{{"name", tText}, {"abbrev", tText}, {"utc_offset", tInterval}, {"is_dst", tBool}},
			live: true, rows: timezoneNames},
		{schema: "pg_catalog", name: "pg_timezone_abbrevs", cols: []sysColumn{{"abbrev", tText}, {"utc_offset", tInterval}, {"is_dst", tBool}},
			rows: func(*Session) [][]any {
				zero := arrow.MonthDayNanoInterval{}
				return [][]any{{"GMT", zero, false}, {"UT", zero, false}, {"UTC", zero, false}, {"Z", zero, false}, {"ZULU", zero, false}}
			}},
		// Which backends encrypt is the wire server's knowledge, not the
		// engine's: no row rather than a wrong one.
		{schema: "pg_catalog", name: "pg_stat_ssl", cols: []sysColumn{{"pid", tInt4}, {"ssl", tBool}, {"version", tText}, {"cipher", tText},
			{"bits", tInt4}, {"client_dn", tText}, {"client_serial", sqltypes.NumericType(0, 0)}, {"issuer_dn", tText}},
			rows: func(*Session) [][]any { return nil }},
	}
}

// timezoneNames are pg_timezone_names' rows: the common zones of the IANA
// database (PostgreSQL lists all of it), each with its offset and
// abbreviation now, as PostgreSQL computes them.
func timezoneNames(*Session) [][]any {
	zones := []string{"UTC", "GMT", "Etc/UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
		"Europe/Rome", "Europe/Amsterdam", "Europe/Zurich", "Europe/Moscow", "America/New_York", "America/Chicago", "America/Denver",
		"America/Los_Angeles", "America/Sao_Paulo", "America/Toronto", "Asia/Tokyo", "Asia/Shanghai", "Asia/Kolkata", "Asia/Singapore",
		"Asia/Dubai", "Australia/Sydney", "Pacific/Auckland", "Africa/Johannesburg"}
	now := time.Now()
	var out [][]any
	for _, name := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			continue // no time zone database on this host
		}
		t := now.In(loc)
		abbrev, off := t.Zone()
		out = append(out, []any{name, abbrev, arrow.MonthDayNanoInterval{Nanoseconds: int64(off) * int64(time.Second)}, t.IsDST()})
	}
	return out
}

// jdbcTypeRows are pg_type rows of PostgreSQL's catalog types that meshql
// has no values of but whose rows clients look up: pgjdbc reads name's
// typlen for getMaxNameLength and getClientInfoProperties.
func jdbcTypeRows() [][]any {
	row := func(oid int32, name string, size int16, byVal bool, cat, align, storage string, elem, arr int32) []any {
		return []any{oid, name, int32(typeNamespace), int32(ownerOID), size, "b", cat, elem, arr, int32(0), int32(-1), false, ",", int32(0),
			int32(0), byVal, true, align, storage, int32(0), nil, procOID(name + "in"), procOID(name + "out"), procOID(name + "recv"), procOID(name + "send"),
			int32(0), int32(0), int32(0), int32(0), nil, nil}
	}
	name := row(19, "name", 64, false, "S", "c", "p", 18, 1003)
	name[13] = int32(950) // collated C
	out := [][]any{
		row(18, "char", 1, true, "Z", "c", "p", 0, 1002),
		name,
		row(22, "int2vector", -1, false, "A", "i", "p", 21, 1006),
		row(24, "regproc", 4, true, "N", "i", "p", 0, 1008),
		row(26, "oid", 4, true, "N", "i", "p", 0, 1028),
		row(28, "xid", 4, true, "U", "i", "p", 0, 1011),
		row(30, "oidvector", -1, false, "A", "i", "p", 26, 1013),
		// The other object-identifier types, which result columns have.
		row(2202, "regprocedure", 4, true, "N", "i", "p", 0, 2207),
		row(2205, "regclass", 4, true, "N", "i", "p", 0, 2210),
		row(2206, "regtype", 4, true, "N", "i", "p", 0, 2211),
		row(4089, "regnamespace", 4, true, "N", "i", "p", 0, 4090),
		row(4096, "regrole", 4, true, "N", "i", "p", 0, 4097),
	}
	// Their array types, as typeRows lists every type's.
	for _, r := range out[:len(out):len(out)] {
		arr := row(r[8].(int32), "_"+r[1].(string), -1, false, "A", r[17].(string), "x", r[0].(int32), 0)
		arr[13] = r[13]
		for i, f := range []string{"array_in", "array_out", "array_recv", "array_send"} {
			arr[21+i] = procOID(f)
		}
		arr[27], arr[28] = procOID("array_typanalyze"), procOID("array_subscript_handler")
		out = append(out, arr)
	}
	return out
}

// jdbcFunction answers the server-state functions DataGrip calls on
// connect and pgAdmin's dashboard; ok is false for other calls.
func (s *Session) jdbcFunction(name string, args []sqltypes.Type) (sqltypes.Datum, sqltypes.Type, bool) {
	switch {
	case name == "pg_postmaster_start_time" && len(args) == 0:
		return arrow.Timestamp(s.engine.started.UnixMicro()), sqltypes.TypeTimestampTZ, true
	case (name == "pg_is_in_recovery" || name == "pg_is_wal_replay_paused") && len(args) == 0:
		// meshql is no standby (pgAdmin asks both on connecting).
		return false, sqltypes.TypeBool, true
	case (name == "txid_current" || name == "txid_current_if_assigned") && len(args) == 0:
		return catalogXID, sqltypes.TypeInt8, true
	case name == "pg_blocking_pids" && len(args) == 1 && args[0].IsInteger():
		// meshql takes no locks (pg_locks is empty): nothing blocks a
		// session. pgAdmin's dashboard lists them per session.
		return []any{}, sqltypes.ListOf(sqltypes.TypeInt4), true
	case name == "age" && len(args) == 1 && args[0].IsInteger():
		// age(xid), xid being an integer here (xminColumn).
		return int32(0), sqltypes.TypeInt4, true
	}
	return nil, sqltypes.Type{}, false
}

// procRows are pg_proc's rows: the I/O functions pg_type refers to, so that
// joins from pg_type find them (Npgsql tells array types by typreceive =
// array_recv), and the built-in functions meshql binds (system_proc.go).
// No function is in a schema of the mesh's domains.
func procRows() [][]any {
	names := []string{"array_in", "array_out", "array_recv", "array_send", "array_typanalyze", "array_subscript_handler",
		"range_in", "range_out", "range_recv", "range_send", "record_in", "record_out", "record_recv", "record_send"}
	for _, r := range append(typeRows(), jdbcTypeRows()...) {
		if n := r[1].(string); n[0] != '_' && r[5] != "r" {
			names = append(names, n+"in", n+"out", n+"recv", n+"send")
		}
	}
	out := make([][]any, len(names))
	for i, n := range names {
		// Internal-language (12), strict, immutable functions of one
		// argument whose types meshql's pg_type does not list (cstring,
		// internal): prorettype and proargtypes stay unset.
		out[i] = []any{procOID(n), n, int32(pgCatalogOID), int32(ownerOID), int32(12), float32(1), float32(0), int32(0), int32(0), "f",
			false, false, true, false, "i", "s", int16(1), int16(0), int32(0), "", nil, nil, nil, nil, nil, n, nil, nil, nil, nil}
	}
	for _, p := range builtinProcs() {
		out = append(out, p.values())
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0].(int32) < out[j][0].(int32) })
	return out
}

// withXmin adds the system column xmin to a pg_catalog table.
func withXmin(st sysTable) sysTable {
	rows := st.rows
	st.cols = append(slices.Clip(st.cols), sysColumn{xminColumn, tInt8})
	st.rows = func(s *Session) [][]any {
		out := rows(s)
		for i, r := range out {
			out[i] = append(slices.Clip(r), catalogXID)
		}
		return out
	}
	return st
}

// rowTypeRows are pg_type's rows of the row types of the products the
// session reads and of the relations of pg_catalog, as PostgreSQL has one
// (and its array) per table and view: named as the relation, in its
// schema, typrelid its pg_class row. pgjdbc's getUDTs and DataGrip list
// them.
func (s *Session) rowTypeRows() [][]any {
	var out [][]any
	for _, st := range systemTables() {
		if r, ok := pgCatalogRelations[st.name]; ok && st.schema == "pg_catalog" {
			out = append(out, compositeTypeRows(r.rowType, r.array, st.name, pgCatalogOID, r.oid)...)
		}
	}
	for _, v := range infoSchemaViews() {
		out = append(out, compositeTypeRows(v.rowType, v.array, v.st.name, infoSchemaOID, v.oid)...)
	}
	for _, p := range s.visibleProducts() {
		out = append(out, compositeTypeRows(p.RowTypeOID(), int32(stableOID("type", "_"+p.QualifiedName())), p.TableName(),
			int32(stableOID("namespace", p.Domain)), classOID(p))...)
	}
	return out
}

// compositeTypeRows are the pg_type rows of relation rel's row type and
// its array.
func compositeTypeRows(oid, arr int32, name string, ns, rel int32) [][]any {
	return [][]any{
		{oid, name, ns, int32(ownerOID), int16(-1), "c", "C", int32(0), arr, int32(0), int32(-1), false, ",", int32(0),
			rel, false, true, "d", "x", int32(0), nil, procOID("record_in"), procOID("record_out"), procOID("record_recv"), procOID("record_send"),
			int32(0), int32(0), int32(0), int32(0), nil, nil},
		{arr, "_" + name, ns, int32(ownerOID), int16(-1), "b", "A", oid, int32(0), int32(0), int32(-1), false, ",", int32(0),
			int32(0), false, true, "d", "x", int32(0), nil, procOID("array_in"), procOID("array_out"), procOID("array_recv"), procOID("array_send"),
			int32(0), int32(0), procOID("array_typanalyze"), procOID("array_subscript_handler"), nil, nil},
	}
}
