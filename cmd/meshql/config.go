package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

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
	// OpenLineage destinations of query run events (either or both).
	OpenLineageURL  string `yaml:"openlineage_url"`
	OpenLineageFile string `yaml:"openlineage_file"`
}

type flagSpec struct {
	name, key, usage string
	str              *string
	num              *int
}

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
		{name: "demo-scale", key: "MESHQL_DEMO_SCALE", usage: "size of the generated demo data: 1 is ~1M order lines (default 1)", str: &o.DemoScale},
		{name: "openlineage-url", key: "MESHQL_OPENLINEAGE_URL", usage: "OpenLineage endpoint each query's run events are POSTed to", str: &o.OpenLineageURL},
		{name: "openlineage-file", key: "MESHQL_OPENLINEAGE_FILE", usage: "file each query's OpenLineage run events are appended to (NDJSON)", str: &o.OpenLineageFile},
	}
	if serve {
		specs = append(specs,
			flagSpec{name: "pg-listen", key: "MESHQL_PG_LISTEN", usage: "PostgreSQL protocol address", str: &o.PGListen},
			flagSpec{name: "flight-listen", key: "MESHQL_FLIGHT_LISTEN", usage: "Arrow Flight SQL address (\"\" or off to disable)", str: &o.FlightListen},
			flagSpec{name: "http-listen", key: "MESHQL_HTTP_LISTEN", usage: "HTTP address for /healthz and /metrics (\"\" or off to disable)", str: &o.HTTPListen},
			flagSpec{name: "tls-cert", key: "MESHQL_TLS_CERT", usage: "TLS certificate file (PEM)", str: &o.TLSCert},
			flagSpec{name: "tls-key", key: "MESHQL_TLS_KEY", usage: "TLS private key file (PEM)", str: &o.TLSKey},
			flagSpec{name: "demo-postgres", key: "MESHQL_DEMO_POSTGRES", usage: "PostgreSQL URL to serve the demo's sales.customers_v1 from", str: &o.DemoPostgres},
		)
	} else {
		specs = append(specs, flagSpec{name: "user", key: "MESHQL_USER", usage: "user the query runs as", str: &o.User})
	}
	for _, s := range specs {
		if s.str != nil {
			fs.StringVar(s.str, s.name, *s.str, s.usage+" (env "+s.key+")")
		} else {
			fs.IntVar(s.num, s.name, *s.num, s.usage+" (env "+s.key+")")
		}
	}
	return fs, config, specs
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
		known := map[string]bool{"config": true}
		for _, s := range specs {
			known[strings.ReplaceAll(s.name, "-", "_")] = true
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
		if !ok {
			if fv, inFile := file[strings.ReplaceAll(s.name, "-", "_")]; inFile {
				v, ok = fmt.Sprint(fv), true
			}
		}
		if !ok {
			continue
		}
		if err := fs.Set(s.name, v); err != nil {
			return fmt.Errorf("%s: invalid value %q: %w", s.name, v, err)
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
