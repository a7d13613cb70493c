package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxIdle bounds the idle connections a pool keeps per URL.
const maxIdle = 16

// connPool is a small pool of pgx connections to one server. (pgxpool
// needs github.com/jackc/puddle/v2, which go.mod does not list yet.) It
// is safe for concurrent use; connections are opened on demand and any
// number may be in use at once.
type connPool struct {
	cfg    *pgx.ConnConfig
	mu     sync.Mutex
	idle   []*pgx.Conn
	closed bool
}

// acquire returns an idle connection or opens a new one.
func (p *connPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	p.mu.Lock()
	for len(p.idle) > 0 {
		c := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if !c.IsClosed() {
			p.mu.Unlock()
			return c, nil
		}
	}
	p.mu.Unlock()
	return pgx.ConnectConfig(ctx, p.cfg.Copy())
}

// release returns c to the pool if it is healthy and idle, else closes it.
func (p *connPool) release(c *pgx.Conn) {
	if c.IsClosed() {
		return
	}
	p.mu.Lock()
	if !p.closed && !c.PgConn().IsBusy() && c.PgConn().TxStatus() == 'I' && len(p.idle) < maxIdle {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	closeConn(c)
}

// close closes the idle connections; connections in use close when
// released.
func (p *connPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		closeConn(c)
	}
}

func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Close(ctx)
}

// query runs sql on a pooled connection; done returns the connection
// after the caller has closed rows.
func (p *connPool) query(ctx context.Context, sql string, args ...any) (rows pgx.Rows, done func(), err error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	rows, err = c.Query(ctx, sql, args...)
	if err != nil {
		p.release(c)
		return nil, nil, err
	}
	return rows, func() { p.release(c) }, nil
}

// queryRow scans the single row of sql into dest.
func (p *connPool) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer p.release(c)
	return c.QueryRow(ctx, sql, args...).Scan(dest...)
}
