// Package lint is the static quality gate over a mesh: `meshql lint`.
//
// Rules are data. A Rule has an id, a severity (error or warning), a
// one-line statement of what it requires, a hint saying how to comply, and
// a Check function over a loaded *catalog.Mesh that returns the places that
// break it. DefaultRules builds the global rules every mesh must follow;
// callers may filter that list or append their own rules before calling
// Lint. Nothing in this package is global or mutable.
//
// Lint only runs over a mesh that loads: when catalog.Load fails, LintDir
// turns each catalog.Problem into a finding of rule "load" instead.
//
// Findings are sorted by file, line and rule, and can be written as text
// ("file:line: severity rule: message (hint)"), JSON or JUnit XML.
package lint
