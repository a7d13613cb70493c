package catalog

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshql/meshql/sqltypes"
)

// Connectors lists the source.connector values a descriptor may name.
var connectorKinds = []string{"parquet", "postgres", "csv", "flightsql", "sql", "memory"}

// maskMethods lists the column mask methods a policy may name.
var maskMethods = []string{"null", "redact", "hash", "partial", "round"}

// constraintNames lists the column constraints a descriptor may declare.
var constraintNames = []string{"not_null", "unique", "primary_key"}

// schemaStabilities lists the sla.schema_stability values.
var schemaStabilities = []string{"stable", "evolving", "experimental"}

// SunsetLayout is the date format of a descriptor's sunset field.
const SunsetLayout = "2006-01-02"

// descriptorContext is what decoding a descriptor needs from its surroundings.
type descriptorContext struct {
	folder  string          // domain folder the file is in
	base    string          // file name, e.g. "orders_v1.yaml"
	baseDir string          // Source.BaseDir for relative paths
	roles   map[string]bool // declared roles; nil skips role checks
	// connections declared in mesh.yaml; nil skips connection checks
	connections map[string]*Connection
}

// loadedProduct is a decoded descriptor with the nodes cross-file checks need.
type loadedProduct struct {
	p           *Product
	y           *yamlFile
	versionNode *yaml.Node
	inputNodes  []*yaml.Node
}

// product decodes and validates one descriptor. It returns nil when the
// file lacks what identifies a product (name, version, domain); every
// problem found is recorded either way.
func (y *yamlFile) product(root *yaml.Node, c descriptorContext) *loadedProduct {
	f, ok := y.object(root, "", "product", "version", "domain", "owner", "status", "sunset", "deprecated_since",
		"description", "sla", "source", "columns", "inputs", "policies", "quality", "examples")
	if !ok {
		return nil
	}
	p := &Product{File: y.file, Line: root.Line, Status: StatusActive}
	if n := f.get("product"); n != nil {
		p.Line = n.Line
	}
	valid := y.identity(f, c, p)

	p.Description = y.str(f, "description")
	p.Owner = y.owner(f)
	y.lifecycle(f, p)
	y.source(f, c, p)
	y.columns(f, p)
	p.SLA = y.sla(f, p)
	inputs, nodes := y.strs(f, "inputs")
	for i, in := range inputs {
		if _, _, ok := splitQualified(in); !ok {
			y.problem(nodes[i], fmt.Sprintf("inputs[%d]", i), "%q is not a qualified product name like \"sales.orders_v1\"", in)
		}
	}
	p.Inputs = inputs
	p.Policies = y.policies(f, c, p)
	p.Quality = y.namedQueries(f, "quality", "quality check")
	p.Examples = y.namedQueries(f, "examples", "example")
	if !valid {
		return nil
	}
	return &loadedProduct{p: p, y: y, versionNode: f.get("version"), inputNodes: nodes}
}

// identity decodes product, version and domain, and checks them against
// the folder and the file name. It reports whether all three are usable.
func (y *yamlFile) identity(f fields, c descriptorContext, p *Product) bool {
	valid := true
	if n := y.required(f, "product"); n != nil {
		p.Name, _ = y.scalar(n, "product", "a string")
		switch {
		case !isIdent(p.Name):
			y.problem(n, "product", "%q is not a lower-case identifier ([a-z_][a-z0-9_]*)", p.Name)
			valid = false
		case hasVersionSuffix(p.Name):
			y.problem(n, "product", "%q must not end in _v<N>: the version goes in the version field", p.Name)
			valid = false
		}
	} else {
		valid = false
	}
	if y.required(f, "version") != nil {
		v, ok := y.integer(f, "version")
		if ok && v < 1 {
			y.problem(f.get("version"), "version", "must be a positive integer, not %d", v)
			ok = false
		}
		p.Version = v
		valid = valid && ok
	} else {
		valid = false
	}
	if n := y.required(f, "domain"); n != nil {
		p.Domain, _ = y.scalar(n, "domain", "a string")
		if p.Domain != c.folder {
			y.problem(n, "domain", "is %q but the file is in folder %q", p.Domain, c.folder)
			valid = false
		}
	} else {
		valid = false
	}
	if valid {
		ext := filepath.Ext(c.base)
		if want := p.TableName() + ext; c.base != want {
			y.problem(f.get("product"), "product", "file name must be %q for product %q version %d", want, p.Name, p.Version)
		}
	}
	return valid
}

// inFlow reports whether n is written in flow style ({...} or [...]).
func inFlow(n *yaml.Node) bool { return n != nil && n.Style&yaml.FlowStyle != 0 }

func hasVersionSuffix(name string) bool { _, _, ok := splitVersion(name); return ok }

// splitQualified splits "domain.name" into its two identifiers.
func splitQualified(s string) (domain, name string, ok bool) {
	domain, name, ok = strings.Cut(s, ".")
	return domain, name, ok && isIdent(domain) && isIdent(name)
}

