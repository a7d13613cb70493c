package catalog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlFile decodes one YAML file strictly: every mapping is checked against
// its known keys, and every problem is recorded with the file and the line
// of the offending node. yaml.v3's own KnownFields check reports unknown
// keys as unlocated strings naming Go types, so the check is done here on
// the node tree instead, where the line and the field path are known.
type yamlFile struct {
	file string
	ps   *problems
}

// parse reads data into a node tree and returns the document's root, or nil
// (with a problem recorded) when the file is not valid YAML or is empty.
func (y *yamlFile) parse(data []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		y.ps.add(y.file, line, "", "invalid YAML: %s", msg)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		y.ps.add(y.file, 0, "", "file is empty")
		return nil
	}
	return doc.Content[0]
}

// yamlErrorLine splits yaml.v3's "yaml: line N: msg" syntax errors into a
// line and a message; yaml.v3 offers the line only inside the text.
func yamlErrorLine(err error) (int, string) {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				return n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return 0, msg
}

func (y *yamlFile) problem(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	y.ps.add(y.file, line, field, format, args...)
}

// deref follows YAML aliases.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent or an explicit null ("key:" or "~").
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fields is a decoded mapping: its node, its field path and its values by key.
type fields struct {
	node *yaml.Node
	path string
	vals map[string]*yaml.Node
}

// pair is one key/value of a free-form mapping, in document order.
type pair struct {
	key       string
	keyNode   *yaml.Node
	valNode   *yaml.Node
	valuePath string
}

// pairs returns the entries of the mapping n in document order, reporting
// non-mappings, non-scalar keys and duplicate keys. A null n has no pairs.
func (y *yamlFile) pairs(n *yaml.Node, path string) ([]pair, bool) {
	n = deref(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		y.problem(n, path, "must be a mapping, not %s", kindName(n))
		return nil, false
	}
	var out []pair
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			y.problem(k, path, "keys must be scalars")
			continue
		}
		if seen[k.Value] {
			y.problem(k, joinPath(path, k.Value), "duplicate key")
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{key: k.Value, keyNode: k, valNode: v, valuePath: joinPath(path, k.Value)})
	}
	return out, true
}

// object decodes a mapping with a fixed set of keys; unknown keys are
// reported with a suggestion. ok is false when n is present but not a mapping.
func (y *yamlFile) object(n *yaml.Node, path string, known ...string) (fields, bool) {
	f := fields{node: deref(n), path: path, vals: map[string]*yaml.Node{}}
	ps, ok := y.pairs(n, path)
	for _, p := range ps {
		if !contains(known, p.key) {
			msg := fmt.Sprintf("unknown field %q", p.key)
			if s := closest(p.key, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known fields: " + strings.Join(known, ", ") + ")"
			}
			y.problem(p.keyNode, p.valuePath, "%s", msg)
			continue
		}
		f.vals[p.key] = p.valNode
	}
	return f, ok
}

// get returns the value of key, or nil when absent or null.
func (f fields) get(key string) *yaml.Node {
	n := deref(f.vals[key])
	if isNull(n) {
		return nil
	}
	return n
}

func (f fields) at(key string) string { return joinPath(f.path, key) }

// required reports key as missing when it is absent or null.
func (y *yamlFile) required(f fields, key string) *yaml.Node {
	n := f.get(key)
	if n == nil {
		line := f.node
		if v := f.vals[key]; v != nil {
			line = v
		}
		y.problem(line, f.at(key), "is required")
	}
	return n
}

// scalar returns n's text; n must be a scalar.
func (y *yamlFile) scalar(n *yaml.Node, path, what string) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		y.problem(n, path, "must be %s, not %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// str returns the string value of key ("" when absent).
func (y *yamlFile) str(f fields, key string) string {
	s, _ := y.scalar(f.get(key), f.at(key), "a string")
	return s
}

// integer returns the integer value of key; ok is false when absent or invalid.
func (y *yamlFile) integer(f fields, key string) (int, bool) {
	n := f.get(key)
	s, ok := y.scalar(n, f.at(key), "an integer")
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		y.problem(n, f.at(key), "must be an integer, not %q", s)
		return 0, false
	}
	return v, true
}

// boolean returns the boolean value of key (false when absent).
func (y *yamlFile) boolean(f fields, key string) bool {
	n := f.get(key)
	s, ok := y.scalar(n, f.at(key), "true or false")
	if !ok {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	y.problem(n, f.at(key), "must be true or false, not %q", s)
	return false
}

// item is one element of a YAML sequence.
type item struct {
	node *yaml.Node
	path string
}

// seq returns the elements of the sequence at key (none when absent).
func (y *yamlFile) seq(f fields, key string) []item {
	n := f.get(key)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		y.problem(n, f.at(key), "must be a list, not %s", kindName(n))
		return nil
	}
	out := make([]item, len(n.Content))
	for i, c := range n.Content {
		out[i] = item{node: deref(c), path: fmt.Sprintf("%s[%d]", f.at(key), i)}
	}
	return out
}

// strs returns the list of strings at key, with the node of each.
func (y *yamlFile) strs(f fields, key string) ([]string, []*yaml.Node) {
	var vals []string
	var nodes []*yaml.Node
	for _, it := range y.seq(f, key) {
		if s, ok := y.scalar(it.node, it.path, "a string"); ok {
			vals = append(vals, s)
			nodes = append(nodes, it.node)
		}
	}
	return vals, nodes
}

func kindName(n *yaml.Node) string {
	switch deref(n).Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
