package openlineage

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/meshql/meshql/engine"
)

var (
	t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	ok = engine.QueryEvent{RunID: "0b5e7c1a-63a3-4c1e-9a4f-1d2a3b4c5d6e", Mesh: "demo", User: "analyst",
		SQL: "SELECT count(*) FROM sales.orders_v1 WHERE amount > 0", Inputs: []string{"sales.orders_v1"},
		InputColumns: map[string][]string{"sales.orders_v1": {"amount"}}, Start: t0, End: t0.Add(time.Second), Rows: 1}
)

// runs sends one successful and one failed run through an emitter.
func runs(t *testing.T, e *Emitter) {
	t.Helper()
	e.QueryStarted(ok)
	e.QueryEnded(ok)
	bad := ok
	bad.RunID, bad.Err = "9f0e7c1a-63a3-4c1e-9a4f-1d2a3b4c5d6e", errors.New("division by zero")
	e.QueryStarted(bad)
	e.QueryEnded(bad)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	e.QueryStarted(ok) // after Close: dropped, no panic
	if e.Dropped() != 1 {
		t.Errorf("dropped %d events, want 1", e.Dropped())
	}
}

// checkEvents checks the four events against the OpenLineage RunEvent
// fields a consumer such as Marquez requires.
func checkEvents(t *testing.T, evs []map[string]any) {
	t.Helper()
	if len(evs) != 4 {
		t.Fatalf("%d events, want 4", len(evs))
	}
	wantTypes := []string{"START", "COMPLETE", "START", "FAIL"}
	for i, ev := range evs {
		if ev["eventType"] != wantTypes[i] || ev["producer"] != Producer || ev["schemaURL"] != runEventSchema {
			t.Errorf("event %d: %v", i, ev)
		}
		run := ev["run"].(map[string]any)
		job := ev["job"].(map[string]any)
		inputs := ev["inputs"].([]any)
		if len(inputs) != 1 || inputs[0].(map[string]any)["name"] != "sales.orders_v1" || inputs[0].(map[string]any)["namespace"] != "meshql://demo" {
			t.Errorf("event %d inputs: %v", i, inputs)
		}
		schema, _ := json.Marshal(inputs[0].(map[string]any)["facets"].(map[string]any)["schema"].(map[string]any)["fields"])
		if string(schema) != `[{"name":"amount"}]` {
			t.Errorf("event %d: schema facet fields %s", i, schema)
		}
		if job["namespace"] != "meshql://demo" || job["facets"].(map[string]any)["sql"].(map[string]any)["query"] != ok.SQL {
			t.Errorf("event %d job: %v", i, job)
		}
		facets := run["facets"].(map[string]any)
		if facets["meshql_user"].(map[string]any)["user"] != "analyst" {
			t.Errorf("event %d run facets: %v", i, facets)
		}
		_, hasErr := facets["errorMessage"]
		if hasErr != (i == 3) {
			t.Errorf("event %d: errorMessage facet present = %v", i, hasErr)
		}
	}
	if evs[0]["run"].(map[string]any)["runId"] != evs[1]["run"].(map[string]any)["runId"] ||
		evs[1]["run"].(map[string]any)["runId"] == evs[2]["run"].(map[string]any)["runId"] {
		t.Error("START and its end must share a runId, two runs must not")
	}
	if evs[0]["eventTime"] != "2026-06-01T12:00:00Z" || evs[1]["eventTime"] != "2026-06-01T12:00:01Z" {
		t.Errorf("event times %v, %v", evs[0]["eventTime"], evs[1]["eventTime"])
	}
	if evs[0]["job"].(map[string]any)["name"] != evs[2]["job"].(map[string]any)["name"] {
		t.Error("the same SQL must be the same job")
	}
}

func TestHTTP(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev map[string]any
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &ev) != nil {
			t.Errorf("bad request %s %s: %s", r.Method, r.Header.Get("Content-Type"), body)
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	e, err := New(Config{URL: srv.URL + "/api/v1/lineage"})
	if err != nil {
		t.Fatal(err)
	}
	runs(t, e)
	mu.Lock()
	defer mu.Unlock()
	checkEvents(t, got)
}

func TestFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lineage.ndjson")
	e, err := New(Config{File: path})
	if err != nil {
		t.Fatal(err)
	}
	runs(t, e)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, ev)
	}
	checkEvents(t, got)
}

func TestNeedsADestination(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("an emitter without URL or file was built")
	}
}
