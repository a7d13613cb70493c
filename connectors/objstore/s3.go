package objstore

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// s3Store lists and reads objects of one bucket of an S3-compatible store.
type s3Store struct {
	cl            *minio.Client
	bucket        string
	pattern       string // key pattern inside the bucket
	kind, dirGlob string
}

// newS3Store parses "s3://bucket/pattern" and builds a client from the
// source's connection: endpoint (URL or host:port; default AWS), region,
// access_key_id and secret_access_key (each literal, _env or _file; the
// secret only _env or _file), session_token, path_style ("true" for
// servers that do not serve bucket.host names). Without keys requests are
// anonymous.
func newS3Store(src catalog.Source, kind, dirGlob string) (*s3Store, error) {
	rest := strings.TrimPrefix(src.Path, "s3://")
	bucket, pattern, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "%s path %q names no bucket", kind, src.Path).
			WithHint("Write s3://bucket/prefix/*.parquet.")
	}
	var opts map[string]string
	if src.Connection != nil {
		if src.Connection.Kind != "s3" {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "%s path %q needs an s3 connection, but %q is a %s connection", kind, src.Path, src.Connection.Name, src.Connection.Kind)
		}
		opts = src.Connection.Options
	}
	var firstErr error
	setting := func(key string) string {
		v, _, err := connectors.Setting(opts, key)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	}
	endpoint, secure := "s3.amazonaws.com", true
	if e := setting("endpoint"); e != "" {
		if u, err := url.Parse(e); err == nil && u.Host != "" {
			endpoint, secure = u.Host, u.Scheme != "http"
		} else {
			endpoint = e
		}
	}
	id, secret, token := setting("access_key_id"), setting("secret_access_key"), setting("session_token")
	region, pathStyle := setting("region"), setting("path_style")
	if firstErr != nil {
		return nil, firstErr
	}
	var creds *credentials.Credentials
	if id != "" || secret != "" {
		creds = credentials.NewStaticV4(id, secret, token)
	} else {
		creds = credentials.New(&credentials.Static{}) // anonymous
	}
	// Three tries: transient errors are retried, but an unreachable store
	// fails the query in about a second instead of the client default ~10.
	mo := &minio.Options{Creds: creds, Secure: secure, Region: region, MaxRetries: 3}
	if pathStyle == "true" {
		mo.BucketLookup = minio.BucketLookupPath
	}
	cl, err := minio.New(endpoint, mo)
	if err != nil {
		return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "invalid S3 connection for %q: %v", src.Path, err)
	}
	return &s3Store{cl: cl, bucket: bucket, pattern: pattern, kind: kind, dirGlob: dirGlob}, nil
}

func (s *s3Store) Remote() bool { return true }

func (s *s3Store) url(key string) string { return "s3://" + s.bucket + "/" + key }

// List lists the keys under the pattern's fixed prefix and keeps those the
// pattern matches (path.Match: "*" stays inside one folder). A pattern
// without wildcards names one object, or a folder whose objects matching
// dirGlob (at any depth, so hive partition folders work) are the source.
func (s *s3Store) List(ctx context.Context) ([]Object, error) {
	pattern, recursive := s.pattern, false
	if !strings.ContainsAny(pattern, "*?[\\") {
		if ok, err := s.isObject(ctx, pattern); err != nil {
			return nil, err
		} else if !ok {
			pattern = strings.TrimSuffix(pattern, "/") + "/"
			if pattern == "/" {
				pattern = ""
			}
			recursive = true
		}
	}
	prefix := fixedPrefix(pattern)
	if recursive {
		prefix = pattern
	}
	var out []Object
	for oi := range s.cl.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return nil, s.error(ctx, oi.Err, "list "+s.url(prefix))
		}
		if strings.HasSuffix(oi.Key, "/") {
			continue
		}
		var match bool
		if recursive {
			match, _ = path.Match(s.dirGlob, path.Base(oi.Key))
		} else {
			var err error
			if match, err = path.Match(pattern, oi.Key); err != nil {
				return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "invalid object pattern %q: %v", s.pattern, err)
			}
		}
		if match {
			out = append(out, Object{Path: s.url(oi.Key), Rel: strings.TrimPrefix(oi.Key, prefix), Size: oi.Size, Version: oi.ETag})
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	if len(out) == 0 {
		return nil, sqltypes.New(sqltypes.CodeFDWTableNotFound, "no objects match %q", s.url(s.pattern))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// isObject reports whether key names an existing object.
func (s *s3Store) isObject(ctx context.Context, key string) (bool, error) {
	if key == "" || strings.HasSuffix(key, "/") {
		return false, nil
	}
	_, err := s.cl.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err == nil {
		return true, nil
	}
	if r := minio.ToErrorResponse(err); r.StatusCode == 404 && r.Code != "NoSuchBucket" {
		return false, nil
	}
	return false, s.error(ctx, err, "stat "+s.url(key))
}

func (s *s3Store) Open(ctx context.Context, o Object) (Reader, error) {
	key := strings.TrimPrefix(o.Path, "s3://"+s.bucket+"/")
	return newRangeReader(ctx, o, func(ctx context.Context, buf []byte, off int64) error {
		opts := minio.GetObjectOptions{}
		if err := opts.SetRange(off, off+int64(len(buf))-1); err != nil {
			return err
		}
		obj, err := s.cl.GetObject(ctx, s.bucket, key, opts)
		if err != nil {
			return s.error(ctx, err, "read "+o.Path)
		}
		defer obj.Close()
		if _, err := io.ReadFull(obj, buf); err != nil {
			return s.error(ctx, err, "read "+o.Path)
		}
		return nil
	}), nil
}

// error turns a client error into a typed one: a missing bucket or key is
// HV00R, a network failure HV00N, a cancelled context 57014.
func (s *s3Store) error(ctx context.Context, err error, what string) error {
	if ctx.Err() != nil {
		return sqltypes.AsError(ctx.Err())
	}
	var se *sqltypes.Error
	if errors.As(err, &se) {
		return se
	}
	r := minio.ToErrorResponse(err)
	switch {
	case r.Code == "NoSuchBucket" || r.Code == "NoSuchKey" || r.StatusCode == 404:
		return sqltypes.Wrap(err, sqltypes.CodeFDWTableNotFound, "could not %s: %v", what, err)
	case r.Code == "AccessDenied" || r.StatusCode == 403 || r.Code == "InvalidAccessKeyId" || r.Code == "SignatureDoesNotMatch":
		return sqltypes.Wrap(err, sqltypes.CodeFDWUnableToConnect, "could not %s: access denied (%v)", what, err).
			WithHint("Check the credentials of the source's S3 connection in %s.", catalog.MeshFile)
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) {
		return sqltypes.Wrap(err, sqltypes.CodeFDWUnableToConnect, "could not %s: %v", what, err)
	}
	return sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not %s: %v", what, err)
}
