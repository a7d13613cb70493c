package slt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrPGDivergent is returned by Complete for a file marked pg-divergent:
// its expectations cannot come from PostgreSQL.
var ErrPGDivergent = errors.New("file is marked pg-divergent")

// Complete rewrites the .slt file at path with what conn returns: each
// query's expected rows (in the query's sort mode) and each "statement
// error" SQLSTATE. An error regex is kept if the new error still matches
// it and dropped otherwise. Records are selected as for EnginePostgres:
// conn is meant to be real PostgreSQL, because expected results must come
// from PostgreSQL, never from meshql's own output. Records after a halt,
// and records PostgreSQL skips, are kept verbatim.
//
// Complete does not change a record's kind: it fails, leaving the file
// untouched, if a query or "statement ok" errors, if a "statement error"
// succeeds, or if a query's column count differs from its type string.
// The file is rewritten (atomically) only if something changed.
func Complete(ctx context.Context, path string, conn Conn) error {
	f, err := ParseFile(path)
	if err != nil {
		return err
	}
	if f.PGDivergent {
		return fmt.Errorf("%s: %w", path, ErrPGDivergent)
	}
	var out []string
	next := 0 // first line of f.lines not yet copied to out
	for i := range f.Records {
		r := &f.Records[i]
		if !r.AppliesTo(EnginePostgres) {
			continue
		}
		if r.Kind == Halt {
			break
		}
		repl, err := r.complete(ctx, conn)
		if err != nil {
			return fmt.Errorf("%s:%d: %w\nSQL:\n%s", path, r.Line, err, indent(r.SQL))
		}
		out = append(out, f.lines[next:r.hdr]...)
		out = append(out, repl...)
		next = r.end
	}
	out = append(out, f.lines[next:]...)
	text := strings.Join(out, "\n") + "\n"
	if text == strings.Join(f.lines, "\n")+"\n" {
		return nil
	}
	return writeAtomic(path, text)
}

// complete runs r and returns the record's new lines.
func (r *Record) complete(ctx context.Context, conn Conn) ([]string, error) {
	header, sql := r.src[0], r.src[1:]
	rows, err := conn.Query(ctx, r.SQL)
	switch {
	case r.Kind == Statement && r.ExpectError:
		if err == nil {
			return nil, errors.New("statement error succeeded; fix the record by hand")
		}
		hdr := "statement error " + SQLState(err)
		if SQLState(err) == "" {
			return nil, fmt.Errorf("error has no SQLSTATE: %v", err)
		}
		if r.ErrorRegex != nil && r.ErrorRegex.MatchString(err.Error()) {
			hdr += " " + r.ErrorRegex.String()
		}
		return append([]string{hdr}, sql...), nil
	case err != nil:
		return nil, fmt.Errorf("unexpected error (SQLSTATE %q): %v", SQLState(err), err)
	case r.Kind == Statement:
		return append([]string{header}, sql...), nil
	}
	if msg := r.checkWidth(rows); msg != "" {
		return nil, errors.New(msg)
	}
	out := append([]string{header}, sql...)
	out = append(out, "----")
	return append(out, renderRows(rows, r.Sort)...), nil
}

// writeAtomic replaces path's content via a temporary file and rename, so
// an interrupted update never leaves half a file.
func writeAtomic(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".slt-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(text)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if st, err := os.Stat(path); err == nil {
		_ = os.Chmod(tmp.Name(), st.Mode().Perm())
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}
