// Package meshcheck is the live gate over a mesh: `meshql check`.
//
// Where catalog/lint reads only descriptors, meshcheck connects to every
// product's source and verifies the descriptor against reality:
//
//   - source: the source opens (files exist, the database answers);
//   - schema: every declared column exists in the source with the declared
//     type or a narrower one of its family (sqltypes.ReadableAs: int4 for
//     int8, as queries accept); schema-extra: the source has no column the
//     contract omits;
//   - not_null, unique: declared constraints hold over the data (queries
//     the engine runs; primary_key means both);
//   - quality: each named quality check returns no rows;
//   - freshness: the data's age is within sla.freshness, measured on
//     sla.freshness_column (its maximum) or else on the newest source
//     file's modification time.
//
// A product retired at Options.Now (past its sunset day) is not checked:
// the engine refuses to read it, and lint's sunset rule reports it.
//
// Every check yields a Result (pass or fail) so that callers can record
// outcomes, and failures become lint.Findings, so `meshql check` prints the
// same text, JSON and JUnit reports as `meshql lint`.
//
// meshcheck runs SQL through engine.Session, so it sits above engine; it
// must not be imported by engine or anything below it.
package meshcheck
