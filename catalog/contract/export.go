package contract

import (
	"strconv"
	"strings"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

// Custom property names for what ODCS has no field for.
const (
	propSource          = "meshql.source"
	propInputs          = "meshql.inputs"
	propPolicies        = "meshql.policies"
	propSchemaStability = "meshql.schema_stability"
	propExamples        = "meshql.examples"
	propAcceptedValues  = "meshql.accepted_values"
	propRange           = "meshql.range"
)

// Export returns product p as an ODCS v3 data contract (YAML).
func Export(p *catalog.Product) ([]byte, error) {
	c := odcs{APIVersion: APIVersion, Kind: "DataContract", ID: p.QualifiedName(), Name: p.TableName(),
		Version: strconv.Itoa(p.Version) + ".0.0", Status: string(p.Status), Domain: p.Domain, DataProduct: p.Name}
	if p.Description != "" {
		c.Description = &description{Purpose: p.Description}
	}
	if p.Owner != (catalog.Owner{}) {
		c.Team = []member{{Name: p.Owner.Team, Username: p.Owner.Contact, Role: "owner"}}
	}
	obj := object{Name: p.TableName(), PhysicalName: p.TableName(), LogicalType: "object", PhysicalType: "table"}
	if p.Source.Connector == "sql" {
		obj.PhysicalType = "view"
	}
	for _, col := range p.Columns {
		prop := property{Name: col.Name, LogicalType: logicalType(col.Type), PhysicalType: col.Type.String(),
			Description: col.Description, Tags: col.Tags}
		for _, k := range col.Constraints {
			switch k {
			case "not_null":
				prop.Required = true
			case "unique":
				prop.Unique = true
			case "primary_key":
				prop.PrimaryKey = true
			}
		}
		if isPII(col.Tags) {
			prop.Classification = "restricted"
		}
		if len(col.AcceptedValues) > 0 {
			prop.CustomProperties = append(prop.CustomProperties, custom{Property: propAcceptedValues, Value: col.AcceptedValues})
		}
		if r := rangeOf(col); r != nil {
			prop.CustomProperties = append(prop.CustomProperties, custom{Property: propRange, Value: r})
		}
		obj.Properties = append(obj.Properties, prop)
	}
	zero := 0
	for _, q := range p.Quality {
		obj.Quality = append(obj.Quality, quality{Name: q.Name, Description: q.Description, Type: "sql", Query: q.SQL, MustBe: &zero})
	}
	c.Schema = []object{obj}
	c.SLAProperties = slaProperties(p)
	c.CustomProperties = append(c.CustomProperties, custom{Property: propSource, Value: toDescriptor(p).Source})
	if len(p.Inputs) > 0 {
		c.CustomProperties = append(c.CustomProperties, custom{Property: propInputs, Value: p.Inputs})
	}
	if pol := toPolicies(p.Policies); pol != nil {
		c.CustomProperties = append(c.CustomProperties, custom{Property: propPolicies, Value: pol})
	}
	if ex := namedQueries(p.Examples); len(ex) > 0 {
		c.CustomProperties = append(c.CustomProperties, custom{Property: propExamples, Value: ex})
	}
	if p.SLA.SchemaStability != "" {
		c.CustomProperties = append(c.CustomProperties, custom{Property: propSchemaStability, Value: p.SLA.SchemaStability})
	}
	return marshal(c)
}

// slaProperties maps the SLA and the lifecycle dates to ODCS SLA
// properties. Freshness is a latency in hours (or days when whole).
func slaProperties(p *catalog.Product) []slaProperty {
	var out []slaProperty
	if f := p.SLA.Freshness; f > 0 {
		sp := slaProperty{Property: "latency", Value: catalog.FormatFreshness(f)}
		if p.SLA.FreshnessColumn != "" {
			sp.Element = p.TableName() + "." + p.SLA.FreshnessColumn
		}
		out = append(out, sp)
	}
	if p.SLA.Availability != "" {
		out = append(out, slaProperty{Property: "generalAvailability", Value: p.SLA.Availability})
	}
	if !p.DeprecatedSince.IsZero() {
		out = append(out, slaProperty{Property: "endOfSupport", Value: p.DeprecatedSince.Format(catalog.SunsetLayout)})
	}
	if !p.Sunset.IsZero() {
		out = append(out, slaProperty{Property: "endOfLife", Value: p.Sunset.Format(catalog.SunsetLayout)})
	}
	return out
}

// logicalType is ODCS's type family of a SQL type.
func logicalType(t sqltypes.Type) string {
	switch {
	case t.IsInteger():
		return "integer"
	case t.IsNumeric():
		return "number"
	case t.Kind == sqltypes.Bool:
		return "boolean"
	case t.Kind == sqltypes.Date:
		return "date"
	case t.IsTemporal():
		return "timestamp"
	case t.Kind == sqltypes.List:
		return "array"
	case t.IsJSON():
		return "object"
	}
	return "string"
}

func isPII(tags []string) bool {
	for _, t := range tags {
		if t == "pii" || strings.HasPrefix(t, "pii.") {
			return true
		}
	}
	return false
}
