package engine

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/planner"
	"github.com/meshql/meshql/sqltypes"
)

// Column describes one result column.
type Column struct {
	Name string
	Type sqltypes.Type
	// TableOID and ColumnNumber identify the source column when the result
	// column is a plain column of a product (RowDescription fields); 0 otherwise.
	TableOID     uint32
	ColumnNumber int16
	// RegOut is set for a column of a reg* type (regclass, regtype, …),
	// whose values are uint32 ids: it returns the type's output function
	// over what the session sees when it is called (regclassout: a
	// relation's name, unqualified where the search path finds it;
	// regtypeout: "integer"; the number for an id of none; "-" for 0),
	// which a front calls once per batch to print the column as text.
	// Binary output is the id, as PostgreSQL's regclasssend.
	RegOut func() func(oid uint32) string
}

// Texts returns the text output of the column's values in arr (one
// batch), as psql would show them: value r, or nil for NULL; timestamptz
// values in loc, dates and intervals in style, regclass ids as names.
func (c Column) Texts(arr arrow.Array, loc *time.Location, style sqltypes.DateStyle) func(r int) *string {
	var names func(uint32) string
	if c.RegOut != nil {
		names = c.RegOut()
	}
	return func(r int) *string {
		v := expr.DatumAt(arr, c.Type, r)
		if v == nil {
			return nil
		}
		s := sqltypes.FormatValueStyle(c.Type, v, loc, style)
		if id, ok := v.(uint32); ok && names != nil {
			s = names(id)
		}
		return &s
	}
}

// OID is the column's PostgreSQL type id.
func (c Column) OID() uint32 { return c.Type.OID() }

// Notice is a NOTICE or WARNING sent to the client before the result.
type Notice = sqltypes.Error

// Result is the outcome of executing one statement. For statements that
// return rows, Next streams Arrow batches whose columns match Columns; for
// other statements Columns is nil and Next returns io.EOF at once.
//
// A Result is used by one goroutine at a time. The caller must Close it,
// even after an error; Close stops the query's background work.
type Result struct {
	Columns []Column
	// Tag is the command tag's verb ("SELECT", "SET", "SHOW", "BEGIN"…);
	// CommandTag adds the row count where PostgreSQL reports one.
	Tag     string
	Notices []*Notice

	// Copy is set for COPY ... TO STDOUT: the rows of Next are sent as
	// COPY data in this format instead of as a result set (Columns is nil).
	Copy *CopyOut

	op     executor.Operator
	budget *membudget.Budget // the query's memory budget (nil: none)
	rows   int64
	err    error // the first error Next returned, reported when the query ends
	closed bool
	onDone func(rows int64, err error)
	// log, user and sql describe the query for the log line of a panic.
	log       *slog.Logger
	user, sql string
}

// CopyOut describes the data of COPY ... TO STDOUT: its columns and format.
type CopyOut struct {
	Columns []Column
	planner.CopyOptions
}

// CopyTo returns the COPY format of the result, or nil for a result set.
func (r *Result) CopyTo() *CopyOut { return r.Copy }

// Next returns the next batch of rows, or io.EOF after the last. The caller
// releases each batch. Errors are *sqltypes.Error values.
func (r *Result) Next(ctx context.Context) (_ arrow.RecordBatch, err error) {
	if r.op == nil || r.closed {
		return nil, io.EOF
	}
	defer func() {
		// recover is called here, directly in the deferred function:
		// one call further down it would return nil.
		if p := recover(); p != nil {
			err = panicError(r.log, r.user, r.sql, p)
		}
		if err != nil && err != io.EOF && r.err == nil {
			r.err = err
		}
	}()
	for {
		b, err := r.op.Next(ctx)
		if err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			if r.err == nil {
				r.err = sqltypes.AsError(err)
			}
			return nil, sqltypes.AsError(err)
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		r.rows += b.NumRows()
		return b, nil
	}
}

// RowsReturned is the number of rows Next has returned so far.
func (r *Result) RowsReturned() int64 { return r.rows }

// CommandTag returns the complete command tag, e.g. "SELECT 50".
func (r *Result) CommandTag() string {
	switch {
	case r.Columns != nil && r.Tag == "SELECT", r.Tag == "FETCH", r.Tag == "MOVE", r.Tag == "COPY":
		return r.Tag + " " + strconv.FormatInt(r.rows, 10)
	}
	return r.Tag
}

// Close releases the query's resources; it is idempotent.
func (r *Result) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.op != nil {
		err = r.closeOp()
	}
	if r.onDone != nil {
		if r.err != nil {
			r.onDone(r.rows, r.err)
		} else {
			r.onDone(r.rows, err)
		}
	}
	return err
}

// closeOp closes the operator tree; a panic becomes the query's error.
func (r *Result) closeOp() (err error) {
	defer recoverQuery(r.log, r.user, r.sql, &err)
	return r.op.Close()
}
