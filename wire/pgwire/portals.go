package pgwire

import (
	"context"

	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/pkg/buffer"
)

// portalCache is psql-wire's DefaultPortalCache plus the two facts psql-wire
// does not hand to a statement's function, which the extended path needs to
// write DataRow frames itself (rows.go): the result format codes of each
// portal (from Bind) and the row limit of the Execute being served.
//
// psql-wire suspends a portal after the handler has yielded `limit` rows
// through DataWriter.Row. The handler writes all but the last row of an
// Execute as raw frames and hands only that last row to DataWriter.Row, so
// the cache asks psql-wire for a limit of 1: psql-wire then suspends the
// portal (PortalSuspended) exactly after the client's limit. An unlimited
// Execute (limit 0) is passed on unchanged: every row is raw and psql-wire
// only sees the CommandComplete.
//
// A portalCache belongs to one connection and is used by its goroutine (and
// the portal coroutines psql-wire runs from it) only.
type portalCache struct {
	wire.DefaultPortalCache
	formats map[string][]wire.FormatCode
}

func newPortalCache() wire.PortalCache {
	return &portalCache{formats: map[string][]wire.FormatCode{}}
}

// execRequest is what the Execute message being served asked for.
type execRequest struct {
	limit   wire.Limit // rows to send before suspending; 0: all
	formats []wire.FormatCode
}

func (c *portalCache) Bind(ctx context.Context, name string, stmt *wire.Statement, params []wire.Parameter, formats []wire.FormatCode) error {
	if err := c.DefaultPortalCache.Bind(ctx, name, stmt, params, formats); err != nil {
		return err
	}
	c.formats[name] = formats
	return nil
}

func (c *portalCache) Execute(ctx context.Context, name string, limit wire.Limit, r *buffer.Reader, w *buffer.Writer) error {
	if st := stateFrom(ctx); st != nil {
		st.exec = execRequest{limit: limit, formats: c.formats[name]}
	}
	return c.DefaultPortalCache.Execute(ctx, name, min(limit, 1), r, w)
}

func (c *portalCache) Delete(ctx context.Context, name string) error {
	delete(c.formats, name)
	return c.DefaultPortalCache.Delete(ctx, name)
}

func (c *portalCache) DeleteByStatement(ctx context.Context, stmt *wire.Statement) error {
	err := c.DefaultPortalCache.DeleteByStatement(ctx, stmt)
	for name := range c.formats {
		if p, _ := c.DefaultPortalCache.Get(ctx, name); p == nil {
			delete(c.formats, name)
		}
	}
	return err
}

func (c *portalCache) Close() {
	clear(c.formats)
	c.DefaultPortalCache.Close()
}

// binaryColumns expands Bind's result format codes (none: all text; one:
// for every column; else one per column) into a per-column flag; nil means
// all text.
func binaryColumns(formats []wire.FormatCode, ncol int) []bool {
	var out []bool
	for i := range ncol {
		f := wire.TextFormat
		switch {
		case len(formats) == 1:
			f = formats[0]
		case i < len(formats):
			f = formats[i]
		}
		if f == wire.BinaryFormat {
			if out == nil {
				out = make([]bool, ncol)
			}
			out[i] = true
		}
	}
	return out
}
