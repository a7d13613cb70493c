package pgwire

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// messages sends msgs and returns what the server answers up to
// ReadyForQuery, one token per message: ParseComplete, D[values],
// C(tag), E[SQLSTATE message @position], N[severity SQLSTATE message],
// CopyOut<format>[column formats], d"CopyData bytes", Z and the transaction
// status, ….
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
			if m.Position > 0 {
				out = append(out, fmt.Sprintf("E[%s %s @%d]", m.Code, m.Message, m.Position))
				break
			}
			out = append(out, fmt.Sprintf("E[%s %s]", m.Code, m.Message))
		case *pgproto3.NoticeResponse:
			out = append(out, fmt.Sprintf("N[%s %s %s]", m.Severity, m.Code, m.Message))
		case *pgproto3.CopyOutResponse:
			out = append(out, fmt.Sprintf("CopyOut%d%v", m.OverallFormat, m.ColumnFormatCodes))
		case *pgproto3.CopyData:
			// One token for consecutive CopyData: how a server frames
			// the stream carries no meaning.
			if n := len(out); n > 0 && strings.HasPrefix(out[n-1], "d") {
				prev, _ := strconv.Unquote(out[n-1][1:])
				out[n-1] = fmt.Sprintf("d%q", prev+string(m.Data))
				break
			}
			out = append(out, fmt.Sprintf("d%q", m.Data))
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

// protoConnect connects as protoConn does with the startup parameters
// params ("client_encoding=SQL_ASCII", …), and returns the error.
func protoConnect(t *testing.T, params ...string) (*pgx.Conn, error) {
	url := os.Getenv("MESHQL_PROTO_PG")
	if url == "" {
		url = "postgres://analyst:analyst@" + tickingServerAddr(t) + "/mesh?sslmode=disable"
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	conn, err := pgx.Connect(context.Background(), url+sep+strings.Join(params, "&"))
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
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
		{withSync(&pgproto3.Parse{Name: "p3", Query: "SELEC 1"}), `E[42601 syntax error at or near "SELEC" @1] ZI`},
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
		{withSync(&pgproto3.Parse{Query: "SELEC"}), `E[42601 syntax error at or near "SELEC" @1] ZE`},
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
		// meshql does not point at the parameter (PostgreSQL: @8).
		{query("SELECT $70000::int"), divergent("E[42P02 there is no parameter $70000] ZI", "E[42P02 there is no parameter $70000 @8] ZI")},
	})
}

// TestBindChecks: PostgreSQL checks a Bind before it answers
// BindComplete: the number of parameters (naming the statement), the
// number of result format codes (none, one, or one per column), and each
// value against its parameter's type (22P02). A failed Bind skips the
// Describe and Execute after it, up to the Sync; psql-wire answered
// BindComplete and failed at Execute, or took the codes as they came.
func TestBindChecks(t *testing.T) {
	conn := protoConn(t)
	bind := func(params [][]byte, formats ...int16) *pgproto3.Bind {
		return &pgproto3.Bind{PreparedStatement: "b1", Parameters: params, ResultFormatCodes: formats}
	}
	four := [][]byte{[]byte("4")}
	runSteps(t, conn, []protoStep{
		{withSync(&pgproto3.Parse{Name: "b1", Query: "SELECT $1::int + 1 AS x"}), "ParseComplete ZI"},
		{withSync(bind(nil), &pgproto3.Execute{}), `E[08P01 bind message supplies 0 parameters, but prepared statement "b1" requires 1] ZI`},
		{withSync(bind([][]byte{[]byte("4"), []byte("5")}), &pgproto3.Execute{}), `E[08P01 bind message supplies 2 parameters, but prepared statement "b1" requires 1] ZI`},
		{withSync(&pgproto3.Parse{Query: "SELECT $1::int"}, &pgproto3.Bind{}, &pgproto3.Execute{}),
			`ParseComplete E[08P01 bind message supplies 0 parameters, but prepared statement "" requires 1] ZI`},
		{withSync(bind(four, 0, 1), &pgproto3.Execute{}), "E[08P01 bind message has 2 result formats but query has 1 columns] ZI"},
		{withSync(bind(four, 0), &pgproto3.Execute{}), "BindComplete D[5] C(SELECT 1) ZI"},
		{withSync(bind([][]byte{[]byte("zz")}), &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}),
			`E[22P02 invalid input syntax for type integer: "zz"] ZI`},
		{withSync(bind([][]byte{[]byte("99999999999")}), &pgproto3.Execute{}),
			`E[22003 value "99999999999" is out of range for type integer] ZI`},
		// The portal the failed Bind named does not exist.
		{withSync(&pgproto3.Describe{ObjectType: 'P'}), `E[34000 portal "" does not exist] ZI`},
		// A result format code other than 0 and 1 fails when a row is sent.
		{withSync(bind(four, 2), &pgproto3.Execute{}), "BindComplete E[22023 unsupported format code: 2] ZI"},
		{withSync(bind(four, 2), &pgproto3.Execute{MaxRows: 1}), "BindComplete E[22023 unsupported format code: 2] ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT 1 WHERE false"}, &pgproto3.Bind{ResultFormatCodes: []int16{7}}, &pgproto3.Execute{}),
			"ParseComplete BindComplete C(SELECT 0) ZI"},
		// Declared parameter types count, also for an empty query.
		{withSync(&pgproto3.Parse{Query: "", ParameterOIDs: []uint32{1043}}, &pgproto3.Bind{Parameters: four}, &pgproto3.Execute{}),
			"ParseComplete BindComplete EmptyQueryResponse ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT 1", ParameterOIDs: []uint32{23}}, &pgproto3.Bind{Parameters: four}, &pgproto3.Execute{}),
			"ParseComplete BindComplete D[1] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Query: "", ParameterOIDs: []uint32{1043}}, &pgproto3.Bind{}, &pgproto3.Execute{}),
			`ParseComplete E[08P01 bind message supplies 0 parameters, but prepared statement "" requires 1] ZI`},
		// A statement that returns no rows takes any number of codes.
		{withSync(&pgproto3.Parse{Query: "SET application_name = 'b'"}, &pgproto3.Bind{ResultFormatCodes: []int16{0, 1, 0}}, &pgproto3.Execute{}),
			"ParseComplete BindComplete C(SET) ZI"},
		// A named portal cannot be bound again while it exists (until
		// the Sync outside a block, the end of a block, or a Close).
		{withSync(bind(four), &pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "b1", Parameters: four},
			&pgproto3.Execute{Portal: "p1"}, &pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "b1", Parameters: four}),
			`BindComplete BindComplete D[5] C(SELECT 1) E[42P03 cursor "p1" already exists] ZI`},
		{withSync(&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "b1", Parameters: four}, &pgproto3.Execute{Portal: "p1"}),
			"BindComplete D[5] C(SELECT 1) ZI"},
		{query("BEGIN"), "C(BEGIN) ZT"},
		{withSync(&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "b1", Parameters: four}), "BindComplete ZT"},
		{withSync(&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "b1", Parameters: four}), `E[42P03 cursor "p1" already exists] ZE`},
		{query("ROLLBACK"), "C(ROLLBACK) ZI"},
		{query("BEGIN"), "C(BEGIN) ZT"},
		{withSync(&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "b1", Parameters: four}, &pgproto3.Close{ObjectType: 'P', Name: "p1"},
			&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "b1", Parameters: four}), "BindComplete CloseComplete BindComplete ZT"},
		{query("COMMIT"), "C(COMMIT) ZI"},
		{query("DEALLOCATE b1"), "C(DEALLOCATE) ZI"},
	})
}