// lifecycle decodes status and sunset.
func (y *yamlFile) lifecycle(f fields, p *Product) {
	if n := f.get("status"); n != nil {
		s, _ := y.scalar(n, "status", "a string")
		switch Status(s) {
		case StatusDraft, StatusActive, StatusDeprecated:
			p.Status = Status(s)
		default:
			y.problem(n, "status", "%q is not one of draft, active, deprecated", s)
		}
	}
	p.Sunset = y.date(f, "sunset")
	if f.get("sunset") == nil && p.Status == StatusDeprecated {
		y.problem(f.get("status"), "sunset", "is required when status is deprecated")
	}
	p.DeprecatedSince = y.date(f, "deprecated_since")
}

// date decodes the optional YYYY-MM-DD date at key (zero when absent).
func (y *yamlFile) date(f fields, key string) time.Time {
	n := f.get(key)
	if n == nil {
		return time.Time{}
	}
	s, _ := y.scalar(n, key, "a date")
	t, err := time.Parse(SunsetLayout, s)
	if err != nil {
		y.problem(n, key, "%q is not a date in the form YYYY-MM-DD", s)
	}
	return t
}

// source decodes the required source block.
func (y *yamlFile) source(f fields, c descriptorContext, p *Product) {
	n := y.required(f, "source")
	if n == nil {
		return
	}
	sf, ok := y.object(n, "source", "connector", "path", "query", "table", "connection", "options", "security")
	if !ok {
		return
	}
	s := Source{BaseDir: c.baseDir, Path: y.str(sf, "path"), Query: y.str(sf, "query"), Table: y.str(sf, "table")}
	if cn := y.required(sf, "connector"); cn != nil {
		s.Connector, _ = y.scalar(cn, "source.connector", "a string")
		if !contains(connectorKinds, s.Connector) {
			y.problem(cn, "source.connector", "%q is not one of %s", s.Connector, strings.Join(connectorKinds, ", "))
		}
	}
	need := func(key, why string) {
		if sf.get(key) == nil {
			y.problem(n, "source."+key, "is required for connector %s (%s)", s.Connector, why)
		}
	}
	switch s.Connector {
	case "sql":
		need("query", "the SQL that defines the product")
	case "parquet", "csv":
		need("path", "a file or glob")
	}
	y.security(sf, c, p, &s)
	opts, _ := y.pairs(sf.get("options"), "source.options")
	for _, o := range opts {
		v, ok := y.scalar(deref(o.valNode), o.valuePath, "a string")
		if !ok {
			continue
		}
		y.checkSecret(o, v)
		if s.Options == nil {
			s.Options = map[string]string{}
		}
		s.Options[o.key] = v
	}
	y.sourceConnection(sf, c, &s)
	p.Source = s
}

// security decodes source.security, whose rights a derived product reads
// its inputs with: the consumer's (invoker, the default, also when absent) or its owning
// domain's (definer), which must then exist as a role.
func (y *yamlFile) security(sf fields, c descriptorContext, p *Product, s *Source) {
	n := sf.get("security")
	if n == nil {
		return
	}
	v, _ := y.scalar(n, "source.security", "a string")
	s.Security = v
	switch {
	case v != SecurityInvoker && v != SecurityDefiner:
		y.problem(n, "source.security", "%q is not one of %s, %s", v, SecurityInvoker, SecurityDefiner)
	case s.Connector != "sql":
		y.problem(n, "source.security", "applies only to derived products (connector sql), not to connector %s", s.Connector)
	case v == SecurityDefiner && c.roles != nil && p.Domain != "" && !c.roles[p.Domain]:
		y.problem(n, "source.security", "definer reads the inputs with the rights of role %q, the owning domain's, which is not defined in mesh.yaml", p.Domain)
	}
}

// columns decodes the required, non-empty columns list.
func (y *yamlFile) columns(f fields, p *Product) {
	if y.required(f, "columns") == nil {
		return
	}
	items := y.seq(f, "columns")
	if len(items) == 0 && f.get("columns").Kind == yaml.SequenceNode {
		y.problem(f.get("columns"), "columns", "must list at least one column")
	}
	seen := map[string]int{}
	for i, it := range items {
		cf, ok := y.object(it.node, it.path, "name", "type", "description", "tags", "constraints", "accepted_values", "range")
		if !ok {
			continue
		}
		col := &Column{Description: y.str(cf, "description"), Line: it.node.Line}
		if n := y.required(cf, "name"); n != nil {
			col.Name, _ = y.scalar(n, cf.at("name"), "a string")
			if prev, dup := seen[col.Name]; dup {
				y.problem(n, cf.at("name"), "duplicate column %q (also columns[%d])", col.Name, prev)
			} else {
				seen[col.Name] = i
			}
		}
		if n := y.required(cf, "type"); n != nil {
			s, _ := y.scalar(n, cf.at("type"), "a type name")
			t, err := sqltypes.ParseType(s)
			if err != nil {
				msg := err.Error()
				if strings.Contains(s, "(") && !strings.Contains(s, ")") && n.Style&yaml.FlowStyle == 0 && inFlow(it.node) {
					msg += ` (inside {...} a comma ends the value: quote the type, as in type: "numeric(12,2)")`
				}
				y.problem(n, cf.at("type"), "%s", msg)
			}
			col.Type = t
		}
		col.Tags, _ = y.strs(cf, "tags")
		cons, nodes := y.strs(cf, "constraints")
		for j, c := range cons {
			if !contains(constraintNames, c) {
				y.problem(nodes[j], fmt.Sprintf("%s[%d]", cf.at("constraints"), j), "%q is not one of %s", c, strings.Join(constraintNames, ", "))
			}
		}
		col.Constraints = cons
		y.valueConstraints(cf, col)
		p.Columns = append(p.Columns, col)
	}
}

