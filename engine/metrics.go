package engine

import (
	"fmt"
	"io"
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// latencyBuckets are the upper bounds, in seconds, of the query latency
// histogram.
var latencyBuckets = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// metrics are the engine's operational counters, exported in Prometheus'
// text format by WriteMetrics. They are updated with atomics; the status
// map takes a lock only when a new SQLSTATE first appears.
type metrics struct {
	sessions    atomic.Int64
	rows        atomic.Int64
	latencyHist [len(latencyBuckets) + 1]atomic.Int64
	latencySum  atomic.Int64 // microseconds
	spillBytes  atomic.Int64 // bytes queries wrote to spill files
	sources     sourceMeter
	// Transactions ended (pg_stat_database's xact_commit and
	// xact_rollback): a statement outside a transaction block is one, a
	// block another (Session.countTransaction).
	commits, rollbacks atomic.Int64
	// sessionsTotal counts the sessions ever opened; sessionMicros the
	// time the closed ones lasted (pg_stat_database's sessions and
	// session_time, with the open sessions' time so far).
	sessionsTotal, sessionMicros atomic.Int64
	mu                           sync.Mutex
	byStatus                     map[string]*atomic.Int64
}

// sourceMeter is the engine's executor.SourceMeter: rows and bytes read
// per data product (and its connector kind).
type sourceMeter struct {
	mu     sync.Mutex
	counts map[sourceKey]*executor.SourceCounts
}

type sourceKey struct{ product, connector string }

func (m *sourceMeter) Counts(product, connector string) *executor.SourceCounts {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := sourceKey{product, connector}
	c, ok := m.counts[k]
	if !ok {
		if m.counts == nil {
			m.counts = map[sourceKey]*executor.SourceCounts{}
		}
		c = &executor.SourceCounts{}
		m.counts[k] = c
	}
	return c
}

// write exports the counters, sorted by product.
func (m *sourceMeter) write(w io.Writer) {
	m.mu.Lock()
	keys := make([]sourceKey, 0, len(m.counts))
	for k := range m.counts {
		keys = append(keys, k)
	}
	counts := maps.Clone(m.counts)
	m.mu.Unlock()
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].product < keys[j].product || keys[i].product == keys[j].product && keys[i].connector < keys[j].connector
	})
	for _, metric := range []struct {
		name, help string
		value      func(c *executor.SourceCounts) int64
	}{
		{"meshql_source_rows_read_total", "Rows scans read from sources, by data product and connector.", func(c *executor.SourceCounts) int64 { return c.Rows.Load() }},
		{"meshql_source_bytes_read_total", "Bytes (Arrow, uncompressed) scans read from sources, by data product and connector.", func(c *executor.SourceCounts) int64 { return c.Bytes.Load() }},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", metric.name, metric.help, metric.name)
		for _, k := range keys {
			fmt.Fprintf(w, "%s{product=%q,connector=%q} %d\n", metric.name, k.product, k.connector, metric.value(counts[k]))
		}
	}
}

// sourceRows is the number of rows scans have read from all sources.
func (m *sourceMeter) sourceRows() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for _, c := range m.counts {
		n += c.Rows.Load()
	}
	return n
}

// queryDone records a finished query.
func (m *metrics) queryDone(d time.Duration, rows int64, err error) {
	code := sqltypes.Code(err)
	m.mu.Lock()
	if m.byStatus == nil {
		m.byStatus = map[string]*atomic.Int64{}
	}
	c, ok := m.byStatus[code]
	if !ok {
		c = &atomic.Int64{}
		m.byStatus[code] = c
	}
	m.mu.Unlock()
	c.Add(1)
	m.rows.Add(rows)
	m.latencySum.Add(d.Microseconds())
	i := 0
	for i < len(latencyBuckets) && d.Seconds() > latencyBuckets[i] {
		i++
	}
	m.latencyHist[i].Add(1)
}

