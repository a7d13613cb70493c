package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURI names the environment variable that points tests at an existing
// server instead of a cluster started by this package. Its value must be a
// postgres:// URL for a user allowed to create databases.
const EnvURI = "MESHQL_TEST_PG_URI"

// adminTimeout bounds CREATE/DROP DATABASE; it guards against a hung
// server, it is not a measurement.
const adminTimeout = 2 * time.Minute

// Main runs the tests of a package and then stops the cluster, if one was
// started, and exits. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main without the exit, for a TestMain with more to clean up: it
// runs the tests, stops the cluster and returns the exit code.
func Run(m *testing.M) int {
	code := m.Run()
	// If no test ever asked for the cluster, this Do claims the once so that
	// none can start afterwards; otherwise it waits for the start to finish.
	process.once.Do(func() { process.err = errMainDone })
	if process.c != nil {
		if err := process.c.stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// URI returns a connection URI for a superuser on the test server: the value
// of MESHQL_TEST_PG_URI if set, else the process's own cluster, started on
// first use. Tests must not change server-wide state through it; use
// NewDatabase for a private database.
//
// Without PostgreSQL's binaries URI skips the test, or fails it when the
// environment variable CI is "true". Other start failures fail the test.
func URI(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv(EnvURI); u != "" {
		return u
	}
	c, err := shared()
	var missing *missingError
	if errors.As(err, &missing) {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("pgtest: %v", err)
		}
		tb.Skipf("pgtest: %v", err)
	}
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return c.uri
}

// NewDatabase creates an empty database (UTF8, C collation) on the test
// server and returns a URI for it. name is a readable prefix; a random
// suffix keeps parallel tests apart. The database is dropped, with any
// connections still open to it, when tb's cleanup runs.
func NewDatabase(tb testing.TB, name string) string {
	tb.Helper()
	admin := URI(tb)
	db, err := databaseName(name)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	uri, err := withDatabase(admin, db)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	ident := pgx.Identifier{db}.Sanitize()
	create := "CREATE DATABASE " + ident + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
	if err := adminExec(admin, create); err != nil {
		tb.Fatalf("pgtest: creating database %s: %v", db, err)
	}
	tb.Cleanup(func() {
		if err := adminExec(admin, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: dropping database %s: %v", db, err)
		}
	})
	return uri
}

// adminExec runs one statement on its own connection to uri. It does not use
// the test's context: cleanups run after that context is canceled.
func adminExec(uri, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, sql)
	return errors.Join(err, conn.Close(ctx))
}

// databaseName turns a test-supplied prefix into a valid, unique identifier
// of at most 63 bytes: lower-case letters, digits and underscores.
func databaseName(prefix string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToLower(prefix) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return "", err
	}
	name := b.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "t" + name
	}
	return name + "_" + hex.EncodeToString(suffix[:]), nil
}

// withDatabase returns uri with its database replaced by db.
func withDatabase(uri, db string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL, got %q", EnvURI, uri)
	}
	u.Path = "/" + db
	u.RawPath = ""
	return u.String(), nil
}
