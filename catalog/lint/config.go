package lint

import (
	"fmt"

	"github.com/meshql/meshql/catalog"
)

// ConfigRule is the rule id of findings about mesh.yaml's rules settings
// themselves (a rule id that does not exist).
const ConfigRule = "rules"

// Configure applies mesh.yaml's rules settings to rules: a setting gives a
// rule another severity, or turns it off ("off" drops it from the list).
// It returns the rules to run, in their original order, and one finding
// per setting that names no rule. rules itself is not modified.
func Configure(m *catalog.Mesh, rules []Rule) ([]Rule, []Finding) {
	byID := map[string]string{}
	var bad []Finding
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	for _, s := range m.Rules {
		if !contains(ids, s.ID) {
			msg := fmt.Sprintf("mesh.yaml sets rule %q, which does not exist", s.ID)
			if near := catalog.Closest(s.ID, ids); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			bad = append(bad, Finding{Rule: ConfigRule, Severity: SeverityError, File: s.File, Line: s.Line,
				Message: msg, Hint: "rules: maps a rule id to error, warning or off"})
			continue
		}
		byID[s.ID] = s.Severity
	}
	out := make([]Rule, 0, len(rules))
	for _, r := range rules {
		switch sev := byID[r.ID]; sev {
		case "off":
			continue
		case SeverityError, SeverityWarning:
			r.Severity = sev
		}
		out = append(out, r)
	}
	return out, bad
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
