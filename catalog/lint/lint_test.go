package lint

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/mesh-bad")

const (
	badDir  = "../../testdata/mesh-bad"
	demoDir = "../../testdata/mesh"
)

// testNow is the fixed "today" of the golden files.
var testNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// lintBad lints testdata/mesh-bad from inside it, so file names in the
// findings (and the goldens) are relative to the mesh folder.
func lintBad(t *testing.T) []Finding {
	t.Helper()
	abs, err := filepath.Abs(badDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(abs)
	fs, _, err := LintDir(".", catalog.LoadOptions{}, DefaultRules(testNow))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == LoadRule {
			t.Fatalf("testdata/mesh-bad must load: %s", f)
		}
	}
	return fs
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := name // relative to the mesh-bad folder lintBad moved into
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./catalog/lint -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./catalog/lint -update and review the diff)\n--- got:\n%s--- want:\n%s", name, got, want)
	}
}

func TestGoldenText(t *testing.T) {
	fs := lintBad(t)
	var b bytes.Buffer
	if err := WriteText(&b, fs); err != nil {
		t.Fatal(err)
	}
	golden(t, "lint.golden.txt", b.Bytes())
}

func TestGoldenJSON(t *testing.T) {
	fs := lintBad(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, fs); err != nil {
		t.Fatal(err)
	}
	golden(t, "lint.golden.json", b.Bytes())
	var back []Finding
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back) != len(fs) {
		t.Fatalf("JSON does not round-trip: %v (%d of %d findings)", err, len(back), len(fs))
	}
}

// TestOneViolationPerRule checks the contract of testdata/mesh-bad: every
// default rule fires exactly once, each in a file of its own.
func TestOneViolationPerRule(t *testing.T) {
	fs := lintBad(t)
	byRule := map[string][]Finding{}
	files := map[string]string{}
	for _, f := range fs {
		byRule[f.Rule] = append(byRule[f.Rule], f)
		if prev, dup := files[f.File]; dup {
			t.Errorf("%s breaks both %s and %s", f.File, prev, f.Rule)
		}
		files[f.File] = f.Rule
		if f.Line <= 0 {
			t.Errorf("%s: no line", f)
		}
	}
	for _, r := range DefaultRules(testNow) {
		if n := len(byRule[r.ID]); n != 1 {
			t.Errorf("rule %s: %d findings, want 1: %v", r.ID, n, byRule[r.ID])
		}
	}
}

// TestDemoMeshClean: the demo mesh must follow every rule.
func TestDemoMeshClean(t *testing.T) {
	fs, _, err := LintDir(demoDir, catalog.LoadOptions{}, DefaultRules(testNow))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Errorf("testdata/mesh: %s", f)
	}
}

func TestLoadErrorsAreFindings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("mesh.yaml", "name: x\ndomains:\n  sales: {}\n")
	write("sales/orders_v1.yaml", "product: orders\nversion: 1\ndomain: sales\ncolour: blue\n")
	fs, _, err := LintDir(dir, catalog.LoadOptions{}, DefaultRules(testNow))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 {
		t.Fatal("no findings for a mesh that does not load")
	}
	for _, f := range fs {
		if f.Rule != LoadRule || f.Severity != SeverityError || !strings.HasSuffix(f.File, "orders_v1.yaml") || f.Line == 0 {
			t.Errorf("unexpected finding %s", f)
		}
	}
	if _, ok := LoadFindings(os.ErrNotExist); ok {
		t.Error("LoadFindings accepted an error that is not a *catalog.LoadError")
	}
}

func TestJUnit(t *testing.T) {
	fs := lintBad(t)
	rules := DefaultRules(testNow)
	var b bytes.Buffer
	if err := WriteJUnit(&b, "lint", rules, fs); err != nil {
		t.Fatal(err)
	}
	var s junitSuite
	if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatalf("invalid XML: %v\n%s", err, b.Bytes())
	}
	errRules := 0
	for _, r := range rules {
		if r.Severity == SeverityError {
			errRules++
		}
	}
	if s.Tests != len(rules) || s.Failures != errRules || len(s.Cases) != len(rules) {
		t.Errorf("tests=%d failures=%d cases=%d, want %d, %d, %d", s.Tests, s.Failures, len(s.Cases), len(rules), errRules, len(rules))
	}
	for _, c := range s.Cases {
		if c.Name == "draft" && (c.Failure != nil || !strings.Contains(c.SystemOut, "experiment_v1")) {
			t.Errorf("warning rule draft: failure=%v system-out=%q", c.Failure, c.SystemOut)
		}
	}
}

