package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// options are the settings every front shares, plus those of serve. Each
// is a flag, a MESHQL_* environment variable and a config-file key;
// precedence: flag, then environment, then config file, then default.
type options struct {
	Mesh         string `yaml:"mesh"`
	DataDir      string `yaml:"data_dir"`
	User         string `yaml:"user"`
	Workers      int    `yaml:"workers"`
	PGListen     string `yaml:"pg_listen"`
	FlightListen string `yaml:"flight_listen"`
	HTTPListen   string `yaml:"http_listen"`
	TLSCert      string `yaml:"tls_cert"`
	TLSKey       string `yaml:"tls_key"`
	DemoPostgres string `yaml:"demo_postgres"`
	LogFormat    string `yaml:"log_format"`
	LogLevel     string `yaml:"log_level"`
	DemoScale    string `yaml:"demo_scale"`
	// ReloadInterval is how often serve polls the mesh folder for changes.
	ReloadInterval string `yaml:"reload_interval"`
	// QueryLogSize is how many statements mesh.query_log keeps.
	QueryLogSize int `yaml:"query_log_size"`
	// FlightEndpoints bounds the endpoints a Flight SQL result is split
	// into (0: the number of CPUs; 1: never split).
	FlightEndpoints int `yaml:"flight_endpoints"`

	// Limits (see the README's Operations section).
	StatementTimeout   time.Duration `yaml:"statement_timeout"`
	MaxConnections     int           `yaml:"max_connections"`
	MaxQueriesPerUser  int           `yaml:"max_queries_per_user"`
	IdleSessionTimeout time.Duration `yaml:"idle_session_timeout"`
	ShutdownGrace      time.Duration `yaml:"shutdown_grace"`
	MaxRows            int           `yaml:"max_rows"`
	QueryMemory        string        `yaml:"query_memory"`
	QueryMemoryTotal   string        `yaml:"query_memory_total"`
	MemoryLimit        string        `yaml:"memory_limit"`
	MaxMessageSize     string        `yaml:"max_message_size"`
	SpillDir           string        `yaml:"spill_dir"`
	// OpenLineage destinations of query run events (either or both).
	OpenLineageURL  string `yaml:"openlineage_url"`
	OpenLineageFile string `yaml:"openlineage_file"`

	// now pins the engine's clock (meshql check --now), so that the
	// engine retires products and computes current_date at the time the
	// checks measure against; zero means the real clock.
	now time.Time
}

// flagSpec is one setting: exactly one of str, num, dur points at its
// field of options. secret values are redacted by --print-config.
type flagSpec struct {
	name, key, usage string
	str              *string
	num              *int
	dur              *time.Duration
	secret           bool
}

// configKey is the setting's config-file key.
func (s flagSpec) configKey() string { return strings.ReplaceAll(s.name, "-", "_") }

