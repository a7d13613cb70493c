package tpchgen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Domain is the mesh domain (SQL schema) of the TPC-H tables.
const Domain = "tpch"

// MeshOptions tune WriteMesh.
type MeshOptions struct {
	// SF is the scale factor named in the descriptions, e.g. "1" or "0.01".
	SF string
	// Path returns a table's source path (a file or glob) relative to the
	// mesh folder; catalog.Load resolves it against the folder unless
	// LoadOptions.DataDir is set.
	Path func(table string) string
	// Tables to describe; nil means all eight.
	Tables []string
}

// WriteMesh writes the descriptors of a TPC-H mesh into dir: mesh.yaml
// (mesh tpch with the demo users analyst, marketing, sales_eu and admin,
// each with its name as password, and search_path [tpch] so that the
// queries' unqualified names resolve) and tpch/<table>_v1.yaml for each
// table, every column typed and documented, readable by the analyst,
// marketing and sales roles. Files are written in place; the output
// depends only on opts.
func WriteMesh(dir string, opts MeshOptions) error {
	if opts.Path == nil {
		return fmt.Errorf("tpchgen: WriteMesh needs MeshOptions.Path")
	}
	tables := opts.Tables
	if tables == nil {
		tables = Tables()
	}
	if err := os.MkdirAll(filepath.Join(dir, Domain), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "mesh.yaml"), []byte(fmt.Sprintf(meshYAML, opts.SF)), 0o644); err != nil {
		return err
	}
	all := specs()
	for _, name := range tables {
		t, ok := all[name]
		if !ok {
			return fmt.Errorf("tpchgen: unknown table %q", name)
		}
		data, err := descriptor(t, opts)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, Domain, name+"_v1.yaml"), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

const meshYAML = `# A TPC-H mesh, written by meshql tpch gen (internal/tpchgen.WriteMesh).
# The users are the demo mesh's; each has its own name as password.
name: tpch
description: TPC-H benchmark data at scale factor %s, one data product per table.
search_path: [tpch]

roles:
  analyst:
    description: Company-wide analysts.
  marketing:
    description: Marketing team.
  sales:
    description: Sales teams.
  admin:
    description: Platform administrators; every grant of every other role.
    inherits: [analyst, marketing, sales]

users:
  analyst:
    password: analyst # benchmark only: real meshes store a SCRAM-SHA-256 verifier
    roles: [analyst]
  marketing:
    password: marketing
    roles: [marketing]
  sales_eu:
    password: sales_eu
    roles: [sales]
    attributes: {region: EU}
  admin:
    password: admin
    roles: [admin]

domains:
  tpch:
    description: The eight tables of the TPC-H benchmark (TPC-H specification, clause 1.4).
    owner: {team: benchmarks, contact: benchmarks@example.com}
`

type descriptorYAML struct {
	Product     string       `yaml:"product"`
	Version     int          `yaml:"version"`
	Domain      string       `yaml:"domain"`
	Owner       ownerYAML    `yaml:"owner,flow"`
	Status      string       `yaml:"status"`
	Description string       `yaml:"description"`
	SLA         slaYAML      `yaml:"sla,flow"`
	Source      sourceYAML   `yaml:"source,flow"`
	Columns     []columnYAML `yaml:"columns"`
	Inputs      []string     `yaml:"inputs,flow"`
	Policies    policiesYAML `yaml:"policies"`
}

type ownerYAML struct {
	Team    string `yaml:"team"`
	Contact string `yaml:"contact"`
}

type slaYAML struct {
	Availability    string `yaml:"availability"`
	SchemaStability string `yaml:"schema_stability"`
}

type sourceYAML struct {
	Connector string `yaml:"connector"`
	Path      string `yaml:"path"`
}

type columnYAML struct {
	Name        string   `yaml:"name"`
	Type        string   `yaml:"type"`
	Description string   `yaml:"description"`
	Constraints []string `yaml:"constraints,flow"`
}

type policiesYAML struct {
	Read []string `yaml:"read,flow"`
}

// descriptor renders one table's data product descriptor.
func descriptor(t *tableSpec, opts MeshOptions) ([]byte, error) {
	d := descriptorYAML{
		Product:     t.name,
		Version:     1,
		Domain:      Domain,
		Owner:       ownerYAML{Team: "benchmarks", Contact: "benchmarks@example.com"},
		Status:      "active",
		Description: t.desc + " Scale factor " + opts.SF + ".",
		SLA:         slaYAML{Availability: "99.0%", SchemaStability: "stable"},
		Source:      sourceYAML{Connector: "parquet", Path: opts.Path(t.name)},
		Inputs:      []string{},
		Policies:    policiesYAML{Read: []string{"analyst", "marketing", "sales"}},
	}
	keys := 0
	for _, c := range t.columns {
		if c.key {
			keys++
		}
	}
	for _, c := range t.columns {
		cons := []string{"not_null"}
		if c.key && keys == 1 {
			cons = append(cons, "unique")
		}
		d.Columns = append(d.Columns, columnYAML{Name: c.name, Type: c.kind.sql(), Description: c.desc, Constraints: cons})
	}
	var buf bytes.Buffer
	buf.WriteString("# Written by internal/tpchgen (WriteMesh): regenerate rather than edit.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
