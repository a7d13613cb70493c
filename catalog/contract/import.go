package contract

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Import reads an ODCS v3 data contract and returns the meshql descriptor
// (YAML) it describes and the path the descriptor belongs at in a mesh
// folder ("domain/product_vN.yaml"). The contract must name its domain
// and its data product (or an id "domain.product_vN") and hold exactly one
// schema object; columns without a physicalType take one from their
// logicalType. catalog.Load validates the result like any descriptor.
func Import(data []byte) ([]byte, string, error) {
	var c odcs
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, "", fmt.Errorf("not an ODCS document: %w", err)
	}
	if c.Kind != "DataContract" || !strings.HasPrefix(c.APIVersion, "v3.") {
		return nil, "", fmt.Errorf("not an ODCS v3 data contract (kind %q, apiVersion %q)", c.Kind, c.APIVersion)
	}
	if len(c.Schema) != 1 {
		return nil, "", fmt.Errorf("contract %s has %d schema objects; a meshql product is one table", c.ID, len(c.Schema))
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(c.Version, "v"), ".")
	version, err := strconv.Atoi(major)
	if err != nil || version < 1 {
		return nil, "", fmt.Errorf("contract %s: version %q does not start with a major version >= 1", c.ID, c.Version)
	}
	d := descriptor{Product: c.DataProduct, Version: version, Domain: c.Domain, Status: c.Status}
	if d.Domain == "" || d.Product == "" {
		// Fall back on an id of the form domain.product_vN.
		dom, table, _ := strings.Cut(c.ID, ".")
		if i := strings.LastIndex(table, "_v"); i > 0 && d.Domain == "" && d.Product == "" {
			d.Domain, d.Product = dom, table[:i]
		}
	}
	if d.Domain == "" || d.Product == "" {
		return nil, "", fmt.Errorf("contract %s names no domain and dataProduct", c.ID)
	}
	if d.Status == "" {
		d.Status = "draft"
	}
	if c.Description != nil {
		d.Description = c.Description.Purpose
	}
	for _, m := range c.Team {
		if m.Role == "owner" {
			d.Owner = &owner{Team: m.Name, Contact: m.Username}
			break
		}
	}
	obj := c.Schema[0]
	for _, p := range obj.Properties {
		col := column{Name: p.Name, Type: p.PhysicalType, Description: p.Description, Tags: p.Tags}
		if col.Type == "" {
			col.Type = sqlType(p.LogicalType)
		}
		if p.Required {
			col.Constraints = append(col.Constraints, "not_null")
		}
		if p.Unique {
			col.Constraints = append(col.Constraints, "unique")
		}
		if p.PrimaryKey {
			col.Constraints = append(col.Constraints, "primary_key")
		}
		for _, cp := range p.CustomProperties {
			var target any
			switch cp.Property {
			case propAcceptedValues:
				target = &col.AcceptedValues
			case propRange:
				col.Range = &valueRange{}
				target = col.Range
			default:
				continue
			}
			if err := decodeValue(cp, target); err != nil {
				return nil, "", fmt.Errorf("contract %s, property %s: %w", c.ID, p.Name, err)
			}
		}
		d.Columns = append(d.Columns, col)
	}
	for _, q := range obj.Quality {
		if q.Type != "sql" || q.Query == "" || (q.MustBe != nil && *q.MustBe != 0) {
			continue // only "returns no rows" SQL rules are meshql quality checks
		}
		d.Quality = append(d.Quality, qualityDesc{Name: q.Name, Description: q.Description, SQL: q.Query})
	}
	if err := importSLA(&d, c.SLAProperties); err != nil {
		return nil, "", fmt.Errorf("contract %s: %w", c.ID, err)
	}
	if err := importCustom(&d, c.CustomProperties); err != nil {
		return nil, "", fmt.Errorf("contract %s: %w", c.ID, err)
	}
	out, err := marshal(d)
	if err != nil {
		return nil, "", err
	}
	return out, path.Join(d.Domain, d.Product+"_v"+strconv.Itoa(d.Version)+".yaml"), nil
}

func importSLA(d *descriptor, props []slaProperty) error {
	s := &sla{}
	for _, p := range props {
		v := fmt.Sprint(p.Value)
		switch p.Property {
		case "latency", "freshness":
			s.Freshness = v + p.Unit
			if _, col, ok := strings.Cut(p.Element, "."); ok {
				s.FreshnessColumn = col
			}
		case "generalAvailability", "availability":
			s.Availability = v
		case "endOfSupport":
			d.DeprecatedSince = v
		case "endOfLife":
			d.Sunset = v
		}
	}
	if *s != (sla{}) {
		d.SLA = s
	}
	return nil
}

// importCustom reads the meshql.* custom properties back.
func importCustom(d *descriptor, props []custom) error {
	for _, p := range props {
		var target any
		switch p.Property {
		case propSource:
			target = &d.Source
		case propInputs:
			target = &d.Inputs
		case propPolicies:
			d.Policies = &policies{}
			target = d.Policies
		case propExamples:
			target = &d.Examples
		case propSchemaStability:
			if d.SLA == nil {
				d.SLA = &sla{}
			}
			d.SLA.SchemaStability = fmt.Sprint(p.Value)
			continue
		default:
			continue
		}
		if err := decodeValue(p, target); err != nil {
			return err
		}
	}
	return nil
}

// decodeValue decodes a custom property's free-form value into target.
func decodeValue(p custom, target any) error {
	raw, err := yaml.Marshal(p.Value)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(raw, target); err != nil {
		return fmt.Errorf("custom property %s: %w", p.Property, err)
	}
	return nil
}

// sqlType is the SQL type a column of an ODCS logical type gets when the
// contract gives no physicalType.
func sqlType(logical string) string {
	switch logical {
	case "integer":
		return "bigint"
	case "number":
		return "double precision"
	case "boolean":
		return "boolean"
	case "date":
		return "date"
	case "timestamp":
		return "timestamptz"
	}
	return "text"
}