// TestPipelineErrorSkipsToSync: after an error the messages up to the
// next Sync are skipped, the Sync answers ReadyForQuery, and the
// statements after it run: one ReadyForQuery per Sync.
func TestPipelineErrorSkipsToSync(t *testing.T) {
	conn := protoConn(t)
	runSteps(t, conn, []protoStep{
		{[]pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "SELECT nosuch"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Parse{Query: "SELECT 2"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
			&pgproto3.Parse{Query: "SELECT 3"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
		}, `E[42703 column "nosuch" does not exist @8] ZI`},
		{nil, "ParseComplete BindComplete D[3] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Query: "SELEC 1"}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}),
			`E[42601 syntax error at or near "SELEC" @1] ZI`},
		{withSync(&pgproto3.Describe{ObjectType: 'S', Name: "nosuch"}), `E[26000 prepared statement "nosuch" does not exist] ZI`},
		{withSync(&pgproto3.Describe{ObjectType: 'P', Name: "nosuch"}), `E[34000 portal "nosuch" does not exist] ZI`},
		// Positions count characters, not bytes.
		{query("SELECT 'ééé' AS a, nosuch"), `E[42703 column "nosuch" does not exist @20] ZI`},
		{withSync(&pgproto3.Parse{Query: "SELECT 'ééé' AS a, nosuch"}), `E[42703 column "nosuch" does not exist @20] ZI`},
		{query("SELECT 'é'; SELECT 'ü', nosuch"), `D[é] C(SELECT 1) E[42703 column "nosuch" does not exist @25] ZI`},
	})
}

// TestTransactionWarnings: COMMIT or ROLLBACK outside a transaction block
// and BEGIN inside one succeed with PostgreSQL's WARNING; savepoints
// outside a block are 25P01.
func TestTransactionWarnings(t *testing.T) {
	conn := protoConn(t)
	runSteps(t, conn, []protoStep{
		{query("COMMIT"), "N[WARNING 25P01 there is no transaction in progress] C(COMMIT) ZI"},
		{query("ROLLBACK"), "N[WARNING 25P01 there is no transaction in progress] C(ROLLBACK) ZI"},
		{query("BEGIN; BEGIN"), "C(BEGIN) N[WARNING 25001 there is already a transaction in progress] C(BEGIN) ZT"},
		{query("COMMIT"), "C(COMMIT) ZI"},
		{query("SELECT 1; COMMIT"), "D[1] C(SELECT 1) N[WARNING 25P01 there is no transaction in progress] C(COMMIT) ZI"},
		{query("SAVEPOINT a"), "E[25P01 SAVEPOINT can only be used in transaction blocks] ZI"},
		{query("RELEASE a"), "E[25P01 RELEASE SAVEPOINT can only be used in transaction blocks] ZI"},
		{query("ROLLBACK TO a"), "E[25P01 ROLLBACK TO SAVEPOINT can only be used in transaction blocks] ZI"},
		{query("BEGIN; SAVEPOINT a; RELEASE a; COMMIT"), "C(BEGIN) C(SAVEPOINT) C(RELEASE) C(COMMIT) ZI"},
	})
}

// TestSavepoints: RELEASE and ROLLBACK TO name an open savepoint (3B001
// otherwise, which fails the block); RELEASE ends later savepoints too,
// ROLLBACK TO keeps its own and recovers a failed block, and a name may
// repeat (the newest is meant).
func TestSavepoints(t *testing.T) {
	conn := protoConn(t)
	runSteps(t, conn, []protoStep{
		{query("BEGIN; SAVEPOINT a; RELEASE b"), `C(BEGIN) C(SAVEPOINT) E[3B001 savepoint "b" does not exist] ZE`},
		{query("SELECT 1"), "E[25P02 current transaction is aborted, commands ignored until end of transaction block] ZE"},
		{query("ROLLBACK TO a"), "C(ROLLBACK) ZT"},
		{query("SAVEPOINT b; SAVEPOINT c; RELEASE b; ROLLBACK TO c"), `C(SAVEPOINT) C(SAVEPOINT) C(RELEASE) E[3B001 savepoint "c" does not exist] ZE`},
		{query("ROLLBACK TO a"), "C(ROLLBACK) ZT"},
		{query("SELECT 1/0"), "E[22012 division by zero] ZE"},
		{query("ROLLBACK TO nosuch"), `E[3B001 savepoint "nosuch" does not exist] ZE`},
		{query("ROLLBACK TO a; SELECT 2"), "C(ROLLBACK) D[2] C(SELECT 1) ZT"},
		{query("SAVEPOINT a; RELEASE a; RELEASE a; RELEASE a"), `C(SAVEPOINT) C(RELEASE) C(RELEASE) E[3B001 savepoint "a" does not exist] ZE`},
		{query("ROLLBACK"), "C(ROLLBACK) ZI"},
		{query("BEGIN; SAVEPOINT a; COMMIT; BEGIN; RELEASE a"), `C(BEGIN) C(SAVEPOINT) C(COMMIT) C(BEGIN) E[3B001 savepoint "a" does not exist] ZE`},
		{query("ROLLBACK"), "C(ROLLBACK) ZI"},
	})
}

// TestCopyOutBytes: COPY (SELECT …) TO STDOUT sends PostgreSQL's bytes
// for each format option: FORCE_QUOTE (* or columns; never a NULL), CSV's
// lone \. quoted only as the only column, NULL, DELIMITER, QUOTE and
// ESCAPE, HEADER as a Boolean (0, 1, on, off), and ENCODING, which
// converts text and CSV (not binary) data or fails with 22P05 on a
// character the encoding lacks.
func TestCopyOutBytes(t *testing.T) {
	conn := protoConn(t)
	const row = `SELECT 1 AS a, 'x,y' AS b, NULL::int AS c, 'q"t' AS d`
	runSteps(t, conn, []protoStep{
		{query("COPY (" + row + ") TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE *)"),
			`CopyOut0[0 0 0 0] d"a,b,c,d\n\"1\",\"x,y\",,\"q\"\"t\"\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (" + row + ") TO STDOUT (FORMAT csv, FORCE_QUOTE (a, c))"),
			`CopyOut0[0 0 0 0] d"\"1\",\"x,y\",,\"q\"\"t\"\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (" + row + ") TO STDOUT CSV HEADER FORCE QUOTE a, d"),
			`CopyOut0[0 0 0 0] d"a,b,c,d\n\"1\",\"x,y\",,\"q\"\"t\"\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT 1 AS a, 'b' AS b) TO STDOUT WITH DELIMITER AS '|' NULL AS 'nul' CSV QUOTE AS '''' ESCAPE AS '\\' FORCE QUOTE b"),
			`CopyOut0[0 0] d"1|'b'\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT 1 AS a, 'NA' AS b, NULL AS c) TO STDOUT (FORMAT csv, NULL 'NA')"),
			`CopyOut0[0 0 0] d"1,\"NA\",NA\n" CopyDone C(COPY 1) ZI`},
		{query(`COPY (SELECT E'a\r\nb' AS a, E'\\.' AS b) TO STDOUT (FORMAT csv)`),
			`CopyOut0[0 0] d"\"a\r\nb\",\\.\n" CopyDone C(COPY 1) ZI`},
		{query(`COPY (SELECT E'\\.' AS a) TO STDOUT (FORMAT csv, HEADER)`),
			`CopyOut0[0] d"a\n\"\\.\"\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT 1 AS a) TO STDOUT (FORMAT csv, HEADER 0)"), `CopyOut0[0] d"1\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT 1 AS a) TO STDOUT (FORMAT csv, HEADER on, FREEZE)"), `CopyOut0[0] d"a\n1\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT 'é' AS a, 'Ω' AS b) TO STDOUT (ENCODING 'LATIN1')"),
			`CopyOut0[0 0] E[22P05 character with byte sequence 0xce 0xa9 in encoding "UTF8" has no equivalent in encoding "LATIN1"] ZI`},
		{query(`COPY (SELECT 'é€' AS "é") TO STDOUT (FORMAT csv, HEADER, ENCODING 'win-1252')`),
			`CopyOut0[0] d"\xe9\n\xe9\x80\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT 'é' AS a) TO STDOUT (ENCODING 'iso-8859-1')"), `CopyOut0[0] d"\xe9\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT 'é' AS a) TO STDOUT (ENCODING 'SQL_ASCII')"), `CopyOut0[0] d"é\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT 'é' AS a) TO STDOUT (FORMAT binary, ENCODING 'LATIN1')"),
			`CopyOut1[1] d"PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02é\xff\xff" CopyDone C(COPY 1) ZI`},
	})
}

