package flightsql

import (
	"errors"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshql/meshql/sqltypes"
)

// errorDomain is the ErrorInfo.Domain of meshql's status details.
const errorDomain = "meshql"

// toStatus converts any error into a gRPC status error. A *sqltypes.Error
// anywhere in err's chain (or a context error, see sqltypes.AsError) gives
// the code by grpcCode and the message "ERROR <SQLSTATE>: <message>",
// followed by "DETAIL: …" and "HINT: …" lines when set; an ErrorInfo detail
// carries the same fields (reason = SQLSTATE). gRPC status errors without
// a SQLSTATE pass through unchanged.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	var se *sqltypes.Error
	if !errors.As(err, &se) {
		if _, ok := status.FromError(err); ok {
			return err
		}
	}
	e := sqltypes.AsError(err)
	var msg strings.Builder
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	msg.WriteString(sev + " " + e.Code + ": " + e.Msg)
	meta := map[string]string{"sqlstate": e.Code, "message": e.Msg}
	if e.Detail != "" {
		msg.WriteString("\nDETAIL: " + e.Detail)
		meta["detail"] = e.Detail
	}
	if e.Hint != "" {
		msg.WriteString("\nHINT: " + e.Hint)
		meta["hint"] = e.Hint
	}
	if e.Position > 0 {
		meta["position"] = strconv.Itoa(e.Position)
	}
	st := status.New(grpcCode(e.Code), msg.String())
	if d, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: e.Code, Domain: errorDomain, Metadata: meta}); derr == nil {
		st = d
	}
	return st.Err()
}

// grpcCode maps a SQLSTATE to a gRPC code: 42501 PermissionDenied, other
// 42xxx (and 22xxx data exceptions, 21000 a subquery of many rows, 3D000
// and 3F000 unknown database and schema names, 08P01) InvalidArgument,
// other 08xxx (a source's connection failed) Unavailable, 57014
// Canceled, 57P0x (shutdown) Unavailable, 0A000 Unimplemented, 28xxx
// Unauthenticated, 53xxx and 54xxx (over a limit of meshql's)
// ResourceExhausted, 40xxx (a retryable conflict) Aborted, 26000 NotFound,
// 55xxx (object not in prerequisite state) and 25xxx (not in the
// transaction state the statement needs) FailedPrecondition, anything
// else Internal.
func grpcCode(sqlstate string) codes.Code {
	switch {
	case sqlstate == sqltypes.CodeInsufficientPrivilege:
		return codes.PermissionDenied
	case strings.HasPrefix(sqlstate, "42"), strings.HasPrefix(sqlstate, "22"), strings.HasPrefix(sqlstate, "21"),
		sqlstate == sqltypes.CodeInvalidCatalogName, sqlstate == sqltypes.CodeInvalidSchemaName, sqlstate == "08P01":
		return codes.InvalidArgument
	case strings.HasPrefix(sqlstate, "08"):
		return codes.Unavailable
	case sqlstate == sqltypes.CodeQueryCanceled:
		return codes.Canceled
	case strings.HasPrefix(sqlstate, "57P"): // the server is shutting down
		return codes.Unavailable
	case sqlstate == sqltypes.CodeFeatureNotSupported:
		return codes.Unimplemented
	case strings.HasPrefix(sqlstate, "28"):
		return codes.Unauthenticated
	case strings.HasPrefix(sqlstate, "40"):
		return codes.Aborted
	case strings.HasPrefix(sqlstate, "53"), strings.HasPrefix(sqlstate, "54"):
		return codes.ResourceExhausted
	case sqlstate == sqltypes.CodeInvalidSQLStatement:
		return codes.NotFound // no prepared statement of that handle
	case strings.HasPrefix(sqlstate, "55"), strings.HasPrefix(sqlstate, "25"):
		// An object not in the state the call needs (an expired ticket,
		// a data product older than mesh.max_staleness): retrying the
		// same call cannot succeed.
		return codes.FailedPrecondition
	}
	return codes.Internal
}
