package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzConfigFile loads arbitrary bytes as the --config file of serve:
// it never panics, and a file it refuses is refused with a reason
// that names the file or the key at fault.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"max_connections: 7\nstatement_timeout: 1500\nquery_memory_total: 1GB\nmemory_limit: 2GB\n",
		"demo_postgres: postgres://u:hunter2@db/x\nlog_format: json\n",
		"max_conections: 3\n", "max_connections: many\n", "idle_session_timeout: -5s\n",
		"max_message_size: 1kB\n", "workers: [1, 2]\n", "mesh: {a: b}\n", "- a\n- b\n", ": :\n", "a: &x [*x]\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "meshql.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		o := &options{}
		fs, _, specs := newFlags("serve", o, true, io.Discard)
		err := resolve(fs, path, specs)
		if err == nil {
			err = validate(o)
		}
		if err == nil {
			return
		}
		msg := err.Error()
		named := strings.Contains(msg, path)
		for _, s := range specs {
			named = named || strings.Contains(msg, s.configKey())
		}
		if !named && !strings.Contains(msg, "tls_cert") {
			t.Fatalf("config %q refused without naming the file or key: %v", data, err)
		}
	})
}
