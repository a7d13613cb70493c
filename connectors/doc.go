// Package connectors owns the contract between meshql and its data sources:
// the Connector and Table interfaces, the units of parallel work
// (Partition), and the neutral pushdown vocabulary (Filter, ScanRequest,
// PushSupport) in which the planner offers work to a source.
//
// Drivers live in subfolders (parquet, memtable, …) and never import the
// planner or the executor; they see only this package, catalog and
// sqltypes. A filter a source does not accept exactly is re-applied by the
// executor: pushdown is an optimization, never a change of meaning.
package connectors
