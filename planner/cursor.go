package planner

import (
	"context"
	"math"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/sqltypes"
)

// Cursors (DECLARE / FETCH / CLOSE) are how psycopg2's named cursors and
// other clients stream a large result a few rows at a time over the simple
// query protocol. Only forward fetching is supported: meshql streams
// results and keeps no rows behind the cursor, like a NO SCROLL cursor.

// FetchAll is Statement.Count for FETCH ALL.
const FetchAll = math.MaxInt64

// cursorOptHold is CURSOR_OPT_HOLD of PostgreSQL's parsenodes.h.
const cursorOptHold = 0x0020

// analyzeDeclare binds DECLARE name CURSOR FOR query.
func analyzeDeclare(ctx context.Context, cat bind.Catalog, dc *pg_query.DeclareCursorStmt, opts bind.Options, out *Statement) (*Statement, error) {
	if dc.Query.GetSelectStmt() == nil {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "DECLARE CURSOR is supported for queries only")
	}
	q, err := bind.BindSelect(ctx, cat, dc.Query, opts)
	if err != nil {
		return nil, err
	}
	out.Kind, out.Query, out.Name, out.Tag = KindDeclare, q, dc.Portalname, "DECLARE CURSOR"
	out.Hold = dc.Options&cursorOptHold != 0
	return out, nil
}

// analyzeFetch classifies FETCH/MOVE [FORWARD] [n | ALL] FROM name. Count is
// the number of rows to fetch; FetchAll means all.
func analyzeFetch(fs *pg_query.FetchStmt, out *Statement) (*Statement, error) {
	if fs.Direction != pg_query.FetchDirection_FETCH_FORWARD || fs.HowMany < 0 {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "cursor can only scan forward").
			WithHint("Declare it with SCROLL option to enable backward scan.")
	}
	// PostgreSQL's grammar gives FETCH ALL as LONG_MAX. FETCH 0 would
	// re-read the current row, which a streaming cursor does not keep: it
	// returns no rows here.
	out.Kind, out.Name, out.Count, out.Tag = KindFetch, fs.Portalname, fs.HowMany, "FETCH"
	if fs.Ismove {
		out.Tag = "MOVE"
	}
	return out, nil
}
