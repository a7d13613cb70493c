package engine

import "time"

// Clock is what a statement's date/time functions read, as in
// PostgreSQL: now(), current_timestamp, current_date, localtime(stamp),
// age(x) and the input 'now', 'today', 'tomorrow', 'yesterday' read the
// Transaction's start; statement_timestamp() the Statement's.
// clock_timestamp() and timeofday() read the engine's clock at each row.
type Clock struct {
	Statement, Transaction time.Time
}

// txClock is the session's transaction state for Clock.
type txClock struct {
	// start is the open transaction's start: set by BEGIN, or by the
	// first statement of an implicit transaction a front holds open;
	// zero when no transaction is open.
	start time.Time
	// holdImplicit: see Session.HoldImplicitTransactions.
	holdImplicit bool
	// implicitFailed: a statement of the open implicit transaction
	// failed, so its end undoes the settings it changed.
	implicitFailed bool
	// implicitBlock: the open implicit transaction holds several
	// statements of one Query message (BeginImplicitBlock).
	implicitBlock bool
}

// inImplicit reports whether an implicit transaction a front holds open
// (several statements of one Query message, or up to a Sync) is under
// way outside a block.
func (s *Session) inImplicit() bool {
	return !s.inTx && s.tx.holdImplicit && !s.tx.start.IsZero()
}

// Clock reads the engine's clock as the start of a statement that begins
// now, in the session's transaction: inside a block (BEGIN) its
// Transaction is the block's start, else the statement's own start (which
// opens the implicit transaction when the session holds one).
func (s *Session) Clock() Clock { return s.clockAt(s.engine.clock()) }

func (s *Session) clockAt(start time.Time) Clock {
	if s.tx.start.IsZero() {
		if !s.inTx && !s.tx.holdImplicit {
			return Clock{Statement: start, Transaction: start}
		}
		s.tx.start = start
	}
	return Clock{Statement: start, Transaction: s.tx.start}
}

// HoldImplicitTransactions makes the statements outside a transaction
// block share one transaction until EndImplicitTransaction, as
// PostgreSQL's implicit transaction spans the statements of one simple
// Query message, or the extended-protocol messages up to a Sync: they then
// read the same now(). Without it (meshql query, Flight SQL), each
// statement outside a block is a transaction of its own.
func (s *Session) HoldImplicitTransactions() { s.tx.holdImplicit = true }

// EndImplicitTransaction ends the implicit transaction a front holds
// open (HoldImplicitTransactions); a transaction block goes on.
//
// As in PostgreSQL, the settings its statements changed are kept, or
// undone when one of its statements failed ("SET …; SELECT 1/0" leaves
// the setting as it was).
//
// Its end closes the cursors without HOLD declared in it (an implicit
// block's).
func (s *Session) EndImplicitTransaction() {
	s.tx.implicitBlock = false
	if !s.inTx {
		s.closeCursors(false /* all */)
		s.endTransaction(!s.tx.implicitFailed)
		s.tx.implicitFailed = false
		s.tx.start = time.Time{}
	}
}

// BeginImplicitBlock marks the implicit transaction as PostgreSQL's
// implicit transaction block: a simple Query message of several
// statements, which may DECLARE a cursor without HOLD outside BEGIN (one
// statement alone is 25P01), closed at the message's end.
func (s *Session) BeginImplicitBlock() {
	if !s.inTx {
		s.tx.implicitBlock = true
	}
}

// beginBlock and endBlock track BEGIN and COMMIT/ROLLBACK: the block's
// transaction starts with the BEGIN's (PostgreSQL's
// transaction_timestamp() inside a block is the BEGIN's start).
func (s *Session) beginBlock(c Clock) {
	if s.tx.start.IsZero() {
		s.tx.start = c.Transaction
	}
	s.inTx = true
	s.showTx()
}

func (s *Session) endBlock() {
	s.inTx = false
	s.savepoints = nil
	s.tx.start = time.Time{}
	s.showTx()
}
