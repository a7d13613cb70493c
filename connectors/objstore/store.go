package objstore

import (
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// Object is one file of a source.
type Object struct {
	// Path names the object for Open and in messages: a local path or
	// "s3://bucket/key".
	Path string
	// Rel is the path below the pattern's fixed prefix (the folders before
	// the first wildcard), "/"-separated; hive partition folders are read
	// from it.
	Rel  string
	Size int64
	// Version identifies the object's contents (ETag or modification
	// time and size): a changed object gets a new Version, which keys
	// metadata caches.
	Version string
}

// Store lists and opens the objects of one source.
type Store interface {
	// List returns the objects matching the source's path, sorted by Path.
	// No match is HV00R; an unreachable store HV00N.
	List(ctx context.Context) ([]Object, error)
	// Open returns a ranged reader of o. The reader is not safe for
	// concurrent use; open one per goroutine.
	Open(ctx context.Context, o Object) (Reader, error)
	// Remote reports whether reads cost a network round trip (so callers
	// prefetch and report bytes fetched).
	Remote() bool
}

// Reader reads one object at random offsets. Seek(0, io.SeekEnd) returns
// the size; Read/Seek otherwise behave as on a file.
type Reader interface {
	io.ReaderAt
	io.ReadSeeker
	io.Closer
	// Prefetch fetches the byte ranges concurrently and keeps them, so
	// that ReadAt calls inside them need no further request. Local files
	// ignore it.
	Prefetch(ctx context.Context, ranges []Range) error
	// Fetched is the number of bytes read from the store so far.
	Fetched() int64
}

// Range is a byte range [Off, Off+Len).
type Range struct{ Off, Len int64 }

// For returns the store serving src.Path: S3 for "s3://" paths (with the
// credentials of src.Connection), the local file system otherwise. kind
// names the connector in errors; dirGlob is what a directory path means
// (e.g. "*.parquet").
func For(src catalog.Source, kind, dirGlob string) (Store, error) {
	if strings.HasPrefix(src.Path, "s3://") {
		return newS3Store(src, kind, dirGlob)
	}
	if c := src.Connection; c != nil && c.Kind == "s3" {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "%s source names S3 connection %q but its path %q is not an s3:// URL", kind, c.Name, src.Path)
	}
	return &localStore{src: src, kind: kind, dirGlob: dirGlob}, nil
}

// fixedPrefix returns the "/"-separated folders of pattern before its first
// wildcard, with a trailing "/" (or "" when the first segment has one).
func fixedPrefix(pattern string) string {
	i := strings.IndexAny(pattern, "*?[\\")
	if i < 0 {
		i = len(pattern)
	}
	return pattern[:strings.LastIndex(pattern[:i], "/")+1]
}

type localStore struct {
	src           catalog.Source
	kind, dirGlob string
}

func (s *localStore) Remote() bool { return false }

func (s *localStore) List(ctx context.Context) ([]Object, error) {
	paths, err := connectors.ListFiles(s.src, s.kind, s.dirGlob)
	if err != nil {
		return nil, err
	}
	pattern := s.src.Path
	if !filepath.IsAbs(pattern) && s.src.BaseDir != "" {
		pattern = filepath.Join(s.src.BaseDir, pattern)
	}
	if st, err := os.Stat(pattern); err == nil && st.IsDir() {
		pattern = filepath.Join(pattern, s.dirGlob)
	}
	prefix := fixedPrefix(filepath.ToSlash(pattern))
	out := make([]Object, 0, len(paths))
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, sqltypes.AsError(err)
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, sqltypes.Wrap(err, sqltypes.CodeFDWTableNotFound, "%s file %q vanished while listing: %v", s.kind, p, err)
		}
		rel := strings.TrimPrefix(filepath.ToSlash(p), prefix)
		out = append(out, Object{Path: p, Rel: path.Clean(rel), Size: st.Size(), Version: st.ModTime().UTC().String()})
	}
	return out, nil
}

func (s *localStore) Open(ctx context.Context, o Object) (Reader, error) {
	f, err := os.Open(o.Path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, sqltypes.Wrap(err, sqltypes.CodeFDWTableNotFound, "%s file %q does not exist", s.kind, o.Path)
		}
		return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not open %s file %q: %v", s.kind, o.Path, err)
	}
	return localFile{f}, nil
}

// localFile is an *os.File as a Reader; the OS page cache does what
// Prefetch does for remote objects.
type localFile struct{ *os.File }

func (localFile) Prefetch(context.Context, []Range) error { return nil }
func (localFile) Fetched() int64                          { return 0 }
