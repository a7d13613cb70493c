package connectors

import (
	"os"
	"path/filepath"
	"sort"
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
	files, err := ListFiles(src, src.Connector, "*")
	if err != nil {
		return time.Time{}, err
	}
	var newest time.Time
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return time.Time{}, sqltypes.Wrap(err, sqltypes.CodeFDWError, "%v", err)
		}
		if st.ModTime().After(newest) {
			newest = st.ModTime()
		}
	}
	return newest, nil
}
