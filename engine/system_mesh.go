package engine

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/planner/lineage"
	"github.com/meshql/meshql/sqltypes"
)

var (
	tText  = sqltypes.TypeText
	tInt4  = sqltypes.TypeInt4
	tInt8  = sqltypes.TypeInt8
	tBool  = sqltypes.TypeBool
	tDate  = sqltypes.TypeDate
	tTexts = sqltypes.ListOf(sqltypes.TypeText)
	tTSTZ  = sqltypes.TypeTimestampTZ
	tIntv  = sqltypes.TypeInterval
)

func tsOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return arrow.Timestamp(t.UnixMicro())
}

// interval is d as an SQL interval (no months or days: an exact duration).
func interval(d time.Duration) any {
	return arrow.MonthDayNanoInterval{Nanoseconds: d.Nanoseconds()}
}

// targetInterval is a freshness target as an interval spelled like the
// descriptor: several whole days ("7d") as days, else hours.
func targetInterval(d time.Duration) any {
	const day = 24 * time.Hour
	if d > day && d%day == 0 {
		return arrow.MonthDayNanoInterval{Days: int32(d / day)}
	}
	return interval(d)
}

func texts(ss []string) any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func dateOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return arrow.Date32FromTime(t)
}

// meshTables are the discovery tables of schema mesh: the catalog as SQL,
// and the live-gate tables.
func meshTables() []sysTable {
	return append(catalogTables(), qualityTables()...)
}

// catalogTables are the tables describing the catalog itself.
func catalogTables() []sysTable {
	return []sysTable{
		{schema: "mesh", name: "domains", cols: []sysColumn{
			{"domain", tText}, {"description", tText}, {"owner_team", tText}, {"owner_contact", tText}, {"products", tInt8},
		}, rows: func(s *Session) [][]any {
			count := map[string]int64{}
			for _, p := range s.visibleProducts() {
				count[p.Domain]++
			}
			var out [][]any
			for _, d := range s.engine.Mesh().Domains {
				out = append(out, []any{d.Name, orNull(d.Description), orNull(d.Owner.Team), orNull(d.Owner.Contact), count[d.Name]})
			}
			return out
		}},
		{schema: "mesh", name: "data_products", cols: []sysColumn{
			{"domain", tText}, {"product", tText}, {"version", tInt4}, {"name", tText}, {"status", tText},
			{"sunset", tDate}, {"is_current", tBool}, {"description", tText}, {"owner_team", tText}, {"owner_contact", tText},
			{"freshness", tText}, {"availability", tText}, {"schema_stability", tText}, {"connector", tText}, {"inputs", tTexts},
		}, rows: func(s *Session) [][]any {
			mesh := s.engine.Mesh()
			var out [][]any
			for _, p := range s.visibleProducts() {
				cur, _ := mesh.Lookup(p.Domain, p.Name)
				fresh := ""
				if p.SLA.Freshness > 0 {
					fresh = p.SLA.Freshness.String()
				}
				out = append(out, []any{p.Domain, p.Name, int32(p.Version), p.QualifiedName(), string(p.Status),
					dateOrNull(p.Sunset), cur == p, orNull(p.Description), orNull(p.Owner.Team), orNull(p.Owner.Contact),
					orNull(fresh), orNull(p.SLA.Availability), orNull(p.SLA.SchemaStability), p.Source.Connector, texts(p.Inputs)})
			}
			return out
		}},
		// Where each product's data lives and how much of it there is:
		// the bytes of a product stored in local files, NULL for one
		// served by a database, an object store or defined by SQL, whose
		// size meshql does not know without asking the source.
		// pg_total_relation_size and its kin read it.
		{schema: "mesh", name: "storage", cols: []sysColumn{
			{"oid", tInt4}, {"name", tText}, {"connector", tText}, {"files", tInt4}, {"bytes", tInt8},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, p := range s.visibleProducts() {
				files, bytes := any(nil), any(nil)
				if n, f, ok := connectors.LocalSize(p.Source); ok {
					files, bytes = int32(f), n
				}
				out = append(out, []any{classOID(p), p.QualifiedName(), p.Source.Connector, files, bytes})
			}
			return out
		}},
		// Every column of the products the session may read, with how it
		// reads it: a denied column is listed as the product's contract
		// declares it (its name is no secret: the 42501 error and the
		// NOTICE of SELECT * name it), never with a value or a statistic.
		{schema: "mesh", name: "columns", cols: []sysColumn{
			{"product", tText}, {"column_name", tText}, {"ordinal", tInt4}, {"data_type", tText},
			{"description", tText}, {"tags", tTexts}, {"constraints", tTexts}, {"access", tText}, {"mask", tText},
		}, rows: func(s *Session) [][]any {
			v := s.current()
			var out [][]any
			for _, p := range s.visibleProducts() {
				dec := policy.Decide(v.mesh, v.who, p)
				for i, c := range p.Columns {
					access, mask := "read", any(nil)
					if m, ok := dec.Masks[c.Name]; ok {
						access, mask = "masked", m.String()
					} else if dec.Denied[c.Name] {
						access = "denied"
					}
					out = append(out, []any{p.QualifiedName(), c.Name, int32(i + 1), c.Type.String(), orNull(c.Description), texts(c.Tags), texts(c.Constraints), access, mask})
				}
			}
			return out
		}},
		{schema: "mesh", name: "lineage", cols: []sysColumn{
			{"product", tText}, {"input", tText}, {"kind", tText},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, p := range s.visibleProducts() {
				kind := "input"
				if p.Source.Connector == "sql" {
					kind = "derived_from"
				}
				for _, in := range p.Inputs {
					out = append(out, []any{p.QualifiedName(), in, kind})
				}
			}
			return out
		}},
		{schema: "mesh", name: "column_lineage", cols: []sysColumn{
			{"product", tText}, {"column_name", tText}, {"input", tText}, {"input_column", tText}, {"transformation", tText},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, p := range s.visibleProducts() {
				edges, err := lineage.Columns(context.Background(), s.current().mesh, p)
				if err != nil {
					// meshql lint reports definitions that do not bind.
					s.engine.log.Debug("column lineage", "product", p.QualifiedName(), "err", err)
					continue
				}
				for _, e := range edges {
					out = append(out, []any{e.Product, e.Column, e.Input, e.InputColumn, e.Transformation.String()})
				}
			}
			return out
		}},
	}
}

