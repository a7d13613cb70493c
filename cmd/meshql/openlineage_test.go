package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
