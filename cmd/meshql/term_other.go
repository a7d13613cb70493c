//go:build !linux

package main

import (
	"errors"
	"os"
)

// readPasswordNoEcho is only implemented on Linux.
func readPasswordNoEcho(*os.File) (string, error) {
	return "", errors.New("passwd: reading from the terminal is supported on Linux only; use --password-stdin")
}