func TestSunsetBoundaries(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(catalog.SunsetLayout, s); return d }
	p := &catalog.Product{Domain: "d", Name: "p", Version: 1, Status: catalog.StatusDeprecated, File: "d/p_v1.yaml"}
	cases := []struct {
		sunset     string
		past, soon bool
	}{
		{"2026-05-31", true, false},
		{"2026-06-01", false, true}, // the sunset day itself: still served, as the engine does
		{"2026-06-02", false, true},
		{"2026-07-01", false, true}, // exactly 30 days
		{"2026-07-02", false, false},
	}
	for _, c := range cases {
		p.Sunset = day(c.sunset)
		if got := len(checkSunset(p, testNow)) > 0; got != c.past {
			t.Errorf("sunset %s: past = %v, want %v", c.sunset, got, c.past)
		}
		if got := len(checkSunsetSoon(p, testNow)) > 0; got != c.soon {
			t.Errorf("sunset %s: soon = %v, want %v", c.sunset, got, c.soon)
		}
	}
}

// TestPIIExceptOutsideDomain: the pii-masked rule reports what the
// policy decision point decides for the roles outside the domain, mesh.yaml's
// access rules included (expectations written from the policies below).
func TestPIIExceptOutsideDomain(t *testing.T) {
	p := &catalog.Product{Domain: "sales", Name: "p", Version: 1, File: "sales/p_v1.yaml",
		Columns: []*catalog.Column{{Name: "email", Tags: []string{"pii.contact"}, Line: 7}},
		Policies: catalog.Policies{Read: []string{"analyst", "marketing", "sales"},
			Columns: map[string]catalog.ColumnPolicy{"email": {Mask: "hash", Except: []string{"sales", "analyst"}}}}}
	m := &catalog.Mesh{Products: []*catalog.Product{p}, Access: []catalog.AccessRule{},
		Roles: []*catalog.Role{{Name: "analyst"}, {Name: "marketing"}, {Name: "sales"}, {Name: "ops"}}}
	fs := checkPII(m)
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "role analyst") || fs[0].Line != 7 {
		t.Errorf("findings = %v, want one about role analyst at line 7", fs)
	}
	// A mesh-wide rule hashing pii outside the domain covers analyst,
	// whom the product's policy excepts.
	m.Access = catalog.DefaultAccess()
	if fs := checkPII(m); len(fs) != 0 {
		t.Errorf("with the default access rule: findings = %v, want none", fs)
	}
	// Neither a product policy nor a mesh-wide rule: every outside reader
	// (analyst and marketing; ops may not read p) reads it as stored.
	p.Policies.Columns, m.Access = nil, nil
	if fs := checkPII(m); len(fs) != 1 || !strings.Contains(fs[0].Message, "neither masked nor denied") {
		t.Errorf("without policies: findings = %v, want one saying neither masked nor denied", fs)
	}
}

func TestSnakeCase(t *testing.T) {
	for s, want := range map[string]bool{"orders": true, "cross_sell": true, "v2_items": true,
		"order__lines": false, "lines_": false, "_x": false, "2x": false, "Orders": false, "": false} {
		if got := isSnakeCase(s); got != want {
			t.Errorf("isSnakeCase(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestRulesConfiguredInMeshYAML: the rules of mesh.yaml, or of
// policies.yaml beside it, turn a rule off, change a severity, and an
// unknown rule id is itself an error at its file and line.
func TestRulesConfiguredInMeshYAML(t *testing.T) {
	abs, err := filepath.Abs(badDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{catalog.MeshFile, catalog.PoliciesFile} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(abs)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, file)
			data, err := os.ReadFile(path)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			lines := strings.Count(string(data), "\n")
			data = append(data, "rules:\n  draft: off\n  sunset-soon: error\n  naming: warning\n  ownr: error\n"...)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			fs, rules, err := LintDir(dir, catalog.LoadOptions{}, DefaultRules(testNow))
			if err != nil {
				t.Fatal(err)
			}
			sev := map[string]string{}
			for _, f := range fs {
				sev[f.Rule] = f.Severity
				if f.Rule == ConfigRule && (f.Line != lines+5 || filepath.Base(f.File) != file || !strings.Contains(f.Message, `did you mean "owner"`)) {
					t.Errorf("config finding %s: want %s line %d and a suggestion of owner", f, file, lines+5)
				}
			}
			want := map[string]string{"draft": "", "sunset-soon": SeverityError, "naming": SeverityWarning, "owner": SeverityError, ConfigRule: SeverityError}
			for id, w := range want {
				if sev[id] != w {
					t.Errorf("rule %s: severity %q, want %q", id, sev[id], w)
				}
			}
			if len(rules) != len(DefaultRules(testNow))-1 {
				t.Errorf("%d rules ran, want every default rule but draft", len(rules))
			}
			for _, r := range rules {
				if r.ID == "draft" {
					t.Error("draft is off but ran")
				}
			}
		})
	}
}
