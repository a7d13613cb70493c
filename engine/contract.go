package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Contracts at query time: a product's source is held to the declared
// columns whenever it is opened (bindTable), and opened again when its
// files change (sourceChanged), so a rewritten source cannot feed a query
// data of another shape. Each execution also checks the lifecycle and the
// data age of every product the statement reads (guardProducts).

// contractColumn checks one declared column against the type its source
// delivers: nil when it holds, else the drift error naming the product,
// the column and the difference.
func contractColumn(p *catalog.Product, c *catalog.Column, got sqltypes.Type) error {
	if sqltypes.ReadableAs(got, c.Type) {
		return nil
	}
	if got.Kind == sqltypes.List && c.Type.Kind == sqltypes.List && got.Ndims() != c.Type.Ndims() {
		// One type name in PostgreSQL, so say which dimensions differ.
		return sqltypes.New(sqltypes.CodeFDWError, "data product %s breaks its contract: column %s is declared a %d-dimensional %s, but the source has %d dimensions", p.QualifiedName(), c.Name, c.Type.Ndims(), c.Type, got.Ndims()).
			WithHint("A descriptor declares a 2-dimensional array as %s[][]; tell the owner (%s).", c.Type.Leaf(), p.Owner.Contact)
	}
	return sqltypes.New(sqltypes.CodeFDWError, "data product %s breaks its contract: column %s is declared %s, but the source has %s", p.QualifiedName(), c.Name, c.Type, got).
		WithHint("The source changed under the product; tell the owner (%s), who publishes a new version for the new schema or fixes the source.", p.Owner.Contact)
}

// fileStamp is the state of a product's files for sourceChanged; "" for
// sources that are not local files.
func fileStamp(p *catalog.Product) string {
	if p.Source.Connector != "parquet" && p.Source.Connector != "csv" {
		return ""
	}
	stamp, _, err := connectors.FileStamp(p.Source)
	if err != nil {
		return "" // the open (or the scan) reports the error
	}
	return stamp
}

// sourceChanged reports whether p's files were rewritten since its table
// was opened, or, for a source without files to stat, whether the table
// was opened longer than Config.SourceRecheck ago. The table is then
// forgotten, so that the next bind opens it again and checks it against
// the contract.
func (e *Engine) sourceChanged(p *catalog.Product) bool {
	e.mu.Lock()
	ot, ok := e.tables[p]
	e.mu.Unlock()
	if !ok || !ot.opened.Load() {
		return false
	}
	if ot.stamp == "" {
		if e.recheck < 0 || time.Since(ot.openedAt) < e.recheck {
			return false
		}
	} else if fileStamp(p) == ot.stamp {
		return false
	}
	e.mu.Lock()
	if e.tables[p] == ot {
		delete(e.tables, p)
	}
	e.mu.Unlock()
	return true
}

// refreshSources binds the statement again when a source it reads was
// rewritten since it was bound, so that the new files are checked against
// the contract and read with their own layout; and when its analysis
// failed on a source (HV…), which may be back or fixed by now.
func (st *Statement) refreshSources(ctx context.Context) error {
	if st.err == nil && st.st != nil && st.st.Query != nil && !st.s.engine.boundTablesCurrent(st.st.Query.Plan) ||
		st.err != nil && strings.HasPrefix(sqltypes.Code(st.err), "HV") {
		st.st, st.err, st.mesh = nil, nil, nil
		return st.analyze(ctx)
	}
	return st.err
}

// boundTablesCurrent reports whether every product table plan scans is
// still the engine's open table of its product, after forgetting those
// whose files changed.
func (e *Engine) boundTablesCurrent(plan logical.Node) bool {
	current := true
	logical.Inspect(plan, func(n logical.Node) bool {
		if s, ok := n.(*logical.Scan); ok && s.Product != nil && current {
			e.sourceChanged(s.Product)
			e.mu.Lock()
			ot, ok := e.tables[s.Product]
			current = ok && ot.opened.Load() && ot.table == s.Table
			e.mu.Unlock()
		}
		return current
	})
	return current
}

// productsRead are the products the statement reads, derived products
// and their inputs alike, in the catalog it was bound in.
func (st *Statement) productsRead() []*catalog.Product {
	if st.access == nil || st.mesh == nil {
		return nil
	}
	out := make([]*catalog.Product, 0, len(st.access.Products))
	for _, name := range st.access.Products {
		domain, table, _ := strings.Cut(name, ".")
		if p, ok := st.mesh.Lookup(domain, table); ok {
			out = append(out, p)
		}
	}
	return out
}

// maxStalenessSetting is the session setting that turns a stale product
// from a NOTICE into an error.
const maxStalenessSetting = "mesh.max_staleness"

// checkStaleness accepts Go durations ("15m", "1h30m") and PostgreSQL's
// time settings ("15min", a number of milliseconds); 0 turns it off.
func checkStaleness(v, _ string) (string, error) {
	if _, err := parseStaleness(v); err != nil {
		return "", err
	}
	return v, nil
}

