package catalog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// policies decodes the optional policies block; it runs after columns so
// that column names can be checked.
func (y *yamlFile) policies(f fields, c descriptorContext, p *Product) Policies {
	pf, _ := y.object(f.get("policies"), "policies", "read", "columns", "row_filters")
	var out Policies
	out.Read = y.roleList(pf, "read", c)

	cols, _ := y.pairs(pf.get("columns"), "policies.columns")
	for _, cp := range cols {
		if p.Column(cp.key) == nil && len(p.Columns) > 0 {
			y.unknownColumn(cp.keyNode, cp.valuePath, cp.key, p)
		}
		rf, ok := y.object(cp.valNode, cp.valuePath, "allow", "deny", "mask", "except")
		if !ok {
			continue
		}
		rule := ColumnPolicy{Deny: y.boolean(rf, "deny"), Mask: y.str(rf, "mask"), Except: y.roleList(rf, "except", c)}
		if n := rf.get("allow"); n != nil {
			// allow: [roles] grants the column to those roles only: every
			// other reader of the product is denied it.
			if rule.Deny || rule.Mask != "" || rf.get("except") != nil {
				y.problem(n, rf.at("allow"), "allow names the roles that read the column; it excludes deny, mask and except")
			}
			rule = ColumnPolicy{Deny: true, Except: y.roleList(rf, "allow", c)}
		}
		y.checkDenyOrMask(rf, cp.valuePath, rule.Deny, rule.Mask, "allow, deny: true or a mask")
		if out.Columns == nil {
			out.Columns = map[string]ColumnPolicy{}
		}
		out.Columns[cp.key] = rule
	}

	for _, it := range y.seq(pf, "row_filters") {
		rf, ok := y.object(it.node, it.path, "roles", "except", "predicate")
		if !ok {
			continue
		}
		r := RowFilter{Roles: y.roleList(rf, "roles", c), Except: y.roleList(rf, "except", c)}
		if n := y.required(rf, "predicate"); n != nil {
			r.Predicate, _ = y.scalar(n, rf.at("predicate"), "a SQL expression")
			if strings.TrimSpace(r.Predicate) == "" {
				y.problem(n, rf.at("predicate"), "must not be empty")
			}
		}
		out.RowFilters = append(out.RowFilters, r)
	}
	return out
}

// checkDenyOrMask reports a column rule (a descriptor's or a mesh-wide
// one) that does not say exactly one of deny and a known mask; needs
// names what the rule may say instead, for the message.
func (y *yamlFile) checkDenyOrMask(rf fields, path string, deny bool, mask, needs string) {
	switch {
	case mask != "" && !contains(maskMethods, mask):
		y.problem(rf.get("mask"), rf.at("mask"), "%q is not one of %s", mask, strings.Join(maskMethods, ", "))
	case deny && mask != "":
		y.problem(rf.get("mask"), path, "deny and mask exclude each other")
	case !deny && mask == "":
		y.problem(rf.node, path, "needs %s", needs)
	}
}

// roleList decodes a list of role names, checking each against mesh.yaml.
func (y *yamlFile) roleList(f fields, key string, c descriptorContext) []string {
	names, nodes := y.strs(f, key)
	if c.roles != nil {
		for i, r := range names {
			if !c.roles[r] {
				y.unknownRole(nodes[i], fmt.Sprintf("%s[%d]", f.at(key), i), r, c.roles)
			}
		}
	}
	return names
}

func (y *yamlFile) unknownColumn(n *yaml.Node, path, name string, p *Product) {
	names := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		names[i] = c.Name
	}
	if s := closest(name, names); s != "" {
		y.problem(n, path, "column %q is not declared in columns (did you mean %q?)", name, s)
		return
	}
	y.problem(n, path, "column %q is not declared in columns", name)
}

// ParseFreshness parses an SLA freshness: a Go duration ("90m", "24h") or
// a whole number of days, optionally followed by a Go duration ("7d",
// "1d12h"). The result must be positive.
func ParseFreshness(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	orig := s
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err == nil && n >= 0 && n <= 100000 {
			days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		}
	}
	var rest time.Duration
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration like 24h, 90m or 7d", orig)
		}
		rest = d
	}
	if d := days + rest; d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("freshness must be positive")
}

// validAvailability reports whether s is a percentage in (0, 100], like "99.5%".
func validAvailability(s string) bool {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok {
		return false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	return err == nil && v > 0 && v <= 100
}

// FormatFreshness writes a freshness the way descriptors spell it, so that
// ParseFreshness reads it back: several whole days as "7d", else Go's form
// without zero trailing units ("36h", "1h30m").
func FormatFreshness(d time.Duration) string {
	const day = 24 * time.Hour
	if d > day && d%day == 0 {
		return strconv.Itoa(int(d/day)) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
