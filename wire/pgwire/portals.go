package pgwire

import (
	"context"

	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/pkg/buffer"
	"github.com/jeroenrinzema/psql-wire/pkg/types"

	"github.com/meshql/meshql/sqltypes"
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
// It also knows each portal's Statement (from the statement cache), for
// PostgreSQL's checks that psql-wire lacks: 25P02 in a failed transaction
// block, UTF-8 text parameters at Bind, and the answer to an Execute of a
// portal that completed.
//
// A portalCache belongs to one connection and is used by its goroutine (and
// the portal coroutines psql-wire runs from it) only.
type portalCache struct {
	wire.DefaultPortalCache
	portals map[string]*portalInfo
}

// portalInfo is what the cache knows of a bound portal beyond psql-wire.
type portalInfo struct {
	formats []wire.FormatCode
	stmt    Statement // nil when the statement is not known (never bound by Parse)
	// done is set once the portal's statement completed, with the
	// CommandComplete tag it sent; psql-wire would send the tag again at a
	// later Execute (see reexecute).
	done bool
	tag  string
}

func newPortalCache() wire.PortalCache {
	return &portalCache{portals: map[string]*portalInfo{}}
}

// execRequest is what the Execute message being served asked for, and
// whether the statement completed in it (with that tag).
type execRequest struct {
	limit   wire.Limit // rows to send before suspending; 0: all
	formats []wire.FormatCode
	done    bool
	tag     string
}

// Bind binds a portal; in a failed transaction block only a statement
// that ends it may be bound, as in PostgreSQL (25P02, and no BindComplete),
// a text parameter must be UTF-8 (22021) and every value must read as its
// parameter's type.
func (c *portalCache) Bind(ctx context.Context, name string, stmt *wire.Statement, params []wire.Parameter, formats []wire.FormatCode) error {
	info := &portalInfo{formats: formats}
	if st := stateFrom(ctx); st != nil {
		info.stmt = st.stmtOf[stmt]
		if err := st.abortedErr(info.stmt); err != nil {
			return err
		}
		// A named portal lives until its transaction ends or a Close;
		// binding the name again is PostgreSQL's 42P03 (the unnamed
		// portal is replaced).
		if p, _ := c.DefaultPortalCache.Get(ctx, name); name != "" && p != nil {
			return st.wireErr(sqltypes.New(sqltypes.CodeDuplicateCursor, "cursor \"%s\" already exists", name))
		}
		st.syncCharset()
		params, err := st.cs.recodeParams(wire.TypeMap(ctx), params, stmt.Parameters())
		if err != nil {
			return st.wireErr(err)
		}
		for _, p := range params {
			if p.Format() == wire.TextFormat {
				if err := checkUTF8(p.Value()); err != nil {
					return st.wireErr(err)
				}
			}
		}
		// PostgreSQL reads the values at Bind: a value its type does not
		// accept is the Bind's error (no BindComplete). They are read again
		// at Execute, at the statement's start ('now').
		if info.stmt != nil {
			datums, err := decodeParams(params, stmt.Parameters(), info.stmt.ParamTypes(), st.env.input())
			if err != nil {
				return st.wireErr(err)
			}
			// PostgreSQL plans the portal here: an error its constants
			// raise (1/0, 1/$1 bound to 0) is the Bind's.
			if c, ok := info.stmt.(BindChecker); ok {
				if err := c.CheckBind(ctx, datums); err != nil {
					return st.wireErr(err)
				}
			}
		}
	}
	if err := c.DefaultPortalCache.Bind(ctx, name, stmt, params, formats); err != nil {
		return err
	}
	c.portals[name] = info
	return nil
}

// Execute runs (or resumes) a portal. In a failed transaction block it is
// 25P02 unless its statement ends the block, also for a portal suspended
// before the block failed; a portal that completed answers as
// PostgreSQL's (reexecute).
func (c *portalCache) Execute(ctx context.Context, name string, limit wire.Limit, r *buffer.Reader, w *buffer.Writer) error {
	st, info := stateFrom(ctx), c.portals[name]
	if st == nil || info == nil {
		return c.DefaultPortalCache.Execute(ctx, name, min(limit, 1), r, w)
	}
	if err := st.abortedErr(info.stmt); err != nil {
		return err
	}
	if info.done {
		return st.reexecute(name, info, w)
	}
	st.exec = execRequest{limit: limit, formats: info.formats}
	err := c.DefaultPortalCache.Execute(ctx, name, min(limit, 1), r, w)
	info.done, info.tag = st.exec.done, st.exec.tag
	return err
}

// reexecute answers an Execute of a portal whose statement completed, as
// PostgreSQL does: a query's portal is at its end and returns no more
// rows (its tag counts 0: "SELECT 0", "FETCH 0"; "SHOW" stays), any other
// statement's cannot run again (55000).
func (st *connState) reexecute(name string, info *portalInfo, w *buffer.Writer) error {
	if info.stmt == nil || len(info.stmt.Columns()) == 0 {
		return st.wireErr(sqltypes.New(sqltypes.CodeObjectNotInState, "portal \"%s\" cannot be run", name))
	}
	tag := withRowCount(info.tag, 0)
	w.Start(types.ServerCommandComplete)
	w.AddString(tag)
	w.AddNullTerminate()
	return w.End()
}

func (c *portalCache) Delete(ctx context.Context, name string) error {
	delete(c.portals, name)
	return c.DefaultPortalCache.Delete(ctx, name)
}

// DeleteByStatement keeps the portals: psql-wire drops a statement's
// portals when a Close or a Parse of the unnamed statement drops the
// statement, while PostgreSQL's portals outlive the statement they were
// bound from (a suspended portal reads on after its statement's Close).
func (c *portalCache) DeleteByStatement(context.Context, *wire.Statement) error {
	return nil
}

func (c *portalCache) Close() {
	clear(c.portals)
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
