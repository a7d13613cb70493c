package engine

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// sltStatements returns the SQL of every record in the logic-test corpus,
// as fuzzing seeds.
func sltStatements(t testing.TB) []string {
	files, _ := filepath.Glob("../testdata/sql/*.slt")
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cur []string
		inSQL := false
		for _, line := range strings.Split(string(data), "\n") {
			switch {
			case strings.HasPrefix(line, "query") || strings.HasPrefix(line, "statement"):
				inSQL, cur = true, nil
			case inSQL && (line == "" || line == "----"):
				if len(cur) > 0 {
					out = append(out, strings.Join(cur, "\n"))
				}
				inSQL = false
			case inSQL:
				cur = append(cur, line)
			}
		}
	}
	return out
}

// FuzzQuery feeds arbitrary SQL through parse, bind, plan and execution
// (over the demo mesh's descriptors, without data): nothing may panic, and
// every failure must be a SQL error with a SQLSTATE.
func FuzzQuery(f *testing.F) {
	for _, s := range sltStatements(f) {
		f.Add(s)
	}
	f.Add("SELECT 1 FROM (VALUES (1)) v(x) WHERE x IN (SELECT 1) ORDER BY 1 LIMIT 1")
	e, _ := demoEngine(&testing.T{})
	f.Fuzz(func(t *testing.T, sql string) {
		if len(sql) > 2000 {
			return
		}
		s, err := e.NewSession("admin", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		stmts, err := s.Prepare(ctx, sql)
		check(t, sql, err)
		for _, st := range stmts {
			res, err := st.Execute(ctx, make([]sqltypes.Datum, len(st.ParamTypes())))
			check(t, sql, err)
			if err != nil {
				continue
			}
			for {
				b, err := res.Next(ctx)
				if err != nil {
					if err != io.EOF {
						check(t, sql, err)
					}
					break
				}
				b.Release()
			}
			res.Close()
		}
	})
}

func check(t *testing.T, sql string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var se *sqltypes.Error
	if !errors.As(err, &se) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%q: error without SQLSTATE: %v", sql, err)
	}
	if se != nil && se.Code == sqltypes.CodeInternal && strings.Contains(se.Msg, "panic") {
		t.Fatalf("%q: panic: %v", sql, err)
	}
}
