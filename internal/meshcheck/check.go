package meshcheck

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/lint"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// Rule ids of check results.
const (
	RuleSource      = "source"
	RuleSchema      = "schema"
	RuleSchemaExtra = "schema-extra"
	RuleNotNull     = "not_null"
	RuleUnique      = "unique"
	RuleAccepted    = "accepted_values"
	RuleRange       = "range"
	RuleQuality     = "quality"
	RuleExample     = "example"
	RuleFreshness   = "freshness"
)

// Rules describes the checks as lint rules (without Check functions), for
// reports that list every rule, such as JUnit.
func Rules() []lint.Rule {
	return []lint.Rule{
		{ID: RuleSource, Severity: lint.SeverityError, Message: "every product's source opens",
			Hint: "check source.path / source.options and that the source is up"},
		{ID: RuleSchema, Severity: lint.SeverityError, Message: "every declared column exists in the source with the declared type",
			Hint: "fix the source, or publish a new version of the product with the new schema"},
		{ID: RuleSchemaExtra, Severity: lint.SeverityWarning, Message: "the source has no column the contract does not declare",
			Hint: "declare the column (with a description) or stop producing it"},
		{ID: RuleNotNull, Severity: lint.SeverityError, Message: "columns declared not_null (or primary_key) hold no NULL",
			Hint: "fix the producer, or drop the constraint in a new version"},
		{ID: RuleUnique, Severity: lint.SeverityError, Message: "columns declared unique (or primary_key) hold no duplicate",
			Hint: "fix the producer, or drop the constraint in a new version"},
		{ID: RuleAccepted, Severity: lint.SeverityError, Message: "columns with accepted_values hold no other value",
			Hint: "fix the producer, or accept the value in a new version"},
		{ID: RuleRange, Severity: lint.SeverityError, Message: "columns with a range hold no value outside it",
			Hint: "fix the producer, or widen the range in a new version"},
		{ID: RuleQuality, Severity: lint.SeverityError, Message: "every quality check returns no rows",
			Hint: "run the check's SQL to see the offending rows"},
		{ID: RuleExample, Severity: lint.SeverityError, Message: "every example query runs",
			Hint: "fix the example's SQL: consumers copy it"},
		{ID: RuleFreshness, Severity: lint.SeverityError, Message: "the data is no older than sla.freshness",
			Hint: "see why the producer's pipeline has not delivered"},
	}
}

// Options say how to reach the sources and run queries.
type Options struct {
	// Engine runs the constraint and quality queries; it must serve the
	// mesh being checked.
	Engine *engine.Engine
	// User is the session user the queries run as. It should read every
	// product unmasked (an admin): a check over masked values proves
	// nothing.
	User string
	// Connectors open sources for the schema and file-age checks.
	Connectors []connectors.Connector
	// Now is the time freshness is measured against and products are
	// retired at; zero means time.Now. The Engine's clock should agree, or
	// it refuses the constraint queries of a product retired by its own.
	Now time.Time
}

// Result is the outcome of one check of one product.
type Result = catalog.CheckResult

// Run checks every product of m and returns every result, in product
// order. It fails only when it cannot run at all (no session); a source
// that is down or a query that fails is a failed result. It honours ctx.
func Run(ctx context.Context, m *catalog.Mesh, o Options) ([]Result, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	sess, err := o.Engine.NewSession(o.User, nil)
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	c := &checker{o: o, sess: sess, conns: map[string]connectors.Connector{}}
	for _, cn := range o.Connectors {
		c.conns[cn.Kind()] = cn
	}
	for _, p := range m.Products {
		if err := ctx.Err(); err != nil {
			return nil, sqltypes.Wrap(err, sqltypes.CodeQueryCanceled, "check canceled")
		}
		if p.Retired(o.Now) {
			continue // no one can read it any more; lint's sunset rule reports it
		}
		c.product(ctx, p)
	}
	return c.out, nil
}

// checker accumulates the results of one run.
type checker struct {
	o     Options
	sess  *engine.Session
	conns map[string]connectors.Connector
	out   []Result
}

