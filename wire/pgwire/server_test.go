package pgwire

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func connect(t testing.TB, addr, user, password string, extra ...string) *pgx.Conn {
	t.Helper()
	conn, err := tryConnect(addr, user, password, extra...)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func tryConnect(addr, user, password string, extra ...string) (*pgx.Conn, error) {
	dsn := fmt.Sprintf("postgres://%s:%s@%s/mesh?sslmode=disable&application_name=wiretest", user, password, addr)
	for _, e := range extra {
		dsn += "&" + e
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return pgx.Connect(ctx, dsn)
}

func pgErr(t testing.TB, err error) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("want *pgconn.PgError, got %T: %v", err, err)
	}
	return pe
}

func TestAuthentication(t *testing.T) {
	for _, method := range []AuthMethod{AuthSCRAM, AuthPassword} {
		t.Run(fmt.Sprint("method=", method), func(t *testing.T) {
			fb := newFakeBackend(t)
			fb.users["verified"] = scramVerifierString("s3cret")
			_, addr := startServer(t, fb, Config{Auth: method})
			conn := connect(t, addr, "analyst", "analyst")
			var got string
			if err := conn.QueryRow(context.Background(), "echo text", "ok").Scan(&got); err != nil || got != "ok" {
				t.Fatalf("query after login: %q, %v", got, err)
			}
			if method == AuthSCRAM {
				connect(t, addr, "verified", "s3cret")
			}
			for _, tc := range []struct{ user, pw string }{{"analyst", "wrong"}, {"ghost", "analyst"}} {
				_, err := tryConnect(addr, tc.user, tc.pw)
				pe := pgErr(t, err)
				want := fmt.Sprintf("password authentication failed for user \"%s\"", tc.user)
				if pe.Code != "28P01" || pe.Message != want || pe.Severity != "FATAL" {
					t.Errorf("%s/%s: got %s %s %q", tc.user, tc.pw, pe.Severity, pe.Code, pe.Message)
				}
			}
		})
	}
}

func TestSessionRejected(t *testing.T) {
	fb := newFakeBackend(t)
	fb.users["nologin"] = "x"
	_, addr := startServer(t, fb, Config{})
	_, err := tryConnect(addr, "nologin", "x")
	if pe := pgErr(t, err); pe.Code != "28000" || pe.Severity != "FATAL" {
		t.Fatalf("got %s %s %q", pe.Severity, pe.Code, pe.Message)
	}
	// A refused startup setting (PGOPTIONS) keeps its hint.
	_, err = tryConnect(addr, "analyst", "analyst", "options=-x")
	if pe := pgErr(t, err); pe.Code != "0A000" || pe.Severity != "FATAL" || pe.Hint != "Use -c name=value." {
		t.Fatalf("options -x: got %s %s %q hint %q", pe.Severity, pe.Code, pe.Message, pe.Hint)
	}
}

func TestParameterStatus(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	pc := conn.PgConn()
	want := map[string]string{
		"server_version": "16.4 (meshql)", "server_encoding": "UTF8", "client_encoding": "UTF8",
		"DateStyle": "ISO, MDY", "TimeZone": "UTC", "integer_datetimes": "on",
		"standard_conforming_strings": "on", "IntervalStyle": "postgres", "is_superuser": "off",
		"session_authorization": "analyst", "application_name": "wiretest",
	}
	for k, v := range want {
		if got := pc.ParameterStatus(k); got != v {
			t.Errorf("ParameterStatus(%s) = %q, want %q", k, got, v)
		}
	}
	if pc.PID() == 0 {
		t.Errorf("no BackendKeyData")
	}
	ctx := context.Background()
	if _, err := conn.Exec(ctx, "SET TimeZone = 'Asia/Kolkata'", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	if got := pc.ParameterStatus("TimeZone"); got != "Asia/Kolkata" {
		t.Errorf("TimeZone after SET = %q", got)
	}
	var s string
	if err := conn.QueryRow(ctx, "now", pgx.QueryExecModeSimpleProtocol).Scan(&s); err != nil {
		t.Fatal(err)
	}
	if s != "2024-01-02 08:34:05.5+05:30" {
		t.Errorf("timestamptz text in Asia/Kolkata = %q", s)
	}
}

// DateStyle and IntervalStyle reach the client as ParameterStatus when
// set, and change date/time text both ways: text parameters read in the
// DateStyle order, text results print in the styles; binary results do
// not change.
func TestDateStyleOverWire(t *testing.T) {
	fb := newFakeBackend(t)
	_, addr := startServer(t, fb, Config{})
	conn := connect(t, addr, "analyst", "analyst")
	pc := conn.PgConn()
	ctx := context.Background()
	for _, set := range []string{"SET DateStyle = 'SQL, DMY'", "SET IntervalStyle = 'iso_8601'"} {
		if _, err := conn.Exec(ctx, set, pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatal(err)
		}
	}
	if got := pc.ParameterStatus("DateStyle"); got != "SQL, DMY" {
		t.Errorf("DateStyle after SET = %q", got)
	}
	if got := pc.ParameterStatus("IntervalStyle"); got != "iso_8601" {
		t.Errorf("IntervalStyle after SET = %q", got)
	}
	run := func(sql string, oid uint32, in string, format int16) []byte {
		t.Helper()
		res := pc.ExecParams(ctx, sql, [][]byte{[]byte(in)}, []uint32{oid}, []int16{0}, []int16{format}).Read()
		if res.Err != nil || len(res.Rows) != 1 {
			t.Fatalf("%s %q: %v", sql, in, res.Err)
		}
		return res.Rows[0][0]
	}
	for _, c := range []struct {
		sql  string
		oid  uint32
		in   string
		want string
	}{
		{"echo date", 1082, "13/01/2024", "13/01/2024"},
		{"echo date", 1082, "01/02/2024", "01/02/2024"},
		{"echo date", 1082, "2024-02-01", "01/02/2024"},
		{"echo timestamp", 1114, "13/01/2024 10:30", "13/01/2024 10:30:00"},
		{"echo timestamptz", 1184, "13/01/2024 10:30+02", "13/01/2024 08:30:00 UTC"},
		{"echo interval", 1186, "1 day -02:00:00", "P1DT-2H"},
	} {
		if got := string(run(c.sql, c.oid, c.in, 0)); got != c.want {
			t.Errorf("%s %q: text %q, want %q", c.sql, c.in, got, c.want)
		}
	}
	// Binary: 2024-02-01 is day 8797 after 2000-01-01, whatever the style.
	if got := run("echo date", 1082, "01/02/2024", 1); string(got) != "\x00\x00\x22\x5d" {
		t.Errorf("binary date = %x", got)
	}
}
