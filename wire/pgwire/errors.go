package pgwire

import (
	"errors"
	"fmt"
	"net"

	"github.com/jeroenrinzema/psql-wire/codes"
	psqlerr "github.com/jeroenrinzema/psql-wire/errors"

	"github.com/meshql/meshql/sqltypes"
)

// This file is the one place where meshql errors become psql-wire errors.

// CodeProtocolViolation is SQLSTATE 08P01.
const CodeProtocolViolation = "08P01"

// errConnEnded is returned to psql-wire after a FATAL error has been written
// to the client. It wraps net.ErrClosed so that psql-wire logs the end of the
// connection at debug level instead of as an unexpected error; this package
// logs the reason itself.
var errConnEnded = fmt.Errorf("pgwire: connection ended after a FATAL error: %w", net.ErrClosed)

// toWire converts any error into the error psql-wire writes as an
// ErrorResponse: the SQLSTATE, message, detail, hint and severity of the
// first *sqltypes.Error in the chain (XX000 or 57014 for errors without one,
// see sqltypes.AsError). Errors that psql-wire itself created pass through.
//
// psql-wire's writer has no Position field; the position is returned so
// that the caller can hand it to the frame rewriter (rewrite.go), which adds
// the 'P' field to the matching ErrorResponse.
func toWire(err error) (out error, pos int) {
	if err == nil {
		return nil, 0
	}
	var se *sqltypes.Error
	if !errors.As(err, &se) && hasWireCode(err) {
		return err, 0
	}
	e := sqltypes.AsError(err)
	out = errors.New(e.Msg)
	out = psqlerr.WithCode(out, codes.Code(e.Code))
	if e.Detail != "" {
		out = psqlerr.WithDetail(out, e.Detail)
	}
	if e.Hint != "" {
		out = psqlerr.WithHint(out, e.Hint)
	}
	sev := psqlerr.LevelError
	if e.Severity != "" {
		sev = psqlerr.Severity(e.Severity)
	}
	return psqlerr.WithSeverity(out, sev), e.Position
}

// hasWireCode reports whether err already carries a psql-wire SQLSTATE.
func hasWireCode(err error) bool {
	return psqlerr.GetCode(err) != codes.Uncategorized
}

// fatal builds a FATAL error with a SQLSTATE, for startup and authentication.
func fatal(code, format string, args ...any) error {
	return psqlerr.WithSeverity(psqlerr.WithCode(fmt.Errorf(format, args...), codes.Code(code)), psqlerr.LevelFatal)
}
