package engine

import (
	"context"
	"io"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// sessionErr runs sqls on one session of user and returns the error of
// the last one (each earlier one must succeed); results are drained.
func sessionErr(t *testing.T, e *Engine, user string, sqls ...string) error {
	t.Helper()
	s := session(t, e, user)
	for i, sql := range sqls {
		res, err := s.Query(context.Background(), sql)
		for err == nil {
			var b interface{ Release() }
			if b, err = res.Next(context.Background()); err == nil {
				b.Release()
			}
		}
		if res != nil {
			res.Close()
		}
		if err == io.EOF {
			err = nil
		}
		if i == len(sqls)-1 {
			return err
		}
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return nil
}

// Functions that make strings far larger than their input (repeat, lpad,
// rpad) fail cleanly before they allocate past PostgreSQL's 1 GB field
// limit (54000, as PostgreSQL says) or the query's memory budget (53200),
// and a batch of large values stops at statement_timeout (57014).
func TestHugeStringsHonourLimits(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	for _, sql := range []string{
		"SELECT repeat('x', 2000000000)",
		"SELECT length(repeat('ab', 600000000))",
		"SELECT lpad('x', 2000000000)",
		"SELECT rpad('x', 1500000000, 'yz')",
	} {
		wantCode(t, sessionErr(t, e, "analyst", sql), sqltypes.CodeProgramLimitExceeded)
	}
	// 100 MB is within PostgreSQL's limit but not within a 64MB budget.
	for _, sql := range []string{"SELECT length(repeat('x', 100000000))", "SELECT length(lpad('', 100000000, 'é'))"} {
		wantCode(t, sessionErr(t, e, "analyst", "SET mesh.query_memory = '64MB'", sql), sqltypes.CodeOutOfMemory)
	}
	// Some 10 GB of strings in batches of 80 MB (well within the
	// budget): the timeout ends it.
	wantCode(t, sessionErr(t, e, "analyst", "SET mesh.query_memory = '1GB'", "SET statement_timeout = '200ms'",
		"SELECT sum(length(repeat(md5(g::text), 300))) FROM generate_series(1, 1000000) g"), sqltypes.CodeQueryCanceled)
}