// sla decodes the optional sla block; it runs after columns so that
// freshness_column can be checked.
func (y *yamlFile) sla(f fields, p *Product) SLA {
	sf, _ := y.object(f.get("sla"), "sla", "freshness", "freshness_column", "availability", "schema_stability")
	s := SLA{
		FreshnessColumn: y.str(sf, "freshness_column"),
		Availability:    y.str(sf, "availability"),
		SchemaStability: y.str(sf, "schema_stability"),
	}
	if n := sf.get("freshness"); n != nil {
		v, _ := y.scalar(n, "sla.freshness", "a duration")
		d, err := ParseFreshness(v)
		if err != nil {
			y.problem(n, "sla.freshness", "%v", err)
		}
		s.Freshness = d
	}
	if n := sf.get("freshness_column"); n != nil && p.Column(s.FreshnessColumn) == nil && len(p.Columns) > 0 {
		y.problem(n, "sla.freshness_column", "column %q is not declared in columns", s.FreshnessColumn)
	}
	if n := sf.get("availability"); n != nil && !validAvailability(s.Availability) {
		y.problem(n, "sla.availability", "%q is not a percentage like 99.5%%", s.Availability)
	}
	if n := sf.get("schema_stability"); n != nil && !contains(schemaStabilities, s.SchemaStability) {
		y.problem(n, "sla.schema_stability", "%q is not one of %s", s.SchemaStability, strings.Join(schemaStabilities, ", "))
	}
	return s
}

// namedQueries decodes an optional list of named queries (quality checks,
// examples). The SQL is not parsed here (the catalog does not import the
// parser); `meshql check` runs it. what names an entry in problems.
func (y *yamlFile) namedQueries(f fields, key, what string) []NamedQuery {
	var out []NamedQuery
	seen := map[string]bool{}
	for _, it := range y.seq(f, key) {
		qf, ok := y.object(it.node, it.path, "name", "description", "sql")
		if !ok {
			continue
		}
		q := NamedQuery{Description: y.str(qf, "description"), Line: it.node.Line}
		if n := y.required(qf, "name"); n != nil {
			q.Name, _ = y.scalar(n, qf.at("name"), "a string")
			if !isIdent(q.Name) {
				y.problem(n, qf.at("name"), "%q is not a lower-case identifier ([a-z_][a-z0-9_]*)", q.Name)
			} else if seen[q.Name] {
				y.problem(n, qf.at("name"), "duplicate %s %q", what, q.Name)
			}
			seen[q.Name] = true
		}
		if n := y.required(qf, "sql"); n != nil {
			q.SQL, _ = y.scalar(n, qf.at("sql"), "a string")
		}
		out = append(out, q)
	}
	return out
}

// valueConstraints decodes a column's accepted_values and range; each
// value must be valid for the column's type, so that `meshql check` can
// compare with typed literals.
func (y *yamlFile) valueConstraints(cf fields, col *Column) {
	valid := func(n *yaml.Node, path, v string) bool {
		if col.Type.Kind == sqltypes.Unknown {
			return true // the type is reported already
		}
		if _, err := sqltypes.ParseValue(col.Type, v); err != nil {
			y.problem(n, path, "%q is not a value of type %s", v, col.Type)
			return false
		}
		return true
	}
	vals, nodes := y.strs(cf, "accepted_values")
	for i, v := range vals {
		valid(nodes[i], fmt.Sprintf("%s[%d]", cf.at("accepted_values"), i), v)
	}
	if cf.get("accepted_values") != nil && len(vals) == 0 {
		y.problem(cf.get("accepted_values"), cf.at("accepted_values"), "must list at least one value")
	}
	col.AcceptedValues = vals
	rf, _ := y.object(cf.get("range"), cf.at("range"), "min", "max")
	for _, k := range []string{"min", "max"} {
		n := rf.get(k)
		v, ok := y.scalar(n, rf.at(k), "a value")
		if !ok || !valid(n, rf.at(k), v) {
			continue
		}
		if k == "min" {
			col.Min = v
		} else {
			col.Max = v
		}
	}
	if cf.get("range") != nil && rf.get("min") == nil && rf.get("max") == nil {
		y.problem(cf.get("range"), cf.at("range"), "needs min, max or both")
	}
}
