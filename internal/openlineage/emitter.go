package openlineage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshql/meshql/engine"
)

// Producer identifies meshql in every event and facet.
const Producer = "https://github.com/meshql/meshql"

const (
	runEventSchema     = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
	sqlFacetSchema     = "https://openlineage.io/spec/facets/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet"
	errorFacetSchema   = "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet"
	schemaFacetSchema  = "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
	columnFacetSchema  = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"
	userFacetSchema    = Producer + "/blob/main/README.md#openlineage"
	queueLen           = 1024
	defaultHTTPTimeout = 5 * time.Second
)

// Config says where events go; at least one of URL and File is set.
type Config struct {
	URL    string // OpenLineage HTTP endpoint, e.g. http://marquez:5000/api/v1/lineage
	File   string // NDJSON file events are appended to
	Client *http.Client
	Logger *slog.Logger
}

// Emitter queues run events and sends them in the background. It is safe
// for concurrent use.
type Emitter struct {
	cfg      Config
	file     *os.File
	queue    chan []byte
	finished chan struct{} // closed when the sender has sent everything
	mu       sync.RWMutex  // guards closed against a send on the closed queue
	closed   bool
	dropped  atomic.Int64
}

// New opens the file (if any) and starts the sender.
func New(cfg Config) (*Emitter, error) {
	if cfg.URL == "" && cfg.File == "" {
		return nil, fmt.Errorf("openlineage: neither a URL nor a file to send events to")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Emitter{cfg: cfg, queue: make(chan []byte, queueLen), finished: make(chan struct{})}
	if cfg.File != "" {
		f, err := os.OpenFile(cfg.File, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("openlineage: %w", err)
		}
		e.file = f
	}
	go e.run()
	return e, nil
}

// QueryStarted queues a START event.
func (e *Emitter) QueryStarted(ev engine.QueryEvent) { e.enqueue(Event(ev, "START", ev.Start)) }

// QueryEnded queues a COMPLETE or FAIL event.
func (e *Emitter) QueryEnded(ev engine.QueryEvent) {
	kind := "COMPLETE"
	if ev.Err != nil {
		kind = "FAIL"
	}
	e.enqueue(Event(ev, kind, ev.End))
}

// Dropped is the number of events dropped because the queue was full.
func (e *Emitter) Dropped() int64 { return e.dropped.Load() }

func (e *Emitter) enqueue(ev map[string]any) {
	data, err := json.Marshal(ev)
	if err != nil {
		e.cfg.Logger.Warn("openlineage: encoding an event", "err", err)
		return
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		e.dropped.Add(1)
		return
	}
	select {
	case e.queue <- data:
	default:
		e.dropped.Add(1)
	}
}

// run sends queued events until Close.
func (e *Emitter) run() {
	defer close(e.finished)
	for data := range e.queue {
		e.send(data)
	}
}

func (e *Emitter) send(data []byte) {
	if e.file != nil {
		if _, err := e.file.Write(append(data, '\n')); err != nil {
			e.cfg.Logger.Warn("openlineage: writing an event", "file", e.cfg.File, "err", err)
		}
	}
	if e.cfg.URL == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), defaultHTTPTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.cfg.URL, bytes.NewReader(data))
	if err != nil {
		e.cfg.Logger.Warn("openlineage: bad URL", "url", e.cfg.URL, "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.cfg.Client.Do(req)
	if err != nil {
		e.cfg.Logger.Warn("openlineage: sending an event", "url", e.cfg.URL, "err", err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		e.cfg.Logger.Warn("openlineage: endpoint refused an event", "url", e.cfg.URL, "status", resp.Status)
	}
}

// Close sends what is queued, then closes the file. Events after Close
// are dropped. It is idempotent.
func (e *Emitter) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.queue)
	e.mu.Unlock()
	<-e.finished
	if e.file == nil {
		return nil
	}
	return e.file.Close()
}

// Event builds the OpenLineage RunEvent of a query event.
func Event(ev engine.QueryEvent, kind string, at time.Time) map[string]any {
	ns := "meshql://" + ev.Mesh
	sum := sha256.Sum256([]byte(ev.SQL))
	inputs := make([]map[string]any, 0, len(ev.Inputs))
	for _, in := range ev.Inputs {
		ds := map[string]any{"namespace": ns, "name": in}
		if cols := ev.InputColumns[in]; len(cols) > 0 {
			// The schema facet lists the columns the query read, which is
			// what a lineage consumer can attribute to this run.
			fields := make([]map[string]any, len(cols))
			for i, c := range cols {
				fields[i] = map[string]any{"name": c}
			}
			ds["facets"] = map[string]any{"schema": map[string]any{"_producer": Producer, "_schemaURL": schemaFacetSchema, "fields": fields}}
		}
		inputs = append(inputs, ds)
	}
	runFacets := map[string]any{
		"meshql_user": map[string]any{"_producer": Producer, "_schemaURL": userFacetSchema, "user": ev.User},
	}
	if ev.Err != nil && kind == "FAIL" {
		runFacets["errorMessage"] = map[string]any{"_producer": Producer, "_schemaURL": errorFacetSchema,
			"message": ev.Err.Error(), "programmingLanguage": "SQL"}
	}
	job := "query." + hex.EncodeToString(sum[:8])
	outputs := []any{}
	if kind != "FAIL" && len(ev.Outputs) > 0 {
		outputs = append(outputs, output(ns, job, ev.Outputs))
	}
	return map[string]any{
		"eventType": kind,
		"eventTime": at.UTC().Format(time.RFC3339Nano),
		"producer":  Producer,
		"schemaURL": runEventSchema,
		"run":       map[string]any{"runId": ev.RunID, "facets": runFacets},
		"job": map[string]any{"namespace": ns, "name": job,
			"facets": map[string]any{"sql": map[string]any{"_producer": Producer, "_schemaURL": sqlFacetSchema, "query": ev.SQL}}},
		"inputs":  inputs,
		"outputs": outputs,
	}
}

// output is the dataset a query writes: its result, which has no name of
// its own, so it is named like the job (the same SQL text, the same
// dataset), in the mesh's namespace. Its facets give the result's schema
// and, in columnLineage, each column's input product columns: DIRECT
// transformations (IDENTITY, TRANSFORMATION, AGGREGATION) of
// planner/lineage; columns used only to filter, join, group or sort
// (INDIRECT in OpenLineage's terms) are not listed.
func output(ns, job string, cols []engine.OutputColumn) map[string]any {
	fields := make([]map[string]any, len(cols))
	lineage := map[string]any{}
	for i, c := range cols {
		fields[i] = map[string]any{"name": c.Name, "type": c.Type}
		if len(c.Inputs) == 0 {
			continue
		}
		in := make([]map[string]any, len(c.Inputs))
		for j, s := range c.Inputs {
			in[j] = map[string]any{"namespace": ns, "name": s.Product, "field": s.Column,
				"transformations": []map[string]any{{"type": "DIRECT", "subtype": strings.ToUpper(s.Transformation), "masking": s.Masked}}}
		}
		lineage[c.Name] = map[string]any{"inputFields": in}
	}
	facets := map[string]any{"schema": map[string]any{"_producer": Producer, "_schemaURL": schemaFacetSchema, "fields": fields}}
	if len(lineage) > 0 {
		facets["columnLineage"] = map[string]any{"_producer": Producer, "_schemaURL": columnFacetSchema, "fields": lineage}
	}
	return map[string]any{"namespace": ns, "name": job, "facets": facets}
}
