// Package scram holds SCRAM-SHA-256 password verifiers (RFC 5802, RFC
// 7677) in PostgreSQL's format, "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"
// (salt and keys in base64): what a mesh stores for a user instead of a
// password. meshql passwd creates them, wire/pgwire runs the SCRAM
// exchange against them and the engine checks plain passwords (Flight SQL
// basic auth) with them. It imports nothing of meshql.
package scram

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"
)

const (
	// Mechanism is the SASL mechanism name and the verifier's prefix.
	Mechanism = "SCRAM-SHA-256"
	// Iterations is PostgreSQL's default PBKDF2 iteration count.
	Iterations = 4096
	saltLen    = 16
)

// Verifier is what the server stores for a user.
type Verifier struct {
	Salt                 []byte
	Iterations           int
	StoredKey, ServerKey []byte
}

// Parse reads a verifier in PostgreSQL's format; ok is false for anything
// else (a plain password, for example).
func Parse(s string) (_ *Verifier, ok bool) {
	rest, ok := strings.CutPrefix(s, Mechanism+"$")
	if !ok {
		return nil, false
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, false
	}
	iter, salt, ok1 := strings.Cut(iterSalt, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	n, err := strconv.Atoi(iter)
	if !ok1 || !ok2 || err != nil || n <= 0 {
		return nil, false
	}
	v := &Verifier{Iterations: n}
	var e1, e2, e3 error
	v.Salt, e1 = base64.StdEncoding.DecodeString(salt)
	v.StoredKey, e2 = base64.StdEncoding.DecodeString(stored)
	v.ServerKey, e3 = base64.StdEncoding.DecodeString(server)
	if e1 != nil || e2 != nil || e3 != nil || len(v.StoredKey) != sha256.Size || len(v.ServerKey) != sha256.Size {
		return nil, false
	}
	return v, true
}

// Derive computes the verifier of password with salt and iterations.
// Passwords are used as given (no SASLprep), as wire/pgwire does.
func Derive(password string, salt []byte, iterations int) *Verifier {
	salted, _ := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	clientKey := HMAC(salted, []byte("Client Key"))
	stored := sha256.Sum256(clientKey)
	return &Verifier{Salt: salt, Iterations: iterations, StoredKey: stored[:], ServerKey: HMAC(salted, []byte("Server Key"))}
}

// New derives a verifier for password with a random salt and PostgreSQL's
// iteration count.
func New(password string) (*Verifier, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return Derive(password, salt, Iterations), nil
}

// String formats the verifier as PostgreSQL stores it in pg_authid.
func (v *Verifier) String() string {
	b64 := base64.StdEncoding.EncodeToString
	return Mechanism + "$" + strconv.Itoa(v.Iterations) + ":" + b64(v.Salt) + "$" + b64(v.StoredKey) + ":" + b64(v.ServerKey)
}

// Check reports whether password matches the verifier, in constant time
// in the keys.
func (v *Verifier) Check(password string) bool {
	d := Derive(password, v.Salt, v.Iterations)
	return subtle.ConstantTimeCompare(d.StoredKey, v.StoredKey) == 1 && subtle.ConstantTimeCompare(d.ServerKey, v.ServerKey) == 1
}

// HMAC is HMAC-SHA-256.
func HMAC(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}
