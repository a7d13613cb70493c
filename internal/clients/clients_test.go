package clients

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A script prints sections: a line "## name" followed by the section's
// lines. Sections whose name starts with "=" print values that do not
// depend on the server (query results in the client's own rendering) and
// must be equal for meshql and PostgreSQL; "schemas", "tables" and
// "columns" list what the client's introspection found; "cancel" holds the
// SQLSTATE the client got for a canceled query; "tls" holds "true" when the
// connection was encrypted.
type sections map[string][]string

func parseSections(out string) sections {
	s := sections{}
	cur := ""
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "## "); ok {
			cur = name
			s[cur] = []string{}
			continue
		}
		if cur != "" {
			s[cur] = append(s[cur], line)
		}
	}
	return s
}

// client is one client's script and how to run it.
type client struct {
	name string
	// command returns the program and arguments running the script, or
	// a reason the client is not installed.
	command func(t *testing.T) ([]string, string)
	// checks lists the sections the client must print.
	checks []string
}

// python is Debian's interpreter: the Debian packages of psycopg2,
// SQLAlchemy, pandas and pyodbc live under it, not under a pyenv or venv
// python3 a developer may have first on PATH.
const python = "/usr/bin/python3"

func pythonScript(name string, modules ...string) func(t *testing.T) ([]string, string) {
	return func(t *testing.T) ([]string, string) {
		for _, m := range modules {
			if err := exec.Command(python, "-c", "import "+m).Run(); err != nil {
				return nil, python + " cannot import " + m
			}
		}
		return []string{python, script(name)}, ""
	}
}

func clientList() []client {
	all := []string{"tls", "schemas", "tables", "columns", "=params", "=stream", "cancel", "=crosssell"}
	return []client{
		{name: "psql", command: func(t *testing.T) ([]string, string) {
			psql, err := exec.LookPath("psql")
			if err != nil {
				return nil, "psql is not installed"
			}
			return []string{psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", script("psql_test.sql")}, ""
		}, checks: []string{"=gset", "=expanded", "=copy", "=crosssell", "catalog"}},
		{name: "psycopg2", command: pythonScript("psycopg2_test.py", "psycopg2"), checks: all},
		{name: "sqlalchemy", command: pythonScript("sqlalchemy_test.py", "sqlalchemy", "pandas", "psycopg2"),
			checks: []string{"schemas", "tables", "columns", "=reflect", "pkeys", "comments", "=params", "=crosssell"}},
		{name: "pyodbc", command: func(t *testing.T) ([]string, string) {
			if _, err := os.Stat(odbcDriver); err != nil {
				return nil, "psqlODBC is not installed (" + odbcDriver + ")"
			}
			return pythonScript("pyodbc_test.py", "pyodbc")(t)
		}, checks: []string{"tls", "tables", "columns", "=params", "=stream", "=crosssell"}},
		{name: "jdbc", command: func(t *testing.T) ([]string, string) {
			java, err := exec.LookPath("java")
			if err != nil {
				return nil, "java is not installed"
			}
			if _, err := os.Stat(jdbcJar); err != nil {
				return nil, "pgjdbc is not installed (" + jdbcJar + ")"
			}
			return []string{java, "-Duser.timezone=UTC", "-cp", jdbcJar, script("JdbcTest.java")}, ""
		}, checks: append(all, "pkeys", "typeinfo", "=metadata")},
		{name: "node-postgres", command: func(t *testing.T) ([]string, string) {
			node, err := exec.LookPath("node")
			if err != nil {
				return nil, "node is not installed"
			}
			if _, err := os.Stat(filepath.Join(npmDir(), "node_modules", "pg", "package.json")); err != nil {
				return nil, "node-postgres is not installed in " + npmDir()
			}
			return []string{node, script("node_test.js")}, ""
		}, checks: []string{"tls", "schemas", "tables", "=params", "=stream", "cancel", "=crosssell"}},
	}
}

// script is the absolute path of a client script: scripts run in a
// temporary directory, where they may write files (psql's \copy).
func script(name string) string {
	p, _ := filepath.Abs(filepath.Join("testdata", name))
	return p
}

const (
	jdbcJar    = "/usr/share/java/postgresql.jar"
	odbcDriver = "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so"
)

// npmDir is where scripts/ensure-deps.sh installs node-postgres.
func npmDir() string {
	if d := os.Getenv("MESHQL_NPM_DIR"); d != "" {
		return d
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(cache, "meshql", "npm")
}

// missing skips the test, or fails it in CI, where every client must run.
func missing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run every client (scripts/ensure-deps.sh installs them)", why)
	}
	t.Skipf("%s; run scripts/ensure-deps.sh as root to install it", why)
}

// run runs a client's script against tg and returns its sections.
func run(t *testing.T, argv []string, tg target) sections {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), tg.env()...)
	cmd.Env = append(cmd.Env, "PGHOST="+tg.host, "PGPORT="+tg.port, "PGDATABASE="+tg.db, "PGUSER="+tg.user,
		"PGPASSWORD="+tg.pw, "PGSSLMODE="+tg.sslmode, "PGAPPNAME=clients-psql")
	cmd.Env = append(cmd.Env, "TZ=UTC", "PGTZ=UTC", "NODE_PATH="+filepath.Join(npmDir(), "node_modules"), "ODBC_DRIVER="+odbcDriver)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s against %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(argv[len(argv)-1]), tg.name, err, stdout.String(), stderr.String())
	}
	return parseSections(stdout.String())
}

func TestClients(t *testing.T) {
	f := startFixture(t)
	for _, c := range pgxChecks {
		t.Run("pgx/"+c.name, func(t *testing.T) { c.run(t, f) })
	}
	for _, c := range clientList() {
		t.Run(c.name, func(t *testing.T) {
			argv, why := c.command(t)
			if why != "" {
				missing(t, why)
			}
			got := run(t, argv, f.meshql)
			want := run(t, argv, f.postgres)
			for _, name := range c.checks {
				lines, ok := got[name]
				if !ok {
					t.Errorf("section %q missing from the output against meshql", name)
					continue
				}
				switch {
				case strings.HasPrefix(name, "="):
					if !slices.Equal(lines, want[name]) {
						t.Errorf("section %s differs:\nmeshql:\n%s\npostgres:\n%s", name, strings.Join(lines, "\n"), strings.Join(want[name], "\n"))
					}
					if len(lines) == 0 {
						t.Errorf("section %s is empty", name)
					}
				case name == "tls":
					if !slices.Equal(lines, []string{"true"}) {
						t.Errorf("connection to meshql is not encrypted: %q", lines)
					}
				case name == "cancel":
					for _, out := range [][]string{lines, want[name]} {
						if !slices.Equal(out, []string{"57014"}) {
							t.Errorf("canceled query: got %q, want SQLSTATE 57014", out)
						}
					}
				default:
					checkIntrospection(t, f, name, lines)
				}
			}
		})
	}
}
