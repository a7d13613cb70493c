// Package contract converts data products to and from Open Data Contract
// Standard (ODCS v3) documents, for `meshql contract export|import`, and
// writes meshql descriptors.
//
// The mapping: a product version is one contract (id "domain.product_vN",
// version "N.0.0", domain, dataProduct) with one schema object holding its
// columns as properties (physicalType is the exact SQL type, logicalType
// ODCS's family; not_null, unique and primary_key become required, unique
// and primaryKey) and its quality checks as SQL rules that must return
// zero rows. The owner is a team member with role owner; freshness is the
// latency SLA property (on the freshness column, when declared),
// availability is generalAvailability, deprecated_since and sunset are
// endOfSupport and endOfLife. What ODCS has no field for (source, inputs,
// access policies, schema stability) travels in customProperties prefixed
// "meshql.", so export then import gives back an equivalent descriptor.
//
// contract imports only catalog and sqltypes.
package contract
