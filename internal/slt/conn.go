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

// A SessionConn is a Conn whose session can start over. The corpus runners
// call ResetSession before every file, so that nothing a file leaves behind
// (a SET of DateStyle, TimeZone or search_path, a prepared statement, a
// cursor, an open transaction) reaches the next file, even when the file
// stopped early at an unexpected error.
type SessionConn interface {
	Conn
	// ResetSession replaces the session by a fresh one with the engine's
	// defaults for this corpus (the settings the conn was opened with).
	ResetSession(ctx context.Context) error
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
	cfg  *pgx.ConnConfig // to reconnect; nil for NewPGConn's
}

// NewPGConn wraps conn; the caller keeps ownership and closes it. Its
// ResetSession fails: it cannot reconnect.
func NewPGConn(conn *pgx.Conn) *PGConn { return &PGConn{conn: conn} }

// ConnectPG opens a connection to uri for use as a Conn. Close it with
// Close. settings (name → value, e.g. "TimeZone" → "UTC") go in the
// startup packet, so they are the session's defaults: what RESET and
// ResetSession return to.
func ConnectPG(ctx context.Context, uri string, settings map[string]string) (*PGConn, error) {
	cfg, err := pgx.ParseConfig(uri)
	if err != nil {
		return nil, fmt.Errorf("slt: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	for k, v := range settings {
		cfg.RuntimeParams[k] = v
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("slt: %w", err)
	}
	return &PGConn{conn: conn, cfg: cfg}, nil
}

// Close closes the underlying connection.
func (c *PGConn) Close(ctx context.Context) error { return c.conn.Close(ctx) }

// ResetSession implements SessionConn with a new connection (a few
// milliseconds on a local server): a new backend forgets everything,
// temporary objects included, with no list of what to reset to keep up
// to date.
func (c *PGConn) ResetSession(ctx context.Context) error {
	if c.cfg == nil {
		return errors.New("slt: a PGConn from NewPGConn cannot reconnect")
	}
	conn, err := pgx.ConnectConfig(ctx, c.cfg)
	if err != nil {
		return fmt.Errorf("slt: %w", err)
	}
	old := c.conn
	c.conn = conn
	return old.Close(ctx)
}

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
