package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/lint"
	"github.com/meshql/meshql/internal/meshcheck"
)

// checkDemoMaxAge is how old demo data may be when `meshql check` runs on
// the demo mesh: its SLAs promise a day, so older data is regenerated
// rather than reported stale.
const checkDemoMaxAge = 20 * time.Hour

// runCheck implements `meshql check [flags] [DIR]`: the live gate. It
// verifies each product's declared schema against its source, its
// constraints and quality checks against the data, and its freshness
// against its SLA, and prints the failures like lint.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := &options{User: "admin", LogLevel: "warn"}
	fs, config, specs := newFlags("check", o, false, stderr)
	format := fs.String("format", "text", "output format: text, json or junit (JUnit XML)")
	nowFlag := fs.String("now", "", "time the checks run at, RFC 3339: freshness is measured against it and products past their sunset are skipped (default: now)")
	results := fs.String("results", "", "also write every result, passed or failed, as JSON to this file")
	record := fs.Bool("record", true, "record the results in the mesh folder ("+catalog.CheckResultsFile+"), for mesh.quality_results and mesh.sla_status")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: meshql check [flags] [DIR]\n\nChecks the mesh folder DIR (default: --mesh, else the demo mesh) against its sources:\nschemas, constraints, quality checks and freshness. Queries run as --user (default admin).\nExit status 1 when any check fails.\n\nFlags:")
		fs.PrintDefaults()
	}
	dir, err := parseInterspersed(fs, args)
	if err != nil {
		return errUsage
	}
	if err := resolve(fs, *config, specs); err != nil {
		return err
	}
	if !validFormat("check", *format, stderr) {
		return errUsage
	}
	var now time.Time
	if *nowFlag != "" {
		if now, err = time.Parse(time.RFC3339, *nowFlag); err != nil {
			fmt.Fprintf(stderr, "meshql check: --now %q is not a time like 2026-06-01T12:00:00Z\n", *nowFlag)
			return errUsage
		}
	}
	if dir != "" {
		o.Mesh = dir
	}
	o.now = now
	mesh, err := loadMeshMaxAge(ctx, o, stderr, checkDemoMaxAge)
	if err != nil {
		if fs, ok := lint.LoadFindings(err); ok {
			return report(stdout, "check", *format, meshcheck.Rules(), fs)
		}
		return err
	}
	eng, closeLineage, err := newEngineObserved(mesh, o, nil)
	if err != nil {
		return err
	}
	defer closeLineage()
	rs, err := meshcheck.Run(ctx, mesh, meshcheck.Options{Engine: eng, User: o.User, Connectors: builtinConnectors(), Now: now})
	if err != nil {
		return err
	}
	if *record {
		if err := catalog.WriteCheckResults(mesh.Dir, rs); err != nil {
			return fmt.Errorf("recording the check results: %w", err)
		}
	}
	if *results != "" {
		data, err := json.MarshalIndent(rs, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*results, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return report(stdout, "check", *format, meshcheck.Rules(), meshcheck.Findings(rs))
}