// newFlags declares the shared flags (and serve's when serve is true).
func newFlags(name string, o *options, serve bool, out io.Writer) (*flag.FlagSet, *string, []flagSpec) {
	fs := flag.NewFlagSet("meshql "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	config := fs.String("config", os.Getenv("MESHQL_CONFIG"), "YAML config file (env MESHQL_CONFIG)")
	specs := []flagSpec{
		{name: "mesh", key: "MESHQL_MESH", usage: "mesh folder to serve (default: the built-in demo mesh)", str: &o.Mesh},
		{name: "data-dir", key: "MESHQL_DATA_DIR", usage: "where generated demo and TPC-H data live (default: user cache dir/meshql)", str: &o.DataDir},
		{name: "workers", key: "MESHQL_WORKERS", usage: "parallel workers per query (default: number of CPUs)", num: &o.Workers},
		{name: "log-format", key: "MESHQL_LOG_FORMAT", usage: "log format: text or json", str: &o.LogFormat},
		{name: "log-level", key: "MESHQL_LOG_LEVEL", usage: "log level: debug, info, warn, error", str: &o.LogLevel},
		{name: "query-log-size", key: "MESHQL_QUERY_LOG_SIZE", usage: "statements the audit log mesh.query_log keeps (default 1000)", num: &o.QueryLogSize},
		{name: "demo-scale", key: "MESHQL_DEMO_SCALE", usage: "size of the generated demo data: 1 is ~1M order lines (default 1)", str: &o.DemoScale},
		{name: "statement-timeout", key: "MESHQL_STATEMENT_TIMEOUT", usage: "default statement_timeout of every session, e.g. 30s (0: none)", dur: &o.StatementTimeout},
		{name: "query-memory", key: "MESHQL_QUERY_MEMORY", usage: "default per-query memory budget, e.g. 256MB (default: 1/16 of the machine's memory)", str: &o.QueryMemory},
		{name: "query-memory-total", key: "MESHQL_QUERY_MEMORY_TOTAL", usage: "memory all running queries may reserve together, e.g. 1GB; beyond it they spill or fail with 53200 (default: half of memory-limit if set, else half of the machine's memory; 0: unlimited)", str: &o.QueryMemoryTotal},
		{name: "spill-dir", key: "MESHQL_SPILL_DIR", usage: "folder for the spill files of queries over budget (default: the system temp folder)", str: &o.SpillDir},
		{name: "openlineage-url", key: "MESHQL_OPENLINEAGE_URL", usage: "OpenLineage endpoint each query's run events are POSTed to", str: &o.OpenLineageURL},
		{name: "openlineage-file", key: "MESHQL_OPENLINEAGE_FILE", usage: "file each query's OpenLineage run events are appended to (NDJSON)", str: &o.OpenLineageFile},
	}
	if serve {
		specs = append(specs,
			flagSpec{name: "pg-listen", key: "MESHQL_PG_LISTEN", usage: "PostgreSQL protocol address", str: &o.PGListen},
			flagSpec{name: "flight-listen", key: "MESHQL_FLIGHT_LISTEN", usage: "Arrow Flight SQL address (\"\" or off to disable)", str: &o.FlightListen},
			flagSpec{name: "flight-endpoints", key: "MESHQL_FLIGHT_ENDPOINTS", usage: "Flight SQL endpoints a large result is split into at most, for clients to fetch in parallel (default 1: never split; more helps clients on other hosts)", num: &o.FlightEndpoints},
			flagSpec{name: "http-listen", key: "MESHQL_HTTP_LISTEN", usage: "HTTP address for /healthz and /metrics (\"\" or off to disable)", str: &o.HTTPListen},
			flagSpec{name: "tls-cert", key: "MESHQL_TLS_CERT", usage: "TLS certificate file (PEM)", str: &o.TLSCert},
			flagSpec{name: "tls-key", key: "MESHQL_TLS_KEY", usage: "TLS private key file (PEM)", str: &o.TLSKey},
			flagSpec{name: "demo-postgres", key: "MESHQL_DEMO_POSTGRES", usage: "PostgreSQL URL to serve the demo's sales.customers_v1 from", str: &o.DemoPostgres, secret: true},
			flagSpec{name: "reload-interval", key: "MESHQL_RELOAD_INTERVAL", usage: "how often to poll the mesh folder for changed descriptors (0 = only on SIGHUP; default 5s)", str: &o.ReloadInterval},
			flagSpec{name: "max-connections", key: "MESHQL_MAX_CONNECTIONS", usage: "open PostgreSQL-protocol connections at most; more get 53300 (0: no limit)", num: &o.MaxConnections},
			flagSpec{name: "max-queries-per-user", key: "MESHQL_MAX_QUERIES_PER_USER", usage: "queries one user runs at once at most; more fail with 53400 (0: no limit)", num: &o.MaxQueriesPerUser},
			flagSpec{name: "idle-session-timeout", key: "MESHQL_IDLE_SESSION_TIMEOUT", usage: "end sessions idle this long with FATAL 57P05 (0: never)", dur: &o.IdleSessionTimeout},
			flagSpec{name: "memory-limit", key: "MESHQL_MEMORY_LIMIT", usage: "soft limit on the server's memory, e.g. 2GB: the Go runtime collects garbage harder near it, like GOMEMLIMIT (default: GOMEMLIMIT, else none)", str: &o.MemoryLimit},
			flagSpec{name: "max-message-size", key: "MESHQL_MAX_MESSAGE_SIZE", usage: "largest PostgreSQL-protocol message a client may send (each connection holds a read buffer of this size)", str: &o.MaxMessageSize},
			flagSpec{name: "shutdown-grace", key: "MESHQL_SHUTDOWN_GRACE", usage: "on SIGTERM, how long running queries may finish before they are canceled", dur: &o.ShutdownGrace},
		)
	} else {
		specs = append(specs,
			flagSpec{name: "user", key: "MESHQL_USER", usage: "user the query runs as", str: &o.User},
			flagSpec{name: "max-rows", key: "MESHQL_MAX_ROWS", usage: "fail with 54000 when a result has more rows (0: no limit)", num: &o.MaxRows},
		)
	}
	for _, s := range specs {
		usage := s.usage + " (env " + s.key + ")"
		switch {
		case s.str != nil:
			fs.StringVar(s.str, s.name, *s.str, usage)
		case s.num != nil:
			fs.Var((*intValue)(s.num), s.name, usage)
		default:
			fs.Var((*durationValue)(s.dur), s.name, usage)
		}
	}
	return fs, config, specs
}

// intValue is a flag.Value for counts and limits: a non-negative integer.
type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not a non-negative integer", s)
	}
	*v = intValue(n)
	return nil
}

