package physical

import (
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Split names one of Count disjoint shares of a splittable plan's rows:
// the share reads the scan partitions whose index i has i%Count == Index.
// Every share of one query is built from the same plan, so policies,
// filters and projections apply to each exactly as to the whole.
type Split struct {
	Index, Count int
	// Partitions is the Plan.Partitions the shares were computed from.
	// A scan that now has another count (its files changed in between)
	// would make the shares overlap or miss rows, so it fails instead.
	Partitions int
}

// splittableScan returns the data product scan all of root's rows come
// from when only row-by-row operators sit above it, else nil. Operators
// that need all rows at once (aggregates, sorts, limits, windows, joins,
// set operations) are not split: a share of their input is not a share
// of their output. System tables are listed anew by each scan, so shares
// of them would come from different listings.
func splittableScan(n logical.Node) *logical.Scan {
	for {
		switch x := n.(type) {
		case *logical.Project:
			n = x.Input
		case *logical.Filter:
			n = x.Input
		case *logical.Unnest:
			n = x.Input
		case *logical.Scan:
			if x.Product == nil {
				return nil
			}
			return x
		default:
			return nil
		}
	}
}

// share returns the partitions of the builder's split, after checking
// that the scan still has the partition count the split was made for.
func (b *builder) share(x *logical.Scan, parts []connectors.Partition) ([]connectors.Partition, error) {
	if x != b.splitScan {
		return parts, nil
	}
	b.partitions = len(parts)
	sp := b.split
	if sp == nil {
		return parts, nil
	}
	if sp.Partitions != len(parts) || sp.Count <= 0 || sp.Index < 0 || sp.Index >= sp.Count {
		return nil, sqltypes.New(sqltypes.CodeSerializationFailure, "the data of %s changed while its result was being fetched", x.Name).
			WithDetail("The result was split into %d shares of %d partitions; the table now has %d partitions.", sp.Count, sp.Partitions, len(parts)).
			WithHint("Run the query again.")
	}
	var out []connectors.Partition
	for i := sp.Index; i < len(parts); i += sp.Count {
		out = append(out, parts[i])
	}
	return out, nil
}
