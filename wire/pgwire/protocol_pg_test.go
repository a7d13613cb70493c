package pgwire

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// messages sends msgs and returns what the server answers up to
// ReadyForQuery, one token per message: ParseComplete, D[values],
// C(tag), E[SQLSTATE message], Z and the transaction status, ….
func messages(t *testing.T, conn *pgx.Conn, msgs ...pgproto3.FrontendMessage) string {
	t.Helper()
	fe := conn.PgConn().Frontend()
	for _, m := range msgs {
		fe.Send(m)
	}
	var out []string
	status := untilReady(t, conn, func(msg pgproto3.BackendMessage) {
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			out = append(out, fmt.Sprintf("E[%s %s]", m.Code, m.Message))
		case *pgproto3.CommandComplete:
			out = append(out, "C("+string(m.CommandTag)+")")
		case *pgproto3.DataRow:
			var vs []string
			for _, v := range m.Values {
				vs = append(vs, string(v))
			}
			out = append(out, "D"+fmt.Sprint(vs))
		case *pgproto3.ParameterStatus, *pgproto3.RowDescription, *pgproto3.ParameterDescription:
			// not what these tests are about
		default:
			out = append(out, strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3."))
		}
	})
	return strings.Join(append(out, "Z"+string(status)), " ")
}

