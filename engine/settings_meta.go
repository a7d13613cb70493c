package engine

import (
	"strconv"
	"strings"
)

// settingMeta is what PostgreSQL 15's pg_settings says of a setting
// besides its value: tools show the description, unit and allowed values
// (pgAdmin's and DBeaver's configuration pages), and read vartype to
// parse the value.
type settingMeta struct {
	unit, category, short, extra, context, vartype, min, max string
	enumvals                                                 string // separated by |
}

// pgSettingMeta is PostgreSQL 15's pg_settings metadata of the settings
// meshql has that PostgreSQL has too (lower-case names).
var pgSettingMeta = map[string]settingMeta{
	"application_name":                    {unit: "", category: "Reporting and Logging / What to Log", short: "Sets the application name to be reported in statistics and logs.", extra: "", context: "user", vartype: "string", min: "", max: "", enumvals: ""},
	"block_size":                          {unit: "", category: "Preset Options", short: "Shows the size of a disk block.", extra: "", context: "internal", vartype: "integer", min: "8192", max: "8192", enumvals: ""},
	"bytea_output":                        {unit: "", category: "Client Connection Defaults / Statement Behavior", short: "Sets the output format for bytea.", extra: "", context: "user", vartype: "enum", min: "", max: "", enumvals: "escape|hex"},
	"client_encoding":                     {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the client's character set encoding.", extra: "", context: "user", vartype: "string", min: "", max: "", enumvals: ""},
	"client_min_messages":                 {unit: "", category: "Client Connection Defaults / Statement Behavior", short: "Sets the message levels that are sent to the client.", extra: "Each level includes all the levels that follow it. The later the level, the fewer messages are sent.", context: "user", vartype: "enum", min: "", max: "", enumvals: "debug5|debug4|debug3|debug2|debug1|log|notice|warning|error"},
	"datestyle":                           {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the display format for date and time values.", extra: "Also controls interpretation of ambiguous date inputs.", context: "user", vartype: "string", min: "", max: "", enumvals: ""},
	"default_transaction_read_only":       {unit: "", category: "Client Connection Defaults / Statement Behavior", short: "Sets the default read-only status of new transactions.", extra: "", context: "user", vartype: "bool", min: "", max: "", enumvals: ""},
	"extra_float_digits":                  {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the number of digits displayed for floating-point values.", extra: "This affects real, double precision, and geometric data types. A zero or negative parameter value is added to the standard number of digits (FLT_DIG or DBL_DIG as appropriate). Any value greater than zero selects precise output mode.", context: "user", vartype: "integer", min: "-15", max: "3", enumvals: ""},
	"idle_in_transaction_session_timeout": {unit: "ms", category: "Client Connection Defaults / Statement Behavior", short: "Sets the maximum allowed idle time between queries, when in a transaction.", extra: "A value of 0 turns off the timeout.", context: "user", vartype: "integer", min: "0", max: "2147483647", enumvals: ""},
	"integer_datetimes":                   {unit: "", category: "Preset Options", short: "Shows whether datetimes are integer based.", extra: "", context: "internal", vartype: "bool", min: "", max: "", enumvals: ""},
	"intervalstyle":                       {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the display format for interval values.", extra: "", context: "user", vartype: "enum", min: "", max: "", enumvals: "postgres|postgres_verbose|sql_standard|iso_8601"},
	"lc_messages":                         {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the language in which messages are displayed.", extra: "", context: "superuser", vartype: "string", min: "", max: "", enumvals: ""},
	"lc_monetary":                         {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the locale for formatting monetary amounts.", extra: "", context: "user", vartype: "string", min: "", max: "", enumvals: ""},
	"lc_numeric":                          {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the locale for formatting numbers.", extra: "", context: "user", vartype: "string", min: "", max: "", enumvals: ""},
	"lc_time":                             {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the locale for formatting date and time values.", extra: "", context: "user", vartype: "string", min: "", max: "", enumvals: ""},
	"max_function_args":                   {unit: "", category: "Preset Options", short: "Shows the maximum number of function arguments.", extra: "", context: "internal", vartype: "integer", min: "100", max: "100", enumvals: ""},
	"max_identifier_length":               {unit: "", category: "Preset Options", short: "Shows the maximum identifier length.", extra: "", context: "internal", vartype: "integer", min: "63", max: "63", enumvals: ""},
	"max_index_keys":                      {unit: "", category: "Preset Options", short: "Shows the maximum number of index keys.", extra: "", context: "internal", vartype: "integer", min: "32", max: "32", enumvals: ""},
	"search_path":                         {unit: "", category: "Client Connection Defaults / Statement Behavior", short: "Sets the schema search order for names that are not schema-qualified.", extra: "", context: "user", vartype: "string", min: "", max: "", enumvals: ""},
	"server_encoding":                     {unit: "", category: "Preset Options", short: "Shows the server (database) character set encoding.", extra: "", context: "internal", vartype: "string", min: "", max: "", enumvals: ""},
	"server_version":                      {unit: "", category: "Preset Options", short: "Shows the server version.", extra: "", context: "internal", vartype: "string", min: "", max: "", enumvals: ""},
	"server_version_num":                  {unit: "", category: "Preset Options", short: "Shows the server version as an integer.", extra: "", context: "internal", vartype: "integer", min: "150018", max: "150018", enumvals: ""},
	"standard_conforming_strings":         {unit: "", category: "Version and Platform Compatibility / Previous PostgreSQL Versions", short: "Causes '...' strings to treat backslashes literally.", extra: "", context: "user", vartype: "bool", min: "", max: "", enumvals: ""},
	"statement_timeout":                   {unit: "ms", category: "Client Connection Defaults / Statement Behavior", short: "Sets the maximum allowed duration of any statement.", extra: "A value of 0 turns off the timeout.", context: "user", vartype: "integer", min: "0", max: "2147483647", enumvals: ""},
	"timezone":                            {unit: "", category: "Client Connection Defaults / Locale and Formatting", short: "Sets the time zone for displaying and interpreting time stamps.", extra: "", context: "user", vartype: "string", min: "", max: "", enumvals: ""},
	"transaction_isolation":               {unit: "", category: "Client Connection Defaults / Statement Behavior", short: "Sets the current transaction's isolation level.", extra: "", context: "user", vartype: "enum", min: "", max: "", enumvals: "serializable|repeatable read|read committed|read uncommitted"},
	"transaction_read_only":               {unit: "", category: "Client Connection Defaults / Statement Behavior", short: "Sets the current transaction's read-only status.", extra: "", context: "user", vartype: "bool", min: "", max: "", enumvals: ""},
}

// hiddenSettings are settings SHOW reads that pg_settings does not list
// (PostgreSQL marks them GUC_NO_SHOW_ALL).
var hiddenSettings = map[string]bool{"is_superuser": true}

// settingRow is setting n's pg_settings row, its value v and its
// default reset, from source. A setting of meshql's own (mesh.*) is a
// custom string setting, as PostgreSQL shows a placeholder's.
func settingRow(n, v, reset, source string) []any {
	m, ok := pgSettingMeta[n]
	if !ok {
		m = settingMeta{category: "Customized Options", context: "user", vartype: "string"}
	}
	orNil := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var enumvals any
	if m.enumvals != "" {
		var vals []any
		for _, e := range strings.Split(m.enumvals, "|") {
			vals = append(vals, e)
		}
		enumvals = vals
	}
	if m.context == "internal" && m.vartype == "integer" {
		// A preset option's bounds are its value (server_version_num is
		// meshql's, not PostgreSQL 15's).
		m.min, m.max = v, v
	}
	if m.unit == "ms" {
		// The value in the unit, as PostgreSQL shows it ('5s' is 5000).
		v, reset = inMilliseconds(v), inMilliseconds(reset)
	}
	return []any{canonical(n), v, orNil(m.unit), m.category, orNil(m.short), orNil(m.extra), m.context, m.vartype, source,
		orNil(m.min), orNil(m.max), enumvals, reset, reset, nil, nil, false}
}

// inMilliseconds is a duration setting's value as a number of
// milliseconds; v itself if it does not parse.
func inMilliseconds(v string) string {
	d, err := parseDurationSetting(v)
	if err != nil {
		return v
	}
	return strconv.FormatInt(d.Milliseconds(), 10)
}
