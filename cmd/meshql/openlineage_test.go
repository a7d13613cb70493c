package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshql/meshql/internal/demodata"
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

// TestOpenLineageColumnLineage: a query's run event has an output dataset,
// its result, whose columnLineage facet maps each result column of the
// cross-sell query to the product columns it derives from. Expected, from
// the SQL: customer_id is sales.orders_v1.customer_id (the GROUP BY key of
// the CTE, then of the query: the value itself); category is
// catalog.products_v2.category; occurences is count(*), which reads no
// column. product_id and order_date only join and filter (OpenLineage's
// INDIRECT), so no output lists them. For analyst, customer_id is hashed
// by policy (tagged pii.indirect, masked outside sales): the output is
// computed from it, with masking.
func TestOpenLineageColumnLineage(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			t.Errorf("receiver: %v", err)
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}))
	defer endpoint.Close()
	mesh := demoMeshWithData(t)
	config := filepath.Join(t.TempDir(), "meshql.yaml")
	if err := os.WriteFile(config, []byte("openlineage_url: "+endpoint.URL+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type input struct {
		Namespace, Name, Field string
		Transformations        []struct {
			Type, Subtype string
			Masking       bool
		}
	}
	for _, c := range []struct {
		user    string
		custSub string
		masked  bool
	}{
		{"admin", "IDENTITY", false},
		{"analyst", "TRANSFORMATION", true},
	} {
		mu.Lock()
		got = nil
		mu.Unlock()
		if code, _, errOut := runCLI(t, "query", "--config", config, "--mesh", mesh, "--user", c.user, demodata.CrossSell); code != 0 {
			t.Fatalf("%s: exit %d: %s", c.user, code, errOut)
		}
		mu.Lock()
		evs := got
		mu.Unlock()
		if len(evs) != 2 || evs[1]["eventType"] != "COMPLETE" {
			t.Fatalf("%s: events %v, want START and COMPLETE", c.user, evs)
		}
		data, _ := json.Marshal(evs[1])
		var ev struct {
			Job     struct{ Namespace, Name string }
			Outputs []struct {
				Namespace, Name string
				Facets          struct {
					Schema        struct{ Fields []struct{ Name, Type string } }
					ColumnLineage struct {
						SchemaURL string                                   `json:"_schemaURL"`
						Fields    map[string]struct{ InputFields []input } `json:"fields"`
					} `json:"columnLineage"`
				}
			}
		}
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatal(err)
		}
		if len(ev.Outputs) != 1 {
			t.Fatalf("%s: outputs %s", c.user, data)
		}
		out := ev.Outputs[0]
		if out.Namespace != "meshql://demo" || out.Name != ev.Job.Name || !strings.HasPrefix(out.Name, "query.") {
			t.Errorf("%s: output dataset %s/%s, job %s/%s", c.user, out.Namespace, out.Name, ev.Job.Namespace, ev.Job.Name)
		}
		var schema []string
		for _, f := range out.Facets.Schema.Fields {
			schema = append(schema, f.Name+" "+f.Type)
		}
		if strings.Join(schema, ", ") != "customer_id bigint, category text, occurences bigint" {
			t.Errorf("%s: output schema %v", c.user, schema)
		}
		cl := out.Facets.ColumnLineage
		if !strings.HasSuffix(cl.SchemaURL, "/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet") {
			t.Errorf("%s: columnLineage _schemaURL %q", c.user, cl.SchemaURL)
		}
		describe := func(col string) []string {
			var s []string
			for _, in := range cl.Fields[col].InputFields {
				for _, tr := range in.Transformations {
					s = append(s, fmt.Sprintf("%s %s.%s %s/%s masking=%v", in.Namespace, in.Name, in.Field, tr.Type, tr.Subtype, tr.Masking))
				}
			}
			return s
		}
		want := map[string][]string{
			"customer_id": {fmt.Sprintf("meshql://demo sales.orders_v1.customer_id DIRECT/%s masking=%v", c.custSub, c.masked)},
			"category":    {"meshql://demo catalog.products_v2.category DIRECT/IDENTITY masking=false"},
		}
		if len(cl.Fields) != len(want) {
			t.Errorf("%s: columnLineage lists %d columns, want customer_id and category: %s", c.user, len(cl.Fields), data)
		}
		for col, w := range want {
			if g := describe(col); !slices.Equal(g, w) {
				t.Errorf("%s: %s derives from %q, want %q", c.user, col, g, w)
			}
		}
	}
}
