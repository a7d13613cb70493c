package postgres

import (
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/sqltypes"
)

// TestColumnStats: pg_stats becomes ColumnStats. The table is small
// enough for ANALYZE to read every row, so the statistics are exact and
// known from how the rows were made.
func TestColumnStats(t *testing.T) {
	uri := pgtest.NewDatabase(t, "pgstats")
	exec(t, uri, `CREATE TABLE s (id int8, grp text, d date, q text)`,
		`INSERT INTO s SELECT g, CASE WHEN g % 2 = 0 THEN 'half' WHEN g % 4 = 1 THEN 'quarter "a,b"' ELSE NULL END,
			DATE '2024-01-01' + (g % 10), NULL FROM generate_series(1, 1000) g`,
		`ANALYZE s`)
	tbl := open(t, catalog.Source{Table: "s", Options: map[string]string{"url": uri}})
	st := tbl.Stats()
	if st.RowCount != 1000 {
		t.Fatalf("row count %d", st.RowCount)
	}
	id := st.Columns["id"]
	if id.Distinct != 1000 || id.NullCount != 0 || id.Min != int64(1) || id.Max != int64(1000) || len(id.MostCommon) != 0 {
		t.Errorf("id: %+v", id)
	}
	grp := st.Columns["grp"]
	if grp.Distinct != 2 || grp.NullCount != 250 || len(grp.MostCommon) != 2 ||
		grp.MostCommon[0] != (connectors.ValueFreq{Value: "half", Freq: 0.5}) || grp.MostCommon[1] != (connectors.ValueFreq{Value: `quarter "a,b"`, Freq: 0.25}) {
		t.Errorf("grp: %+v", grp)
	}
	d := st.Columns["d"]
	if d.Distinct != 10 || len(d.MostCommon) != 10 || math.Abs(d.MostCommon[0].Freq-0.1) > 1e-6 || !slices.ContainsFunc(d.MostCommon, func(v connectors.ValueFreq) bool { return v.Value == arrow.Date32(19723) /* 2024-01-01 */ }) {
		t.Errorf("d: %+v", d)
	}
	if q := st.Columns["q"]; q.NullCount != 1000 || q.MostCommon != nil || q.Histogram != nil {
		t.Errorf("q: %+v", q)
	}

	// An array element that does not parse drops the list, not the table.
	bad := "{1,x}"
	if _, ok := parseArray(&bad, sqltypes.TypeInt8); ok {
		t.Error("parsed {1,x} as bigint[]")
	}
}
