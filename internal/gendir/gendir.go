// Package gendir owns the safe replacement of a generated-data folder
// (demo data, TPC-H): a folder is only replaced when it is empty or
// carries its generator's marker file, and the new content is built aside
// and swapped in, so an interrupted run never leaves half a dataset.
package gendir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckReplaceable refuses to replace dir unless it is absent, empty, or
// holds marker (the file its generator writes). what names the data in
// the error ("demo data").
func CheckReplaceable(dir, marker, what string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
		return fmt.Errorf("refusing to replace %s: it is not empty and has no %s, so it is not %s", dir, marker, what)
	}
	return nil
}

// Replace moves tmp to dir, moving an existing dir out of the way first
// and deleting it afterwards; if the swap fails, the old dir is restored.
func Replace(tmp, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	old, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
	if err != nil {
		return err
	}
	if err := os.Remove(old); err != nil { // only its unique name is wanted
		return err
	}
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		restoreErr := os.Rename(old, dir)
		if restoreErr != nil {
			if _, statErr := os.Stat(dir); statErr == nil {
				// Another process swapped its own folder in between our two
				// renames: the old content is superseded either way, and
				// leaving it would litter the parent with .old- folders.
				return errors.Join(err, os.RemoveAll(old))
			}
		}
		return errors.Join(err, restoreErr)
	}
	return os.RemoveAll(old)
}
