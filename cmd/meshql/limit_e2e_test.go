package main

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestLimitParameters sends LIMIT $1 OFFSET $2 over the extended protocol,
// as drivers and BI tools page results: one prepared statement runs with
// several bounds, and a negative one fails with PostgreSQL's SQLSTATE.
func TestLimitParameters(t *testing.T) {
	s := startServer(t)
	conn, err := pgx.Connect(t.Context(), s.url("analyst"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	const page = "SELECT order_id FROM sales.orders_v1 ORDER BY order_id LIMIT $1 OFFSET $2"
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec} {
		for _, tc := range []struct {
			limit, offset any
			want          []int64
		}{
			{int64(3), int64(0), []int64{1, 2, 3}},
			{int64(2), int64(5), []int64{6, 7}},
			{nil, int64(99998), []int64{99999, 100000}}, // LIMIT NULL: no limit (the demo at scale 0.1 has 100000 orders)
			{"2", "1", []int64{2, 3}},
		} {
			rows, err := conn.Query(t.Context(), page, mode, tc.limit, tc.offset)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				t.Fatalf("%v LIMIT %v OFFSET %v: %v", mode, tc.limit, tc.offset, err)
			}
			if !slices.Equal(got, tc.want) {
				got = got[:min(len(got), 10)]
				t.Errorf("%v LIMIT %v OFFSET %v: got %v (first 10), want %v", mode, tc.limit, tc.offset, got, tc.want)
			}
		}
		for _, tc := range []struct {
			limit, offset int64
			code          string
		}{{-1, 0, "2201W"}, {1, -1, "2201X"}} {
			rows, err := conn.Query(t.Context(), page, mode, tc.limit, tc.offset)
			if err == nil {
				rows.Close()
				err = rows.Err()
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != tc.code {
				t.Errorf("%v LIMIT %d OFFSET %d: got %v, want SQLSTATE %s", mode, tc.limit, tc.offset, err, tc.code)
			}
		}
	}
}
