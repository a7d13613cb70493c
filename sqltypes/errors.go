package sqltypes

import (
	"context"
	"errors"
	"fmt"
)

// SQLSTATE codes used across meshql. The full list is PostgreSQL's
// (Appendix A of its manual); only the ones meshql raises are named here.
const (
	CodeSuccessfulCompletion        = "00000"
	CodeWarning                     = "01000"
	CodeConnectionFailure           = "08006"
	CodeFeatureNotSupported         = "0A000"
	CodeCardinalityViolation        = "21000"
	CodeDataException               = "22000"
	CodeStringTruncation            = "22001"
	CodeNumericOutOfRange           = "22003"
	CodeInvalidDatetimeFormat       = "22007"
	CodeDatetimeFieldOverflow       = "22008"
	CodeInvalidTimeZoneDisplacement = "22009"
	CodeIntervalFieldOverflow       = "22015"
	CodeDivisionByZero              = "22012"
	CodeInvalidParameterValue       = "22023"
	CodeInvalidTextRepr             = "22P02"
	CodeInvalidBinaryRepr           = "22P03"
	CodeArraySubscriptError         = "2202E"
	CodeNullValueNotAllowed         = "22004"
	CodeInvalidEscapeSequence       = "22025"
	CodeCharacterNotInRepertoire    = "22021"
	CodeUntranslatableCharacter     = "22P05"
	CodeInvalidAuthorization        = "28000"
	CodeInvalidPassword             = "28P01"
	CodeInvalidSQLStatement         = "26000"
	CodeInFailedTransaction         = "25P02"
	CodeNoActiveTransaction         = "25P01"
	CodeInvalidSavepoint            = "3B001"
	CodeNameTooLong                 = "42622"
	CodeDuplicateCursor             = "42P03"
	CodeSyntaxError                 = "42601"
	CodeInsufficientPrivilege       = "42501"
	CodeUndefinedColumn             = "42703"
	CodeUndefinedFunction           = "42883"
	CodeUndefinedTable              = "42P01"
	CodeUndefinedObject             = "42704"
	CodeUndefinedParameter          = "42P02"
	CodeAmbiguousColumn             = "42702"
	CodeAmbiguousFunction           = "42725"
	CodeAmbiguousParameter          = "42P08"
	CodeDuplicateAlias              = "42712"
	CodeDuplicateColumn             = "42701"
	CodeGroupingError               = "42803"
	CodeWindowingError              = "42P20"
	CodeDatatypeMismatch            = "42804"
	CodeWrongObjectType             = "42809"
	CodeInvalidColumnReference      = "42P10"
	CodeInvalidRecursion            = "42P19"
	CodeIndeterminateDatatype       = "42P18"
	CodeCannotCoerce                = "42846"
	CodeInvalidName                 = "42602"
	CodeInvalidSchemaName           = "3F000"
	CodeInvalidCatalogName          = "3D000"
	CodeTooManyConnections          = "53300"
	CodeOutOfMemory                 = "53200"
	CodeProgramLimitExceeded        = "54000"
	CodeStackDepthExceeded          = "54001"
	CodeObjectNotInState            = "55000"
	CodeSerializationFailure        = "40001"
	CodeQueryCanceled               = "57014"
	CodeAdminShutdown               = "57P01"
	CodeInternal                    = "XX000"
	CodeFDWError                    = "HV000"
	CodeFDWUnableToConnect          = "HV00N"
	CodeFDWTableNotFound            = "HV00R"
	CodeConfigFileError             = "F0000"
	CodeTooManyArguments            = "54023"
)

// Error is an error a SQL user can see: a SQLSTATE, a message in
// PostgreSQL's style (lower case, no trailing period), and optional detail,
// hint and 1-based cursor position into the query text.
type Error struct {
	Code     string
	Severity string // "ERROR" when empty
	Msg      string
	Detail   string
	Hint     string
	Position int
	// Stack is where an internal error (a recovered panic) happened: the
	// server logs it for the bug report; clients never see it.
	Stack string
	cause error
}

// New returns an *Error with the given SQLSTATE and formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error that keeps err as its cause for errors.Is/As.
func Wrap(err error, code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), cause: err}
}

func (e *Error) Error() string { return e.Msg }

// AdminShutdown is PostgreSQL's FATAL 57P01 "terminating connection due to
// administrator command": the error of the statement of a session that
// pg_terminate_backend or a fast shutdown of the server ends. Its FATAL
// severity tells a front to close the connection once it has sent it.
// Each call returns a new error, so a front may set its position.
func AdminShutdown() *Error {
	e := New(CodeAdminShutdown, "terminating connection due to administrator command")
	e.Severity = "FATAL"
	return e
}

// Unwrap returns the cause given to Wrap, if any.
func (e *Error) Unwrap() error { return e.cause }

// WithHint returns a copy of e with the hint set.
func (e *Error) WithHint(format string, args ...any) *Error {
	c := *e
	c.Hint = fmt.Sprintf(format, args...)
	return &c
}

// WithDetail returns a copy of e with the detail set.
func (e *Error) WithDetail(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// WithPosition returns a copy of e with the 1-based cursor position set.
func (e *Error) WithPosition(pos int) *Error {
	c := *e
	c.Position = pos
	return &c
}

// Code returns the SQLSTATE of the first *Error in err's chain. Context
// cancellation maps to 57014 (query_canceled); anything else is XX000.
func Code(err error) string {
	if err == nil {
		return CodeSuccessfulCompletion
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return CodeQueryCanceled
	}
	return CodeInternal
}

// AsError converts any error into an *Error so that a front can report it.
// Errors without a SQLSTATE become XX000 with a request to report the bug;
// context cancellation becomes 57014.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Wrap(err, CodeQueryCanceled, "canceling statement due to statement timeout")
	}
	if errors.Is(err, context.Canceled) {
		return Wrap(err, CodeQueryCanceled, "canceling statement due to user request")
	}
	return &Error{Code: CodeInternal, Msg: "internal error: " + err.Error(), Hint: "This is a bug in meshql; please report it with the query.", cause: err}
}

// Errorf is shorthand for New; it reads well at call sites that build a
// message: sqltypes.Errorf(sqltypes.CodeUndefinedColumn, "column %q does not exist", name).
func Errorf(code, format string, args ...any) *Error { return New(code, format, args...) }

// SQLState returns the SQLSTATE; it lets clients of the pgconn.PgError
// convention (interface{ SQLState() string }) read it.
func (e *Error) SQLState() string { return e.Code }
