package catalog

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// Status is a data product version's lifecycle state.
type Status string

const (
	StatusDraft      Status = "draft"
	StatusActive     Status = "active"
	StatusDeprecated Status = "deprecated"
)

// Mesh is a loaded, validated mesh folder: its config and every product
// version. It is immutable once loaded; a reload builds a new Mesh.
type Mesh struct {
	Name        string
	Description string
	Dir         string // absolute path of the mesh folder
	Domains     []*Domain
	Products    []*Product // every version of every product, sorted by domain, name, version
	Users       []*User
	Roles       []*Role
	// MaskKey is the secret key of the hash mask (mesh.yaml's
	// mask_key_env or mask_key_file, else LoadOptions.MaskKey); "" when
	// none was given.
	MaskKey string
	// MaskKeySource says where MaskKey came from ("env NAME", "file
	// PATH", "install"), for operators; it never holds the key.
	MaskKeySource string
	// SearchPath lists the domains unqualified table names are looked up
	// in by default (mesh.yaml's search_path; a session's starts with it).
	SearchPath []string
	// Rules are mesh.yaml's settings for the global lint rules, in file
	// order: a rule id may be given another severity or turned off.
	Rules []RuleSetting
	// Access are the mesh-wide column rules (mesh.yaml's access), in file
	// order; catalog/policy applies them before each product's own column
	// policies. Load sets DefaultAccess when mesh.yaml has no access key;
	// "access: []" declares none.
	Access []AccessRule
}

// AccessRule is one mesh-wide column rule: the columns carrying one of
// Tags are denied, or masked with Mask, for the principals it applies to:
// those holding one of Roles (every principal when Roles is empty) and
// none of Except, nor, when ExceptDomain is set, the role named like the
// product's domain (the owning team's role).
type AccessRule struct {
	ID          string
	Description string
	// Tags select columns: "pii" matches the tag pii only, "pii.*" any
	// tag starting with "pii.".
	Tags         []string
	Roles        []string
	Except       []string
	ExceptDomain bool
	Deny         bool
	Mask         string // null | redact | hash | partial | round; "" when Deny
	File         string // mesh.yaml as reached from the folder given to Load
	Line         int
}

// Matches reports whether column c carries one of the rule's tags.
func (r *AccessRule) Matches(c *Column) bool {
	for _, want := range r.Tags {
		prefix, wild := strings.CutSuffix(want, "*")
		for _, t := range c.Tags {
			if t == want || (wild && strings.HasPrefix(t, prefix)) {
				return true
			}
		}
	}
	return false
}

// DefaultAccess returns the rule a mesh.yaml without an access key gets:
// every column tagged pii or pii.* is hashed for the roles outside the
// product's domain. A new slice each call, so no caller can change
// another's.
func DefaultAccess() []AccessRule {
	return []AccessRule{{
		ID:           "pii-outside-domain",
		Description:  "built-in default: personal data is hashed outside its owning domain",
		Tags:         []string{"pii", "pii.*"},
		ExceptDomain: true,
		Mask:         "hash",
	}}
}

// RuleSetting is one entry of mesh.yaml's rules mapping.
type RuleSetting struct {
	ID       string // rule id, e.g. "draft"; not checked by the catalog
	Severity string // "error", "warning" or "off"
	File     string // mesh.yaml as reached from the folder given to Load
	Line     int
}

// Domain is a business domain: a schema in SQL.
type Domain struct {
	Name        string
	Description string
	Owner       Owner
}

// Owner is the team accountable for a product.
type Owner struct {
	Team    string
	Contact string
}

// SLA is what a product promises its consumers.
type SLA struct {
	Freshness       time.Duration // 0 = none declared
	FreshnessColumn string        // column the age is measured on ("" = source modification time)
	Availability    string        // e.g. "99.5%"
	SchemaStability string        // stable | evolving | experimental
}

