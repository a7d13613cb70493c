package pgwire

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"

	"github.com/jeroenrinzema/psql-wire/pkg/buffer"

	"github.com/meshql/meshql/catalog/scram"
)

// SCRAM-SHA-256 server side (RFC 5802, RFC 7677), as PostgreSQL does it:
// the user name comes from the startup packet (the client's n= is ignored),
// no channel binding is offered ("n" and "y" GS2 flags are accepted), and
// unknown users go through the whole exchange against a fake verifier.
// Passwords are used as given: SASLprep is not applied, which matters only
// for non-ASCII passwords (PostgreSQL also falls back to the raw bytes when
// SASLprep fails).

const (
	scramMechanism  = scram.Mechanism
	scramIterations = scram.Iterations
)

// scramVerifier is what the server stores for a user.
type scramVerifier = scram.Verifier

var (
	parseVerifier  = scram.Parse
	deriveVerifier = scram.Derive
	hmacSHA256     = scram.HMAC
)

// scramCache memoizes verifiers derived from plain-text secrets; PBKDF2
// with 4096 rounds costs about a millisecond. Entries are keyed by user and
// a hash of the secret, so a changed password gets a new entry.
type scramCache struct {
	mu sync.Mutex
	m  map[string]*scramVerifier
}

// verifier returns the stored verifier of user, or a fake one (ok = false)
// for unknown users and lookup errors.
func (s *Server) verifier(ctx context.Context, user string) (_ *scramVerifier, ok bool) {
	secret, found, err := s.backend.(SecretSource).Secret(ctx, user)
	if err != nil {
		s.log.Warn("pgwire: looking up the user's secret failed", "user", sanitizeUser(user), "err", err)
	}
	if err != nil || !found {
		salt := hmacSHA256(s.secret[:], []byte("salt\x00"+user))[:16]
		return &scramVerifier{Salt: salt, Iterations: scramIterations,
			StoredKey: hmacSHA256(s.secret[:], []byte("stored\x00"+user)), ServerKey: hmacSHA256(s.secret[:], []byte("server\x00"+user))}, false
	}
	if v, ok := parseVerifier(secret); ok {
		return v, true
	}
	h := sha256.Sum256([]byte(secret))
	key := user + "\x00" + string(h[:])
	s.scram.mu.Lock()
	v := s.scram.m[key]
	s.scram.mu.Unlock()
	if v == nil {
		// The salt is derived per server and user, so cached and recomputed
		// verifiers agree.
		v = deriveVerifier(secret, hmacSHA256(s.secret[:], []byte("salt\x00"+user))[:16], scramIterations)
		s.scram.mu.Lock()
		if s.scram.m == nil {
			s.scram.m = map[string]*scramVerifier{}
		}
		s.scram.m[key] = v
		s.scram.mu.Unlock()
	}
	return v, true
}

// scramExchange runs the SASL conversation. ok reports a correct proof for a
// known user; err is a protocol violation.
func (s *Server) scramExchange(ctx context.Context, w *buffer.Writer, r *buffer.Reader, user string) (ok bool, err error) {
	if err := writeAuth(w, authSASL, []byte(scramMechanism+"\x00\x00")); err != nil {
		return false, err
	}
	if _, err := readPasswordMessage(r); err != nil {
		return false, err
	}
	mech, err := r.GetString()
	if err != nil {
		return false, protocolViolation("malformed SASLInitialResponse")
	}
	if mech != scramMechanism {
		return false, protocolViolation("client selected an invalid SASL authentication mechanism")
	}
	n, err := r.GetInt32()
	if err != nil || n < 0 {
		return false, protocolViolation("malformed SASLInitialResponse")
	}
	first, err := r.GetBytes(int(n))
	if err != nil {
		return false, protocolViolation("malformed SASLInitialResponse")
	}
	gs2, bare, cnonce, err := parseClientFirst(string(first))
	if err != nil {
		return false, err
	}
	v, known := s.verifier(ctx, user)

	var nb [18]byte
	_, _ = rand.Read(nb[:])
	nonce := cnonce + base64.StdEncoding.EncodeToString(nb[:])
	serverFirst := "r=" + nonce + ",s=" + base64.StdEncoding.EncodeToString(v.Salt) + ",i=" + strconv.Itoa(v.Iterations)
	if err := writeAuth(w, authSASLContinue, []byte(serverFirst)); err != nil {
		return false, err
	}

	final, err := readPasswordMessage(r)
	if err != nil {
		return false, err
	}
	withoutProof, proof, err := parseClientFinal(string(final), gs2, nonce)
	if err != nil {
		return false, err
	}
	authMessage := []byte(bare + "," + serverFirst + "," + withoutProof)
	clientSig := hmacSHA256(v.StoredKey, authMessage)
	if len(proof) != len(clientSig) {
		return false, nil
	}
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ clientSig[i]
	}
	got := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(got[:], v.StoredKey) != 1 || !known {
		return false, nil
	}
	serverSig := hmacSHA256(v.ServerKey, authMessage)
	return true, writeAuth(w, authSASLFinal, []byte("v="+base64.StdEncoding.EncodeToString(serverSig)))
}

// parseClientFirst splits "gs2-header client-first-message-bare" and
// returns the client nonce.
func parseClientFirst(msg string) (gs2, bare, nonce string, err error) {
	bad := protocolViolation("malformed SCRAM message")
	flag, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return "", "", "", bad
	}
	switch {
	case flag == "n" || flag == "y":
	case strings.HasPrefix(flag, "p="):
		return "", "", "", protocolViolation("channel binding is not supported by this server")
	default:
		return "", "", "", bad
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok || (authzid != "" && !strings.HasPrefix(authzid, "a=")) {
		return "", "", "", bad
	}
	gs2 = flag + "," + authzid + ","
	for _, attr := range strings.Split(bare, ",") {
		switch {
		case strings.HasPrefix(attr, "m="):
			return "", "", "", protocolViolation("unsupported SCRAM extension")
		case strings.HasPrefix(attr, "r="):
			nonce = attr[2:]
		}
	}
	if nonce == "" || strings.ContainsAny(nonce, ",") {
		return "", "", "", bad
	}
	return gs2, bare, nonce, nil
}

// parseClientFinal checks channel binding and nonce and returns the message
// without its proof, and the decoded proof.
func parseClientFinal(msg, gs2, nonce string) (withoutProof string, proof []byte, err error) {
	bad := protocolViolation("malformed SCRAM message")
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return "", nil, bad
	}
	withoutProof = msg[:i]
	proof, perr := base64.StdEncoding.DecodeString(msg[i+3:])
	attrs := strings.Split(withoutProof, ",")
	if perr != nil || len(attrs) < 2 || !strings.HasPrefix(attrs[0], "c=") || !strings.HasPrefix(attrs[1], "r=") {
		return "", nil, bad
	}
	cb, cerr := base64.StdEncoding.DecodeString(attrs[0][2:])
	if cerr != nil || !bytes.Equal(cb, []byte(gs2)) {
		return "", nil, protocolViolation("SCRAM channel binding check failed")
	}
	if attrs[1][2:] != nonce {
		return "", nil, protocolViolation("SCRAM nonce mismatch")
	}
	return withoutProof, proof, nil
}