func parseStaleness(v string) (time.Duration, error) {
	if d, err := time.ParseDuration(strings.TrimSpace(v)); err == nil && d >= 0 {
		return d, nil
	}
	d, err := parseDurationSetting(v)
	if err != nil {
		return 0, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter %q: %q", maxStalenessSetting, v).
			WithHint("Give a duration such as '15m', '2h' or '1d'; 0 turns the limit off.")
	}
	return d, nil
}

// maxStaleness is the session's mesh.max_staleness; 0 means none.
func (s *Session) maxStaleness() time.Duration {
	v, _ := s.Setting(maxStalenessSetting)
	d, _ := parseStaleness(v)
	return d
}

// guardProducts checks, for one execution, every product the statement
// reads: a deprecated version gets a NOTICE naming its sunset and
// successor and fails after its sunset day; a product older than its
// freshness SLA gets a NOTICE, and one older than mesh.max_staleness
// fails the query. A derived product's data is as old as its inputs,
// which are checked in its place.
func (s *Session) guardProducts(st *Statement) ([]*Notice, error) {
	now := s.engine.clock()
	limit := s.maxStaleness()
	var notices []*Notice
	var results []catalog.CheckResult
	resultsRead := false
	for _, p := range st.productsRead() {
		if p.Deprecated() {
			n, err := lifecycle(st.mesh, p, now)
			if err != nil {
				return nil, err
			}
			notices = append(notices, n)
		}
		if isView(p) || (p.SLA.Freshness == 0 && limit == 0) {
			continue
		}
		if p.SLA.FreshnessColumn != "" && !resultsRead {
			results, resultsRead = s.checkResults(), true
		}
		_, updated := measuredAt(p, lastFreshness(results, p))
		if updated.IsZero() {
			continue // not measurable now: mesh.sla_status says unknown
		}
		age := max(now.Sub(updated), 0).Round(time.Second)
		switch {
		case limit > 0 && age > limit:
			return nil, sqltypes.New(sqltypes.CodeObjectNotInState, "data product %s is %s old, older than %s = %s", p.QualifiedName(), catalog.FormatFreshness(age), maxStalenessSetting, catalog.FormatFreshness(limit)).
				WithDetail("Its data was last updated at %s.", updated.UTC().Format(time.RFC3339)).
				WithHint("Wait for the owner (%s) to refresh it, or raise or RESET %s.", p.Owner.Contact, maxStalenessSetting)
		case p.SLA.Freshness > 0 && age > p.SLA.Freshness:
			notices = append(notices, &Notice{Code: sqltypes.CodeWarning, Severity: "NOTICE",
				Msg:    fmt.Sprintf("data product %s is %s old, outside its freshness SLA of %s", p.QualifiedName(), catalog.FormatFreshness(age), catalog.FormatFreshness(p.SLA.Freshness)),
				Detail: fmt.Sprintf("Its data was last updated at %s.", updated.UTC().Format(time.RFC3339)),
				Hint:   fmt.Sprintf("SET %s to make such queries fail instead.", maxStalenessSetting)})
		}
	}
	return notices, nil
}

// lastFreshness returns the last freshness check result of p.
func lastFreshness(results []catalog.CheckResult, p *catalog.Product) catalog.CheckResult {
	var last catalog.CheckResult
	for _, r := range results {
		if r.Rule == "freshness" && r.Product == p.QualifiedName() {
			last = r
		}
	}
	return last
}

// lifecycle is the NOTICE for reading a deprecated version, or the error
// once its sunset day is over (42P01: the version is no longer served).
func lifecycle(m *catalog.Mesh, p *catalog.Product, now time.Time) (*Notice, error) {
	next := successor(m, p)
	use := "it has no successor; ask its owner (" + p.Owner.Contact + ")"
	if next != nil {
		use = "use " + next.QualifiedName() + " instead"
	}
	sunset := p.Sunset.Format(catalog.SunsetLayout)
	if p.Retired(now) {
		return nil, sqltypes.New(sqltypes.CodeUndefinedTable, "data product %s was retired on %s; %s", p.QualifiedName(), sunset, use).
			WithHint("Deprecated versions are served until the end of their sunset day.")
	}
	return &Notice{Code: "01P01", Severity: "NOTICE",
		Msg: fmt.Sprintf("data product %s is deprecated and will be retired on %s; %s", p.QualifiedName(), sunset, use)}, nil
}

// successor is the version consumers of p should move to: the newest
// active later version, else the newest later version that is not a
// draft; nil when there is none.
func successor(m *catalog.Mesh, p *catalog.Product) *catalog.Product {
	var active, other *catalog.Product
	for _, q := range m.Products {
		if q.Domain != p.Domain || q.Name != p.Name || q.Version <= p.Version {
			continue
		}
		switch q.Status {
		case catalog.StatusActive:
			active = q
		case catalog.StatusDeprecated:
			other = q
		}
	}
	if active != nil {
		return active
	}
	return other
}