// checkResults returns the last `meshql check` results of the served
// mesh folder for the products the session may read. A missing file means
// no check has run; an unreadable one is logged and shows as none.
func (s *Session) checkResults() []catalog.CheckResult {
	mesh := s.engine.Mesh()
	rs, err := catalog.ReadCheckResults(mesh.Dir)
	if err != nil {
		s.engine.log.Warn("reading the last check results", "file", catalog.CheckResultsFile, "err", err)
		return nil
	}
	v := s.current()
	visible := map[string]policy.Decision{}
	for _, p := range s.visibleProducts() {
		visible[p.QualifiedName()] = policy.Decide(v.mesh, v.who, p)
	}
	var out []catalog.CheckResult
	for _, r := range rs {
		dec, ok := visible[r.Product]
		if !ok {
			continue
		}
		if _, masked := dec.Masks[r.Column]; len(dec.RowFilters) > 0 || (r.Column != "" && (masked || dec.Denied[r.Column])) {
			// What a check measured (null and duplicate counts, the newest
			// value) on a column the session may not read raw, or over
			// rows a row filter hides from it, is a statistic of data it
			// may not see: it gets the outcome only.
			r.Detail, r.DataAt = "", time.Time{}
		}
		out = append(out, r)
	}
	return out
}

// qualityTables are the live-gate tables: the last check results and the
// SLA status of each product.
func qualityTables() []sysTable {
	return []sysTable{
		{schema: "mesh", name: "quality_results", cols: []sysColumn{
			{"product", tText}, {"check_name", tText}, {"rule", tText}, {"ok", tBool}, {"detail", tText}, {"checked_at", tTSTZ},
		}, rows: func(s *Session) [][]any {
			var out [][]any
			for _, r := range s.checkResults() {
				out = append(out, []any{r.Product, r.Check, r.Rule, r.OK, orNull(r.Detail), tsOrNull(r.Measured)})
			}
			return out
		}},
		{schema: "mesh", name: "sla_status", cols: []sysColumn{
			{"product", tText}, {"freshness_target", tIntv}, {"measured_on", tText}, {"last_updated", tTSTZ},
			{"age", tIntv}, {"freshness_status", tText}, {"availability_target", tText}, {"checked_at", tTSTZ},
		}, rows: func(s *Session) [][]any {
			last := map[string]catalog.CheckResult{}
			for _, r := range s.checkResults() {
				if r.Rule == "freshness" {
					last[r.Product] = r
				}
			}
			now := s.engine.clock()
			var out [][]any
			for _, p := range s.visibleProducts() {
				out = append(out, slaRow(p, last[p.QualifiedName()], now))
			}
			return out
		}},
	}
}

// slaRow measures a product's freshness now (see measuredAt).
func slaRow(p *catalog.Product, last catalog.CheckResult, now time.Time) []any {
	var target, age any
	status := "unknown"
	on, updated := measuredAt(p, last)
	if p.SLA.Freshness > 0 {
		target = targetInterval(p.SLA.Freshness)
		if !updated.IsZero() {
			a := max(now.Sub(updated), 0)
			age, status = interval(a.Round(time.Second)), "ok"
			if a > p.SLA.Freshness {
				status = "violated"
			}
		}
	} else {
		status = "no target"
	}
	return []any{p.QualifiedName(), target, orNull(on), tsOrNull(updated), age, status, orNull(p.SLA.Availability), tsOrNull(last.Measured)}
}

// measuredAt says what a product's data age is measured on and when its
// data was last updated (zero when unknown): its source files'
// modification time when it declares no freshness column (a stat per
// file, cheap enough at query time), else the newest value of the column
// as the last check (last) found it.
func measuredAt(p *catalog.Product, last catalog.CheckResult) (on string, updated time.Time) {
	switch {
	case p.SLA.FreshnessColumn != "":
		return p.SLA.FreshnessColumn, last.DataAt
	case p.Source.Connector == "parquet" || p.Source.Connector == "csv":
		updated, _ = connectors.NewestModTime(p.Source)
		return "source files", updated
	}
	return "", time.Time{}
}

// isView reports whether a product is served as a view (defined by SQL).
func isView(p *catalog.Product) bool { return p.Source.Connector == "sql" }
