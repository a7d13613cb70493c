// Package engine owns the query lifecycle that every front (pgwire, Flight
// SQL, the CLI) shares: an Engine holds the loaded mesh, its connectors and
// policies; a Session holds one user's settings; Session.Prepare turns SQL
// text into Statements and Statement.Execute into a streaming Result of
// Arrow batches.
//
// The engine never imports a wire package; fronts translate their protocol
// into these calls.
package engine