// logQuery writes the one log line every query gets.
// id is the query's id (mesh.running_queries, meshql_cancel); 0 for a
// query refused before it got one.
// products are the data products the statement reads.
func (s *Session) logQuery(id int64, sql string, products []string, d time.Duration, rows int64, err error) {
	s.engine.metrics.queryDone(d, rows, err)
	sql = truncateSQL(sql)
	attrs := []any{"query_id", id, "user", s.user, "duration_ms", float64(d.Microseconds()) / 1000, "rows", rows, "status", sqltypes.Code(err), "products", products, "sql", sql}
	if err != nil {
		// An executor's recovered panic arrives as XX000 with its stack,
		// which only the log keeps (the client sees the message).
		if se := sqltypes.AsError(err); se.Code == sqltypes.CodeInternal && se.Stack != "" {
			s.engine.log.Error("query failed", append(attrs, "error", err.Error(), "stack", se.Stack)...)
			return
		}
		s.engine.log.Info("query failed", append(attrs, "error", err.Error())...)
		return
	}
	s.engine.log.Info("query", attrs...)
}

// WriteMetrics writes the engine's metrics in Prometheus' text exposition
// format (for the /metrics endpoint).
func (e *Engine) WriteMetrics(w io.Writer) {
	m := &e.metrics
	fmt.Fprintln(w, "# HELP meshql_sessions Open sessions.")
	fmt.Fprintln(w, "# TYPE meshql_sessions gauge")
	fmt.Fprintf(w, "meshql_sessions %d\n", m.sessions.Load())
	fmt.Fprintln(w, "# HELP meshql_queries_total Queries by final SQLSTATE (00000 = success).")
	fmt.Fprintln(w, "# TYPE meshql_queries_total counter")
	m.mu.Lock()
	codes := make([]string, 0, len(m.byStatus))
	for c := range m.byStatus {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "meshql_queries_total{sqlstate=%q} %d\n", c, m.byStatus[c].Load())
	}
	m.mu.Unlock()
	fmt.Fprintln(w, "# HELP meshql_rows_returned_total Rows returned to clients.")
	fmt.Fprintln(w, "# TYPE meshql_rows_returned_total counter")
	fmt.Fprintf(w, "meshql_rows_returned_total %d\n", m.rows.Load())
	fmt.Fprintln(w, "# HELP meshql_query_duration_seconds Query latency, from execution start to the last row.")
	fmt.Fprintln(w, "# TYPE meshql_query_duration_seconds histogram")
	var cum int64
	for i, le := range latencyBuckets {
		cum += m.latencyHist[i].Load()
		fmt.Fprintf(w, "meshql_query_duration_seconds_bucket{le=\"%g\"} %d\n", le, cum)
	}
	cum += m.latencyHist[len(latencyBuckets)].Load()
	fmt.Fprintf(w, "meshql_query_duration_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(w, "meshql_query_duration_seconds_sum %g\n", float64(m.latencySum.Load())/1e6)
	fmt.Fprintf(w, "meshql_query_duration_seconds_count %d\n", cum)
	e.writeReloadMetrics(w)
	fmt.Fprintln(w, "# HELP meshql_query_memory_bytes Memory reserved by running queries (hash tables, sort runs, buffered batches).")
	fmt.Fprintln(w, "# TYPE meshql_query_memory_bytes gauge")
	fmt.Fprintf(w, "meshql_query_memory_bytes %d\n", e.pool.Used())
	fmt.Fprintln(w, "# HELP meshql_query_memory_limit_bytes The memory all running queries may reserve together (query_memory_total; 0: unlimited).")
	fmt.Fprintln(w, "# TYPE meshql_query_memory_limit_bytes gauge")
	fmt.Fprintf(w, "meshql_query_memory_limit_bytes %d\n", e.pool.Limit())
	fmt.Fprintln(w, "# HELP meshql_spill_bytes_total Bytes queries over their memory budget wrote to spill files.")
	fmt.Fprintln(w, "# TYPE meshql_spill_bytes_total counter")
	fmt.Fprintf(w, "meshql_spill_bytes_total %d\n", m.spillBytes.Load())
	m.sources.write(w)
}

// SpilledBytes is the number of bytes all queries have written to spill
// files (meshql_spill_bytes_total).
func (e *Engine) SpilledBytes() int64 { return e.metrics.spillBytes.Load() }
