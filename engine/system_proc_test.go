package engine

import (
	"context"
	"os"
	"strings"
	"testing"
)

// Every built-in function pg_proc lists is one meshql binds: its call in
// testdata/pg_proc_probes.tsv prepares (or fails only for wanting a
// constant argument or a column definition list, which the function
// exists to ask for). A function meshql stops binding, or a row added to
// pg_proc.tsv without a call, fails here.
func TestBuiltinProcsBind(t *testing.T) {
	data, err := os.ReadFile("testdata/pg_proc_probes.tsv")
	if err != nil {
		t.Fatal(err)
	}
	probes := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		oid, call, _ := strings.Cut(line, "\t")
		probes[oid] = call
	}
	e, _ := demoEngine(t)
	s := session(t, e, "admin")
	procs := builtinProcs()
	if len(procs) < 600 {
		t.Fatalf("pg_proc.tsv has %d functions", len(procs))
	}
	for _, p := range procs {
		oid := itoa(p.oid)
		call, ok := probes[oid]
		if !ok {
			t.Errorf("%s (%s) has no call in testdata/pg_proc_probes.tsv", p.name, oid)
			continue
		}
		if !strings.Contains(call, `"`+p.name+`"(`) && !strings.Contains(call, p.name+"(") {
			t.Errorf("%s (%s): the call %q is not of it", p.name, oid, call)
		}
		_, err := s.Prepare(context.Background(), call)
		if err != nil && !strings.Contains(err.Error(), "must be a constant") && !strings.Contains(err.Error(), "column definition list is required") {
			t.Errorf("%s (%s): %s: %v", p.name, oid, call, err)
		}
	}
}

// psql's \sf prints pg_get_functiondef: PostgreSQL's CREATE statement of
// a built-in function, its C function's name as the source.
func TestFunctionDef(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	cases := []struct{ sql, want string }{
		{`SELECT pg_get_functiondef('lower(text)'::regprocedure)`,
			"CREATE OR REPLACE FUNCTION pg_catalog.lower(text)\n RETURNS text\n LANGUAGE internal\n IMMUTABLE PARALLEL SAFE STRICT\nAS $function$lower$function$\n"},
		{`SELECT pg_get_functiondef('lpad(text, integer)'::regprocedure)`,
			"CREATE OR REPLACE FUNCTION pg_catalog.lpad(text, integer)\n RETURNS text\n LANGUAGE sql\n IMMUTABLE PARALLEL SAFE STRICT COST 1\nRETURN lpad($1, $2, ' '::text)\n"},
		{`SELECT pg_get_functiondef('count("any")'::regprocedure) IS NULL, pg_get_function_arguments('count()'::regprocedure)`, "t|"},
	}
	for _, c := range cases {
		if got := strings.Join(rows(t, e, "admin", c.sql), "\n"); got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.sql, got, c.want)
		}
	}
}
