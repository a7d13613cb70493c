package engine

import (
	"strconv"
	"strings"
	"time"

	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// setting is a session parameter clients may SET and SHOW. Reported ones
// are sent to pgwire clients as ParameterStatus on start and on change.
type setting struct {
	name     string
	def      string
	reported bool
	fixed    bool                                // read-only: SET is 55P02, RESET ALL leaves it
	check    func(v, cur string) (string, error) // normalizes or rejects a value; cur is the value it replaces
}

func settingsTable() []setting {
	return []setting{
		{name: "application_name", reported: true},
		{name: "client_encoding", def: "UTF8", reported: true, check: checkEncoding},
		{name: "server_encoding", def: "UTF8", reported: true, fixed: true},
		{name: "datestyle", def: "ISO, MDY", reported: true, check: checkDateStyle},
		{name: "intervalstyle", def: "postgres", reported: true, check: checkIntervalStyle},
		{name: "timezone", def: "UTC", reported: true, check: checkTimeZone},
		{name: "integer_datetimes", def: "on", reported: true, fixed: true},
		{name: "standard_conforming_strings", def: "on", reported: true},
		{name: "is_superuser", def: "off", reported: true, fixed: true},
		{name: "server_version", def: ServerVersion, reported: true, fixed: true},
		{name: "server_version_num", def: "160004", fixed: true},
		{name: "search_path", def: `"$user", public`},
		{name: "extra_float_digits", def: "1", check: checkExtraFloatDigits},
		{name: "statement_timeout", def: "0", check: checkDuration},
		{name: "idle_in_transaction_session_timeout", def: "0", check: checkDurationOf("idle_in_transaction_session_timeout")},
		{name: "max_identifier_length", def: "63", fixed: true},
		{name: "max_index_keys", def: "32", fixed: true},
		{name: "max_function_args", def: "100", fixed: true},
		{name: "block_size", def: "8192", fixed: true},
		{name: "transaction_isolation", def: "read committed"},
		{name: "default_transaction_read_only", def: "on"},
		{name: "transaction_read_only", def: "on"},
		{name: "lc_messages", def: "C"},
		{name: "lc_monetary", def: "C"},
		{name: "lc_numeric", def: "C"},
		{name: "lc_time", def: "C"},
		{name: "bytea_output", def: "hex", check: checkByteaOutput},
		{name: "client_min_messages", def: "notice", check: checkClientMinMessages},
		{name: "mesh.workers", def: "0"},
		{name: maxStalenessSetting, def: "0", check: checkStaleness},
		{name: pushdownSetting, def: "on", check: checkBool(pushdownSetting)},
	}
}

// pushdownSetting turns pushdown to sources off (filters, limits, orders
// and aggregates then run in meshql; sources still read only the columns
// a query needs), to compare answers or measure what pushdown saves.
const pushdownSetting = "mesh.pushdown"

// checkBool accepts PostgreSQL's spellings of a boolean setting and
// normalizes them to on/off.
func checkBool(name string) func(string, string) (string, error) {
	return func(v, _ string) (string, error) {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on", "true", "yes", "1", "t", "y":
			return "on", nil
		case "off", "false", "no", "0", "f", "n":
			return "off", nil
		}
		return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "parameter %q requires a Boolean value", name)
	}
}

// pushdown reports whether the session pushes work to sources.
func (s *Session) pushdown() bool {
	v, _ := s.Setting(pushdownSetting)
	return v != "off"
}

// queryMemorySetting is mesh.query_memory, defaulting to the engine's
// budget: the memory one query may hold before it spills (sort, hash
// aggregate, hash join) or fails with 53200 (other operators).
func (e *Engine) queryMemorySetting() (setting, string) {
	def := membudget.FormatSize(e.queryMem)
	return setting{name: membudget.Setting, def: def, check: checkQueryMemory}, def
}

func checkQueryMemory(v, _ string) (string, error) {
	n, err := membudget.ParseSize(v)
	if err != nil {
		return "", err
	}
	return membudget.FormatSize(n), nil
}

// queryMemory is the session's budget in bytes (0: unlimited).
func (s *Session) queryMemory() int64 {
	v, _ := s.Setting(membudget.Setting)
	n, err := membudget.ParseSize(v)
	if err != nil {
		return s.engine.queryMem
	}
	return n
}

// ServerVersion is the PostgreSQL version meshql reports: drivers pick
// their catalog queries by it.
const ServerVersion = "16.4 (meshql)"

// The output settings below are checked rather than stored as given: a
// value asking for an output meshql does not write is refused (0A000)
// instead of being reported as in effect while ignored. An unknown value
// is 22023 as in PostgreSQL.

// checkDateStyle reads DateStyle as PostgreSQL does (a part the value
// leaves out keeps its current setting: 'DMY' after 'SQL, MDY' is 'SQL,
// DMY') and stores its canonical spelling.
func checkDateStyle(v, cur string) (string, error) {
	ds, err := sqltypes.ParseDateStyle(v, sqltypes.SessionDateStyle(cur, ""))
	if err != nil {
		return "", err
	}
	return ds.DateStyleSetting(), nil
}

// checkIntervalStyle accepts PostgreSQL's four IntervalStyles.
func checkIntervalStyle(v, _ string) (string, error) {
	if st, ok := sqltypes.ParseIntervalStyle(v); ok {
		return st.String(), nil
	}
	return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"IntervalStyle\": %q", v).
		WithHint("Available values: postgres, postgres_verbose, sql_standard, iso_8601.")
}

