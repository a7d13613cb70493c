// Package flightsql serves meshql over Arrow Flight SQL, so that notebooks
// and dataframe libraries (ADBC, pyarrow.flight, JDBC's Flight SQL driver)
// get query results as Arrow record batches straight from the engine, with
// no row conversion on the way.
//
// A Server wraps arrow-go's flightsql.BaseServer around an *engine.Engine:
//
//   - Authentication: HTTP Basic credentials (on the Handshake RPC, as
//     arrow-go's AuthenticateBasicToken and ADBC send them, or on any call)
//     are checked with Engine.Authenticate and exchanged for a random bearer
//     token that expires after Config.TokenTTL. Every other call must carry
//     "authorization: Bearer <token>" and runs as that user in the token's
//     engine.Session (settings such as search_path persist per token).
//   - Queries: CommandStatementQuery and prepared statements are analyzed
//     in GetFlightInfo (to announce the schema) and executed lazily in
//     DoGet, streaming the engine's batches as they are produced.
//     CancelFlightInfo cancels a running DoGet. meshql serves DoGet of
//     query results itself (doGetServer) rather than through arrow-go's
//     channel-based handler, so that a client abandoning a stream leaves
//     no batch unreleased, and sends each batch's Arrow buffers to gRPC
//     without copying them (frameCodec, frameWriter).
//   - Tickets: a statement ticket names its statement, its share of a
//     split result and the clock of the split, the session that called
//     GetFlightInfo and that session's token expiry, all under an HMAC
//     with a key drawn at start (ticket.go): only that session redeems it,
//     only until its token expires, and only as it was issued.
//   - Metadata: one catalog, "mesh"; domains are schemas and data product
//     versions are tables. Only products the user may read are listed.
//   - Errors: *sqltypes.Error values become gRPC statuses whose message is
//     "ERROR <SQLSTATE>: <message>" (see toStatus).
package flightsql
