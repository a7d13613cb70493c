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
