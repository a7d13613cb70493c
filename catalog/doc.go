// Package catalog owns the mesh model: domains, data products and their
// versions, columns, SLAs, lineage and access policies; loading and
// validating a mesh folder; and resolving SQL names to product versions.
//
// A mesh folder holds mesh.yaml (name, users, roles, domains, mesh-wide
// access rules, …) and one folder per domain with one descriptor per
// product version, named <product>_v<version>.yaml. Load reads and
// validates all of it and reports every problem at once as a *LoadError,
// each problem located as "file:line: field: what is wrong".
//
// Names resolve like unquoted SQL identifiers (case-insensitively):
// "sales.orders_v1" is that exact version and "sales.orders" is the newest
// active version (see Mesh.Lookup). Mesh.Resolve reports misses as
// sqltypes errors with SQLSTATE 42P01 or 3F000 and a did-you-mean hint.
//
// A *Mesh is immutable once loaded and safe for concurrent readers; a
// reload builds a new one.
//
// catalog imports only sqltypes from meshql; it must not import planner,
// executor, connectors or engine (connectors import catalog).
package catalog