// TestClientEncoding: a client may ask for SQL_ASCII (psql in the C
// locale does), under which PostgreSQL converts nothing, as for UTF8; an
// encoding name PostgreSQL does not know is 22023, at startup (FATAL) as
// in SET. meshql converts to no multibyte encoding other than UTF8
// (0A000).
func TestClientEncoding(t *testing.T) {
	conn, err := protoConnect(t, "client_encoding=SQL_ASCII")
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, conn, []protoStep{
		{query("SHOW client_encoding"), "D[SQL_ASCII] C(SHOW) ZI"},
		{query("SELECT 'é'"), "D[é] C(SELECT 1) ZI"},
		{query("SET client_encoding = 'bogus'"), `E[22023 invalid value for parameter "client_encoding": "bogus"] ZI`},
		{query("SET client_encoding = 'utf-8'"), "C(SET) ZI"},
		{query("SHOW client_encoding"), "D[UTF8] C(SHOW) ZI"},
		{query("SET client_encoding = 'SJIS'"), divergent(`E[0A000 client_encoding "SJIS" is not supported] ZI`, "C(SET) ZI")},
	})
	_, err = protoConnect(t, "client_encoding=bogus")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Severity != "FATAL" || pe.Code != "22023" || pe.Message != `invalid value for parameter "client_encoding": "bogus"` {
		t.Errorf("connecting with client_encoding=bogus: %v", err)
	}
}

