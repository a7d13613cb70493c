package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

func runQuery(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	o := &options{User: "admin", LogLevel: "warn"} // the CLI prints results, not a log line per query
	fs, config, specs := newFlags("query", o, false, stderr)
	format := fs.String("format", "table", "output format: table, csv, json or arrow (Arrow IPC stream)")
	profile := fs.String("profile", "", "write a CPU profile of planning and running the SQL to this file (read it with go tool pprof)")
	timing := fs.Bool("timing", false, "print each statement's time on stderr, like psql's \\timing")
	file := fs.String("f", "", `read the SQL from this file ("-": standard input) instead of the argument, like psql -f`)
	if err := fs.Parse(sqlAfterFlags(args)); err != nil {
		return errUsage
	}
	if err := resolve(fs, *config, specs); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return err
	}
	if n := fs.NArg(); n > 1 || (n == 1) == (*file != "") {
		fmt.Fprintln(stderr, `usage: meshql query [flags] "SQL"  or  meshql query [flags] -f FILE`)
		return errUsage
	}
	sql, err := querySQL(fs.Args(), *file, stdin)
	if err != nil {
		return err
	}
	mesh, err := loadMesh(ctx, o, stderr)
	if err != nil {
		return err
	}
	eng, closeLineage, err := newEngineObserved(mesh, o, nil)
	if err != nil {
		return err
	}
	defer closeLineage()
	sess, err := eng.NewSession(o.User, nil)
	if err != nil {
		return err
	}
	defer sess.Close()
	if *profile != "" {
		// Started after the mesh is loaded, so that the profile shows the
		// query and not the generation of demo data.
		stop, err := startCPUProfile(*profile)
		if err != nil {
			return err
		}
		defer func() {
			if perr := stop(); err == nil {
				err = perr
			}
		}()
	}
	start := time.Now()
	// The statements run as psql -c runs them, in one implicit
	// transaction: they read one now(), which their 'now' literals,
	// analyzed by Prepare, read too.
	sess.HoldImplicitTransactions()
	clock := sess.Clock()
	// A single statement, analyzed by Prepare, runs as the same
	// statement (one registration, one statement_timeout); several are
	// analyzed and run one by one by ExecuteAt.
	sc := sess.BeginStatement()
	defer sc.End()
	stmts, err := sess.Prepare(sc.Context(ctx), sql)
	if err != nil {
		return &statementError{err: err, sql: sql}
	}
	for _, st := range stmts {
		res, err := st.ExecuteAt(sc.Context(ctx), nil, clock)
		sc.End()
		if err != nil {
			return &statementError{err: err, sql: sql}
		}
		err = printResult(ctx, res, *format, o.MaxRows, sess.Location(), sess.DateStyle(), stdout)
		res.Close()
		if err != nil {
			return err
		}
		if *timing {
			// Like psql's \timing, the time of planning, running and
			// printing; the first statement's also includes parsing all.
			fmt.Fprintf(stderr, "Time: %.3f ms\n", float64(time.Since(start).Microseconds())/1000)
			start = time.Now()
		}
	}
	return nil
}

// sqlAfterFlags ends the flags before an argument that starts with a SQL
// comment ("-- top customers\nSELECT …", as $(cat report.sql) gives),
// which the flag package would read as an unknown flag.
func sqlAfterFlags(args []string) []string {
	for i, a := range args {
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "--") && strings.ContainsAny(a, " \t\r\n") && !strings.Contains(a[:strings.IndexAny(a, " \t\r\n")], "=") {
			return slices.Concat(args[:i], []string{"--"}, args[i:])
		}
	}
	return args
}

// querySQL returns the SQL to run: the argument, or the contents of file
// ("-": stdin).
func querySQL(args []string, file string, stdin io.Reader) (string, error) {
	var b []byte
	var err error
	switch file {
	case "":
		return args[0], nil
	case "-":
		b, err = io.ReadAll(stdin)
	default:
		b, err = os.ReadFile(file)
	}
	return string(b), err
}

// startCPUProfile starts the process's CPU profile into path; stop ends
// it and reports whether the file was written whole.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "--profile: %v", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--profile: %w", err)
		}
		return nil
	}, nil
}

// errTooManyRows is the error of a result over --max-rows: the CLI holds
// a result in memory to align it, so an unbounded one could exhaust it.
func errTooManyRows(maxRows int) error {
	return sqltypes.New(sqltypes.CodeProgramLimitExceeded, "query returned more than %d rows (--max-rows)", maxRows).
		WithHint("Add a LIMIT to the query, or raise --max-rows (0: no limit).")
}

