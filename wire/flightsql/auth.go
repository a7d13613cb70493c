package flightsql

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// session is what a bearer token stands for: a user and one engine
// session. engine.Session is used by one goroutine at a time, so mu
// serializes Prepare and Execute on it (the batches of an executing result
// stream without it). mu also guards prepared.
type session struct {
	token   string
	id      sessionID // names the session in its tickets
	user    string
	expires time.Time    // of the token, and of the session's tickets
	used    atomic.Int64 // Unix ns of the last call, for evictions

	mu       sync.Mutex
	sess     *engine.Session
	prepared map[string]*prepared
	closed   bool
}

type sessionKey struct{}

// sessionFrom returns the session the auth interceptor attached to ctx.
func sessionFrom(ctx context.Context) (*session, error) {
	if s, ok := ctx.Value(sessionKey{}).(*session); ok {
		return s, nil
	}
	return nil, unauthenticated("authentication required")
}

// unauthenticated is a 28000 error: gRPC Unauthenticated.
func unauthenticated(msg string) error {
	return toStatus(sqltypes.New(sqltypes.CodeInvalidAuthorization, "%s", msg))
}

// login checks a password and issues a new token with its own session.
// Expired tokens are dropped on the way, and so is the user's least
// recently used session when the user has Config.MaxSessionsPerUser
// (each session holds an engine session: a client logging in on every
// call would otherwise grow the server by one per call for TokenTTL).
func (v *service) login(ctx context.Context, user, password string) (*session, error) {
	if err := v.eng.Authenticate(ctx, user, password); err != nil {
		v.log.Info("flightsql: authentication failed", "user", user)
		return nil, err
	}
	es, err := v.eng.NewSession(user, map[string]string{"application_name": "flightsql"})
	if err != nil {
		return nil, err
	}
	var raw [32 + len(sessionID{})]byte
	if _, err := rand.Read(raw[:]); err != nil {
		es.Close()
		return nil, sqltypes.Wrap(err, sqltypes.CodeInternal, "cannot issue a token: %v", err)
	}
	s := &session{token: hex.EncodeToString(raw[:32]), id: sessionID(raw[32:]), user: user, sess: es, prepared: map[string]*prepared{},
		expires: time.Now().Add(v.cfg.TokenTTL)}
	s.used.Store(time.Now().UnixNano())
	var ended []*session
	v.mu.Lock()
	now := time.Now()
	var own []*session
	for tok, o := range v.tokens {
		switch {
		case now.After(o.expires):
			delete(v.tokens, tok)
			ended = append(ended, o)
		case o.user == user:
			own = append(own, o)
		}
	}
	if extra := len(own) + 1 - v.cfg.MaxSessionsPerUser; extra > 0 {
		slices.SortFunc(own, func(a, b *session) int { return cmp.Compare(a.used.Load(), b.used.Load()) })
		for _, o := range own[:extra] {
			delete(v.tokens, o.token)
			ended = append(ended, o)
		}
		v.log.Info("flightsql: ended least recently used sessions", "user", user, "sessions", extra, "max", v.cfg.MaxSessionsPerUser)
	}
	v.tokens[s.token] = s
	v.mu.Unlock()
	for _, o := range ended {
		o.close()
	}
	return s, nil
}

// lookup returns the live session of a token, or nil.
func (v *service) lookup(token string) *session {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.tokens[token]
	now := time.Now()
	if !ok || now.After(s.expires) {
		return nil
	}
	s.used.Store(now.UnixNano())
	return s
}

// close ends the session and forgets its prepared statements.
func (s *session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.prepared = map[string]*prepared{}
		s.sess.Close()
	}
}

// closeSessions ends every session (at server shutdown).
func (v *service) closeSessions() {
	v.mu.Lock()
	all := v.tokens
	v.tokens = map[string]*session{}
	v.mu.Unlock()
	for _, s := range all {
		s.close()
	}
}

// authorize authenticates one call from its "authorization" header:
// "Basic base64(user:password)" logs in and sends the new token back in
// the response header (setHeader), "Bearer <token>" finds the token's
// session. The returned context carries the session.
func (v *service) authorize(ctx context.Context, setHeader func(metadata.MD) error) (context.Context, error) {
	var auth string
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if vals := md.Get("authorization"); len(vals) > 0 {
			auth = strings.TrimSpace(vals[0])
		}
	}
	scheme, cred, _ := strings.Cut(auth, " ")
	cred = strings.TrimLeft(cred, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer") && cred != "":
		s := v.lookup(cred)
		if s == nil {
			return nil, unauthenticated("invalid or expired bearer token; log in again")
		}
		return context.WithValue(ctx, sessionKey{}, s), nil
	case strings.EqualFold(scheme, "Basic") && cred != "":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			if raw, err = base64.RawStdEncoding.DecodeString(cred); err != nil {
				return nil, unauthenticated("malformed Basic credentials")
			}
		}
		user, password, ok := strings.Cut(string(raw), ":")
		if !ok {
			return nil, unauthenticated("malformed Basic credentials")
		}
		s, err := v.login(ctx, user, password)
		if err != nil {
			return nil, toStatus(err)
		}
		if err := setHeader(metadata.Pairs("authorization", "Bearer "+s.token)); err != nil {
			return nil, status.Errorf(codes.Internal, "cannot send the bearer token: %v", err)
		}
		return context.WithValue(ctx, sessionKey{}, s), nil
	}
	return nil, unauthenticated("authentication required: send Basic credentials (Handshake) or a Bearer token")
}

func (v *service) unaryAuth(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (_ any, err error) {
	defer v.recoverTo(&err, info.FullMethod)
	ctx, err = v.authorize(ctx, func(md metadata.MD) error { return grpc.SetHeader(ctx, md) })
	if err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

// recoverTo turns a panic in a call into an Internal error, so that a bug
// fails one call rather than the process.
func (v *service) recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		v.log.Error("flightsql: panic", "call", what, "panic", r, "stack", string(debug.Stack()))
		*err = status.Errorf(codes.Internal, "ERROR XX000: internal error: %v", r)
	}
}

func (v *service) streamAuth(srv any, stream grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer v.recoverTo(&err, info.FullMethod)
	ctx, err := v.authorize(stream.Context(), func(md metadata.MD) error {
		if strings.HasSuffix(info.FullMethod, "/Handshake") {
			// arrow-go's client reads the token from headers or trailers.
			stream.SetTrailer(md)
		}
		return stream.SetHeader(md)
	})
	if err != nil {
		return err
	}
	return handler(srv, &authedStream{ServerStream: stream, ctx: ctx})
}

// authedStream is a ServerStream whose context carries the session.
type authedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *authedStream) Context() context.Context { return s.ctx }

// CloseSession ends the caller's token: its session and prepared
// statements go, and the token stops working (ADBC calls this when a
// connection closes). Queries already streaming finish.
func (v *service) CloseSession(ctx context.Context, _ *flight.CloseSessionRequest) (*flight.CloseSessionResult, error) {
	s, err := sessionFrom(ctx)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	delete(v.tokens, s.token)
	v.mu.Unlock()
	s.close()
	return &flight.CloseSessionResult{Status: flight.CloseSessionResultClosed}, nil
}