// TestSingleByteClientEncoding: under a single-byte client_encoding (the
// startup parameter or SET) text travels in that encoding both ways, as
// in PostgreSQL: query strings and text parameters (binary ones of text
// type too) are read in it; result values (text and binary), column
// names, notices, errors and COPY data are written in it (COPY's own
// ENCODING wins). A character it lacks is 22P05, also for the text of an
// error, which PostgreSQL then replaces by that 22P05; the rows before
// the failing one are sent. A byte the encoding leaves undefined is 22P05
// the other way.
func TestSingleByteClientEncoding(t *testing.T) {
	conn, err := protoConnect(t, "client_encoding=latin1")
	if err != nil {
		t.Fatal(err)
	}
	const euroToLatin1 = `E[22P05 character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1"]`
	cut := strings.Repeat("\xe9", 31)
	text := func(v string) []byte { return []byte(v) }
	runSteps(t, conn, []protoStep{
		{query("SHOW client_encoding"), "D[LATIN1] C(SHOW) ZI"},
		{query("SELECT 'caf\xe9' AS x, length('caf\xe9'), 'caf\xe9' = U&'caf\\00e9'"), "D[caf\xe9 4 t] C(SELECT 1) ZI"},
		{query("SELECT E'\\u20ac'"), euroToLatin1 + " ZI"},
		{query("SELECT E'\\u20ac'::int"), euroToLatin1 + " ZI"},
		{query("SELECT x FROM (VALUES (1, 'a'), (2, E'\\u20ac'), (3, 'b')) v(n, x) ORDER BY n"), "D[a] " + euroToLatin1 + " ZI"},
		{query("SELECT ARRAY['\xe9', 'x y'], ROW('\xe9', 1), '{\"k\": \"\xe9\"}'::jsonb"), "D[{\xe9,\"x y\"} (\xe9,1) {\"k\": \"\xe9\"}] C(SELECT 1) ZI"},
		{query(`SELECT 1 AS "` + strings.Repeat("\xe9", 40) + `"`), `N[NOTICE 42622 identifier "` + strings.Repeat("\xe9", 40) + `" will be truncated to "` + cut + `"] D[1] C(SELECT 1) ZI`},
		{withSync(&pgproto3.Parse{Query: "SELECT $1::text || 'x', length($1::text)"}, &pgproto3.Bind{Parameters: [][]byte{text("\xe9")}}, &pgproto3.Execute{}),
			"ParseComplete BindComplete D[\xe9x 1] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT $1::text, $2::jsonb", ParameterOIDs: []uint32{25, 3802}},
			&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{text("\xe9"), text("\x01\"\xe9\"")}, ResultFormatCodes: []int16{1}}, &pgproto3.Execute{}),
			"ParseComplete BindComplete D[\xe9 \x01\"\xe9\"] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT ARRAY['\xe9'], ROW('\xe9'::text)"}, &pgproto3.Bind{ResultFormatCodes: []int16{1}}, &pgproto3.Execute{}),
			"ParseComplete BindComplete D[" +
				"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x19\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\xe9 " +
				"\x00\x00\x00\x01\x00\x00\x00\x19\x00\x00\x00\x01\xe9] C(SELECT 1) ZI"},
		{query("COPY (SELECT '\xe9' AS a) TO STDOUT"), `CopyOut0[0] d"\xe9\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT '\xe9' AS a) TO STDOUT (ENCODING 'UTF8')"), `CopyOut0[0] d"é\n" CopyDone C(COPY 1) ZI`},
		{query("COPY (SELECT E'\\u20ac' AS a) TO STDOUT"), `CopyOut0[0] ` + euroToLatin1 + ` ZI`},
		// The SELECT after the SET in the same message writes in the new
		// encoding (Cyrillic Zhe is 0xc6 in WIN1251).
		{query("SET client_encoding = 'win1251'; SELECT U&'\\0416'"), "C(SET) D[\xc6] C(SELECT 1) ZI"},
		{query("SET client_encoding = 'windows-1252'"), "C(SET) ZI"},
		{query("SELECT E'\\u20ac', '\x80'"), "D[\x80 \x80] C(SELECT 1) ZI"},
		{query("SELECT '\x81'"), `E[22P05 character with byte sequence 0x81 in encoding "WIN1252" has no equivalent in encoding "UTF8"] ZI`},
		{query("SHOW client_encoding"), "D[WIN1252] C(SHOW) ZI"},
		{query("RESET client_encoding"), "C(RESET) ZI"},
		{query("SELECT '\xc3\xa9'"), "D[\xc3\xa9] C(SELECT 1) ZI"},
	})

	// Column names go in the client's encoding; one it cannot hold fails
	// the statement.
	conn, err = protoConnect(t, "client_encoding=LATIN1")
	if err != nil {
		t.Fatal(err)
	}
	rr := conn.PgConn().ExecParams(t.Context(), "SELECT 1 AS \"\xe7\"", nil, nil, nil, nil).Read()
	if rr.Err != nil || len(rr.FieldDescriptions) != 1 || rr.FieldDescriptions[0].Name != "\xe7" {
		t.Errorf("column named in LATIN1: %v %v", rr.FieldDescriptions, rr.Err)
	}
	// A Describe fails at the RowDescription it cannot write (after a
	// statement's ParameterDescription); an Execute writes none, so
	// without a Describe the rows go out. A notice the encoding cannot
	// hold fails its statement with 22P05 (a Parse: no ParseComplete).
	const euroCol = `SELECT 1 AS U&"\20AC"`
	long := `U&"\20AC` + strings.Repeat("a", 70) + `"`
	runSteps(t, conn, []protoStep{
		{query(euroCol), euroToLatin1 + " ZI"},
		{withSync(&pgproto3.Parse{Query: euroCol}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Bind{}, &pgproto3.Execute{}),
			"ParseComplete " + euroToLatin1 + " ZI"},
		{withSync(&pgproto3.Parse{Query: euroCol}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}),
			"ParseComplete BindComplete " + euroToLatin1 + " ZI"},
		{withSync(&pgproto3.Parse{Query: euroCol}, &pgproto3.Bind{}, &pgproto3.Execute{}), "ParseComplete BindComplete D[1] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Query: euroCol + " WHERE false"}, &pgproto3.Describe{ObjectType: 'S'}), "ParseComplete " + euroToLatin1 + " ZI"},
		{query("SELECT 1 AS " + long), euroToLatin1 + " ZI"},
		{query("SELECT 2; SELECT 1 AS " + long), euroToLatin1 + " ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT 1 AS " + long}, &pgproto3.Bind{}, &pgproto3.Execute{}), euroToLatin1 + " ZI"},
	})
}

// TestLongIdentifierNotice: an identifier longer than 63 bytes is cut
// to 63 (without splitting a character) with PostgreSQL's NOTICE 42622
// for each place it is written, before the statement's results, and for
// a Parse before ParseComplete (once: not at each Execute).
func TestLongIdentifierNotice(t *testing.T) {
	conn := protoConn(t)
	long, cut := strings.Repeat("a", 70), strings.Repeat("a", 63)
	notice := `N[NOTICE 42622 identifier "` + long + `" will be truncated to "` + cut + `"]`
	e40, e31 := strings.Repeat("é", 40), strings.Repeat("é", 31)
	eNotice := `N[NOTICE 42622 identifier "` + e40 + `" will be truncated to "` + e31 + `"]`
	runSteps(t, conn, []protoStep{
		{query("SELECT 1 AS " + strings.ToUpper(long)), notice + " D[1] C(SELECT 1) ZI"},
		{query(`SELECT "` + long + `" FROM (SELECT 1 AS "` + long + `") s`), notice + " " + notice + " D[1] C(SELECT 1) ZI"},
		{query(`SELECT "` + e40 + `" FROM (SELECT 2) AS x("` + e40 + `")`), eNotice + " " + eNotice + " D[2] C(SELECT 1) ZI"},
		{query("SELECT '" + long + "' AS short"), "D[" + long + "] C(SELECT 1) ZI"},
		{query(`SELECT 5 AS U&"\00e9` + strings.Repeat("a", 70) + `"`),
			`N[NOTICE 42622 identifier "é` + strings.Repeat("a", 70) + `" will be truncated to "é` + strings.Repeat("a", 61) + `"] D[5] C(SELECT 1) ZI`},
		{query(`SELECT 3 AS "` + strings.Repeat("b", 63) + `"`), "D[3] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Name: "li", Query: "SELECT 4 AS " + long}, &pgproto3.Bind{PreparedStatement: "li"}, &pgproto3.Execute{},
			&pgproto3.Bind{PreparedStatement: "li"}, &pgproto3.Execute{}),
			notice + " ParseComplete BindComplete D[4] C(SELECT 1) BindComplete D[4] C(SELECT 1) ZI"},
		{query("DEALLOCATE li"), "C(DEALLOCATE) ZI"},
	})
}

// TestIdleInTransactionTimeout: idle_in_transaction_session_timeout (a
// startup option or SET) ends a session that waits that long inside a
// transaction block, failed or not, with PostgreSQL's FATAL 25P03; outside
// a block it does not apply. A bad value is 22023 naming the setting.
func TestIdleInTransactionTimeout(t *testing.T) {
	conn, err := protoConnect(t, "options=-c%20idle_in_transaction_session_timeout%3D50")
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, conn, []protoStep{
		{query("SHOW idle_in_transaction_session_timeout"), divergent("D[50] C(SHOW) ZI", "D[50ms] C(SHOW) ZI")},
		{query("SET idle_in_transaction_session_timeout = 'x'"), `E[22023 invalid value for parameter "idle_in_transaction_session_timeout": "x"] ZI`},
	})
	ctx := context.Background()
	// Outside a block the session may wait: wait out the limit by
	// waiting for a session inside one to end.
	conn2, err := protoConnect(t)
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, conn2, []protoStep{
		{query("SET idle_in_transaction_session_timeout = '50ms'"), "C(SET) ZI"},
		{query("BEGIN; SELECT 1/0"), "C(BEGIN) E[22012 division by zero] ZE"},
	})
	if pe := sessionEnd(t, conn2); pe.Severity != "FATAL" || pe.Code != "25P03" || pe.Message != "terminating connection due to idle-in-transaction timeout" {
		t.Errorf("failed block: got %s %s %q", pe.Severity, pe.Code, pe.Message)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("a session outside a block was ended: %v", err)
	}
	runSteps(t, conn, []protoStep{{query("BEGIN"), "C(BEGIN) ZT"}})
	if pe := sessionEnd(t, conn); pe.Severity != "FATAL" || pe.Code != "25P03" {
		t.Errorf("open block: got %s %s %q", pe.Severity, pe.Code, pe.Message)
	}
}

// TestCopyExtendedProtocol: COPY TO STDOUT runs in the extended protocol
// too, as in PostgreSQL: its portal is described as NoData, and an
// Execute sends every row whatever its row limit.
func TestCopyExtendedProtocol(t *testing.T) {
	conn := protoConn(t)
	const copyQ = "COPY (SELECT x, 'v' || x AS y FROM generate_series(1, 3) x) TO STDOUT (FORMAT csv)"
	runSteps(t, conn, []protoStep{
		{withSync(&pgproto3.Parse{Query: copyQ}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}),
			`ParseComplete NoData BindComplete NoData CopyOut0[0 0] d"1,v1\n2,v2\n3,v3\n" CopyDone C(COPY 3) ZI`},
		{withSync(&pgproto3.Parse{Query: "COPY (SELECT 1/0) TO STDOUT"}, &pgproto3.Bind{}, &pgproto3.Execute{}),
			"ParseComplete BindComplete E[22012 division by zero] ZI"},
	})
}

// TestClientMinMessages: client_min_messages decides which notices a
// session gets (warning: no NOTICE; error: no WARNING either), and only
// PostgreSQL's levels are values of it (22023 with its hint).
func TestClientMinMessages(t *testing.T) {
	conn := protoConn(t)
	long := strings.Repeat("a", 64)
	runSteps(t, conn, []protoStep{
		{query("SET client_min_messages = 'WARNING'"), "C(SET) ZI"},
		{query("SHOW client_min_messages"), "D[warning] C(SHOW) ZI"},
		{query("SELECT 1 AS " + long), "D[1] C(SELECT 1) ZI"},
		{query("COMMIT"), "N[WARNING 25P01 there is no transaction in progress] C(COMMIT) ZI"},
		{query("SET client_min_messages = error"), "C(SET) ZI"},
		{query("COMMIT"), "C(COMMIT) ZI"},
		{query("SET client_min_messages = 'fatal'"), `E[22023 invalid value for parameter "client_min_messages": "fatal"] ZI`},
		{query("SET client_min_messages = debug"), "C(SET) ZI"},
		{query("SHOW client_min_messages"), "D[debug2] C(SHOW) ZI"},
		{query("RESET client_min_messages"), "C(RESET) ZI"},
		{query("COMMIT"), "N[WARNING 25P01 there is no transaction in progress] C(COMMIT) ZI"},
	})
}

// TestParameterStatusBeforeReady: as in PostgreSQL 15, the settings a
// message cycle changed are reported once, after the statements' tags and
// just before ReadyForQuery, each with its last value.
func TestParameterStatusBeforeReady(t *testing.T) {
	conn := protoConn(t)
	order := func(msgs ...pgproto3.FrontendMessage) string {
		fe := conn.PgConn().Frontend()
		for _, m := range msgs {
			fe.Send(m)
		}
		var out []string
		untilReady(t, conn, func(msg pgproto3.BackendMessage) {
			switch m := msg.(type) {
			case *pgproto3.CommandComplete:
				out = append(out, "C("+string(m.CommandTag)+")")
			case *pgproto3.ParameterStatus:
				out = append(out, "S("+m.Name+"="+m.Value+")")
			}
		})
		return strings.Join(out, " ")
	}
	if got, want := order(&pgproto3.Query{String: "SET application_name = 'a'; SET application_name = 'b'; SELECT 1"}),
		"C(SET) C(SET) C(SELECT 1) S(application_name=b)"; got != want {
		t.Errorf("simple: got %s, want %s", got, want)
	}
	if got, want := order(&pgproto3.Parse{Query: "SET application_name = 'c'"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}),
		"C(SET) S(application_name=c)"; got != want {
		t.Errorf("extended: got %s, want %s", got, want)
	}
	if got, want := order(&pgproto3.Query{String: "BEGIN; SET application_name = 'd'; ROLLBACK"}), "C(BEGIN) C(SET) C(ROLLBACK)"; got != want {
		t.Errorf("rolled back: got %s, want %s", got, want)
	}
}

// protoConnPair is two connections of the same user to one server, as
// protoConn makes them.
func protoConnPair(t *testing.T) (*pgx.Conn, *pgx.Conn) {
	url := os.Getenv("MESHQL_PROTO_PG")
	if url == "" {
		addr := tickingServerAddr(t)
		return connect(t, addr, "analyst", "analyst"), connect(t, addr, "analyst", "analyst")
	}
	return protoConn(t), protoConn(t)
}

// TestActivityInTransaction: between two statements of a transaction
// block pg_stat_activity shows the session "idle in transaction", with
// the block's start as xact_start, and "idle in transaction (aborted)"
// once a statement failed in it (with no xact_start unless a savepoint
// kept the block's transaction), until the block's end makes it idle.
func TestActivityInTransaction(t *testing.T) {
	conn, watcher := protoConnPair(t)
	pid := strconv.Itoa(int(conn.PgConn().PID()))
	activity := query("SELECT state, xact_start IS NOT NULL, state_change >= xact_start FROM pg_stat_activity WHERE pid = " + pid)
	steps := []struct {
		sql, want, activity string
	}{
		{"SELECT 1", "D[1] C(SELECT 1) ZI", "D[idle f ] C(SELECT 1) ZI"},
		{"BEGIN", "C(BEGIN) ZT", "D[idle in transaction t t] C(SELECT 1) ZI"},
		{"SELECT 2", "D[2] C(SELECT 1) ZT", "D[idle in transaction t t] C(SELECT 1) ZI"},
		{"SELECT 1/0", "E[22012 division by zero] ZE", "D[idle in transaction (aborted) f ] C(SELECT 1) ZI"},
		{"ROLLBACK", "C(ROLLBACK) ZI", "D[idle f ] C(SELECT 1) ZI"},
		{"BEGIN; SAVEPOINT a; SELECT 1/0", "C(BEGIN) C(SAVEPOINT) E[22012 division by zero] ZE", "D[idle in transaction (aborted) t t] C(SELECT 1) ZI"},
		{"ROLLBACK TO a", "C(ROLLBACK) ZT", "D[idle in transaction t t] C(SELECT 1) ZI"},
		{"COMMIT", "C(COMMIT) ZI", "D[idle f ] C(SELECT 1) ZI"},
	}
	for _, s := range steps {
		if got := messages(t, conn, query(s.sql)...); got != s.want {
			t.Fatalf("%s: got %s, want %s", s.sql, got, s.want)
		}
		if got := messages(t, watcher, activity...); got != s.activity {
			t.Errorf("after %s: pg_stat_activity shows %s, want %s", s.sql, got, s.activity)
		}
	}
}

// TestCanceledFetch: a FETCH canceled inside a transaction block (here by
// statement_timeout) fails the block as any error does: 25P02 until
// ROLLBACK or ROLLBACK TO. The cursor whose query the cancel stopped
// cannot be read again (55000 portal "c" cannot be run), only closed;
// ROLLBACK TO a savepoint closes the cursors declared after it (and
// undoes the SET LOCAL), a released savepoint's cursors stay.
func TestCanceledFetch(t *testing.T) {
	conn := protoConn(t)
	runSteps(t, conn, []protoStep{
		{query("BEGIN; DECLARE c CURSOR FOR SELECT count(*) FROM generate_series(1, 10000) a, generate_series(1, 10000) b"), "C(BEGIN) C(DECLARE CURSOR) ZT"},
		{query("SAVEPOINT s; DECLARE e CURSOR FOR SELECT 2; SET LOCAL statement_timeout = '50ms'"), "C(SAVEPOINT) C(DECLARE CURSOR) C(SET) ZT"},
		{query("FETCH ALL FROM c"), "E[57014 canceling statement due to statement timeout] ZE"},
		{query("FETCH 1 FROM e"), "E[25P02 current transaction is aborted, commands ignored until end of transaction block] ZE"},
		{query("ROLLBACK TO s"), "C(ROLLBACK) ZT"},
		{query("SHOW statement_timeout"), "D[0] C(SHOW) ZT"},
		{query("FETCH 1 FROM e"), `E[34000 cursor "e" does not exist] ZE`},
		{query("ROLLBACK TO s"), "C(ROLLBACK) ZT"},
		{query("FETCH 1 FROM c"), `E[55000 portal "c" cannot be run] ZE`},
		{query("ROLLBACK TO s"), "C(ROLLBACK) ZT"},
		{query("CLOSE c"), "C(CLOSE CURSOR) ZT"},
		{query("DECLARE f CURSOR FOR SELECT 3; RELEASE s; SAVEPOINT t; FETCH 1 FROM f; ROLLBACK TO t; FETCH 1 FROM f"),
			"C(DECLARE CURSOR) C(RELEASE) C(SAVEPOINT) D[3] C(FETCH 1) C(ROLLBACK) C(FETCH 0) ZT"},
		{query("COMMIT"), "C(COMMIT) ZI"},
	})
}

// TestImplicitTransactionSettings: the statements of one Query message,
// or the extended-protocol messages up to a Sync, are one implicit
// transaction: when one of them fails, the settings the others changed
// are undone (and no ParameterStatus reports them), as in PostgreSQL;
// when none fails they stay.
func TestImplicitTransactionSettings(t *testing.T) {
	conn := protoConn(t)
	runSteps(t, conn, []protoStep{
		{query("SET DateStyle = 'German'; SELECT 1/0"), "C(SET) E[22012 division by zero] ZI"},
		{query("SHOW DateStyle"), "D[ISO, MDY] C(SHOW) ZI"},
		{withSync(&pgproto3.Parse{Query: "SET DateStyle = 'SQL'"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Parse{Query: "SELECT 1 / (random() * 0)::int"}, &pgproto3.Bind{}, &pgproto3.Execute{}),
			"ParseComplete BindComplete C(SET) ParseComplete BindComplete E[22012 division by zero] ZI"},
		{query("SHOW DateStyle"), "D[ISO, MDY] C(SHOW) ZI"},
		{query("SET DateStyle = 'German'; SELECT 1"), "C(SET) D[1] C(SELECT 1) ZI"},
		{query("SHOW DateStyle"), "D[German, DMY] C(SHOW) ZI"},
		{query("RESET DateStyle; BEGIN; SELECT 1/0"), "C(RESET) C(BEGIN) E[22012 division by zero] ZE"},
		{query("ROLLBACK"), "C(ROLLBACK) ZI"},
		{query("SHOW DateStyle"), "D[German, DMY] C(SHOW) ZI"},
		{query("RESET DateStyle"), "C(RESET) ZI"},
	})
}

// TestUntypedParams: a parameter of unspecified type is unknown, as an
// untyped literal is: it takes the type the function wants there
// (left's integer), where explicit text would be 42883; and a parameter
// the query skips has no type at all, which a Parse (or PREPARE) refuses
// with 42P18 unless the Parse declares it.
func TestUntypedParams(t *testing.T) {
	conn := protoConn(t)
	parseBind := func(sql string, vals ...string) []pgproto3.FrontendMessage {
		var params [][]byte
		for _, v := range vals {
			params = append(params, []byte(v))
		}
		return withSync(&pgproto3.Parse{Query: sql}, &pgproto3.Bind{Parameters: params}, &pgproto3.Execute{})
	}
	runSteps(t, conn, []protoStep{
		{withSync(&pgproto3.Parse{Query: "SELECT $2::int"}), "E[42P18 could not determine data type of parameter $1] ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT $1::int, $3::text"}), "E[42P18 could not determine data type of parameter $2] ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT $2::int", ParameterOIDs: []uint32{23}}), "ParseComplete ZI"},
		{query("PREPARE skips AS SELECT $2::int"), "E[42P18 could not determine data type of parameter $1] ZI"},
		{parseBind("SELECT left('abc', $1)", "2"), "ParseComplete BindComplete D[ab] C(SELECT 1) ZI"},
		{parseBind("SELECT left($1, $2)", "abc", "-1"), "ParseComplete BindComplete D[ab] C(SELECT 1) ZI"},
		{parseBind("SELECT left('abc', $1)", "x"), `ParseComplete E[22P02 invalid input syntax for type integer: "x"] ZI`},
		{withSync(&pgproto3.Parse{Query: "SELECT left('abc', $1::text)"}), "E[42883 function left(unknown, text) does not exist @8] ZI"},
		{parseBind("SELECT $1", "x"), "ParseComplete BindComplete D[x] C(SELECT 1) ZI"},
		{parseBind("SELECT array_append($1, $2)", "{1}", "2"), "ParseComplete BindComplete D[{1,2}] C(SELECT 1) ZI"},
		{parseBind("SELECT array_position(ARRAY[1,2], $1)", "2"), "ParseComplete BindComplete D[2] C(SELECT 1) ZI"},
		{parseBind("SELECT width_bucket(5, $1)", "{0,10}"), "ParseComplete BindComplete D[1] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT $1 IS NULL"}), "E[42P18 could not determine data type of parameter $1] ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT $1 IS NULL, $1"}), "E[42P08 could not determine data type of parameter $1 @8] ZI"},
		{parseBind("SELECT $1::int IS NULL", "1"), "ParseComplete BindComplete D[f] C(SELECT 1) ZI"},
	})
}

// TestRowsBeforeError: a query that fails at a row sends the rows before
// it and then the error, as PostgreSQL, which computes and sends row by
// row: in both protocols, across batches (30000 rows), in a WHERE
// clause, for a cast, with the failing row's error (the first failing
// expression of the first failing row), over an Execute row limit, and
// under a LIMIT that stops before the failing row (no error then).
// A query with a volatile function (random()) cannot be computed again
// over the rows before the failing one: meshql then sends the rows of
// the batches before the failing batch only (none here).
func TestRowsBeforeError(t *testing.T) {
	conn := protoConn(t)
	// rows is the DataRows of 1/(x-at) for x in [1, at), in PostgreSQL's
	// integer division (truncated, as Go's).
	rows := func(at int) string {
		var b strings.Builder
		for x := 1; x < at; x++ {
			fmt.Fprintf(&b, "D[%d] ", 1/(x-at))
		}
		return b.String()
	}
	const div0 = "E[22012 division by zero] ZI"
	series := func(n, at int) string {
		return fmt.Sprintf("SELECT 1/(x-%d) FROM generate_series(1, %d) x", at, n)
	}
	runSteps(t, conn, []protoStep{
		{query(series(1000, 500)), rows(500) + div0},
		{query(series(30000, 20000)), rows(20000) + div0},
		{withSync(&pgproto3.Parse{Query: series(1000, 500)}, &pgproto3.Bind{}, &pgproto3.Execute{}),
			"ParseComplete BindComplete " + rows(500) + div0},
		{query("SELECT x FROM generate_series(1, 1000) x WHERE 1/(x-500) > 0 OR x % 100 = 0"), "D[100] D[200] D[300] D[400] " + div0},
		{query("SELECT x::int FROM (VALUES ('1'), ('2'), ('a'), ('4')) v(x)"), `D[1] D[2] E[22P02 invalid input syntax for type integer: "a"] ZI`},
		{query("SELECT x, 1/(x-3), ('1' || repeat('a', x/2))::int FROM generate_series(1, 5) x"), `D[1 0 1] E[22P02 invalid input syntax for type integer: "1a"] ZI`},
		{withSync(&pgproto3.Parse{Query: series(10, 5)}, &pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2}),
			"ParseComplete BindComplete D[0] D[0] PortalSuspended D[0] D[-1] PortalSuspended " + div0},
		// A LIMIT that stops before the failing row returns its rows
		// without the error, as PostgreSQL never computes that row.
		{query("SELECT 1/(x-500) FROM generate_series(1, 1000) x LIMIT 3"), "D[0] D[0] D[0] C(SELECT 3) ZI"},
		{query("SELECT x FROM generate_series(1, 1000) x WHERE 1/(x-500) = 0 LIMIT 2"), "D[1] D[2] C(SELECT 2) ZI"},
		{query("SELECT random() < 2, 1/(x-3) FROM generate_series(1, 5) x"), divergent(div0, "D[t 0] D[t -1] "+div0)},
	})
}

// TestConstantErrorsAtBind: PostgreSQL plans a query's portal at Bind,
// folding its constants with the parameters' values, so an error they
// raise (1/0, 1/$1 bound to 0, an overflow) is the Bind's: no
// BindComplete, the Execute skipped; named statements too, at every
// Bind. What runs over rows (x/0) fails at Execute, a constant nobody
// reads fails nowhere, and statements planned when they run (EXECUTE,
// EXPLAIN, COPY, DECLARE) fail at Execute. A cast of a literal fails at
// Parse.
func TestConstantErrorsAtBind(t *testing.T) {
	conn := protoConn(t)
	const div0 = "E[22012 division by zero] ZI"
	described := func(q string) []pgproto3.FrontendMessage {
		return withSync(&pgproto3.Parse{Query: q}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{})
	}
	bindInt := func(q, v string) []pgproto3.FrontendMessage {
		return withSync(&pgproto3.Parse{Query: q, ParameterOIDs: []uint32{23}}, &pgproto3.Bind{Parameters: [][]byte{[]byte(v)}}, &pgproto3.Execute{})
	}
	runSteps(t, conn, []protoStep{
		{described("SELECT 1/0"), "ParseComplete " + div0},
		{described("SELECT 1/0 FROM generate_series(1, 3)"), "ParseComplete " + div0},
		{described("SELECT 1 WHERE 1/0 = 1"), "ParseComplete " + div0},
		{described("SELECT 1/0 FROM generate_series(1, 3) WHERE false"), "ParseComplete " + div0},
		{described("SELECT CASE WHEN x > 5 THEN 1/0 END FROM generate_series(1, 3) x"), "ParseComplete " + div0},
		{described("SELECT 2147483647::int + 1"), "ParseComplete E[22003 integer out of range] ZI"},
		{bindInt("SELECT $1::int / 0", "1"), "ParseComplete " + div0},
		{bindInt("SELECT 1 / $1::int", "0"), "ParseComplete " + div0},
		{bindInt("SELECT 1 / $1::int", "2"), "ParseComplete BindComplete D[0] C(SELECT 1) ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT 1 / $1::numeric", ParameterOIDs: []uint32{1700}}, &pgproto3.Bind{Parameters: [][]byte{[]byte("0.00")}}, &pgproto3.Execute{}),
			"ParseComplete " + div0},
		{withSync(&pgproto3.Parse{Name: "k1", Query: "SELECT 1/0"}, &pgproto3.Bind{PreparedStatement: "k1"}, &pgproto3.Execute{}), "ParseComplete " + div0},
		{withSync(&pgproto3.Bind{PreparedStatement: "k1"}, &pgproto3.Execute{}), div0},
		{query("DEALLOCATE k1"), "C(DEALLOCATE) ZI"},
		{described("SELECT x/0 FROM generate_series(1, 3) x"), "ParseComplete BindComplete " + div0},
		{described("SELECT count(*) FROM (SELECT 1/0 FROM generate_series(1, 3)) s"), "ParseComplete BindComplete D[3] C(SELECT 1) ZI"},
		{query("PREPARE k2 AS SELECT 1/0"), "C(PREPARE) ZI"},
		{query("EXECUTE k2"), div0},
		{described("EXECUTE k2"), "ParseComplete BindComplete " + div0},
		{withSync(&pgproto3.Bind{PreparedStatement: "k2"}, &pgproto3.Execute{}), div0},
		{query("DEALLOCATE k2"), "C(DEALLOCATE) ZI"},
		{described("EXPLAIN SELECT 1/0"), "ParseComplete BindComplete " + div0},
		{described("COPY (SELECT 1/0) TO STDOUT"), "ParseComplete NoData BindComplete NoData " + div0},
		{query("BEGIN"), "C(BEGIN) ZT"},
		{described("DECLARE c CURSOR FOR SELECT 1/0"), "ParseComplete NoData BindComplete NoData E[22012 division by zero] ZE"},
		{query("ROLLBACK"), "C(ROLLBACK) ZI"},
		{described("SELECT 'a'::int"), `E[22P02 invalid input syntax for type integer: "a" @8] ZI`},
	})
}

// TestLiteralErrorPosition: an untyped literal that its type cannot read
// is reported at the literal, as PostgreSQL reports it, whether a cast
// ('a'::int, CAST('x' AS int), int 'x') or an operator or function that
// wants the type (1 + 'a', x = 'a', IN, ARRAY, coalesce) reads it.
func TestLiteralErrorPosition(t *testing.T) {
	conn := protoConn(t)
	bad := func(v string, at int) string {
		return fmt.Sprintf(`E[22P02 invalid input syntax for type integer: "%s" @%d] ZI`, v, at)
	}
	runSteps(t, conn, []protoStep{
		{query("SELECT 'a'::int"), bad("a", 8)},
		{query("SELECT 1, ('a')::int"), bad("a", 12)},
		{query("SELECT CAST('x' AS int)"), bad("x", 13)},
		{query("SELECT int 'x'"), bad("x", 12)},
		{query("SELECT '2020-13-01'::date"), `E[22008 date/time field value out of range: "2020-13-01" @8] ZI`},
		{query("SELECT 'nosuch'::regclass"), `E[42P01 relation "nosuch" does not exist @8] ZI`},
		{query("SELECT 'x'::numeric"), `E[22P02 invalid input syntax for type numeric: "x" @8] ZI`},
		{query("SELECT 1 + 'a'"), bad("a", 12)},
		{query("SELECT x FROM generate_series(1, 3) x WHERE x = 'a'"), bad("a", 49)},
		{query("SELECT 1 IN (1, 'a')"), bad("a", 17)},
		{query("SELECT coalesce(1, 'a')"), bad("a", 20)},
		{query("SELECT ARRAY[1, 'a']"), bad("a", 17)},
		{query("SELECT '1'::int + 'q'::int"), bad("q", 19)},
	})
}

// TestHoldCursorsPersistAtCommit: as PostgreSQL, a WITH HOLD cursor is
// materialized when its transaction commits: an error its remaining rows
// raise fails the COMMIT (the block rolls back, the cursor is gone, the
// held cursors persisted before it stay), or, outside a block, the
// DECLARE; a rolled-back block drops the WITH HOLD cursors it declared;
// a persisted cursor reads on from where its transaction left it.
func TestHoldCursorsPersistAtCommit(t *testing.T) {
	conn := protoConn(t)
	const div0 = "E[22012 division by zero]"
	runSteps(t, conn, []protoStep{
		{query("BEGIN; DECLARE c CURSOR WITH HOLD FOR SELECT 1/(x-5) AS v FROM generate_series(1, 10) x; FETCH 2 FROM c"),
			"C(BEGIN) C(DECLARE CURSOR) D[0] D[0] C(FETCH 2) ZT"},
		{query("COMMIT"), div0 + " ZI"},
		{query("FETCH 2 FROM c"), `E[34000 cursor "c" does not exist] ZI`},
		{query("BEGIN; DECLARE d CURSOR WITH HOLD FOR SELECT x FROM generate_series(1, 5) x; FETCH 2 FROM d"),
			"C(BEGIN) C(DECLARE CURSOR) D[1] D[2] C(FETCH 2) ZT"},
		{query("COMMIT"), "C(COMMIT) ZI"},
		{query("FETCH ALL FROM d"), "D[3] D[4] D[5] C(FETCH 3) ZI"},
		{query("FETCH ALL FROM d"), "C(FETCH 0) ZI"},
		{query("DECLARE e CURSOR WITH HOLD FOR SELECT 1/(x-5) FROM generate_series(1, 10) x"), div0 + " ZI"},
		{query("FETCH 1 FROM e"), `E[34000 cursor "e" does not exist] ZI`},
		{query("DECLARE f CURSOR WITH HOLD FOR SELECT x FROM generate_series(1, 3) x"), "C(DECLARE CURSOR) ZI"},
		{query("BEGIN; FETCH 1 FROM f; SELECT 1/0"), "C(BEGIN) D[1] C(FETCH 1) " + div0 + " ZE"},
		{query("ROLLBACK"), "C(ROLLBACK) ZI"},
		{query("FETCH ALL FROM f"), "D[2] D[3] C(FETCH 2) ZI"},
		{query("BEGIN; DECLARE g CURSOR WITH HOLD FOR SELECT 1; ROLLBACK"), "C(BEGIN) C(DECLARE CURSOR) C(ROLLBACK) ZI"},
		{query("FETCH ALL FROM g"), `E[34000 cursor "g" does not exist] ZI`},
		{query("BEGIN; DECLARE h CURSOR WITH HOLD FOR SELECT 1; SELECT 1/0"), "C(BEGIN) C(DECLARE CURSOR) " + div0 + " ZE"},
		{query("COMMIT"), "C(ROLLBACK) ZI"},
		{query("FETCH ALL FROM h"), `E[34000 cursor "h" does not exist] ZI`},
		{query("BEGIN; DECLARE i CURSOR WITH HOLD FOR SELECT x FROM generate_series(1, 3) x; DECLARE j CURSOR WITH HOLD FOR SELECT 1/(x-3) FROM generate_series(1, 3) x"),
			"C(BEGIN) C(DECLARE CURSOR) C(DECLARE CURSOR) ZT"},
		{query("COMMIT"), div0 + " ZI"},
		{query("FETCH ALL FROM i"), "D[1] D[2] D[3] C(FETCH 3) ZI"},
		{query("FETCH ALL FROM j"), `E[34000 cursor "j" does not exist] ZI`},
		{query("CLOSE ALL"), "C(CLOSE CURSOR ALL) ZI"},
	})
}

// TestCursorOutsideBlock: a cursor without HOLD needs a transaction
// block (25P01 for a DECLARE alone, in either protocol), which a simple
// Query message of several statements is, implicitly, until its end,
// which closes the cursor.
func TestCursorOutsideBlock(t *testing.T) {
	conn := protoConn(t)
	const needsBlock = "E[25P01 DECLARE CURSOR can only be used in transaction blocks] ZI"
	runSteps(t, conn, []protoStep{
		{query("DECLARE k CURSOR FOR SELECT 1"), needsBlock},
		{query("FETCH 1 FROM k"), `E[34000 cursor "k" does not exist] ZI`},
		{withSync(&pgproto3.Parse{Query: "DECLARE k CURSOR FOR SELECT 1"}, &pgproto3.Bind{}, &pgproto3.Execute{}), "ParseComplete BindComplete " + needsBlock},
		{query("DECLARE k CURSOR FOR SELECT 1; FETCH 1 FROM k"), "C(DECLARE CURSOR) D[1] C(FETCH 1) ZI"},
		{query("FETCH 1 FROM k"), `E[34000 cursor "k" does not exist] ZI`},
	})
}

// TestPortalOutlivesStatement: a portal outlives the statement it was
// bound from, as in PostgreSQL: a suspended portal reads on after a
// Close of its statement, and the unnamed portal after a Parse replaces
// the unnamed statement.
func TestPortalOutlivesStatement(t *testing.T) {
	conn := protoConn(t)
	const series = "SELECT x FROM generate_series(1, 3) x"
	runSteps(t, conn, []protoStep{
		{withSync(&pgproto3.Parse{Name: "z", Query: series}, &pgproto3.Bind{DestinationPortal: "zp", PreparedStatement: "z"}, &pgproto3.Execute{Portal: "zp", MaxRows: 1},
			&pgproto3.Close{ObjectType: 'S', Name: "z"}, &pgproto3.Execute{Portal: "zp", MaxRows: 1}),
			"ParseComplete BindComplete D[1] PortalSuspended CloseComplete D[2] PortalSuspended ZI"},
		{withSync(&pgproto3.Parse{Query: series}, &pgproto3.Bind{}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Parse{Query: "SELECT 9"}, &pgproto3.Execute{MaxRows: 1}),
			"ParseComplete BindComplete D[1] PortalSuspended ParseComplete D[2] PortalSuspended ZI"},
	})
}

// TestNegativeLimitAtExecute: a negative LIMIT or OFFSET, even a
// literal, fails when the query runs (no position; OFFSET checked
// first), as PostgreSQL checks its bounds: at Execute, after
// BindComplete.
func TestNegativeLimitAtExecute(t *testing.T) {
	conn := protoConn(t)
	runSteps(t, conn, []protoStep{
		{query("SELECT 1 LIMIT -1"), "E[2201W LIMIT must not be negative] ZI"},
		{query("SELECT 1 LIMIT -1 OFFSET -1"), "E[2201X OFFSET must not be negative] ZI"},
		{withSync(&pgproto3.Parse{Query: "SELECT x FROM generate_series(1, 3) x LIMIT -1"}, &pgproto3.Bind{}, &pgproto3.Execute{}),
			"ParseComplete BindComplete E[2201W LIMIT must not be negative] ZI"},
	})
}
