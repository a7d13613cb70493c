package pgwire

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/internal/testcert"
)

// runPsql runs psql -X -A -t against addr and returns stdout, stderr.
func runPsql(t *testing.T, addr, user, password, sslmode string, args ...string) (string, string, error) {
	t.Helper()
	bin, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed")
	}
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", user, "-d", "mesh"}, args...)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGSSLMODE="+sslmode, "PGCONNECT_TIMEOUT=10", "PGAPPNAME=psqltest", "PGTZ=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestPsql(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	out, errOut, err := runPsql(t, addr, "analyst", "analyst", "disable", "-c", "alltypes")
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, errOut)
	}
	want := "t|-32768|2147483647|-9223372036854775808|1.5|1000000|1234567890.12|-12345678901234567890.1234567890|0.05|" +
		"héllo, \"world\"\n|abc|\\x00ff10|2024-02-29|0044-03-15 BC|2024-02-29 12:34:56.789012|1999-12-31 23:59:59.5+00|" +
		"1 year 2 mons -3 days +04:05:06.000007|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{\"a\": [1, 2]}|{1,NULL,3}|{\"a b\",\"\",\"NULL\",\"x\\\"y\"}|4294967295\n" +
		strings.Repeat("|", 21) + "\n"
	if out != want {
		t.Errorf("psql output:\n%q\nwant\n%q", out, want)
	}

	out, errOut, err = runPsql(t, addr, "analyst", "analyst", "disable", "-c", "begin; echo int4", "-c", "numbers")
	if err == nil || !strings.Contains(errOut, "there is no parameter $1") {
		t.Errorf("parameter in simple query: %v %q %q", err, out, errOut)
	}

	_, errOut, err = runPsql(t, addr, "analyst", "analyst", "disable", "-c", "alltypes;  bogus")
	if err == nil || !strings.Contains(errOut, `ERROR:  syntax error at or near "bogus"`) ||
		!strings.Contains(errOut, "LINE 1: alltypes;  bogus\n"+strings.Repeat(" ", 19)+"^\n") || !strings.Contains(errOut, "HINT:  fake hint") {
		t.Errorf("psql error output: %v\n%s", err, errOut)
	}

	_, errOut, err = runPsql(t, addr, "analyst", "nope", "disable", "-c", "alltypes")
	if err == nil || !strings.Contains(errOut, `password authentication failed for user "analyst"`) {
		t.Errorf("bad password: %v\n%s", err, errOut)
	}

	out, errOut, _ = runPsql(t, addr, "analyst", "analyst", "disable", "-c", "SET TimeZone = 'America/St_Johns'", "-c", "now")
	if out != "SET\n2024-01-01 23:34:05.5-03:30\n" {
		t.Errorf("timestamptz after SET TimeZone: %q %s", out, errOut)
	}
}

func selfSignedTLS(t *testing.T) *tls.Config {
	t.Helper()
	c, _ := testcert.SelfSigned(t)
	return c
}

func TestTLS(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{TLSConfig: selfSignedTLS(t)})
	conn := connect(t, addr, "analyst", "analyst", "sslmode=require")
	if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
		t.Fatalf("connection is not TLS: %T", conn.PgConn().Conn())
	}
	var s string
	if err := conn.QueryRow(context.Background(), "echo text", "over tls").Scan(&s); err != nil || s != "over tls" {
		t.Fatalf("%q %v", s, err)
	}
	_, err := tryConnect(addr, "analyst", "wrong", "sslmode=require")
	if pe := pgErr(t, err); pe.Code != "28P01" {
		t.Fatalf("bad password over TLS: %+v", pe)
	}
	out, errOut, err := runPsql(t, addr, "analyst", "analyst", "require", "-c", "echo int8 strict")
	if err == nil || !strings.Contains(errOut, "there is no parameter $1") {
		t.Errorf("psql over TLS: %v %q %q", err, out, errOut)
	}
	out, errOut, err = runPsql(t, addr, "analyst", "analyst", "require", "-c", "begin")
	if err != nil || out != "BEGIN\n" {
		t.Errorf("psql over TLS: %v %q %q", err, out, errOut)
	}
}
