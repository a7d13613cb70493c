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
// server's SQLSTATE.
func (c *PGConn) Query(ctx context.Context, sql string) (*Rows, error) {
	rows, err := c.conn.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &Rows{}
	for _, fd := range rows.FieldDescriptions() {
		out.Columns = append(out.Columns, fd.Name)
	}
	for rows.Next() {
		raw := rows.RawValues() // reused by the next call to Next: copy
		row := make([]*string, len(raw))
		for i, v := range raw {
			if v != nil {
				s := string(v)
				row[i] = &s
			}
		}
		out.Values = append(out.Values, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
