package contract

// APIVersion is the ODCS version the export writes.
const APIVersion = "v3.0.2"

// odcs is the subset of an ODCS v3 data contract meshql reads and writes.
// Field order is the order of the YAML output.
type odcs struct {
	APIVersion       string        `yaml:"apiVersion"`
	Kind             string        `yaml:"kind"`
	ID               string        `yaml:"id"`
	Name             string        `yaml:"name,omitempty"`
	Version          string        `yaml:"version"`
	Status           string        `yaml:"status,omitempty"`
	Domain           string        `yaml:"domain,omitempty"`
	DataProduct      string        `yaml:"dataProduct,omitempty"`
	Description      *description  `yaml:"description,omitempty"`
	Team             []member      `yaml:"team,omitempty"`
	Schema           []object      `yaml:"schema,omitempty"`
	SLAProperties    []slaProperty `yaml:"slaProperties,omitempty"`
	CustomProperties []custom      `yaml:"customProperties,omitempty"`
}

type description struct {
	Purpose string `yaml:"purpose,omitempty"`
}

type member struct {
	Name     string `yaml:"name,omitempty"`
	Username string `yaml:"username,omitempty"`
	Role     string `yaml:"role,omitempty"`
}

type object struct {
	Name         string     `yaml:"name"`
	PhysicalName string     `yaml:"physicalName,omitempty"`
	LogicalType  string     `yaml:"logicalType"`
	PhysicalType string     `yaml:"physicalType,omitempty"`
	Description  string     `yaml:"description,omitempty"`
	Properties   []property `yaml:"properties,omitempty"`
	Quality      []quality  `yaml:"quality,omitempty"`
}

type property struct {
	Name           string   `yaml:"name"`
	LogicalType    string   `yaml:"logicalType,omitempty"`
	PhysicalType   string   `yaml:"physicalType,omitempty"`
	Description    string   `yaml:"description,omitempty"`
	Required       bool     `yaml:"required,omitempty"`
	Unique         bool     `yaml:"unique,omitempty"`
	PrimaryKey     bool     `yaml:"primaryKey,omitempty"`
	Classification string   `yaml:"classification,omitempty"`
	Tags           []string `yaml:"tags,omitempty"`
	// CustomProperties carry meshql.accepted_values and meshql.range.
	CustomProperties []custom `yaml:"customProperties,omitempty"`
}

type quality struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	Type        string `yaml:"type"`
	Query       string `yaml:"query,omitempty"`
	MustBe      *int   `yaml:"mustBe,omitempty"`
}

type slaProperty struct {
	Property string `yaml:"property"`
	Value    any    `yaml:"value"`
	Unit     string `yaml:"unit,omitempty"`
	Element  string `yaml:"element,omitempty"`
}

type custom struct {
	Property string `yaml:"property"`
	Value    any    `yaml:"value"`
}