func (c *checker) add(p *catalog.Product, rule, check string, line int, col string, ok bool, format string, args ...any) {
	if line == 0 {
		line = p.Line
	}
	c.out = append(c.out, Result{Product: p.QualifiedName(), Check: check, Rule: rule, OK: ok,
		Detail: fmt.Sprintf(format, args...), File: p.File, Line: line, Column: col, Measured: c.o.Now})
}

// product runs every check of one product. When the source does not
// open, the checks that read data are skipped: they would fail for the
// same reason.
func (c *checker) product(ctx context.Context, p *catalog.Product) {
	var tbl connectors.Table
	if p.Source.Connector != "sql" {
		cn, ok := c.conns[p.Source.Connector]
		if !ok {
			c.add(p, RuleSource, RuleSource, 0, "", false, "no connector %q is configured", p.Source.Connector)
			return
		}
		t, err := cn.Open(ctx, p.Source)
		if err != nil {
			c.add(p, RuleSource, RuleSource, 0, "", false, "%s", sqltypes.AsError(err).Msg)
			return
		}
		c.add(p, RuleSource, RuleSource, 0, "", true, "opened")
		tbl = t
		if !c.schema(p, tbl) {
			return // queries would fail on the missing or retyped columns
		}
	}
	c.constraints(ctx, p)
	for _, q := range p.Quality {
		n, err := c.count(ctx, "SELECT count(*) FROM ("+trimSQL(q.SQL)+") AS q")
		switch {
		case err != nil:
			c.add(p, RuleQuality, "quality:"+q.Name, q.Line, "", false, "quality check %s of %s does not run: %s", q.Name, p.QualifiedName(), sqltypes.AsError(err).Msg)
		case n > 0:
			c.add(p, RuleQuality, "quality:"+q.Name, q.Line, "", false, "quality check %s of %s returns %s", q.Name, p.QualifiedName(), rows(n))
		default:
			c.add(p, RuleQuality, "quality:"+q.Name, q.Line, "", true, "no rows")
		}
	}
	for _, q := range p.Examples {
		n, err := c.rowsOf(ctx, trimSQL(q.SQL))
		if err != nil {
			c.add(p, RuleExample, "example:"+q.Name, q.Line, "", false, "example %s of %s does not run: %s", q.Name, p.QualifiedName(), sqltypes.AsError(err).Msg)
			continue
		}
		c.add(p, RuleExample, "example:"+q.Name, q.Line, "", true, "returns %s", rows(n))
	}
	c.freshness(ctx, p)
}

// schema compares the declared columns with the source's; it reports
// whether every declared column is there with its type.
func (c *checker) schema(p *catalog.Product, t connectors.Table) bool {
	s := t.Schema()
	ok := true
	declared := map[string]bool{}
	for _, col := range p.Columns {
		declared[col.Name] = true
		idx := s.FieldIndices(col.Name)
		if len(idx) == 0 {
			c.add(p, RuleSchema, "schema:"+col.Name, col.Line, col.Name, false, "%s declares column %s, but the source has no such column", p.QualifiedName(), col.Name)
			ok = false
			continue
		}
		st, err := sqltypes.FieldType(s.Field(idx[0]))
		if err != nil {
			c.add(p, RuleSchema, "schema:"+col.Name, col.Line, col.Name, false, "column %s of %s: the source's type %s has no SQL type", col.Name, p.QualifiedName(), s.Field(idx[0]).Type)
			ok = false
			continue
		}
		if !sqltypes.ReadableAs(st, col.Type) {
			c.add(p, RuleSchema, "schema:"+col.Name, col.Line, col.Name, false, "column %s of %s is declared %s, but the source has %s", col.Name, p.QualifiedName(), col.Type, st)
			ok = false
			continue
		}
		c.add(p, RuleSchema, "schema:"+col.Name, col.Line, col.Name, true, "%s", st)
	}
	for _, f := range s.Fields() {
		if !declared[f.Name] {
			c.add(p, RuleSchemaExtra, "schema-extra:"+f.Name, 0, f.Name, false, "the source of %s has column %s, which the contract does not declare", p.QualifiedName(), f.Name)
		}
	}
	return ok
}

