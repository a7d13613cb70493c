// Package loadtest drives running meshql servers with concurrent pgx
// clients (`make loadtest`): a timed phase of a weighted query mix, which
// reports errors, throughput, latency percentiles and the servers' peak
// RSS, then a connect/disconnect churn phase, after which the servers'
// goroutines and open file descriptors (from /metrics) must return to
// their baseline. It only speaks the PostgreSQL protocol and HTTP, so it
// can drive any deployment; cmd/meshql-loadtest starts local servers.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Query is one kind of statement in the mix.
type Query struct {
	Name   string
	DSN    string // the server (and user) it runs against
	SQL    string
	Weight int
	// Args returns the statement's parameters for one execution; nil
	// means none.
	Args func(r *rand.Rand) []any
}

// Config is one load test.
type Config struct {
	Queries  []Query
	Clients  int           // concurrent clients of the query phase
	Duration time.Duration // length of the query phase
	// Churn clients connect, run SELECT 1 and disconnect in a loop for
	// ChurnDuration against ChurnDSN.
	ChurnClients  int
	ChurnDuration time.Duration
	ChurnDSN      string
	// MetricsURLs are the servers' /metrics endpoints.
	MetricsURLs []string
	// MaxRSS is the bound each server's resident memory must stay under
	// (0: not checked).
	MaxRSS int64
}

// Stats summarizes the executions of one query kind (or all).
type Stats struct {
	Name     string
	Count    int
	Errors   int
	P50, P99 time.Duration
}

// Report is the outcome of Run.
type Report struct {
	Duration   time.Duration
	Total      Stats
	PerQuery   []Stats
	ErrSamples []string // the first few distinct errors
	PeakRSS    []int64  // per metrics URL
	// Churn phase.
	ChurnConnections int
	ChurnErrors      int
	Baseline, After  []Gauges // per metrics URL
	Leaked           bool
}

// Gauges are the process gauges the churn phase compares.
type Gauges struct{ Goroutines, OpenFDs int64 }

// Passed reports whether the run met its bounds: no errors, no leak,
// RSS under MaxRSS.
func (r *Report) Passed(cfg Config) bool {
	if r.Total.Errors > 0 || r.ChurnErrors > 0 || r.Leaked {
		return false
	}
	for _, rss := range r.PeakRSS {
		if cfg.MaxRSS > 0 && rss > cfg.MaxRSS {
			return false
		}
	}
	return true
}

type sample struct {
	kind int
	d    time.Duration
	err  error
}

// Run runs both phases. It returns an error only when the test could not
// run (a server unreachable at the start); failed queries are counted in
// the report.
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Report, error) {
	rep := &Report{}
	for _, u := range cfg.MetricsURLs {
		g, err := scrapeGauges(ctx, u)
		if err != nil {
			return nil, err
		}
		rep.Baseline = append(rep.Baseline, g)
	}
	rep.PeakRSS = make([]int64, len(cfg.MetricsURLs))
	stopRSS := watchRSS(ctx, cfg.MetricsURLs, rep.PeakRSS)

	fmt.Fprintf(progress, "query phase: %d clients for %s\n", cfg.Clients, cfg.Duration)
	samples, elapsed, err := queryPhase(ctx, cfg)
	stopRSS()
	if err != nil {
		return nil, err
	}
	rep.Duration = elapsed
	summarize(rep, cfg, samples)

	if cfg.ChurnClients > 0 && cfg.ChurnDuration > 0 {
		fmt.Fprintf(progress, "churn phase: %d clients connecting and disconnecting for %s\n", cfg.ChurnClients, cfg.ChurnDuration)
		rep.ChurnConnections, rep.ChurnErrors = churn(ctx, cfg)
	}
	rep.After, rep.Leaked = settle(ctx, cfg.MetricsURLs, rep.Baseline)
	return rep, nil
}

// queryPhase runs cfg.Clients clients, each with one connection per
// server, until cfg.Duration has passed; queries started before then run
// to their end, so the phase lasts elapsed, at least cfg.Duration.
func queryPhase(ctx context.Context, cfg Config) (_ [][]sample, elapsed time.Duration, err error) {
	total := 0
	for _, q := range cfg.Queries {
		total += q.Weight
	}
	if total == 0 {
		return nil, 0, fmt.Errorf("loadtest: no query has a weight")
	}
	// Connect every client first, so that the timed phase measures
	// queries, not the connection storm.
	conns := make([]map[string]*pgx.Conn, cfg.Clients)
	defer func() {
		for _, cs := range conns {
			for _, c := range cs {
				c.Close(context.Background())
			}
		}
	}()
	for i := range conns {
		conns[i] = map[string]*pgx.Conn{}
		for _, q := range cfg.Queries {
			if conns[i][q.DSN] != nil {
				continue
			}
			c, err := pgx.Connect(ctx, q.DSN)
			if err != nil {
				return nil, 0, fmt.Errorf("loadtest: client %d: %w", i, err)
			}
			conns[i][q.DSN] = c
		}
	}
	start := time.Now()
	end := start.Add(cfg.Duration)
	out := make([][]sample, cfg.Clients)
	var wg sync.WaitGroup
	for i := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 42))
			for time.Now().Before(end) && ctx.Err() == nil {
				k := pick(cfg.Queries, total, r)
				q := cfg.Queries[k]
				var args []any
				if q.Args != nil {
					args = q.Args(r)
				}
				start := time.Now()
				err := runOne(ctx, conns[i][q.DSN], q.SQL, args)
				out[i] = append(out[i], sample{kind: k, d: time.Since(start), err: err})
			}
		}()
	}
	wg.Wait()
	return out, time.Since(start), nil
}