// durationValue is a flag.Value for timeouts: a Go duration ("30s",
// "2m", "1h30m") or, as in PostgreSQL's settings, a bare number of
// milliseconds; never negative.
type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }

func (v *durationValue) Set(s string) error {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		*v = durationValue(time.Duration(n) * time.Millisecond)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is not a duration (like 30s, 5m or a number of milliseconds)", s)
	}
	*v = durationValue(d)
	return nil
}

// validate checks the values no flag type checks by itself, naming the
// setting at fault.
func validate(o *options) error {
	oneOf := func(key, v string, allowed ...string) error {
		if v == "" || slices.Contains(allowed, strings.ToLower(v)) {
			return nil
		}
		return fmt.Errorf("%s: invalid value %q: want one of %s", key, v, strings.Join(allowed, ", "))
	}
	if err := oneOf("log_format", o.LogFormat, "text", "json"); err != nil {
		return err
	}
	if err := oneOf("log_level", o.LogLevel, "debug", "info", "warn", "error"); err != nil {
		return err
	}
	if o.Workers < 0 {
		return fmt.Errorf("workers: invalid value %d: want 0 (all CPUs) or more", o.Workers)
	}
	for key, v := range map[string]string{"query_memory": o.QueryMemory, "query_memory_total": o.QueryMemoryTotal,
		"memory_limit": o.MemoryLimit, "max_message_size": o.MaxMessageSize} {
		if _, err := engineSize(key, v); err != nil {
			return err
		}
	}
	if n, _ := engineSize("max_message_size", o.MaxMessageSize); n < 0 || (n > 0 && n < 8<<10) {
		return fmt.Errorf("max_message_size: invalid value %q: want at least 8kB", o.MaxMessageSize)
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return fmt.Errorf("tls_cert and tls_key: set both or neither")
	}
	return nil
}

// printConfig writes the effective settings as a YAML config file, in
// declaration order, with secrets (passwords in URLs) redacted.
func printConfig(w io.Writer, specs []flagSpec) error {
	for _, s := range specs {
		var v any
		switch {
		case s.str != nil:
			v = *s.str
			if s.secret {
				v = redact(*s.str)
			}
		case s.num != nil:
			v = *s.num
		default:
			v = s.dur.String()
		}
		out, err := yaml.Marshal(map[string]any{s.configKey(): v})
		if err != nil {
			return err
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// redact hides the password of a URL (or the whole value if it is not a
// URL but carries a password= parameter).
func redact(v string) string {
	if u, err := url.Parse(v); err == nil && u.User != nil {
		return u.Redacted()
	}
	if strings.Contains(strings.ToLower(v), "password") {
		return "xxxxx"
	}
	return v
}

// resolve applies the environment and the config file to every flag the
// command line did not set.
func resolve(fs *flag.FlagSet, config string, specs []flagSpec) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var file map[string]any
	if config != "" {
		data, err := os.ReadFile(config)
		if err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		if err := yaml.Unmarshal(data, &file); err != nil {
			return fmt.Errorf("config file %s: %w", config, err)
		}
		// One file serves every command: a key of another command (user
		// for query, pg_listen for serve) is known, just not used here.
		known := map[string]bool{"config": true}
		t := reflect.TypeFor[options]()
		for i := range t.NumField() {
			known[t.Field(i).Tag.Get("yaml")] = true
		}
		for k := range file {
			if !known[k] {
				return fmt.Errorf("config file %s: unknown key %q", config, k)
			}
		}
	}
	for _, s := range specs {
		if set[s.name] {
			continue
		}
		v, ok := os.LookupEnv(s.key)
		from := "environment variable " + s.key
		if !ok {
			if fv, inFile := file[s.configKey()]; inFile {
				v, ok = fmt.Sprint(fv), true
				from = "config file " + config
			}
		}
		if !ok {
			continue
		}
		if err := fs.Set(s.name, v); err != nil {
			return fmt.Errorf("%s (from %s): %w", s.configKey(), from, err)
		}
	}
	return nil
}

func defaultDataDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "meshql")
	}
	return filepath.Join(os.TempDir(), "meshql")
}
