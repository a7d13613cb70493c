package engine

import (
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// Catalogs of objects meshql does not have (casts and operators of its
// own, text search, foreign servers, replication, large objects, event
// triggers, default privileges): they exist with PostgreSQL 15's columns
// and no rows, so that psql's meta-commands (\dC, \do, \dF, \des, \dRs,
// \dl, \dy, \ddp, \dA…) and tools that read them answer "no objects"
// instead of failing. Each is spelled as PostgreSQL's pg_attribute lists
// it (name:type), read by catalogColumns.
var emptyCatalogs = []struct{ name, columns string }{
	{"pg_cast", `oid:oid castsource:oid casttarget:oid castfunc:oid castcontext:"char" castmethod:"char"`},
	{"pg_operator", `oid:oid oprname:name oprnamespace:oid oprowner:oid oprkind:"char" oprcanmerge:boolean oprcanhash:boolean
		oprleft:oid oprright:oid oprresult:oid oprcom:oid oprnegate:oid oprcode:regproc oprrest:regproc oprjoin:regproc`},
	{"pg_opclass", `oid:oid opcmethod:oid opcname:name opcnamespace:oid opcowner:oid opcfamily:oid opcintype:oid opcdefault:boolean opckeytype:oid`},
	{"pg_opfamily", `oid:oid opfmethod:oid opfname:name opfnamespace:oid opfowner:oid`},
	{"pg_amop", `oid:oid amopfamily:oid amoplefttype:oid amoprighttype:oid amopstrategy:smallint amoppurpose:"char" amopopr:oid
		amopmethod:oid amopsortfamily:oid`},
	{"pg_amproc", `oid:oid amprocfamily:oid amproclefttype:oid amprocrighttype:oid amprocnum:smallint amproc:regproc`},
	{"pg_event_trigger", `oid:oid evtname:name evtevent:name evtowner:oid evtfoid:oid evtenabled:"char" evttags:text[]`},
	{"pg_foreign_server", `oid:oid srvname:name srvowner:oid srvfdw:oid srvtype:text srvversion:text srvacl:aclitem[] srvoptions:text[]`},
	{"pg_foreign_data_wrapper", `oid:oid fdwname:name fdwowner:oid fdwhandler:oid fdwvalidator:oid fdwacl:aclitem[] fdwoptions:text[]`},
	{"pg_user_mappings", `umid:oid srvid:oid srvname:name umuser:oid usename:name umoptions:text[]`},
	{"pg_user_mapping", `oid:oid umuser:oid umserver:oid umoptions:text[]`},
	{"pg_db_role_setting", `setdatabase:oid setrole:oid setconfig:text[]`},
	{"pg_subscription", `oid:oid subdbid:oid subskiplsn:pg_lsn subname:name subowner:oid subenabled:boolean subbinary:boolean
		substream:boolean subtwophasestate:"char" subdisableonerr:boolean subconninfo:text subslotname:name subsynccommit:text
		subpublications:text[]`},
	{"pg_ts_config", `oid:oid cfgname:name cfgnamespace:oid cfgowner:oid cfgparser:oid`},
	{"pg_ts_config_map", `mapcfg:oid maptokentype:integer mapseqno:integer mapdict:oid`},
	{"pg_ts_dict", `oid:oid dictname:name dictnamespace:oid dictowner:oid dicttemplate:oid dictinitoption:text`},
	{"pg_ts_parser", `oid:oid prsname:name prsnamespace:oid prsstart:regproc prstoken:regproc prsend:regproc prsheadline:regproc
		prslextype:regproc`},
	{"pg_ts_template", `oid:oid tmplname:name tmplnamespace:oid tmplinit:regproc tmpllexize:regproc`},
	{"pg_default_acl", `oid:oid defaclrole:oid defaclnamespace:oid defaclobjtype:"char" defaclacl:aclitem[]`},
	{"pg_largeobject_metadata", `oid:oid lomowner:oid lomacl:aclitem[]`},
	{"pg_largeobject", `loid:oid pageno:integer data:bytea`},
	{"pg_rewrite", `oid:oid rulename:name ev_class:oid ev_type:"char" ev_enabled:"char" is_instead:boolean ev_qual:pg_node_tree
		ev_action:pg_node_tree`},
	// DBeaver lists a table's triggers (PostgreTableReal.TriggerCache) and
	// pgAdmin's dashboard the prepared transactions.
	{"pg_trigger", `oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:smallint tgenabled:"char" tgisinternal:boolean
		tgconstrrelid:oid tgconstrindid:oid tgconstraint:oid tgdeferrable:boolean tginitdeferred:boolean tgnargs:smallint
		tgattr:int2vector tgargs:bytea tgqual:pg_node_tree tgoldtable:name tgnewtable:name`},
	{"pg_prepared_xacts", `transaction:xid gid:text prepared:timestamptz owner:name database:name`},
	// meshql replicates to no standby; pgAdmin asks on connecting.
	{"pg_stat_replication", `pid:integer usesysid:oid usename:name application_name:text client_addr:inet client_hostname:text
		client_port:integer backend_start:timestamptz backend_xmin:xid state:text sent_lsn:pg_lsn write_lsn:pg_lsn flush_lsn:pg_lsn
		replay_lsn:pg_lsn write_lag:interval flush_lag:interval replay_lag:interval sync_priority:integer sync_state:text
		reply_time:timestamptz`},
}

// emptyCatalogTables are emptyCatalogs as system tables.
func emptyCatalogTables() []sysTable {
	out := make([]sysTable, len(emptyCatalogs))
	for i, c := range emptyCatalogs {
		out[i] = catalogTable(c.name, c.columns)
	}
	return out
}

// catalogColumns reads name:type pairs, the types in PostgreSQL's
// spelling, as meshql's catalogs type them: object ids as oid (arrays
// of them as integer[]), regproc as regproc, "char" as "char", names as text,
// aclitem[] as text[], LSNs as text.
// A type it does not know (a mistake in a static spec) leaves the column
// typed Unknown: binding the table then fails with XX000 (checkColumns)
// rather than the server, and TestSystemTableColumns fails first.
func catalogColumns(spec string) []sysColumn {
	var cols []sysColumn
	for _, f := range strings.Fields(spec) {
		name, typ, _ := strings.Cut(f, ":")
		t, _ := catalogType(typ)
		cols = append(cols, sysColumn{name, t})
	}
	return cols
}

// catalogType is the meshql type of a catalog column of PostgreSQL type
// pgType; ok is false for a spelling it does not know.
func catalogType(pgType string) (t sqltypes.Type, ok bool) {
	if elem, isArray := strings.CutSuffix(pgType, "[]"); isArray {
		if elem == "oid" {
			return sqltypes.ListOf(tInt4), true // meshql has no oid[] yet
		}
		t, ok = catalogType(elem)
		return sqltypes.ListOf(t), ok
	}
	switch pgType {
	case "oid":
		return sqltypes.TypeOid, true
	case "regproc":
		return sqltypes.Type{Kind: sqltypes.RegProc}, true
	case "regtype":
		return sqltypes.Type{Kind: sqltypes.RegType}, true
	case "boolean":
		return tBool, true
	case "smallint":
		return tInt2, true
	case "int2vector":
		return sqltypes.ListOf(tInt2), true
	case "integer":
		return tInt4, true
	case "bigint", "xid":
		// A transaction id, as xmin: meshql's are int8 values.
		return tInt8, true
	case "real":
		return tFloat4, true
	case "float8", "double precision":
		return sqltypes.TypeFloat8, true
	case "timestamptz", "timestamp with time zone":
		return tTSTZ, true
	case "bytea":
		return sqltypes.TypeBytea, true
	case "interval":
		return sqltypes.TypeInterval, true
	case "inet":
		return sqltypes.TypeInet, true
	case `"char"`:
		return sqltypes.TypeChar, true
	case "aclitem", "name", "text", "pg_lsn", "pg_node_tree", "anyarray":
		return tText, true
	}
	return sqltypes.Type{}, false
}

// checkColumns reports a column whose type no spec gave (catalogColumns),
// as the XX000 error of binding the table.
func (st sysTable) checkColumns() error {
	for _, c := range st.cols {
		if c.t.Kind == sqltypes.Unknown || (c.t.Kind == sqltypes.List && c.t.Elem.Kind == sqltypes.Unknown) {
			return sqltypes.New(sqltypes.CodeInternal, "internal error: system table %s.%s: column %s has no type", st.schema, st.name, c.name).
				WithHint("This is a bug in meshql (a misspelled catalog column type); please report it.")
		}
	}
	return nil
}
