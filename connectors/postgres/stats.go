package postgres

import (
	"context"
	"strings"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// statsSQL reads a table's pg_class row; $1 is the table's name.
const statsSQL = `SELECT reltuples::float8, relpages::int8, relkind::text FROM pg_catalog.pg_class WHERE oid = $1::regclass`

// columnStatsSQL reads what ANALYZE gathered about a table's columns. The
// value arrays are anyarray, read as text and parsed with each column's
// type. A partitioned table has only inherited rows; a table with
// children has both, and the inherited ones describe what a scan reads.
const columnStatsSQL = `SELECT DISTINCT ON (s.attname) s.attname::text, s.null_frac::float8, s.n_distinct::float8, s.avg_width::int4,
	s.most_common_vals::text, s.most_common_freqs::float8[], s.histogram_bounds::text
FROM pg_catalog.pg_stats s JOIN pg_catalog.pg_class c ON c.relname = s.tablename
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
WHERE c.oid = $1::regclass
ORDER BY s.attname, s.inherited DESC`

// loadStats reads reltuples and relpages, and the per-column statistics
// of pg_stats: null_frac and n_distinct (negative: minus a fraction of
// the rows) become NullCount and Distinct, most_common_vals/freqs
// MostCommon, histogram_bounds Histogram (its ends Min and Max). A table
// never analyzed has an unknown row count and no column statistics. The
// engine opens a table again on its source-recheck cadence, and so reads
// fresh statistics then.
func (t *Table) loadStats(ctx context.Context) error {
	var tuples float64
	var pages int64
	var kind string
	if err := t.pool.queryRow(ctx, statsSQL, []any{t.from}, &tuples, &pages, &kind); err != nil {
		return t.mapErr(ctx, err)
	}
	if tuples >= 0 {
		t.stats.RowCount = int64(tuples)
	}
	if kind == "r" || kind == "m" {
		t.relpages = pages
	}
	if t.stats.RowCount < 0 {
		return nil
	}
	rows, done, err := t.pool.query(ctx, columnStatsSQL, t.from)
	if err != nil {
		return t.mapErr(ctx, err)
	}
	defer done()
	defer rows.Close()
	t.stats.Columns = map[string]connectors.ColumnStats{}
	n := float64(t.stats.RowCount)
	for rows.Next() {
		var name string
		var nullFrac, nDistinct float64
		var width int32
		var mcv, hist *string
		var freqs []float64
		if err := rows.Scan(&name, &nullFrac, &nDistinct, &width, &mcv, &freqs, &hist); err != nil {
			return t.mapErr(ctx, err)
		}
		i, ok := t.byName[name]
		if !ok || i < 0 {
			continue
		}
		cs := connectors.ColumnStats{NullCount: int64(nullFrac*n + 0.5), Distinct: -1, AvgWidth: int(width)}
		switch {
		case nDistinct > 0:
			cs.Distinct = int64(nDistinct)
		case nDistinct < 0:
			cs.Distinct = max(1, int64(-nDistinct*n+0.5))
		}
		typ := t.cols[i].typ
		if !statsComparable(typ.Kind) {
			t.stats.Columns[name] = cs
			continue
		}
		if vals, ok := parseArray(mcv, typ); ok && len(vals) == len(freqs) {
			for k, v := range vals {
				cs.MostCommon = append(cs.MostCommon, connectors.ValueFreq{Value: v, Freq: freqs[k]})
			}
		}
		if vals, ok := parseArray(hist, typ); ok && len(vals) >= 2 {
			cs.Histogram = vals
			// Strings sort by the column's collation there: their
			// ends need not be the byte-order extremes.
			if !typ.IsString() {
				cs.Min, cs.Max = vals[0], vals[len(vals)-1]
			}
		}
		t.stats.Columns[name] = cs
	}
	if err := rows.Err(); err != nil {
		return t.mapErr(ctx, err)
	}
	return nil
}

// statsComparable reports whether meshql parses the text form of values of
// kind k and compares them as PostgreSQL does (strings by bytes, close
// enough for estimates).
func statsComparable(k sqltypes.Kind) bool {
	switch k {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Float4, sqltypes.Float8, sqltypes.Numeric,
		sqltypes.Date, sqltypes.Timestamp, sqltypes.Text, sqltypes.Varchar, sqltypes.Bool:
		return true
	}
	return false
}

// parseArray parses the text form of a one-dimensional PostgreSQL array
// ({a,"b c",NULL}) into Datums of type typ; false when s is NULL, an
// element is NULL or does not parse.
func parseArray(s *string, typ sqltypes.Type) ([]any, bool) {
	if s == nil || len(*s) < 2 || (*s)[0] != '{' || (*s)[len(*s)-1] != '}' {
		return nil, false
	}
	body := (*s)[1 : len(*s)-1]
	var out []any
	for len(body) > 0 {
		var elem string
		if body[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				b.WriteByte(body[i])
			}
			if i >= len(body) {
				return nil, false
			}
			elem, body = b.String(), body[i+1:]
		} else {
			end := strings.IndexByte(body, ',')
			if end < 0 {
				end = len(body)
			}
			elem, body = body[:end], body[end:]
			if elem == "NULL" {
				return nil, false
			}
		}
		v, err := sqltypes.ParseValue(typ, elem)
		if err != nil {
			return nil, false
		}
		out = append(out, v)
		if len(body) > 0 {
			if body[0] != ',' {
				return nil, false
			}
			body = body[1:]
		}
	}
	return out, len(out) > 0
}