// Product is one version of a data product.
type Product struct {
	Domain  string
	Name    string // product name without version, e.g. "orders"
	Version int
	Status  Status
	Sunset  time.Time // for deprecated products; zero if none
	// DeprecatedSince is the day the version was deprecated (zero if not
	// declared); the lint rules require its sunset to be far enough after.
	DeprecatedSince time.Time
	Description     string
	Owner           Owner
	SLA             SLA
	Source          Source
	Columns         []*Column
	Inputs          []string // lineage: qualified names of the products this one is derived from
	Policies        Policies
	Quality         []NamedQuery // assertions that must return no rows; `meshql check` runs them
	Examples        []NamedQuery // sample queries for consumers; `meshql check` runs them too
	File            string       // descriptor file, for error messages
	Line            int          // line of the product field in File (1-based; 0 if unknown)
}

// TableName returns the versioned SQL name, e.g. "orders_v1".
func (p *Product) TableName() string { return p.Name + "_v" + strconv.Itoa(p.Version) }

// QualifiedName returns "domain.product_vN".
func (p *Product) QualifiedName() string { return p.Domain + "." + p.TableName() }

// Column returns the column named name, or nil.
func (p *Product) Column(name string) *Column {
	for _, c := range p.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Column is a declared column of a product.
type Column struct {
	Name        string
	Type        sqltypes.Type
	Description string
	Tags        []string
	Constraints []string // not_null, unique, primary_key
	// AcceptedValues, when not empty, lists every value the column may
	// hold besides NULL; Min and Max bound it ("" = unbounded). All are
	// valid literals of Type.
	AcceptedValues []string
	Min, Max       string
	Line           int // line of the column's entry in the product's File (0 if unknown)
}

// NotNull reports whether the contract declares the column never NULL:
// not_null, or primary_key, which implies it.
func (c *Column) NotNull() bool {
	return slices.Contains(c.Constraints, "not_null") || slices.Contains(c.Constraints, "primary_key")
}

// PrimaryKey reports whether the column is part of the product's
// declared primary key.
func (c *Column) PrimaryKey() bool { return slices.Contains(c.Constraints, "primary_key") }

// Unique reports whether the contract declares the column's non-NULL
// values distinct: unique, or primary_key, which implies it.
func (c *Column) Unique() bool {
	return slices.Contains(c.Constraints, "unique") || slices.Contains(c.Constraints, "primary_key")
}

// NamedQuery is a named query of a product: a quality check (the query
// lists the rows that break it, so it passes when it returns no rows) or
// an example for consumers.
type NamedQuery struct {
	Name        string // lower-case identifier, unique within its list
	Description string
	SQL         string
	Line        int // line of the check in the product's File
}

// Source says where a product's rows live. For connector "sql" (derived
// products), Query holds the defining SQL.
type Source struct {
	Connector string // parquet | postgres | csv | flightsql | sql | memory
	Path      string // file glob, relative to BaseDir unless absolute
	Query     string // defining SQL for derived products
	// Security says whose rights a derived product reads its inputs
	// with: SecurityInvoker (the consumer's, the default) or
	// SecurityDefiner (the owning domain's role, named like the domain);
	// "" means invoker.
	Security string
	Table    string            // remote table for SQL sources
	Options  map[string]string // connector-specific settings
	BaseDir  string            // directory that relative paths resolve against
	// Connection is the mesh.yaml connection named by source.connection
	// (object-store endpoint and credentials, a Flight SQL server), or nil.
	Connection *Connection
}

// Values of Source.Security.
const (
	SecurityInvoker = "invoker"
	SecurityDefiner = "definer"
)

// Policies are a product's access rules.
type Policies struct {
	Read       []string                // roles that may read the product; empty = nobody but admins
	Columns    map[string]ColumnPolicy // per-column rules
	RowFilters []RowFilter
}

// ColumnPolicy is a column rule: deny, or mask with a method, except for roles.
// A descriptor's allow: [roles] is Deny with those roles as Except.
type ColumnPolicy struct {
	Deny   bool
	Mask   string // null | redact | hash | partial | round
	Except []string
}

// RowFilter restricts rows for roles (empty Roles = everyone but Except).
type RowFilter struct {
	Roles     []string
	Except    []string
	Predicate string // SQL expression over the product's columns
}

// User is an identity that can log in.
type User struct {
	Name       string
	Password   string // SCRAM-SHA-256 verifier or, for the demo, plain text
	Roles      []string
	Attributes map[string]string
}

// Role is a named set of grants; roles may inherit others.
type Role struct {
	Name        string
	Description string
	Inherits    []string
}
