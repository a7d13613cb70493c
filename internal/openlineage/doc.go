// Package openlineage emits an OpenLineage RunEvent (START, then COMPLETE
// or FAIL) for every query meshql runs, so that DataHub, OpenMetadata or
// Marquez see who reads which data products.
//
// An Emitter implements engine.QueryObserver. The engine calls it from the
// query's goroutine, so it only queues events; one background goroutine
// sends them, as NDJSON lines to a file and/or as POSTs to an HTTP
// endpoint (the OpenLineage API's /api/v1/lineage). When the queue is
// full, events are dropped and counted rather than slowing queries down.
// Close flushes the queue.
//
// Each event's job is the query (namespace "meshql://<mesh>", name
// "query.<hash of the SQL>", with the SQL job facet); its inputs are the
// products read (namespace "meshql://<mesh>", name "domain.product_vN");
// the user is a custom run facet "meshql_user"; a failed query carries
// the errorMessage run facet.
//
// A query's result has no name, yet column lineage (the columnLineage
// dataset facet) only lives on an output dataset. So START and COMPLETE
// events carry one output dataset standing for the result, named like
// the job (the same SQL, the same dataset) in the mesh's namespace, with
// the schema facet and a columnLineage facet mapping each result column to
// the input product columns it derives from (planner/lineage, over the
// query's bound plan: DIRECT identity, transformation or aggregation,
// with masking set where a policy mask applied for the user).
//
// openlineage sits above engine (it implements engine's interface).
package openlineage
