package catalog

import (
	"sort"
	"strings"
)

// connectionKinds lists the kinds a mesh.yaml connection may have.
var connectionKinds = []string{"s3", "flightsql", "postgres"}

// secretKeys are option names whose values are credentials. A mesh or a
// descriptor must not hold them literally: it names an environment
// variable (<key>_env) or a file (<key>_file) instead, which the connector
// reads when it opens the source.
var secretKeys = []string{"password", "secret_access_key", "session_token", "token"}

// Connection is a named connection from mesh.yaml: where an object store
// or a server is and how to log in, shared by the products that name it in
// source.connection. Options are the kind's settings (endpoint, region,
// uri, username, secret_access_key_env, …); they never hold a secret.
type Connection struct {
	Name    string
	Kind    string // s3 | flightsql | postgres
	Options map[string]string
}

// meshConnections decodes mesh.yaml's optional connections block.
func (y *yamlFile) meshConnections(f fields, mc *meshConfig) {
	ps, _ := y.pairs(f.get("connections"), "connections")
	mc.connections = map[string]*Connection{}
	for _, p := range ps {
		if !isIdent(p.key) {
			y.problem(p.keyNode, p.valuePath, "connection name must be a lower-case identifier ([a-z_][a-z0-9_]*)")
		}
		c := &Connection{Name: p.key}
		cp, _ := y.pairs(p.valNode, p.valuePath)
		for _, o := range cp {
			v, ok := y.scalar(deref(o.valNode), o.valuePath, "a string")
			if !ok {
				continue
			}
			if o.key == "kind" {
				c.Kind = v
				if !contains(connectionKinds, v) {
					y.problem(o.valNode, o.valuePath, "%q is not one of %s", v, strings.Join(connectionKinds, ", "))
				}
				continue
			}
			y.checkSecret(o, v)
			if c.Options == nil {
				c.Options = map[string]string{}
			}
			c.Options[o.key] = v
		}
		if c.Kind == "" {
			y.problem(p.valNode, p.valuePath+".kind", "is required (one of %s)", strings.Join(connectionKinds, ", "))
		}
		mc.connections[p.key] = c
	}
}

// checkSecret reports an option that holds a credential literally.
func (y *yamlFile) checkSecret(o pair, v string) {
	if contains(secretKeys, o.key) && v != "" {
		y.problem(o.keyNode, o.valuePath, "must not hold a secret; name where it is with %s_env (an environment variable) or %s_file (a file)", o.key, o.key)
	}
}

// sourceConnection resolves a descriptor's source.connection.
func (y *yamlFile) sourceConnection(sf fields, c descriptorContext, s *Source) {
	n := sf.get("connection")
	if n == nil {
		return
	}
	name, ok := y.scalar(n, "source.connection", "a string")
	if !ok || c.connections == nil {
		return
	}
	if conn := c.connections[name]; conn != nil {
		s.Connection = conn
		return
	}
	names := make([]string, 0, len(c.connections))
	for k := range c.connections {
		names = append(names, k)
	}
	sort.Strings(names)
	if s := closest(name, names); s != "" {
		y.problem(n, "source.connection", "connection %q is not defined in %s (did you mean %q?)", name, MeshFile, s)
		return
	}
	y.problem(n, "source.connection", "connection %q is not defined under connections in %s", name, MeshFile)
}
