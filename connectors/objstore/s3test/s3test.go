// Package s3test starts an S3-compatible server (gofakes3, in memory) on
// loopback for tests of object-store sources, and counts what it serves.
package s3test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/meshql/meshql/catalog"
)

// Server is a running fake S3 server.
type Server struct {
	URL string
	// Served counts the body bytes of GET responses; Gets counts object
	// GETs (not listings).
	Served, Gets atomic.Int64
}

// Start serves bucket with the given objects (key → local file to upload)
// until tb ends.
func Start(tb testing.TB, bucket string, files map[string]string) *Server {
	tb.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		tb.Fatal(err)
	}
	for key, local := range files {
		data, err := os.ReadFile(local)
		if err != nil {
			tb.Fatal(err)
		}
		// gofakes3's own PUT handler sets Last-Modified; the backend
		// call does not, and clients need it.
		meta := map[string]string{"Last-Modified": time.Now().UTC().Format(http.TimeFormat)}
		if _, err := backend.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), nil); err != nil {
			tb.Fatal(err)
		}
	}
	s := &Server{}
	h := gofakes3.New(backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		get := r.Method == http.MethodGet
		if get && r.URL.RawQuery == "" {
			s.Gets.Add(1)
		}
		h.ServeHTTP(countingWriter{w, &s.Served, get}, r)
	}))
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Connection returns a mesh connection to the server whose secret key is
// read from the environment variable secretEnv (gofakes3 does not check
// signatures, but the client signs every request).
func (s *Server) Connection(name, secretEnv string) *catalog.Connection {
	return &catalog.Connection{Name: name, Kind: "s3", Options: map[string]string{
		"endpoint": s.URL, "region": "us-east-1", "path_style": "true",
		"access_key_id": "meshql", "secret_access_key_env": secretEnv,
	}}
}

type countingWriter struct {
	http.ResponseWriter
	n     *atomic.Int64
	count bool
}

func (c countingWriter) Write(p []byte) (int, error) {
	if c.count {
		c.n.Add(int64(len(p)))
	}
	return c.ResponseWriter.Write(p)
}
