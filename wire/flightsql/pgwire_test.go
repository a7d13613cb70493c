package flightsql

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/wire/pgwire"
)

// TestQ1MatchesPgwire compares TPC-H Q1 over Flight SQL with the same
// query over the Postgres wire front (pgx, text format).
func TestQ1MatchesPgwire(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem)
	pgAddr := startPgwire(t, eng)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://analyst:analyst@"+pgAddr+"/mesh?sslmode=disable&default_query_exec_mode=simple_protocol")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	q1 := readQuery(t, "q01.sql")
	rows, err := conn.Query(ctx, q1)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]string
	for rows.Next() {
		var row []string
		for _, v := range rows.RawValues() {
			row = append(row, string(v))
		}
		want = append(want, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	cl, fctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(fctx, q1)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := fetch(fctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || !atFlightScales(got, want) {
		t.Errorf("Q1 over Flight SQL =\n%v\nover pgwire\n%v", got, want)
	}
}

// startPgwire serves eng over the Postgres wire protocol on a loopback
// port until tb ends and returns the address.
func startPgwire(tb testing.TB, eng *engine.Engine) string {
	tb.Helper()
	pg, err := pgwire.NewServer(pgwire.EngineBackend[*engine.Session, *engine.Statement](eng), pgwire.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go pg.Serve(context.Background(), ln)
	tb.Cleanup(func() { pg.Close() })
	return ln.Addr().String()
}
