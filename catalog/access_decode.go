package catalog

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// meshAccess decodes mesh.yaml's access: the mesh-wide column rules, in
// the vocabulary of a descriptor's policies.columns (deny: true or a
// mask, except: [roles]) plus what a mesh-wide rule needs: which columns
// (columns: {tags: [...]}), for which roles, and except_domain for "not
// for the owning domain's role". An absent key means DefaultAccess; an
// empty list means no mesh-wide rule. Role names are checked against
// mc.roleSet, so roles must be decoded first.
func (y *yamlFile) meshAccess(f fields, mc *meshConfig) []AccessRule {
	if _, present := f.vals["access"]; !present {
		return DefaultAccess()
	}
	rules := []AccessRule{} // declared, even if empty: not the default
	seen := map[string]bool{}
	ctx := descriptorContext{roles: mc.roleSet}
	for _, it := range y.seq(f, "access") {
		rf, ok := y.object(it.node, it.path, "id", "description", "columns", "roles", "except", "except_domain", "deny", "mask")
		if !ok {
			continue
		}
		r := AccessRule{
			Description:  y.str(rf, "description"),
			Roles:        y.roleList(rf, "roles", ctx),
			Except:       y.roleList(rf, "except", ctx),
			ExceptDomain: y.boolean(rf, "except_domain"),
			Deny:         y.boolean(rf, "deny"),
			Mask:         y.str(rf, "mask"),
			File:         y.file,
			Line:         it.node.Line,
		}
		if n := y.required(rf, "id"); n != nil {
			r.ID, _ = y.scalar(n, rf.at("id"), "a string")
			switch {
			case !isRuleID(r.ID):
				y.problem(n, rf.at("id"), "%q is not an id of lower-case letters, digits, - and _", r.ID)
			case seen[r.ID]:
				y.problem(n, rf.at("id"), "%q is also the id of an earlier rule", r.ID)
			}
			seen[r.ID] = true
		}
		r.Tags = y.accessColumns(rf)
		y.checkDenyOrMask(rf, it.path, r.Deny, r.Mask, "deny: true or a mask")
		rules = append(rules, r)
	}
	return rules
}

// accessColumns decodes a rule's column selector, columns: {tags: [...]},
// where each tag is a tag or a tag prefix followed by ".*".
func (y *yamlFile) accessColumns(rf fields) []string {
	if y.required(rf, "columns") == nil {
		return nil
	}
	cf, _ := y.object(rf.get("columns"), rf.at("columns"), "tags")
	tags, nodes := y.strs(cf, "tags")
	if len(tags) == 0 && cf.node != nil && cf.node.Kind == yaml.MappingNode {
		y.problem(cf.node, cf.at("tags"), "needs at least one tag")
	}
	for i, t := range tags {
		base, _ := strings.CutSuffix(t, ".*")
		if base == "" || strings.ContainsAny(base, "* \t") {
			y.problem(nodes[i], cf.at("tags"), "%q is not a tag or a tag prefix followed by .* (like pii.*)", t)
		}
	}
	return tags
}

// isRuleID reports whether s is a non-empty id of lower-case letters,
// digits, '-' and '_', the form lint rule ids take too.
func isRuleID(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
