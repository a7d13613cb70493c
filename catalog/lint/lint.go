package lint

import (
	"errors"
	"sort"
	"strings"

	"github.com/meshql/meshql/catalog"
)

// Severities of rules and findings.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// LoadRule is the rule id of findings that come from catalog.Load problems.
const LoadRule = "load"

// Rule is one mesh rule: what it requires and how to check it.
type Rule struct {
	ID       string // short kebab-case id, e.g. "owner"
	Severity string // SeverityError or SeverityWarning
	Message  string // what the rule requires, one line
	Hint     string // how to comply, one line
	// Check returns the places in m that break the rule. Lint fills each
	// finding's Rule and Severity, and its Message and Hint when empty.
	Check func(m *catalog.Mesh) []Finding
}

// Finding is one place that breaks a rule.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Product  string `json:"product,omitempty"` // qualified name, e.g. "sales.orders_v1"
	Column   string `json:"column,omitempty"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

// Lint runs rules over m and returns every finding, sorted by file, line
// and rule.
func Lint(m *catalog.Mesh, rules []Rule) []Finding {
	var out []Finding
	for _, r := range rules {
		for _, f := range r.Check(m) {
			f.Rule, f.Severity = r.ID, r.Severity
			if f.Message == "" {
				f.Message = r.Message
			}
			if f.Hint == "" {
				f.Hint = r.Hint
			}
			out = append(out, f)
		}
	}
	Sort(out)
	return out
}

// Sort orders findings by file, line, rule, then product, column and
// message so that output is deterministic.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Rule != b.Rule:
			return a.Rule < b.Rule
		case a.Product != b.Product:
			return a.Product < b.Product
		case a.Column != b.Column:
			return a.Column < b.Column
		}
		return a.Message < b.Message
	})
}

// LoadFindings turns the problems of a *catalog.LoadError in err into
// findings of rule "load". It reports false when err holds no LoadError.
func LoadFindings(err error) ([]Finding, bool) {
	var le *catalog.LoadError
	if !errors.As(err, &le) {
		return nil, false
	}
	out := make([]Finding, 0, len(le.Problems))
	for _, p := range le.Problems {
		msg := p.Msg
		if p.Field != "" {
			msg = p.Field + ": " + msg
		}
		out = append(out, Finding{Rule: LoadRule, Severity: SeverityError, File: p.File, Line: p.Line, Message: msg})
	}
	Sort(out)
	return out, true
}

// LintDir loads the mesh folder dir, applies its mesh.yaml rules settings
// to rules (see Configure) and lints it. It returns the findings and the
// rules that ran. When the mesh does not load, the findings are its load
// problems (rule "load"), no rule runs and the rules are returned as
// given. Errors other than a *catalog.LoadError (I/O) are returned.
func LintDir(dir string, opts catalog.LoadOptions, rules []Rule) ([]Finding, []Rule, error) {
	m, err := catalog.Load(dir, opts)
	if err != nil {
		if fs, ok := LoadFindings(err); ok {
			return fs, rules, nil
		}
		return nil, nil, err
	}
	rules, bad := Configure(m, rules)
	fs := append(Lint(m, rules), bad...)
	Sort(fs)
	return fs, rules, nil
}

// Count returns the number of error and warning findings.
func Count(fs []Finding) (errs, warnings int) {
	for _, f := range fs {
		if f.Severity == SeverityError {
			errs++
		} else {
			warnings++
		}
	}
	return errs, warnings
}

// isSnakeCase reports whether s is lower-case words of letters and digits
// joined by single underscores, starting with a letter.
func isSnakeCase(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
