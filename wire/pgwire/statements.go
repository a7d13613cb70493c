package pgwire

import (
	"context"
	"strings"

	wire "github.com/jeroenrinzema/psql-wire"
)

// stmtCache is psql-wire's DefaultStatementCache kept in step with the
// session's namespace of prepared statements (PreparedNames): PostgreSQL
// has one for the protocol's Parse and SQL's PREPARE, so a Parse keeps its
// named statement in the session (42P05 when PREPARE took the name, and
// PREPARE then cannot take it), DEALLOCATE drops it (a later Bind is
// 26000), and a Bind or Describe reaches a statement PREPARE made.
//
// It also remembers which Statement each psql-wire statement runs
// (connState.stmtOf), which psql-wire does not hand to the portal cache.
//
// A stmtCache belongs to one connection and is used by its goroutine only.
type stmtCache struct {
	wire.DefaultStatementCache
	// kept is the session statement each named psql-wire statement was
	// built for: a name the session now keeps another statement under
	// (DEALLOCATE, then PREPARE) is built anew.
	kept map[string]Statement
}

func newStmtCache() wire.StatementCache { return &stmtCache{kept: map[string]Statement{}} }

// Set keeps the statement parse just made for a Parse message.
func (c *stmtCache) Set(ctx context.Context, name string, ps *wire.PreparedStatement) error {
	st := stateFrom(ctx)
	var stmt Statement
	if st != nil && st.parsed.ps == ps {
		stmt = st.parsed.stmt
		st.parsed = parsedStmt{}
	}
	if names, ok := c.names(st); ok && name != "" && stmt != nil {
		if err := names.KeepPrepared(name, stmt); err != nil {
			return st.wireErr(err)
		}
	}
	return c.set(ctx, st, name, ps, stmt)
}

func (c *stmtCache) set(ctx context.Context, st *connState, name string, ps *wire.PreparedStatement, stmt Statement) error {
	c.forget(ctx, st, name)
	if err := c.DefaultStatementCache.Set(ctx, name, ps); err != nil {
		return err
	}
	if stmt == nil || st == nil {
		return nil
	}
	c.kept[name] = stmt
	if ws, _ := c.DefaultStatementCache.Get(ctx, name); ws != nil {
		if st.stmtOf == nil {
			st.stmtOf = map[*wire.Statement]Statement{}
		}
		st.stmtOf[ws] = stmt
	}
	return nil
}

// Get returns the statement the session keeps under name now: none after
// DEALLOCATE, one built for the wire when PREPARE made it.
func (c *stmtCache) Get(ctx context.Context, name string) (*wire.Statement, error) {
	ws, err := c.DefaultStatementCache.Get(ctx, name)
	st := stateFrom(ctx)
	names, ok := c.names(st)
	if err != nil || !ok || name == "" {
		return ws, err
	}
	cur, ok := names.PreparedStatement(name)
	switch {
	case !ok:
		c.forget(ctx, st, name)
		return nil, nil
	case ws != nil && c.kept[name] == cur:
		return ws, nil
	}
	if err := c.set(ctx, st, name, st.wireStatement(cur, nil, noScope{}), cur); err != nil {
		return nil, err
	}
	return c.DefaultStatementCache.Get(ctx, name)
}

// Delete is the protocol's Close of a statement: the session forgets it
// too, as PostgreSQL's one namespace does.
func (c *stmtCache) Delete(ctx context.Context, name string) error {
	st := stateFrom(ctx)
	if names, ok := c.names(st); ok && name != "" {
		names.DropPrepared(name)
	}
	c.forget(ctx, st, name)
	return nil
}

// forget drops name from the psql-wire cache only.
func (c *stmtCache) forget(ctx context.Context, st *connState, name string) {
	if ws, _ := c.DefaultStatementCache.Get(ctx, name); ws != nil && st != nil {
		delete(st.stmtOf, ws)
	}
	delete(c.kept, name)
	_ = c.DefaultStatementCache.Delete(ctx, name)
}

func (c *stmtCache) Close() {
	clear(c.kept)
	c.DefaultStatementCache.Close()
}

func (c *stmtCache) names(st *connState) (PreparedNames, bool) {
	if st == nil {
		return nil, false
	}
	n, ok := st.session.(PreparedNames)
	return n, ok
}

// describeCheck is psql-wire's DescribeCheck hook: in a failed transaction
// block PostgreSQL refuses to describe a statement, or a portal, that
// returns rows (25P02); one that does not (ROLLBACK) is described.
func (s *Server) describeCheck(ctx context.Context, ws *wire.Statement) error {
	st := stateFrom(ctx)
	if st == nil {
		return nil
	}
	stmt := st.stmtOf[ws]
	if stmt != nil && len(stmt.Columns()) == 0 {
		return nil
	}
	return st.abortedErr(stmt)
}

// describeColumns is psql-wire's DescribeColumnsCheck hook: a column name
// the client's encoding cannot hold fails the Describe with 22P05, as in
// PostgreSQL (after a statement's ParameterDescription), rather than
// reaching the client with '?' in its place.
func (s *Server) describeColumns(ctx context.Context, cols wire.Columns) error {
	st := stateFrom(ctx)
	if st == nil {
		return nil
	}
	st.syncCharset()
	if st.cs == nil {
		return nil
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i], _, _ = strings.Cut(c.Name, typmodMarker)
	}
	if err := st.cs.checkNames(names); err != nil {
		return st.wireErr(err)
	}
	return nil
}