// printResult prints a result, timestamptz values in loc (the session's
// TimeZone, as psql shows them); with maxRows > 0, a result of more rows
// fails with 54000 before anything is printed (Arrow: before the batch
// that crosses the limit).
func printResult(ctx context.Context, res *engine.Result, format string, maxRows int, loc *time.Location, style sqltypes.DateStyle, w io.Writer) error {
	for _, n := range res.Notices {
		fmt.Fprintf(w, "NOTICE:  %s\n", n.Msg)
	}
	if res.Columns == nil {
		fmt.Fprintln(w, res.CommandTag())
		return nil
	}
	if format == "arrow" {
		return writeArrow(ctx, res, maxRows, w)
	}
	header := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		header[i] = c.Name
	}
	var rows [][]*string
	for {
		b, err := res.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		texts := make([]func(int) *string, len(res.Columns))
		for c, col := range res.Columns {
			texts[c] = col.Texts(b.Column(c), loc, style)
		}
		for r := 0; r < int(b.NumRows()); r++ {
			row := make([]*string, len(res.Columns))
			for c := range res.Columns {
				row[c] = texts[c](r)
			}
			rows = append(rows, row)
		}
		b.Release()
		if maxRows > 0 && len(rows) > maxRows {
			return errTooManyRows(maxRows)
		}
	}
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(header)
		for _, r := range rows {
			rec := make([]string, len(r))
			for i, v := range r {
				if v != nil {
					rec[i] = *v
				}
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "json":
		enc := json.NewEncoder(w)
		for _, r := range rows {
			obj := make(map[string]any, len(r))
			for i, v := range r {
				if v != nil {
					obj[header[i]] = *v
				} else {
					obj[header[i]] = nil
				}
			}
			if err := enc.Encode(obj); err != nil {
				return err
			}
		}
		return nil
	case "table":
		printTable(w, res.Columns, header, rows)
		return nil
	}
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, "unknown --format %q (table, csv, json, arrow)", format)
}

// printTable prints rows aligned like psql: numbers right-aligned.
func printTable(w io.Writer, cols []engine.Column, header []string, rows [][]*string) {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, v := range r {
			if v != nil {
				width[i] = max(width[i], utf8.RuneCountInString(*v))
			}
		}
	}
	pad := func(s string, n int, right bool) string {
		gap := strings.Repeat(" ", n-utf8.RuneCountInString(s))
		if right {
			return gap + s
		}
		return s + gap
	}
	var line []string
	for i, h := range header {
		l := width[i] - utf8.RuneCountInString(h)
		line = append(line, strings.Repeat(" ", l/2)+h+strings.Repeat(" ", l-l/2))
	}
	fmt.Fprintln(w, " "+strings.Join(line, " | "))
	var sep []string
	for _, n := range width {
		sep = append(sep, strings.Repeat("-", n+2))
	}
	fmt.Fprintln(w, strings.Join(sep, "+"))
	for _, r := range rows {
		var cells []string
		for i, v := range r {
			s := ""
			if v != nil {
				s = *v
			}
			cells = append(cells, pad(s, width[i], cols[i].Type.IsNumeric() || cols[i].Type.Kind == sqltypes.Oid))
		}
		fmt.Fprintln(w, " "+strings.Join(cells, " | "))
	}
	noun := "rows"
	if len(rows) == 1 {
		noun = "row"
	}
	fmt.Fprintf(w, "(%d %s)\n", len(rows), noun)
}

func writeArrow(ctx context.Context, res *engine.Result, maxRows int, w io.Writer) error {
	var n int64
	var wr *ipc.Writer
	defer func() {
		if wr != nil {
			wr.Close()
		}
	}()
	for {
		b, err := res.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if n += b.NumRows(); maxRows > 0 && n > int64(maxRows) {
			b.Release()
			return errTooManyRows(maxRows)
		}
		// Arrow has no per-value numeric scale: decimal128 of the nominal one.
		err = expr.CheckArrowNumerics(b)
		var d arrow.RecordBatch
		if err == nil {
			d, err = expr.DecimalBatch(memory.DefaultAllocator, b)
		}
		b.Release()
		if err != nil {
			return err
		}
		if wr == nil {
			wr = ipc.NewWriter(w, ipc.WithSchema(d.Schema()))
		}
		err = wr.Write(d)
		d.Release()
		if err != nil {
			return err
		}
	}
	if wr == nil {
		fields := make([]arrow.Field, len(res.Columns))
		for i, c := range res.Columns {
			fields[i] = arrow.Field{Name: c.Name, Type: c.Type.Static().Arrow(), Nullable: true}
		}
		wr = ipc.NewWriter(w, ipc.WithSchema(arrow.NewSchema(fields, nil)))
	}
	return nil
}