// protoConn is a connection to meshql's server over the real engine, or,
// with MESHQL_PROTO_PG set to a PostgreSQL 15 URL, to that server: the
// expectations of these tests are PostgreSQL's answers, and that mode
// checks them there.
func protoConn(t *testing.T) *pgx.Conn {
	url := os.Getenv("MESHQL_PROTO_PG")
	if url == "" {
		return tickingServer(t)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

type protoStep struct {
	msgs []pgproto3.FrontendMessage
	want string // PostgreSQL 15's answer
}

// divergent is the answer of a step where meshql differs from PostgreSQL
// 15 on purpose: meshql's, or PostgreSQL's when the test runs against it.
func divergent(meshql, pg string) string {
	if os.Getenv("MESHQL_PROTO_PG") != "" {
		return pg
	}
	return meshql
}

func runSteps(t *testing.T, conn *pgx.Conn, steps []protoStep) {
	t.Helper()
	for i, s := range steps {
		if got := messages(t, conn, s.msgs...); got != s.want {
			t.Errorf("step %d: got  %s\nwant %s", i, got, s.want)
		}
	}
}

func query(sql string) []pgproto3.FrontendMessage {
	return []pgproto3.FrontendMessage{&pgproto3.Query{String: sql}}
}

func withSync(msgs ...pgproto3.FrontendMessage) []pgproto3.FrontendMessage {
	return append(msgs, &pgproto3.Sync{})
}

// TestPreparedNamespace: the protocol's named statements and SQL's
// PREPARE share one namespace, as in PostgreSQL: DEALLOCATE (and
// DEALLOCATE ALL) drops a Parse's statement, so that a Bind of it is
// 26000; a name either took is 42P05 for the other; EXECUTE runs a
// Parse's statement and Bind a PREPARE's; Close drops a PREPARE's.
func TestPreparedNamespace(t *testing.T) {
	conn := protoConn(t)
	bindExec := func(name string) []pgproto3.FrontendMessage {
		return withSync(&pgproto3.Bind{PreparedStatement: name}, &pgproto3.Execute{})
	}
	runSteps(t, conn, []protoStep{
		{withSync(&pgproto3.Parse{Name: "s1", Query: "SELECT 1"}), "ParseComplete ZI"},
		{query("DEALLOCATE s1"), "C(DEALLOCATE) ZI"},
		{bindExec("s1"), `E[26000 prepared statement "s1" does not exist] ZI`},
		{withSync(&pgproto3.Parse{Name: "s2", Query: "SELECT 1"}), "ParseComplete ZI"},
		{query("DEALLOCATE ALL"), "C(DEALLOCATE ALL) ZI"},
		{bindExec("s2"), `E[26000 prepared statement "s2" does not exist] ZI`},
		{query("PREPARE p3 AS SELECT 3"), "C(PREPARE) ZI"},
		{withSync(&pgproto3.Parse{Name: "p3", Query: "SELECT 1"}), `E[42P05 prepared statement "p3" already exists] ZI`},
		{withSync(&pgproto3.Parse{Name: "p3", Query: "SELEC 1"}), `E[42601 syntax error at or near "SELEC"] ZI`},
		{bindExec("p3"), "BindComplete D[3] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Name: "p4", Query: "SELECT 4"}), "ParseComplete ZI"},
		{query("PREPARE p4 AS SELECT 1"), `E[42P05 prepared statement "p4" already exists] ZI`},
		{query("EXECUTE p4"), "D[4] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Close{ObjectType: 'S', Name: "p3"}), "CloseComplete ZI"},
		{query("EXECUTE p3"), `E[26000 prepared statement "p3" does not exist] ZI`},
		{query("DEALLOCATE p4"), "C(DEALLOCATE) ZI"},
		{query("DEALLOCATE p4"), `E[26000 prepared statement "p4" does not exist] ZI`},
		// The name is free again, for either.
		{query("PREPARE p4 AS SELECT 44"), "C(PREPARE) ZI"},
		{bindExec("p4"), "BindComplete D[44] C(SELECT 1) ZI"},
	})
}

// TestFailedBlockPortals: in a failed transaction block PostgreSQL refuses
// a Parse, a Bind (with no BindComplete before the error), a Describe and
// an Execute (also of a portal suspended before the block failed) with
// 25P02, except for a statement that ends the block.
func TestFailedBlockPortals(t *testing.T) {
	conn := protoConn(t)
	runSteps(t, conn, []protoStep{
		{query("BEGIN"), "C(BEGIN) ZT"},
		{withSync(&pgproto3.Parse{Name: "a1", Query: "SELECT x FROM (VALUES (1),(2),(3),(4),(5)) v(x)"},
			&pgproto3.Bind{DestinationPortal: "c1", PreparedStatement: "a1"}, &pgproto3.Execute{Portal: "c1", MaxRows: 2}),
			"ParseComplete BindComplete D[1] D[2] PortalSuspended ZT"},
		{query("SELECT 1/0"), "E[22012 division by zero] ZE"},
		{withSync(&pgproto3.Execute{Portal: "c1", MaxRows: 2}), "E[25P02 current transaction is aborted, commands ignored until end of transaction block] ZE"},
		{withSync(&pgproto3.Bind{DestinationPortal: "c2", PreparedStatement: "a1"}, &pgproto3.Execute{Portal: "c2"}), "E[25P02 current transaction is aborted, commands ignored until end of transaction block] ZE"},
		{withSync(&pgproto3.Parse{Query: "SELECT 1"}), "E[25P02 current transaction is aborted, commands ignored until end of transaction block] ZE"},
		{withSync(&pgproto3.Parse{Query: "SELECT nosuch FROM nosuch"}), "E[25P02 current transaction is aborted, commands ignored until end of transaction block] ZE"},
		{withSync(&pgproto3.Parse{Query: "SELEC"}), `E[42601 syntax error at or near "SELEC"] ZE`},
		{withSync(&pgproto3.Describe{ObjectType: 'S', Name: "a1"}), "E[25P02 current transaction is aborted, commands ignored until end of transaction block] ZE"},
		{withSync(&pgproto3.Describe{ObjectType: 'P', Name: "c1"}), "E[25P02 current transaction is aborted, commands ignored until end of transaction block] ZE"},
		{withSync(&pgproto3.Close{ObjectType: 'P', Name: "c1"}), "CloseComplete ZE"},
		{withSync(&pgproto3.Parse{Name: "rb", Query: "ROLLBACK"}, &pgproto3.Describe{ObjectType: 'S', Name: "rb"}, &pgproto3.Bind{PreparedStatement: "rb"},
			&pgproto3.Describe{ObjectType: 'P'}), "ParseComplete NoData BindComplete NoData ZE"},
		{withSync(&pgproto3.Parse{Query: "ROLLBACK"}, &pgproto3.Bind{}, &pgproto3.Execute{}), "ParseComplete BindComplete C(ROLLBACK) ZI"},
		{query("DEALLOCATE a1"), "C(DEALLOCATE) ZI"},
		{query("DEALLOCATE rb"), "C(DEALLOCATE) ZI"},
	})
}

// TestReexecuteCompletedPortal: an Execute of a portal whose query
// completed returns no rows and a tag counting 0 ("SHOW" stays "SHOW");
// one whose statement returns no rows cannot run again (55000), as in
// PostgreSQL. psql-wire sent the first tag again.
func TestReexecuteCompletedPortal(t *testing.T) {
	conn := protoConn(t)
	twice := func(sql string) []pgproto3.FrontendMessage {
		return withSync(&pgproto3.Parse{Query: sql}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Execute{})
	}
	runSteps(t, conn, []protoStep{
		{twice("SELECT 1"), "ParseComplete BindComplete D[1] C(SELECT 1) C(SELECT 0) ZI"},
		{twice("VALUES (1)"), "ParseComplete BindComplete D[1] C(SELECT 1) C(SELECT 0) ZI"},
		{twice("SHOW DateStyle"), "ParseComplete BindComplete D[ISO, MDY] C(SHOW) C(SHOW) ZI"},
		{twice("BEGIN"), `ParseComplete BindComplete C(BEGIN) E[55000 portal "" cannot be run] ZE`},
		{query("ROLLBACK"), "C(ROLLBACK) ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT x FROM (VALUES (1),(2)) v(x)"}, &pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 1}, &pgproto3.Execute{}, &pgproto3.Execute{}),
			"ParseComplete BindComplete D[1] PortalSuspended D[2] C(SELECT 1) C(SELECT 0) ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT x FROM (VALUES (1),(2)) v(x)"}, &pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{}),
			"ParseComplete BindComplete D[1] D[2] PortalSuspended C(SELECT 0) C(SELECT 0) ZI"},
		{query("BEGIN"), "C(BEGIN) ZT"},
		{query("DECLARE c CURSOR FOR SELECT 1"), "C(DECLARE CURSOR) ZT"},
		{twice("FETCH 5 c"), "ParseComplete BindComplete D[1] C(FETCH 1) C(FETCH 0) ZT"},
		{query("ROLLBACK"), "C(ROLLBACK) ZI"},
	})
}

