package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// process holds the one cluster of this test process. It is the package's
// only mutable state, on purpose: starting a cluster costs about a second,
// so every test of the process must share it, and Main must find it to stop
// it. The sync.Once serializes the start; after it the fields are read-only.
// (sync.OnceValues alone would not do: Main must learn whether the cluster
// was ever started without starting it.)
var process struct {
	once sync.Once
	c    *cluster
	err  error
}

// errMainDone is what URI reports if called after Main stopped the cluster.
var errMainDone = errors.New("the cluster was already stopped by pgtest.Main")

// shared starts the process's cluster on first use and returns it.
func shared() (*cluster, error) {
	process.once.Do(func() { process.c, process.err = startCluster() })
	return process.c, process.err
}

// missingError reports that PostgreSQL's server binaries are not installed.
type missingError struct{ detail string }

func (e *missingError) Error() string {
	return "PostgreSQL server binaries not found (" + e.detail + "); run scripts/ensure-deps.sh " +
		"or install them (Debian/Ubuntu: apt-get install postgresql postgresql-client), " +
		"or set MESHQL_TEST_PG_URI to a server where the user may create databases"
}

// cluster is a running throwaway PostgreSQL.
type cluster struct {
	uri      string
	base     string    // temp dir holding the data directory and logs
	watchdog *exec.Cmd // stops the cluster and removes base when its stdin closes
	pipe     *os.File  // write end of the watchdog's stdin
}

// stop stops the cluster and removes its files; it waits for both.
func (c *cluster) stop() error {
	if err := c.pipe.Close(); err != nil {
		return fmt.Errorf("pgtest: closing watchdog pipe: %w", err)
	}
	if err := c.watchdog.Wait(); err != nil {
		return fmt.Errorf("pgtest: stopping cluster in %s: %w", c.base, err)
	}
	return nil
}

// runner runs PostgreSQL's programs, as the postgres OS user when the test
// runs as root.
type runner struct {
	bin  string              // directory of initdb, pg_ctl, postgres
	cred *syscall.Credential // nil when not root
	env  []string            // the environment without PG* variables
}

func (r *runner) cmd(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = r.env
	// Own process group: a Ctrl-C aimed at `go test` must not kill the
	// server or the watchdog before the watchdog has cleaned up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: r.cred}
	return cmd
}

// findBin returns the directory holding initdb and pg_ctl.
func findBin() (string, error) {
	has := func(dir string) bool {
		for _, p := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("MESHQL_PG_BIN"); d != "" {
		if has(d) {
			return d, nil
		}
		return "", &missingError{detail: "MESHQL_PG_BIN=" + d + " lacks initdb, pg_ctl or postgres"}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", &missingError{detail: "looked in MESHQL_PG_BIN, /usr/lib/postgresql/*/bin and PATH"}
}

// pgMajor extracts N from /usr/lib/postgresql/N/bin (0 if not a number).
func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func newRunner() (*runner, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	r := &runner{bin: bin}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG") {
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "LC_ALL=C", "TZ=UTC")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgtest: running as root needs the postgres OS user (initdb refuses root): %w", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		r.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return r, nil
}

// serverConf is appended to postgresql.conf: speed over durability, and
// fixed output settings so results do not depend on the machine.
const serverConf = `
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
TimeZone = 'UTC'
log_timezone = 'UTC'
DateStyle = 'ISO, MDY'
IntervalStyle = 'postgres'
lc_messages = 'C'
`

// startCluster runs initdb and pg_ctl start. The watchdog is started before
// the server, so no path leaves a server running after the process exits.
func startCluster() (*cluster, error) {
	r, err := newRunner()
	if err != nil {
		return nil, err
	}
	base, err := os.MkdirTemp("", "meshql-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if r.cred != nil {
		if err := os.Chown(base, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
			_ = os.RemoveAll(base)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	data := filepath.Join(base, "data")
	fail := func(err error) (*cluster, error) {
		_ = os.RemoveAll(base)
		return nil, err
	}
	initdb := r.cmd(base, filepath.Join(r.bin, "initdb"), "-D", data, "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("pgtest: initdb: %w\n%s", err, out))
	}
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fail(fmt.Errorf("pgtest: %w", err))
	}
	_, werr := f.WriteString(serverConf)
	if err := errors.Join(werr, f.Close()); err != nil {
		return fail(fmt.Errorf("pgtest: writing postgresql.conf: %w", err))
	}

	c := &cluster{base: base}
	if err := c.startWatchdog(r, data); err != nil {
		return fail(err)
	}
	// A free port can be taken by someone else before the server binds it;
	// retry with another one.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			lastErr = err
			continue
		}
		if lastErr = pgCtlStart(r, base, data, port); lastErr == nil {
			c.uri = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
			return c, nil
		}
	}
	if err := c.stop(); err != nil {
		lastErr = errors.Join(lastErr, err)
	}
	return nil, lastErr
}

// startWatchdog starts a shell that waits for its stdin to reach EOF, which
// happens when stop closes the pipe or when this process dies however it
// dies, and then stops the server and removes base.
func (c *cluster) startWatchdog(r *runner, data string) error {
	rd, wr, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	const script = `read _ ; "$1" -D "$2" -m immediate -w stop >/dev/null 2>&1 ; rm -rf "$3"`
	cmd := r.cmd(c.base, "/bin/sh", "-c", script, "watchdog", filepath.Join(r.bin, "pg_ctl"), data, c.base)
	cmd.Stdin = rd
	if err := cmd.Start(); err != nil {
		_ = rd.Close()
		_ = wr.Close()
		return fmt.Errorf("pgtest: starting watchdog: %w", err)
	}
	_ = rd.Close() // the child holds its own copy
	c.watchdog, c.pipe = cmd, wr
	return nil
}

// pgCtlStart starts the server on port and waits until it accepts
// connections. pg_ctl's output goes to a file, not a pipe: the daemonized
// server inherits it and would keep a pipe open forever.
func pgCtlStart(r *runner, base, data string, port int) error {
	outPath := filepath.Join(base, "pg_ctl.out")
	out, err := os.Create(outPath)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer out.Close()
	logPath := filepath.Join(base, "server.log")
	cmd := r.cmd(base, filepath.Join(r.bin, "pg_ctl"), "-D", data, "-l", logPath,
		"-w", "-t", "120", "-o", "-p "+strconv.Itoa(port), "start")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		msg, _ := os.ReadFile(outPath)
		logText, _ := os.ReadFile(logPath)
		return fmt.Errorf("pgtest: pg_ctl start on port %d: %w\n%s\n%s", port, err,
			bytes.TrimSpace(msg), bytes.TrimSpace(logText))
	}
	return nil
}

// freePort asks the kernel for an unused 127.0.0.1 TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: finding a free port: %w", err)
	}
	addr, ok := l.Addr().(*net.TCPAddr)
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("pgtest: %w", err)
	}
	if !ok {
		return 0, fmt.Errorf("pgtest: unexpected listener address %v", l.Addr())
	}
	return addr.Port, nil
}
