package connectors

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

// ListFiles resolves a file source's path into a sorted list of regular
// files: a glob relative to src.BaseDir unless absolute, or a directory,
// read as dir/dirGlob. kind names the connector in errors. No match is
// HV00R; a bad pattern HV000.
func ListFiles(src catalog.Source, kind, dirGlob string) ([]string, error) {
	pattern := src.Path
	if pattern == "" {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "%s source has no path", kind)
	}
	if !filepath.IsAbs(pattern) && src.BaseDir != "" {
		pattern = filepath.Join(src.BaseDir, pattern)
	}
	if st, err := os.Stat(pattern); err == nil && st.IsDir() {
		pattern = filepath.Join(pattern, dirGlob)
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "invalid file pattern %q: %v", src.Path, err)
	}
	var paths []string
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
			paths = append(paths, m)
		}
	}
	if len(paths) == 0 {
		return nil, sqltypes.New(sqltypes.CodeFDWTableNotFound, "no files match %q", pattern)
	}
	sort.Strings(paths)
	return paths, nil
}

// NewestModTime returns the latest modification time of a file source's
// files (src.Connector names the kind in errors): when the data was last
// delivered, for freshness checks. Errors are ListFiles's, or HV000 when
// a file cannot be read.
func NewestModTime(src catalog.Source) (time.Time, error) {
	_, newest, err := FileStamp(src)
	return newest, err
}

// FileStamp describes the files of a local file source as they are now
// (every path with its size and modification time) and returns the latest
// modification time: two equal stamps mean the source was not rewritten
// in between. Sources on an object store ("s3://…") get an empty stamp
// and a zero time: listing them costs a request. Errors are as for
// NewestModTime.
func FileStamp(src catalog.Source) (stamp string, newest time.Time, err error) {
	if strings.Contains(src.Path, "://") {
		return "", time.Time{}, nil
	}
	files, err := ListFiles(src, src.Connector, "*")
	if err != nil {
		return "", time.Time{}, err
	}
	var b strings.Builder
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return "", time.Time{}, sqltypes.Wrap(err, sqltypes.CodeFDWError, "%v", err)
		}
		if st.ModTime().After(newest) {
			newest = st.ModTime()
		}
		fmt.Fprintf(&b, "%s\x00%d\x00%d\n", f, st.Size(), st.ModTime().UnixNano())
	}
	return b.String(), newest, nil
}

// LocalSize is the total size in bytes of a file source's files and their
// number, when they are local files; ok is false for other sources (a
// database, an object store, a derived product) and when the files cannot
// be listed.
func LocalSize(src catalog.Source) (bytes int64, files int, ok bool) {
	if src.Path == "" || strings.Contains(src.Path, "://") {
		return 0, 0, false
	}
	paths, err := ListFiles(src, src.Connector, "*")
	if err != nil {
		return 0, 0, false
	}
	for _, f := range paths {
		st, err := os.Stat(f)
		if err != nil {
			return 0, 0, false
		}
		bytes += st.Size()
	}
	return bytes, len(paths), true
}