// checkExtraFloatDigits accepts 1 to 3, which PostgreSQL 12 and later all
// read as "shortest exact output", the only float output meshql writes
// (JDBC sets 3, psql leaves 1); -15 to 0 ask for rounded output.
func checkExtraFloatDigits(v, _ string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	switch {
	case err != nil:
		return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"extra_float_digits\": %q", v)
	case n < -15 || n > 3:
		return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "%d is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)", n)
	case n <= 0:
		return "", sqltypes.New(sqltypes.CodeFeatureNotSupported, "extra_float_digits %d is not supported: meshql writes floats in the shortest form that reads back exactly", n).
			WithHint("Use round(x::numeric, digits) for rounded output.")
	}
	return strconv.Itoa(n), nil
}

// checkByteaOutput accepts hex, the bytea output meshql writes.
func checkByteaOutput(v, _ string) (string, error) {
	switch w := strings.ToLower(strings.TrimSpace(v)); w {
	case "hex":
		return w, nil
	case "escape":
		return "", sqltypes.New(sqltypes.CodeFeatureNotSupported, "bytea_output \"escape\" is not supported: meshql writes bytea in hex").
			WithHint("Use encode(b, 'escape') for the escape format.")
	}
	return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"bytea_output\": %q", v).
		WithHint("Available values: escape, hex.")
}

// checkClientMinMessages accepts PostgreSQL's client_min_messages levels
// (debug is debug2; info is accepted, not listed, as there).
func checkClientMinMessages(v, _ string) (string, error) {
	switch l := strings.ToLower(strings.TrimSpace(v)); l {
	case "debug5", "debug4", "debug3", "debug2", "debug1", "log", "info", "notice", "warning", "error":
		return l, nil
	case "debug":
		return "debug2", nil
	}
	return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"client_min_messages\": \"%s\"", v).
		WithHint("Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error.")
}

// checkEncoding accepts the client encodings meshql speaks: UTF8;
// SQL_ASCII, under which PostgreSQL converts nothing either way (a psql
// started in the C locale asks for it); and the single-byte encodings,
// which the wire converts text to and from. The multibyte Asian
// encodings PostgreSQL knows are 0A000; a name it does not know is its
// 22023.
func checkEncoding(v, _ string) (string, error) {
	enc, ok := sqltypes.EncodingName(v)
	switch {
	case !ok:
		return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"client_encoding\": \"%s\"", v)
	case enc == "UTF8" || enc == "SQL_ASCII" || sqltypes.SingleByteEncoding(enc):
		return enc, nil
	}
	return "", sqltypes.New(sqltypes.CodeFeatureNotSupported, "client_encoding %q is not supported", v).
		WithHint("meshql converts to and from UTF8, SQL_ASCII and the single-byte encodings (LATIN1 to LATIN10, ISO_8859_5 to ISO_8859_8, WIN866, WIN874, WIN1250 to WIN1258, KOI8R, KOI8U), not the multibyte ones (SJIS, EUC_JP, EUC_CN, EUC_KR, EUC_TW, GBK, GB18030, BIG5, UHC, JOHAB, MULE_INTERNAL).")
}

func checkTimeZone(v, _ string) (string, error) {
	name, _, ok := sqltypes.TimeZoneSetting(v)
	if !ok {
		return "", sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
	}
	return name, nil
}

// checkDuration accepts PostgreSQL's time settings: a number of
// milliseconds or a number with a unit ("5s", "2min").
func checkDuration(v, _ string) (string, error) {
	if _, err := parseDurationSetting(v); err != nil {
		return "", err
	}
	return v, nil
}

// checkDurationOf checks a duration setting other than statement_timeout,
// naming it in its errors.
func checkDurationOf(name string) func(v, cur string) (string, error) {
	return func(v, _ string) (string, error) {
		if _, err := parseDurationSetting(v); err != nil {
			e := *sqltypes.AsError(err)
			e.Msg = strings.Replace(e.Msg, `"statement_timeout"`, `"`+name+`"`, 1)
			return "", &e
		}
		return v, nil
	}
}

func parseDurationSetting(v string) (time.Duration, error) {
	s := strings.TrimSpace(strings.ToLower(v))
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.TrimSpace(s[len(num):])
	if num == "" {
		return 0, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"statement_timeout\": %q", v)
	}
	var n int64
	for _, c := range num {
		n = n*10 + int64(c-'0')
	}
	mult := map[string]time.Duration{"": time.Millisecond, "ms": time.Millisecond, "s": time.Second, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	m, ok := mult[unit]
	if !ok {
		return 0, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter \"statement_timeout\": %q", v).
			WithHint("Valid units for this parameter are \"ms\", \"s\", \"min\", \"h\", and \"d\".")
	}
	return time.Duration(n) * m, nil
}

// canonicalNames maps lower-case names to the spelling PostgreSQL reports
// in ParameterStatus.
var canonicalNames = map[string]string{
	"datestyle": "DateStyle", "intervalstyle": "IntervalStyle", "timezone": "TimeZone",
}

func canonical(name string) string {
	if c, ok := canonicalNames[name]; ok {
		return c
	}
	return name
}
