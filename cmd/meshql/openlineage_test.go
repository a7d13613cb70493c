package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestQueryEmitsOpenLineage: `meshql query` with openlineage_file in its
// config file appends a START and a COMPLETE event naming the product read.
func TestQueryEmitsOpenLineage(t *testing.T) {
	mesh := demoMeshWithData(t)
	dir := t.TempDir()
	events := filepath.Join(dir, "lineage.ndjson")
	config := filepath.Join(dir, "meshql.yaml")
	if err := os.WriteFile(config, []byte("openlineage_file: "+events+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "query", "--config", config, "--mesh", mesh, "--user", "analyst", "SELECT count(*) FROM sales.orders_v1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d events, want START and COMPLETE:\n%s", len(lines), data)
	}
	for i, want := range []string{"START", "COMPLETE"} {
		var ev struct {
			EventType string `json:"eventType"`
			Inputs    []struct{ Namespace, Name string }
			Run       struct {
				Facets struct {
					User struct{ User string } `json:"meshql_user"`
				}
			}
		}
		if err := json.Unmarshal([]byte(lines[i]), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.EventType != want || len(ev.Inputs) != 1 || ev.Inputs[0].Name != "sales.orders_v1" || ev.Inputs[0].Namespace != "meshql://demo" || ev.Run.Facets.User.User != "analyst" {
			t.Errorf("event %d = %+v", i, ev)
		}
	}
}

// TestServeFlushesOpenLineageAtShutdown: events still queued for a slow
// endpoint when serve is told to stop (SIGTERM ends its context) are sent
// before serve returns, not lost with the process.
func TestServeFlushesOpenLineageAtShutdown(t *testing.T) {
	var mu sync.Mutex
	var got []string
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			EventType string `json:"eventType"`
		}
		json.NewDecoder(r.Body).Decode(&ev)
		time.Sleep(300 * time.Millisecond) // slower than the shutdown
		mu.Lock()
		got = append(got, ev.EventType)
		mu.Unlock()
	}))
	defer endpoint.Close()
	s, sigterm, exited := serveUntilSignal(t, "--mesh", demoMeshWithData(t), "--http-listen", "off", "--log-level", "error",
		"--openlineage-url", endpoint.URL)
	defer sigterm()
	ctx := context.Background()
	conn := connectAs(t, s, "analyst")
	for range 3 {
		if _, err := conn.Exec(ctx, "SELECT count(*) FROM sales.orders_v1"); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(context.Background())
	sigterm()
	select {
	case code := <-exited:
		if code != 0 {
			t.Fatalf("serve exited with %d", code)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not exit")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 6 {
		t.Fatalf("the endpoint had %d events when serve returned (%v), want 3 START and 3 COMPLETE", len(got), got)
	}
}
