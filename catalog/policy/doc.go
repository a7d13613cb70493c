// Package policy is meshql's policy decision point (PDP): given a mesh, a
// principal and a data product, Decide says whether the principal may read
// the product, which columns are denied, which are masked and with what,
// and which row filters restrict the rows. The policy enforcement point
// lives in planner/bind; the mask kernels live in executor/expr
// (mesh_mask_*).
//
// Rules, in order:
//
//  0. The owner of a domain (only ever a derived product's definer, see
//     Definer) reads the products of that domain as stored.
//  1. A principal holding the role "admin" (directly or inherited) reads
//     everything: no denials, no masks, no row filters.
//  2. The product is readable when one of the principal's (expanded) roles
//     is in policies.read; otherwise nothing else is decided.
//  3. Mesh-wide rules (catalog.Mesh.Access, mesh.yaml's access) apply
//     first. A rule applies to a principal holding one of its roles (any
//     principal when it names none) and none of its except roles, nor,
//     with except_domain, the role named like the product's domain (the
//     owning team's role, e.g. role "sales" for the sales domain). It
//     decides the columns carrying one of its tags ("pii", or "pii.*" for
//     any tag starting with "pii."). When several apply to one column, a
//     deny wins; otherwise the first mask in file order does. A mesh.yaml
//     without an access key gets catalog.DefaultAccess: every column
//     tagged pii or pii.* is hashed except for the domain's role (what
//     this rule was before it became data); "access: []" declares none.
//  4. Product column policies refine the mesh-wide rules. A column policy
//     applies unless the principal holds one of its except roles; when it
//     applies it replaces the mesh-wide decision for that column (deny, or
//     its mask, which may be weaker or stronger). When the principal is
//     excepted, the column policy is lifted and the mesh-wide decision
//     (rule 3) is what remains, so an owner can never expose a PII column
//     raw to a non-owning role by an except list alone.
//  5. Row filters apply when the principal holds one of their roles (an
//     empty roles list means everybody) and none of their except roles.
//     Predicates are kept as SQL text, in declaration order, and AND-ed;
//     they may call current_user_attr('name'), which the binder replaces
//     by the principal's attribute as a text literal (NULL when the user
//     has no such attribute, so the filter then keeps no rows).
//
// Mask parameters: the catalog has no granularity field, so round uses a
// default by column type: "10" for numbers, "month" for dates and
// timestamps. hash takes the mesh's key (Decision.HashKey, see MaskKey), derived
// from the mesh's secret mask key.
//
// Everything Decide returns is deterministic; Decision.String renders it
// with sorted columns (no map order) for EXPLAIN and tests, and never
// prints the hash key.
package policy
