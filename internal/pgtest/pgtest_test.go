package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func TestNewDatabase(t *testing.T) {
	uri := NewDatabase(t, "Pg Test!")
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var db, collate, tz string
	err = conn.QueryRow(t.Context(),
		"SELECT current_database(), datcollate, current_setting('TimeZone') FROM pg_database WHERE datname = current_database()").
		Scan(&db, &collate, &tz)
	if err != nil {
		t.Fatal(err)
	}
	if collate != "C" {
		t.Errorf("collation = %q, want C", collate)
	}
	if len(db) < len("pg_test__") || db[:9] != "pg_test__" {
		t.Errorf("database name = %q, want prefix pg_test__", db)
	}
	if os.Getenv(EnvURI) == "" && tz != "UTC" {
		t.Errorf("TimeZone = %q, want UTC", tz)
	}
}

func TestNewDatabaseIsolated(t *testing.T) {
	a, b := NewDatabase(t, "same"), NewDatabase(t, "same")
	if a == b {
		t.Fatalf("two databases share a URI: %s", a)
	}
}

func TestDatabaseName(t *testing.T) {
	tests := []struct{ in, wantPrefix string }{
		{"slt", "slt_"},
		{"TestFoo/bar-baz", "testfoo_bar_baz_"},
		{"9lives", "t9lives_"},
		{"", "t_"},
	}
	for _, tc := range tests {
		got, err := databaseName(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.wantPrefix)+12 || got[:len(tc.wantPrefix)] != tc.wantPrefix {
			t.Errorf("databaseName(%q) = %q, want %q + 12 hex digits", tc.in, got, tc.wantPrefix)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	got, err := withDatabase("postgres://u@127.0.0.1:5/postgres?sslmode=disable", "x_1")
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgres://u@127.0.0.1:5/x_1?sslmode=disable"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := withDatabase("host=localhost dbname=x", "y"); err == nil {
		t.Error("key=value DSN accepted; want an error")
	}
}
