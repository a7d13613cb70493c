package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshql/meshql/internal/meshcheck"
)

var update = flag.Bool("update", false, "rewrite testdata/mesh-bad/check.golden.* from meshql check's output; review the diff")

// checkBadNow is the fixed time of the check goldens. The data of
// catalog.hurried_v1 ends on 2026-05-20, so it is stale at this time
// whatever today is; products measured on file times are fresh, since a
// checkout dates its files after it; catalog.legacy_v1 is past its sunset
// and skipped.
const checkBadNow = "2026-06-01T12:00:00Z"

// checkBad runs `meshql check` over testdata/mesh-bad from inside it, so
// that file names are relative to the mesh, and returns its exit status
// and output, with the mesh's absolute path (in messages about its
// files) taken out.
func checkBad(t *testing.T, format string) (int, string) {
	t.Helper()
	abs, err := filepath.Abs(badMesh)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(abs)
	code, out, errOut := runCLI(t, "check", "--record=false", "--now", checkBadNow, "--format", format, ".")
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	return code, strings.ReplaceAll(out, abs+string(filepath.Separator), "")
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/meshql -run TestCheckBadMesh -update)", err)
	}
	if !bytes.Equal([]byte(got), want) {
		t.Errorf("%s differs (go test ./cmd/meshql -run TestCheckBadMesh -update, then review the diff):\n%s", name, got)
	}
}

// TestCheckBadMesh: `meshql check testdata/mesh-bad` reports the violations
// seeded in its data, in each output format, and exits 1. The goldens are
// the spec: each line is one seeded violation (see testdata/mesh-bad's
// mesh.yaml for the list).
func TestCheckBadMesh(t *testing.T) {
	for _, c := range []struct{ format, golden string }{
		{"text", "check.golden.txt"},
		{"json", "check.golden.json"},
		{"junit", "check.golden.xml"},
	} {
		t.Run(c.format, func(t *testing.T) {
			code, out := checkBad(t, c.format)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			checkGolden(t, c.golden, out)
		})
	}
}

// TestCheckBadMeshOnePerRule checks the contract of testdata/mesh-bad's
// data independently of the goldens' wording: every check rule fails
// once, at a line of the product's descriptor, except schema, which fails
// twice (a column dropped, a column retyped); the int4 column read as
// bigint passes, and the retired product is not checked.
func TestCheckBadMeshOnePerRule(t *testing.T) {
	_, out := checkBad(t, "json")
	var fs []struct {
		Rule, File, Product, Column string
		Line                        int
	}
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	got := map[string][]string{}
	for _, f := range fs {
		got[f.Rule] = append(got[f.Rule], f.Product+"."+f.Column)
		if f.Line <= 0 || f.File != filepath.Join(strings.Split(f.Product, ".")[0], strings.Split(f.Product, ".")[1]+".yaml") {
			t.Errorf("%+v: want the product's descriptor and a line", f)
		}
	}
	want := map[string][]string{
		meshcheck.RuleSource:      {"marketing.experiment_v1."},
		meshcheck.RuleSchema:      {"sales.retyped_v1.amount", "sales.undocumented_v1.label"},
		meshcheck.RuleSchemaExtra: {"catalog.items_v2.label"},
		meshcheck.RuleNotNull:     {"sales.no_description_v1.id"},
		meshcheck.RuleUnique:      {"sales.no_owner_v1.id"},
		meshcheck.RuleAccepted:    {"sales.no_sla_v1.label"},
		meshcheck.RuleRange:       {"catalog.retiring_v1.id"},
		meshcheck.RuleQuality:     {"sales.order__lines_v1."},
		meshcheck.RuleExample:     {"sales.leaky_v1."},
		meshcheck.RuleFreshness:   {"catalog.hurried_v1.updated_on"},
	}
	for _, r := range meshcheck.Rules() {
		if strings.Join(got[r.ID], " ") != strings.Join(want[r.ID], " ") {
			t.Errorf("rule %s: findings %v, want %v", r.ID, got[r.ID], want[r.ID])
		}
	}
	if len(fs) != 11 {
		t.Errorf("%d findings, want 11", len(fs))
	}
}