// constraints checks not_null and unique (primary_key is both) by query.
func (c *checker) constraints(ctx context.Context, p *catalog.Product) {
	for _, col := range p.Columns {
		q := quoteIdent(col.Name)
		if col.NotNull() {
			n, err := c.count(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s IS NULL", tableRef(p), q))
			c.constraint(p, col, RuleNotNull, RuleNotNull, n, err, "NULL")
		}
		if col.Unique() {
			n, err := c.count(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT %s FROM %s WHERE %s IS NOT NULL GROUP BY %s HAVING count(*) > 1) AS d", q, tableRef(p), q, q))
			c.constraint(p, col, RuleUnique, RuleUnique, n, err, "duplicated value")
		}
		if len(col.AcceptedValues) > 0 {
			n, err := c.count(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s NOT IN (%s)", tableRef(p), q, literals(col, col.AcceptedValues...)))
			c.constraint(p, col, RuleAccepted, RuleAccepted+" ["+strings.Join(col.AcceptedValues, ", ")+"]", n, err, "unaccepted value")
		}
		if col.Min != "" || col.Max != "" {
			var conds, bounds []string
			if col.Min != "" {
				conds = append(conds, q+" < "+literals(col, col.Min))
				bounds = append(bounds, "min: "+col.Min)
			}
			if col.Max != "" {
				conds = append(conds, q+" > "+literals(col, col.Max))
				bounds = append(bounds, "max: "+col.Max)
			}
			n, err := c.count(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", tableRef(p), strings.Join(conds, " OR ")))
			c.constraint(p, col, RuleRange, RuleRange+" {"+strings.Join(bounds, ", ")+"}", n, err, "out-of-range value")
		}
	}
}

// constraint records the outcome of one constraint query; decl is the
// constraint as the descriptor declares it, for the message.
func (c *checker) constraint(p *catalog.Product, col *catalog.Column, rule, decl string, n int64, err error, what string) {
	check := rule + ":" + col.Name
	switch {
	case err != nil:
		c.add(p, rule, check, col.Line, col.Name, false, "checking %s of column %s of %s failed: %s", rule, col.Name, p.QualifiedName(), sqltypes.AsError(err).Msg)
	case n > 0:
		c.add(p, rule, check, col.Line, col.Name, false, "column %s of %s is declared %s but holds %d %s", col.Name, p.QualifiedName(), decl, n, plural(n, what))
	default:
		c.add(p, rule, check, col.Line, col.Name, true, "holds")
	}
}

// Findings turns the failed results into lint findings with the severity
// of their rule, sorted like lint's.
func Findings(rs []Result) []lint.Finding {
	sev := map[string]string{}
	for _, r := range Rules() {
		sev[r.ID] = r.Severity
	}
	var out []lint.Finding
	for _, r := range rs {
		if r.OK {
			continue
		}
		out = append(out, lint.Finding{Rule: r.Rule, Severity: sev[r.Rule], File: r.File, Line: r.Line,
			Product: r.Product, Column: r.Column, Message: r.Detail})
	}
	lint.Sort(out)
	return out
}

// literals renders declared values as SQL literals of the column's type
// (the catalog checked that they parse), joined by commas.
func literals(col *catalog.Column, vals ...string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		d, err := sqltypes.ParseValue(col.Type, v)
		if err != nil {
			d = v // unreachable for a loaded mesh; the query then reports it
		}
		out[i] = "CAST(" + sqltypes.FormatLiteral(col.Type, d) + " AS " + col.Type.String() + ")"
	}
	return strings.Join(out, ", ")
}

// trimSQL drops surrounding space and a trailing semicolon, so that the
// query can be wrapped in a subquery.
func trimSQL(sql string) string { return strings.TrimRight(strings.TrimSpace(sql), "; \n\t") }

// tableRef is the SQL name of a product's exact version.
func tableRef(p *catalog.Product) string {
	return quoteIdent(p.Domain) + "." + quoteIdent(p.TableName())
}

// quoteIdent quotes a SQL identifier, doubling embedded quotes.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func rows(n int64) string { return fmt.Sprintf("%d %s", n, plural(n, "row")) }

func plural(n int64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
