package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestExplainJSON: EXPLAIN (FORMAT JSON) answers one value of type json
// shaped as PostgreSQL's (an array of one object holding "Plan", each
// operator's "Node Type" first and its inputs under "Plans" last), which
// plan viewers read; under ANALYZE each operator has PostgreSQL's actual
// rows and loops and the document the execution time. The format names
// PostgreSQL accepts but meshql does not write are 0A000, others 22023.
func TestExplainJSON(t *testing.T) {
	e, _, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	const query = "SELECT customer_id, count(*) FROM sales.orders_v1 WHERE status <> 'x' GROUP BY 1"
	groups := len(rows(t, e, "admin", query))

	s, err := e.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Query(context.Background(), "EXPLAIN (ANALYZE, FORMAT JSON) "+query)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Columns) != 1 || res.Columns[0].Name != "QUERY PLAN" || res.Columns[0].Type != sqltypes.TypeJSON {
		t.Errorf("columns %+v, want one json column QUERY PLAN", res.Columns)
	}
	res.Close()
	text := strings.Join(rows(t, e, "admin", "EXPLAIN (ANALYZE, FORMAT JSON) "+query), "\n")
	var doc []map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil || len(doc) != 1 {
		t.Fatalf("not one JSON plan (%v):\n%s", err, text)
	}
	if _, ok := doc[0]["Execution Time"].(float64); !ok {
		t.Errorf("no Execution Time:\n%s", text)
	}
	root, _ := doc[0]["Plan"].(map[string]any)
	if root == nil || root["Actual Rows"] != float64(groups) || root["Actual Loops"] != float64(1) {
		t.Errorf("the root operator should count the %d result rows in one loop:\n%s", groups, text)
	}
	scan := findNode(root, "Scan sales.orders_v1")
	if scan == nil || scan["Columns"] == nil || scan["Actual Rows"] == nil || scan["Actual Rows"] != scan["Source Rows"] {
		t.Errorf("no scan of sales.orders_v1 with its columns and rows:\n%s", text)
	}
	var raw []struct{ Plan json.RawMessage }
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		t.Fatal(err)
	}
	if keys := objectKeys(t, raw[0].Plan); keys[0] != "Node Type" || keys[len(keys)-1] != "Plans" {
		t.Errorf("the root operator's keys are %v: PostgreSQL writes Node Type first and Plans last", keys)
	}

	plain := strings.Join(rows(t, e, "admin", "EXPLAIN (FORMAT JSON) "+query), "\n")
	if err := json.Unmarshal([]byte(plain), &doc); err != nil || strings.Contains(plain, "Actual") || strings.Contains(plain, "Execution Time") {
		t.Errorf("EXPLAIN without ANALYZE should be a plan without measurements (%v):\n%s", err, plain)
	}
	if text := strings.Join(rows(t, e, "sales_eu", "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM sales.customers_v1"), "\n"); strings.Contains(text, "Source Rows") {
		t.Errorf("under a row filter the JSON plan counts what the source delivered before it:\n%s", text)
	}
	for sql, code := range map[string]string{
		"EXPLAIN (FORMAT YAML) SELECT 1": sqltypes.CodeFeatureNotSupported,
		"EXPLAIN (FORMAT foo) SELECT 1":  sqltypes.CodeInvalidParameterValue,
	} {
		if _, err := queryErr(t, e, "admin", sql); sqltypes.Code(err) != code {
			t.Errorf("%s: got %v, want SQLSTATE %s", sql, err, code)
		}
	}
}

// findNode returns the first operator of the plan whose Node Type starts
// with prefix.
func findNode(n map[string]any, prefix string) map[string]any {
	if n == nil {
		return nil
	}
	if name, _ := n["Node Type"].(string); strings.HasPrefix(name, prefix) {
		return n
	}
	plans, _ := n["Plans"].([]any)
	for _, p := range plans {
		if found := findNode(p.(map[string]any), prefix); found != nil {
			return found
		}
	}
	return nil
}

// objectKeys returns the keys of the JSON object raw, in order.
func objectKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 && dec.More() {
				keys = append(keys, v)
				// Skip the value.
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if len(keys) == 0 {
		t.Fatalf("no keys in %s", raw)
	}
	return keys
}
