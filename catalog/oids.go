package catalog

import "hash/fnv"

// StableOID derives an object id from a kind of object and its name, the
// same in every process, so that clients caching OIDs across connections
// stay right. The engine's pg_catalog rows and the planner's row types
// both use it, so the ids they hand out agree.
func StableOID(kind, name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return 100000 + int64(h.Sum32()%1_000_000_000)
}

// RowTypeOID is the pg_type id of p's row type: the composite type of
// its whole-row value (SELECT t FROM p t), as PostgreSQL has one per
// table and view.
func (p *Product) RowTypeOID() int32 { return int32(StableOID("type", p.QualifiedName())) }
