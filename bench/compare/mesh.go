package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/tpch"
	"github.com/meshql/meshql/wire/pgwire"
)

// runner runs one query and returns its rows as text.
type runner interface {
	Run(ctx context.Context, query string) (*tpch.Result, error)
	Close() error
}

// inProcess runs queries in an engine.Session of an in-process engine.
type inProcess struct {
	sess *engine.Session
}

// newEngine loads the mesh in dir and builds an engine whose queries use
// at most workers goroutines and, unless it is 0, a memory budget of
// queryMemory bytes each.
func newEngine(dir string, workers int, queryMemory int64) (*engine.Engine, error) {
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		return nil, err
	}
	return engine.New(engine.Config{Mesh: mesh, Connectors: []connectors.Connector{parquet.New()}, Workers: workers,
		QueryMemory: queryMemory})
}

// newInProcess opens an admin session on eng with search_path tpch.
func newInProcess(ctx context.Context, eng *engine.Engine) (*inProcess, error) {
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		return nil, err
	}
	if _, err := tpch.Run(ctx, sess, "SET search_path = tpch"); err != nil {
		sess.Close()
		return nil, err
	}
	return &inProcess{sess: sess}, nil
}

// Run implements runner.
func (r *inProcess) Run(ctx context.Context, query string) (*tpch.Result, error) {
	return tpch.Run(ctx, r.sess, query)
}

// Close implements runner.
func (r *inProcess) Close() error { r.sess.Close(); return nil }

// overPgwire runs queries through a meshql pgwire server on a loopback
// port, with pgx's simple protocol (text results, as psql gets them).
type overPgwire struct {
	srv    *pgwire.Server
	conn   *pgx.Conn
	cancel context.CancelFunc
}

// newOverPgwire serves eng on 127.0.0.1 and connects to it as admin.
func newOverPgwire(ctx context.Context, eng *engine.Engine) (*overPgwire, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv, err := pgwire.NewServer(pgwire.EngineBackend[*engine.Session, *engine.Statement](eng), pgwire.Config{
		Addr: ln.Addr().String(), Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	go srv.Serve(sctx, ln) //nolint:errcheck // Close stops it
	url := fmt.Sprintf("postgres://admin:admin@%s/mesh?sslmode=disable&default_query_exec_mode=simple_protocol&search_path=tpch", ln.Addr())
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		cancel()
		srv.Close()
		return nil, err
	}
	return &overPgwire{srv: srv, conn: conn, cancel: cancel}, nil
}

// Run implements runner.
func (r *overPgwire) Run(ctx context.Context, query string) (*tpch.Result, error) {
	rows, err := r.conn.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &tpch.Result{}
	for _, f := range rows.FieldDescriptions() {
		res.Columns = append(res.Columns, f.Name)
	}
	for rows.Next() {
		raw := rows.RawValues()
		row := make([]string, len(raw))
		for i, v := range raw {
			if v == nil {
				row[i] = "NULL"
			} else {
				row[i] = string(v)
			}
		}
		res.Rows = append(res.Rows, row)
	}
	return res, rows.Err()
}

// Close implements runner.
func (r *overPgwire) Close() error {
	r.conn.Close(context.Background())
	r.cancel()
	return r.srv.Close()
}
