package contract

import (
	"bytes"

	"gopkg.in/yaml.v3"

	"github.com/meshql/meshql/catalog"
)

// descriptor is a meshql descriptor as written; field order is the order
// catalog's documentation uses.
type descriptor struct {
	Product         string        `yaml:"product"`
	Version         int           `yaml:"version"`
	Domain          string        `yaml:"domain"`
	Owner           *owner        `yaml:"owner,omitempty"`
	Status          string        `yaml:"status"`
	Sunset          string        `yaml:"sunset,omitempty"`
	DeprecatedSince string        `yaml:"deprecated_since,omitempty"`
	Description     string        `yaml:"description,omitempty"`
	SLA             *sla          `yaml:"sla,omitempty"`
	Source          source        `yaml:"source"`
	Columns         []column      `yaml:"columns"`
	Inputs          []string      `yaml:"inputs,omitempty"`
	Policies        *policies     `yaml:"policies,omitempty"`
	Quality         []qualityDesc `yaml:"quality,omitempty"`
	Examples        []qualityDesc `yaml:"examples,omitempty"`
}

type owner struct {
	Team    string `yaml:"team,omitempty"`
	Contact string `yaml:"contact,omitempty"`
}

type sla struct {
	Freshness       string `yaml:"freshness,omitempty"`
	FreshnessColumn string `yaml:"freshness_column,omitempty"`
	Availability    string `yaml:"availability,omitempty"`
	SchemaStability string `yaml:"schema_stability,omitempty"`
}

type source struct {
	Connector string            `yaml:"connector" json:"connector"`
	Path      string            `yaml:"path,omitempty" json:"path,omitempty"`
	Query     string            `yaml:"query,omitempty" json:"query,omitempty"`
	Table     string            `yaml:"table,omitempty" json:"table,omitempty"`
	Options   map[string]string `yaml:"options,omitempty" json:"options,omitempty"`
	Security  string            `yaml:"security,omitempty" json:"security,omitempty"`
}

type column struct {
	Name        string   `yaml:"name"`
	Type        string   `yaml:"type"`
	Description string   `yaml:"description,omitempty"`
	Tags        []string `yaml:"tags,omitempty"`
	Constraints []string `yaml:"constraints,omitempty"`
	// AcceptedValues and Range are the value constraints.
	AcceptedValues []string    `yaml:"accepted_values,omitempty"`
	Range          *valueRange `yaml:"range,omitempty"`
}

type valueRange struct {
	Min string `yaml:"min,omitempty"`
	Max string `yaml:"max,omitempty"`
}

// rangeOf is a column's range, nil when unbounded.
func rangeOf(c *catalog.Column) *valueRange {
	if c.Min == "" && c.Max == "" {
		return nil
	}
	return &valueRange{Min: c.Min, Max: c.Max}
}

type policies struct {
	Read       []string                `yaml:"read,omitempty"`
	Columns    map[string]columnPolicy `yaml:"columns,omitempty"`
	RowFilters []rowFilter             `yaml:"row_filters,omitempty"`
}

type columnPolicy struct {
	Deny   bool     `yaml:"deny,omitempty"`
	Mask   string   `yaml:"mask,omitempty"`
	Except []string `yaml:"except,omitempty"`
}

type rowFilter struct {
	Roles     []string `yaml:"roles,omitempty"`
	Except    []string `yaml:"except,omitempty"`
	Predicate string   `yaml:"predicate"`
}

type qualityDesc struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	SQL         string `yaml:"sql"`
}

// day formats a date field, "" for the zero time.
func day(t interface{ IsZero() bool }, s string) string {
	if t.IsZero() {
		return ""
	}
	return s
}

// toDescriptor is the descriptor that declares p.
func toDescriptor(p *catalog.Product) descriptor {
	d := descriptor{Product: p.Name, Version: p.Version, Domain: p.Domain, Status: string(p.Status),
		Sunset:          day(p.Sunset, p.Sunset.Format(catalog.SunsetLayout)),
		DeprecatedSince: day(p.DeprecatedSince, p.DeprecatedSince.Format(catalog.SunsetLayout)),
		Description:     p.Description, Inputs: p.Inputs,
		Source: source{Connector: p.Source.Connector, Path: p.Source.Path, Query: p.Source.Query, Table: p.Source.Table, Options: p.Source.Options, Security: p.Source.Security}}
	if p.Owner != (catalog.Owner{}) {
		d.Owner = &owner{Team: p.Owner.Team, Contact: p.Owner.Contact}
	}
	if p.SLA != (catalog.SLA{}) {
		s := &sla{FreshnessColumn: p.SLA.FreshnessColumn, Availability: p.SLA.Availability, SchemaStability: p.SLA.SchemaStability}
		if p.SLA.Freshness > 0 {
			s.Freshness = catalog.FormatFreshness(p.SLA.Freshness)
		}
		d.SLA = s
	}
	for _, c := range p.Columns {
		d.Columns = append(d.Columns, column{Name: c.Name, Type: c.Type.String(), Description: c.Description, Tags: c.Tags,
			Constraints: c.Constraints, AcceptedValues: c.AcceptedValues, Range: rangeOf(c)})
	}
	d.Policies = toPolicies(p.Policies)
	d.Quality = namedQueries(p.Quality)
	d.Examples = namedQueries(p.Examples)
	return d
}

func namedQueries(qs []catalog.NamedQuery) []qualityDesc {
	var out []qualityDesc
	for _, q := range qs {
		out = append(out, qualityDesc{Name: q.Name, Description: q.Description, SQL: q.SQL})
	}
	return out
}

func toPolicies(pol catalog.Policies) *policies {
	if len(pol.Read) == 0 && len(pol.Columns) == 0 && len(pol.RowFilters) == 0 {
		return nil
	}
	out := &policies{Read: pol.Read}
	for name, cp := range pol.Columns {
		if out.Columns == nil {
			out.Columns = map[string]columnPolicy{}
		}
		out.Columns[name] = columnPolicy{Deny: cp.Deny, Mask: cp.Mask, Except: cp.Except}
	}
	for _, rf := range pol.RowFilters {
		out.RowFilters = append(out.RowFilters, rowFilter{Roles: rf.Roles, Except: rf.Except, Predicate: rf.Predicate})
	}
	return out
}

// WriteDescriptor returns p as a meshql descriptor (YAML), which
// catalog.Load reads back as an equivalent product.
func WriteDescriptor(p *catalog.Product) ([]byte, error) {
	return marshal(toDescriptor(p))
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