// TestBindValidation: a text parameter that is not UTF-8 (or holds a NUL)
// is 22021 naming the bytes, a declared parameter type no type has is
// 42704, and a parameter past what the protocol carries ($70000) is
// PostgreSQL's error on either protocol.
func TestBindValidation(t *testing.T) {
	conn := protoConn(t)
	bindText := func(v []byte) []pgproto3.FrontendMessage {
		return withSync(&pgproto3.Parse{Query: "SELECT $1::text"}, &pgproto3.Bind{Parameters: [][]byte{v}}, &pgproto3.Execute{})
	}
	runSteps(t, conn, []protoStep{
		{bindText([]byte{0xff, 0xfe}), `ParseComplete E[22021 invalid byte sequence for encoding "UTF8": 0xff] ZI`},
		{bindText([]byte{'a', 0}), `ParseComplete E[22021 invalid byte sequence for encoding "UTF8": 0x00] ZI`},
		{bindText([]byte{'a', 0xe9, 'b', 'c'}), `ParseComplete E[22021 invalid byte sequence for encoding "UTF8": 0xe9 0x62 0x63] ZI`},
		{bindText([]byte{'a', 0xe9}), `ParseComplete E[22021 invalid byte sequence for encoding "UTF8": 0xe9] ZI`},
		{bindText([]byte("h\u00e9llo \U0001F600")), "ParseComplete BindComplete D[h\u00e9llo \U0001F600] C(SELECT 1) ZI"},
		// PostgreSQL 15 fails with an internal error; meshql answers as
		// PostgreSQL's format_type does for such an OID.
		{withSync(&pgproto3.Parse{Query: "SELECT $1::int", ParameterOIDs: []uint32{999999}}),
			divergent("E[42704 type with OID 999999 does not exist] ZI", "E[XX000 cache lookup failed for type 999999] ZI")},
		{withSync(&pgproto3.Parse{Query: "SELECT $70000::int"}), "E[42P18 could not determine data type of parameter $1] ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT $1::int, $70000::int"}), "E[42P18 could not determine data type of parameter $2] ZI"},
		{query("SELECT $70000::int"), "E[42P02 there is no parameter $70000] ZI"},
	})
}
