// Command meshql is the single binary of meshql: `serve` runs the
// Postgres-wire server over a mesh, `query` runs one query in-process and
// prints it. This package only parses flags and wires packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/meshql/meshql/sqltypes"
)

const usage = `meshql — a federated SQL query engine for a data mesh

Usage:
  meshql serve [flags]          serve the mesh over the PostgreSQL protocol
  meshql query [flags] "SQL"    run one query in-process and print the result
  meshql lint [flags] [DIR]     check a mesh folder against the mesh rules
  meshql passwd [--user NAME] [--password-stdin]
                                print a password's SCRAM-SHA-256 verifier for mesh.yaml
  meshql check [flags] [DIR]    check a mesh's contracts against its live sources
  meshql lineage [flags] [PRODUCT]
                                print a product's lineage (tree, dot or mermaid)
  meshql contract export|import write a product as an ODCS v3 contract, or a
                                descriptor from one
  meshql tpch gen --sf N --out DIR
                                generate TPC-H data as Parquet, with a mesh over it
  meshql version                print the version

Run "meshql <command> -h" for the flags of a command.
`

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr)
	case "query":
		err = runQuery(ctx, args[1:], os.Stdin, stdout, stderr)
	case "lint":
		err = runLint(ctx, args[1:], stdout, stderr)
	case "passwd":
		err = runPasswd(args[1:], os.Stdin, stdout, stderr)
	case "check":
		err = runCheck(ctx, args[1:], stdout, stderr)
	case "lineage":
		err = runLineage(ctx, args[1:], stdout, stderr)
	case "contract":
		err = runContract(ctx, args[1:], stdout, stderr)
	case "tpch":
		err = runTPCH(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "meshql", Version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "meshql: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		if errors.Is(err, errReported) {
			return 1
		}
		printError(stderr, err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// statementError is a query's error with the SQL it was in, for
// printError to show where in it the error is.
type statementError struct {
	err error
	sql string
}

func (e *statementError) Error() string { return e.err.Error() }
func (e *statementError) Unwrap() error { return e.err }

// printError writes an error the way psql does: severity, message, the
// statement's line with a caret at the error's position, then detail and
// hint lines.
func printError(w io.Writer, err error) {
	var se *sqltypes.Error
	if !errors.As(err, &se) {
		// Not a query error (a bad flag, an unreadable file): say it plainly.
		fmt.Fprintf(w, "meshql: %v\n", err)
		return
	}
	e := sqltypes.AsError(err)
	fmt.Fprintf(w, "ERROR:  %s (SQLSTATE %s)\n", e.Msg, e.Code)
	var q *statementError
	if e.Position > 0 && errors.As(err, &q) {
		errorLine(w, q.sql, e.Position)
	}
	if e.Detail != "" {
		fmt.Fprintf(w, "DETAIL:  %s\n", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(w, "HINT:  %s\n", e.Hint)
	}
}
