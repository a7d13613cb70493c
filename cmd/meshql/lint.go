package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/lint"
)

// errReported is returned by a command that has already printed why it
// failed (lint findings, for example): run exits 1 and prints nothing more.
var errReported = errors.New("failure already reported")

// demoMeshDir is where `meshql lint` finds the demo mesh when run from a
// checkout; elsewhere it lints the copy built into the binary.
const demoMeshDir = "testdata/mesh"

// runLint implements `meshql lint [flags] [DIR]`: it loads the mesh folder
// DIR, checks it against the global rules and prints the findings. It
// returns errReported when any finding is an error.
func runLint(_ context.Context, args []string, stdout, stderr io.Writer) error {
	o := &options{}
	fs, config, specs := newFlags("lint", o, false, stderr)
	format := fs.String("format", "text", "output format: text, json or junit (JUnit XML)")
	nowFlag := fs.String("now", "", "date the sunset rules compare against, YYYY-MM-DD (default: today)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: meshql lint [flags] [DIR]\n\nChecks the mesh folder DIR (default: --mesh, else the demo mesh) against the global mesh rules.\nExit status 1 when any finding is an error.\n\nFlags:")
		fs.PrintDefaults()
	}
	dir, err := parseInterspersed(fs, args)
	if err != nil {
		return errUsage // the flag package or parseInterspersed printed why
	}
	if err := resolve(fs, *config, specs); err != nil {
		return err
	}
	if !validFormat("lint", *format, stderr) {
		return errUsage
	}
	now := time.Now()
	if *nowFlag != "" {
		if now, err = time.Parse(catalog.SunsetLayout, *nowFlag); err != nil {
			fmt.Fprintf(stderr, "meshql lint: --now %q is not a date in the form YYYY-MM-DD\n", *nowFlag)
			return errUsage
		}
	}
	if dir == "" {
		dir = o.Mesh
	}
	findings, rules, err := lintMesh(dir, lint.DefaultRules(now))
	if err != nil {
		return err
	}
	return report(stdout, "lint", *format, rules, findings)
}

// report writes findings in format (text, json or junit) and returns
// errReported when any of them is an error. lint and check share it, so
// that a CI reads both gates the same way.
func report(w io.Writer, tool, format string, rules []lint.Rule, findings []lint.Finding) error {
	var err error
	switch format {
	case "json":
		err = lint.WriteJSON(w, findings)
	case "junit":
		err = lint.WriteJUnit(w, tool, rules, findings)
	default:
		err = lint.WriteText(w, findings)
	}
	if err != nil {
		return err
	}
	if errs, _ := lint.Count(findings); errs > 0 {
		return errReported
	}
	return nil
}

// validFormat checks a --format value of lint or check.
func validFormat(cmd, format string, stderr io.Writer) bool {
	if format != "text" && format != "json" && format != "junit" {
		fmt.Fprintf(stderr, "meshql %s: --format %q is not one of text, json, junit\n", cmd, format)
		return false
	}
	return true
}

// parseInterspersed parses flags that may come before or after the one
// optional DIR argument, and returns DIR ("" when absent). Like
// fs.Parse, it prints what is wrong and the usage before returning an error.
func parseInterspersed(fs *flag.FlagSet, args []string) (string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) > 1 {
		fmt.Fprintf(fs.Output(), "too many arguments: %s\n", strings.Join(pos, " "))
		fs.Usage()
		return "", errUsage
	}
	if len(pos) == 1 {
		return pos[0], nil
	}
	return "", nil
}

// lintMesh lints dir or, when dir is empty, the demo mesh: testdata/mesh
// in a checkout, else the copy built into the binary, whose file names are
// then reported relative to the mesh folder.
func lintMesh(dir string, rules []lint.Rule) ([]lint.Finding, []lint.Rule, error) {
	if dir != "" {
		return lint.LintDir(dir, catalog.LoadOptions{}, rules)
	}
	if st, err := os.Stat(filepath.Join(demoMeshDir, catalog.MeshFile)); err == nil && !st.IsDir() {
		return lint.LintDir(demoMeshDir, catalog.LoadOptions{}, rules)
	}
	tmp, err := os.MkdirTemp("", "meshql-lint-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	if err := writeDemoMesh(tmp); err != nil {
		return nil, nil, err
	}
	findings, rules, err := lint.LintDir(tmp, catalog.LoadOptions{}, rules)
	for i, f := range findings {
		if rel, rerr := filepath.Rel(tmp, f.File); rerr == nil {
			findings[i].File = rel
		}
	}
	return findings, rules, err
}
