package pgwire

import (
	"context"
	"net"
	"runtime/debug"
	"strings"

	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/pkg/buffer"
	"github.com/jeroenrinzema/psql-wire/pkg/types"

	"github.com/meshql/meshql/sqltypes"
)

// Authentication request codes (AuthenticationXXX messages).
const (
	authOK                = 0
	authCleartextPassword = 3
	authSASL              = 10
	authSASLContinue      = 11
	authSASLFinal         = 12
)

// authenticate is psql-wire's authentication hook and this package's
// per-connection setup: it authenticates the user, opens the backend
// session, and installs the frame rewriter in the connection's writer (the
// only place psql-wire exposes it). On failure it writes a FATAL
// ErrorResponse and ends the connection.
func (s *Server) authenticate(ctx context.Context, w *buffer.Writer, r *buffer.Reader) (_ context.Context, err error) {
	st := stateFrom(ctx)
	defer func() {
		if rec := recover(); rec != nil {
			s.log.Error("pgwire: panic during authentication", "panic", rec, "stack", string(debug.Stack()))
			_ = wire.WriteUnterminatedError(w, fatal(sqltypes.CodeInternal, "internal error during authentication"))
			err = errConnEnded
		}
	}()
	if st == nil {
		return ctx, fatal(sqltypes.CodeInternal, "pgwire: connection state missing")
	}
	if err := s.refuse(st); err != nil {
		return ctx, s.reject(w, err)
	}
	params := wire.ClientParameters(ctx)
	user := params[wire.ParamUsername]
	if user == "" {
		return ctx, s.reject(w, fatal(sqltypes.CodeInvalidAuthorization, "no PostgreSQL user name specified in startup packet"))
	}
	ok, err := s.checkCredentials(ctx, w, r, user)
	if err != nil {
		return ctx, s.reject(w, err)
	}
	if !ok {
		s.log.Info("pgwire: authentication failed", "user", sanitizeUser(user), "remote", wire.RemoteAddress(ctx))
		return ctx, s.reject(w, fatal(sqltypes.CodeInvalidPassword, "password authentication failed for user \"%s\"", user))
	}
	if err := writeAuth(w, authOK, nil); err != nil {
		return ctx, err
	}
	startup := make(map[string]string, len(params))
	for k, v := range params {
		startup[string(k)] = v
	}
	sess, err := s.backend.NewSession(user, startup)
	if err != nil {
		// With the detail and hint (a refused DateStyle says what to
		// write instead), as PostgreSQL sends a bad startup setting's.
		e := *sqltypes.AsError(err)
		e.Severity = "FATAL"
		out, _ := toWire(&e)
		return ctx, s.reject(w, out)
	}
	if a, ok := sess.(interface{ SetConnAddrs(client, server net.Addr) }); ok {
		client := st.conn.RemoteAddr()
		if ca, ok := client.(connAddr); ok {
			client = ca.Addr
		}
		a.SetConnAddrs(client, st.conn.LocalAddr())
	}
	if t, ok := sess.(interface{ SetTerminate(func()) }); ok {
		// pg_terminate_backend from another session: the running
		// statement fails and the session ends, FATAL 57P01 either way.
		t.SetTerminate(func() { st.terminateWhenIdle(sqltypes.AdminShutdown()); st.cancelQuery(sqltypes.AdminShutdown()) })
	}
	if t, ok := sess.(ImplicitTransactions); ok {
		t.HoldImplicitTransactions()
	}
	st.mu.Lock()
	st.user, st.session = user, sess
	st.mu.Unlock()
	st.rw = &frameRewriter{dst: w.Writer, dropParamStatus: true, onReady: st.readyForQuery}
	w.Writer = st.rw
	return context.WithValue(ctx, connKey{}, st), nil
}

// reject writes a FATAL error and returns the error that ends the connection.
func (s *Server) reject(w *buffer.Writer, err error) error {
	if werr := wire.WriteUnterminatedError(w, err); werr != nil {
		return werr
	}
	return errConnEnded
}

// checkCredentials runs the configured method. ok is false for a wrong
// password or unknown user; err is a protocol error to report as FATAL.
func (s *Server) checkCredentials(ctx context.Context, w *buffer.Writer, r *buffer.Reader, user string) (ok bool, err error) {
	switch s.cfg.Auth {
	case AuthTrust:
		return true, nil
	case AuthSCRAM:
		return s.scramExchange(ctx, w, r, user)
	}
	if err := writeAuth(w, authCleartextPassword, nil); err != nil {
		return false, err
	}
	if _, err := readPasswordMessage(r); err != nil {
		return false, err
	}
	password, err := r.GetString()
	if err != nil {
		return false, protocolViolation("invalid password packet")
	}
	if err := s.backend.Authenticate(ctx, user, password); err != nil {
		s.log.Debug("pgwire: backend rejected password", "user", sanitizeUser(user), "err", err)
		return false, nil
	}
	return true, nil
}

// readPasswordMessage reads the next client message, which must be a
// PasswordMessage / SASLInitialResponse / SASLResponse ('p').
func readPasswordMessage(r *buffer.Reader) ([]byte, error) {
	t, _, err := r.ReadTypedMsg()
	if err != nil {
		return nil, err
	}
	if t != types.ClientPassword {
		return nil, protocolViolation("expected password response, got message type %q", byte(t))
	}
	return r.Msg, nil
}

func protocolViolation(format string, args ...any) error {
	return fatal(CodeProtocolViolation, format, args...)
}

// writeAuth writes an AuthenticationXXX message with optional payload.
func writeAuth(w *buffer.Writer, code int32, payload []byte) error {
	w.Start(types.ServerAuth)
	w.AddInt32(code)
	if len(payload) > 0 {
		w.AddBytes(payload)
	}
	return w.End()
}

// sanitizeUser keeps log lines single-line.
func sanitizeUser(u string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' {
			return '?'
		}
		return r
	}, u)
}
