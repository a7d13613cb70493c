package catalog

import (
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// reservedSchemas are schema names meshql itself serves; no domain may take them.
var reservedSchemas = []string{"mesh", "information_schema", "pg_catalog", "public"}

// meshConfig is mesh.yaml, decoded, with the nodes later checks point at.
type meshConfig struct {
	name, description string
	searchPath        []string
	domains           []*Domain
	users             []*User
	roles             []*Role
	roleSet           map[string]bool // nil when mesh.yaml could not be read
	domainNode        map[string]*yaml.Node
	maskKey           maskKeyConfig
	connections       map[string]*Connection // nil when mesh.yaml could not be read
	rules             []RuleSetting
	access            []AccessRule
}

// meshFile decodes and validates mesh.yaml.
func (y *yamlFile) meshFile(root *yaml.Node) *meshConfig {
	mc := &meshConfig{roleSet: map[string]bool{}, domainNode: map[string]*yaml.Node{}}
	f, ok := y.object(root, "", "name", "description", "search_path", "users", "roles", "domains", "mask_key_env", "mask_key_file", "connections", "rules", "access")
	if !ok {
		return mc
	}
	if n := y.required(f, "name"); n != nil {
		mc.name, _ = y.scalar(n, "name", "a string")
	}
	mc.description = y.str(f, "description")
	mc.searchPath, _ = y.strs(f, "search_path")

	roleNodes := y.meshRoles(f, mc)
	y.meshUsers(f, mc)
	y.meshDomains(f, mc)
	y.meshConnections(f, mc)
	y.checkRoleCycles(mc, roleNodes)
	mc.maskKey = y.meshMaskKey(f)
	mc.rules = y.meshRules(f)
	mc.access = y.meshAccess(f, mc)
	return mc
}

// RuleSeverities lists the values a rule setting in mesh.yaml may take:
// a severity, or "off" to turn the rule off.
var RuleSeverities = []string{"error", "warning", "off"}

// meshRules decodes mesh.yaml's rules: a mapping from rule id to severity.
// The ids are checked by the lint engine, which knows the rules; the
// catalog only checks the form.
func (y *yamlFile) meshRules(f fields) []RuleSetting {
	ps, _ := y.pairs(f.get("rules"), "rules")
	var out []RuleSetting
	for _, p := range ps {
		v, ok := y.scalar(deref(p.valNode), p.valuePath, "a severity")
		if !ok {
			continue
		}
		if !contains(RuleSeverities, v) {
			y.problem(p.valNode, p.valuePath, "%q is not one of %s", v, strings.Join(RuleSeverities, ", "))
			continue
		}
		out = append(out, RuleSetting{ID: p.key, Severity: v, File: y.file, Line: p.keyNode.Line})
	}
	return out
}

func (y *yamlFile) meshRoles(f fields, mc *meshConfig) map[string]*yaml.Node {
	ps, _ := y.pairs(f.get("roles"), "roles")
	inheritNodes := map[string]*yaml.Node{}
	for _, p := range ps {
		if !isIdent(p.key) {
			y.problem(p.keyNode, p.valuePath, "role name must be a lower-case identifier ([a-z_][a-z0-9_]*)")
		}
		mc.roleSet[p.key] = true
	}
	for _, p := range ps {
		rf, _ := y.object(p.valNode, p.valuePath, "description", "inherits")
		r := &Role{Name: p.key, Description: y.str(rf, "description")}
		names, nodes := y.strs(rf, "inherits")
		for i, in := range names {
			if !mc.roleSet[in] {
				y.unknownRole(nodes[i], rf.at("inherits"), in, mc.roleSet)
				continue
			}
			r.Inherits = append(r.Inherits, in)
		}
		inheritNodes[p.key] = rf.get("inherits")
		mc.roles = append(mc.roles, r)
	}
	sort.Slice(mc.roles, func(i, j int) bool { return mc.roles[i].Name < mc.roles[j].Name })
	return inheritNodes
}

func (y *yamlFile) meshUsers(f fields, mc *meshConfig) {
	ps, _ := y.pairs(f.get("users"), "users")
	for _, p := range ps {
		uf, _ := y.object(p.valNode, p.valuePath, "password", "roles", "attributes")
		u := &User{Name: p.key, Password: y.str(uf, "password")}
		if strings.TrimSpace(p.key) == "" {
			y.problem(p.keyNode, "users", "user name must not be empty")
		}
		names, nodes := y.strs(uf, "roles")
		for i, r := range names {
			if !mc.roleSet[r] {
				y.unknownRole(nodes[i], uf.at("roles"), r, mc.roleSet)
				continue
			}
			u.Roles = append(u.Roles, r)
		}
		attrs, _ := y.pairs(uf.get("attributes"), uf.at("attributes"))
		for _, a := range attrs {
			v, ok := y.scalar(deref(a.valNode), a.valuePath, "a string")
			if !ok {
				continue
			}
			if u.Attributes == nil {
				u.Attributes = map[string]string{}
			}
			u.Attributes[a.key] = v
		}
		mc.users = append(mc.users, u)
	}
	sort.Slice(mc.users, func(i, j int) bool { return mc.users[i].Name < mc.users[j].Name })
}

func (y *yamlFile) meshDomains(f fields, mc *meshConfig) {
	ps, _ := y.pairs(f.get("domains"), "domains")
	for _, p := range ps {
		switch {
		case !isIdent(p.key):
			y.problem(p.keyNode, p.valuePath, "domain name must be a lower-case identifier ([a-z_][a-z0-9_]*)")
		case contains(reservedSchemas, p.key) || strings.HasPrefix(p.key, "pg_"):
			y.problem(p.keyNode, p.valuePath, "%q is reserved for meshql's own schemas", p.key)
		}
		df, _ := y.object(p.valNode, p.valuePath, "description", "owner")
		d := &Domain{Name: p.key, Description: y.str(df, "description"), Owner: y.owner(df)}
		mc.domains = append(mc.domains, d)
		mc.domainNode[p.key] = p.keyNode
	}
	sort.Slice(mc.domains, func(i, j int) bool { return mc.domains[i].Name < mc.domains[j].Name })
}

// owner decodes an optional owner: {team, contact} field.
func (y *yamlFile) owner(f fields) Owner {
	of, _ := y.object(f.get("owner"), f.at("owner"), "team", "contact")
	return Owner{Team: y.str(of, "team"), Contact: y.str(of, "contact")}
}

// checkRoleCycles reports each role that inherits itself, once per cycle.
func (y *yamlFile) checkRoleCycles(mc *meshConfig, nodes map[string]*yaml.Node) {
	byName := map[string]*Role{}
	for _, r := range mc.roles {
		byName[r.Name] = r
	}
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		state[name] = active
		stack = append(stack, name)
		for _, in := range byName[name].Inherits {
			switch state[in] {
			case active:
				i := len(stack) - 1
				for stack[i] != in {
					i--
				}
				// Report at name, the role whose inherits closes the cycle.
				cycle := append([]string{name}, stack[i:]...)
				y.problem(nodes[name], "roles."+name+".inherits", "inheritance cycle %s", strings.Join(cycle, " -> "))
			case unseen:
				visit(in)
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
	}
	for _, r := range mc.roles { // sorted, so the report is deterministic
		if state[r.Name] == unseen {
			visit(r.Name)
		}
	}
}

// unknownRole reports a reference to a role mesh.yaml does not declare.
func (y *yamlFile) unknownRole(n *yaml.Node, path, role string, roles map[string]bool) {
	names := make([]string, 0, len(roles))
	for r := range roles {
		names = append(names, r)
	}
	sort.Strings(names)
	if s := closest(role, names); s != "" {
		y.problem(n, path, "role %q is not defined in mesh.yaml (did you mean %q?)", role, s)
		return
	}
	y.problem(n, path, "role %q is not defined in mesh.yaml", role)
}
