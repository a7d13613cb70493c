package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/meshql/meshql/internal/tpch"
)

// tables are the eight TPC-H tables; meshql tpch gen writes each as
// DIR/data/<table>/*.parquet.
var tables = [...]string{"customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"}

// duck is an in-memory DuckDB database with one view per TPC-H table over
// the mesh's Parquet files, used through one pinned connection.
type duck struct {
	db   *sql.DB
	conn *sql.Conn
}

// openDuck opens DuckDB with threads = workers and creates the views.
func openDuck(ctx context.Context, mesh string, workers int) (*duck, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	d := &duck{db: db, conn: conn}
	stmts := []string{fmt.Sprintf("SET threads = %d", workers)}
	for _, t := range tables {
		glob := filepath.Join(mesh, "data", t, "*.parquet")
		stmts = append(stmts, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s')", t, strings.ReplaceAll(glob, "'", "''")))
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			d.Close()
			return nil, fmt.Errorf("duckdb: %s: %w", s, err)
		}
	}
	return d, nil
}

// Close closes the connection and the database.
func (d *duck) Close() error {
	d.conn.Close()
	return d.db.Close()
}

// Run executes query and returns its rows as text comparable with
// meshql's (see formatDuck).
func (d *duck) Run(ctx context.Context, query string) (*tpch.Result, error) {
	rows, err := d.conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &tpch.Result{Columns: cols}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = formatDuck(v)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, rows.Err()
}

// formatDuck renders a DuckDB value in PostgreSQL's text format, as
// meshql prints it: NULL as "NULL", dates as YYYY-MM-DD, numbers in
// decimal notation (tpch.Compare compares numbers with a tolerance).
func formatDuck(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return v
	case []byte:
		return string(v)
	case bool:
		if v {
			return "t"
		}
		return "f"
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32)
	case *big.Int:
		return v.String()
	case duckdb.Decimal:
		return v.String()
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return v.Format("2006-01-02")
		}
		return v.Format("2006-01-02 15:04:05.999999")
	default:
		return fmt.Sprint(v)
	}
}
