package slt

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Conn is an engine the runner drives: meshql, PostgreSQL, or anything that
// can answer SQL with PostgreSQL's text output.
type Conn interface {
	// Query runs one SQL statement and returns all its rows as text, each
	// value exactly as PostgreSQL's text output format renders it (what
	// psql prints). A statement without a result set returns empty Rows.
	// On failure the error should expose its SQLSTATE through a
	// SQLState() string method somewhere in its chain (errors.As); an
	// error without one matches no "statement error <code>".
	Query(ctx context.Context, sql string) (*Rows, error)
}

// Rows is a query's complete result in text form.
type Rows struct {
	Columns []string    // column names, in order
	Values  [][]*string // one slice per row, one entry per column; nil = NULL
}

// SQLState returns the SQLSTATE of the first error in err's chain with a
// SQLState() string method (pgconn.PgError has one), or "".
func SQLState(err error) string {
	var s interface{ SQLState() string }
	if errors.As(err, &s) {
		return s.SQLState()
	}
	return ""
}

// PGConn is a Conn over a pgx connection to PostgreSQL. It uses the simple
// query protocol, so results arrive in text format and the values are
// exactly PostgreSQL's text output. It is not safe for concurrent use.
type PGConn struct {
	conn *pgx.Conn
}

// NewPGConn wraps conn; the caller keeps ownership and closes it.
func NewPGConn(conn *pgx.Conn) *PGConn { return &PGConn{conn: conn} }

// ConnectPG opens a connection to uri for use as a Conn. Close it with Close.
func ConnectPG(ctx context.Context, uri string) (*PGConn, error) {
	cfg, err := pgx.ParseConfig(uri)
	if err != nil {
		return nil, fmt.Errorf("slt: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("slt: %w", err)
	}
	return &PGConn{conn: conn}, nil
}

// Close closes the underlying connection.
func (c *PGConn) Close(ctx context.Context) error { return c.conn.Close(ctx) }

// Query implements Conn. Errors are pgx's, so *pgconn.PgError carries the
// server's SQLSTATE. The text goes to the server as it is: pgx's own
// simple-protocol mode would read $1 in PREPARE's query as an argument
// of its own.
func (c *PGConn) Query(ctx context.Context, sql string) (*Rows, error) {
	mrr := c.conn.PgConn().Exec(ctx, sql)
	defer mrr.Close()
	out := &Rows{}
	for mrr.NextResult() {
		// The last statement's result is the one returned.
		out = &Rows{}
		rr := mrr.ResultReader()
		for rr.NextRow() {
			raw := rr.Values() // reused by the next call to NextRow: copy
			row := make([]*string, len(raw))
			for i, v := range raw {
				if v != nil {
					s := string(v)
					row[i] = &s
				}
			}
			out.Values = append(out.Values, row)
		}
		for _, fd := range rr.FieldDescriptions() {
			out.Columns = append(out.Columns, fd.Name)
		}
		if _, err := rr.Close(); err != nil {
			return nil, err
		}
	}
	if err := mrr.Close(); err != nil {
		return nil, err
	}
	return out, nil
}
