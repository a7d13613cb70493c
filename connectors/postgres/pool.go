package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool defaults, used when neither the mesh.yaml connection nor the
// source sets max_conns or max_conn_idle_time.
const (
	defaultMaxConns    = 16
	defaultMaxIdleTime = 5 * time.Minute
)

// connPool is a pgxpool.Pool to one server and database plus what the
// connector needs to know about it. It is safe for concurrent use.
//
// A connection comes back to the pool only when pgxpool finds it idle and
// outside a transaction; a query canceled by its context has by then been
// stopped on the server (a cancel request, see Connector.pool) and its
// error read, so the connection is reused, not discarded.
type connPool struct {
	*pgxpool.Pool
	// id names the database the pool reaches (its URL and password),
	// shared by pools that differ only in their settings: tables with
	// the same id may be joined in one remote query. It holds no secret.
	id string
}

// query runs sql on a pooled connection; done returns the connection
// after the caller has closed rows.
func (p *connPool) query(ctx context.Context, sql string, args ...any) (rows pgx.Rows, done func(), err error) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	rows, err = c.Query(ctx, sql, args...)
	if err != nil {
		c.Release()
		return nil, nil, err
	}
	return rows, c.Release, nil
}

// queryRow scans the single row of sql into dest.
func (p *connPool) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	return p.QueryRow(ctx, sql, args...).Scan(dest...)
}