func pick(qs []Query, total int, r *rand.Rand) int {
	n := r.IntN(total)
	for i, q := range qs {
		if n < q.Weight {
			return i
		}
		n -= q.Weight
	}
	return len(qs) - 1
}

// runOne runs a statement and reads every row.
func runOne(ctx context.Context, c *pgx.Conn, sql string, args []any) error {
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}

func summarize(rep *Report, cfg Config, samples [][]sample) {
	per := make([][]time.Duration, len(cfg.Queries))
	errs := make([]int, len(cfg.Queries))
	var all []time.Duration
	seen := map[string]bool{}
	for _, client := range samples {
		for _, s := range client {
			if s.err != nil {
				errs[s.kind]++
				msg := cfg.Queries[s.kind].Name + ": " + s.err.Error()
				if !seen[msg] && len(rep.ErrSamples) < 10 {
					seen[msg] = true
					rep.ErrSamples = append(rep.ErrSamples, msg)
				}
				continue
			}
			per[s.kind] = append(per[s.kind], s.d)
			all = append(all, s.d)
		}
	}
	for i, q := range cfg.Queries {
		st := percentiles(per[i])
		st.Name, st.Errors = q.Name, errs[i]
		rep.PerQuery = append(rep.PerQuery, st)
		rep.Total.Errors += errs[i]
	}
	t := percentiles(all)
	t.Name, t.Errors = "all", rep.Total.Errors
	rep.Total = t
}

func percentiles(ds []time.Duration) Stats {
	if len(ds) == 0 {
		return Stats{}
	}
	slices.Sort(ds)
	at := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return Stats{Count: len(ds), P50: at(0.50), P99: at(0.99)}
}

// churn connects, runs SELECT 1 and disconnects in a loop.
func churn(ctx context.Context, cfg Config) (conns, errs int) {
	end := time.Now().Add(cfg.ChurnDuration)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range cfg.ChurnClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) && ctx.Err() == nil {
				c, err := pgx.Connect(ctx, cfg.ChurnDSN)
				if err == nil {
					err = runOne(ctx, c, "SELECT 1", nil)
					c.Close(context.Background())
				}
				mu.Lock()
				conns++
				if err != nil {
					errs++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return conns, errs
}

// settle waits (up to 30 s) for every server's goroutines and open fds to
// come back to their baseline, with a small slack for background work
// (the HTTP scrape itself, timers); leaked reports those that did not.
func settle(ctx context.Context, urls []string, base []Gauges) (after []Gauges, leaked bool) {
	const slack = 5
	deadline := time.Now().Add(30 * time.Second)
	for {
		after, leaked = after[:0], false
		for i, u := range urls {
			g, err := scrapeGauges(ctx, u)
			if err != nil {
				return append(after, Gauges{-1, -1}), true
			}
			after = append(after, g)
			if g.Goroutines > base[i].Goroutines+slack || g.OpenFDs > base[i].OpenFDs+slack {
				leaked = true
			}
		}
		if !leaked || time.Now().After(deadline) || ctx.Err() != nil {
			return after, leaked
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Markdown renders the report as the "Load test" section of
// bench/RESULTS.md.
func (r *Report) Markdown(cfg Config, setup string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", setup)
	fmt.Fprintf(&b, "| query | executions | errors | p50 | p99 |\n| --- | ---: | ---: | ---: | ---: |\n")
	rows := append(slices.Clone(r.PerQuery), r.Total)
	for _, s := range rows {
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s |\n", s.Name, s.Count, s.Errors, round(s.P50), round(s.P99))
	}
	fmt.Fprintf(&b, "\nThroughput: %.1f queries/s with %d clients: %d queries started in %s, the last finished after %s.\n",
		float64(r.Total.Count+r.Total.Errors)/r.Duration.Seconds(), cfg.Clients, r.Total.Count+r.Total.Errors, cfg.Duration, r.Duration.Round(time.Second))
	for i, rss := range r.PeakRSS {
		fmt.Fprintf(&b, "Peak RSS of server %d: %.0f MiB", i+1, float64(rss)/(1<<20))
		if cfg.MaxRSS > 0 {
			fmt.Fprintf(&b, " (bound %.0f MiB)", float64(cfg.MaxRSS)/(1<<20))
		}
		b.WriteString(".\n")
	}
	fmt.Fprintf(&b, "Churn: %d connect/query/disconnect cycles, %d errors.", r.ChurnConnections, r.ChurnErrors)
	for i := range r.Baseline {
		fmt.Fprintf(&b, " Server %d: goroutines %d → %d, open fds %d → %d.", i+1,
			r.Baseline[i].Goroutines, r.After[i].Goroutines, r.Baseline[i].OpenFDs, r.After[i].OpenFDs)
	}
	if r.Leaked {
		b.WriteString(" LEAK: the gauges did not return to their baseline.")
	}
	b.WriteString("\n")
	if len(r.ErrSamples) > 0 {
		b.WriteString("\nErrors:\n")
		for _, e := range r.ErrSamples {
			fmt.Fprintf(&b, "- %s\n", e)
		}
	}
	return b.String()
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
