package main

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/pgload"
)

// demoPostgresProduct is the demo product --demo-postgres moves into PostgreSQL.
const demoPostgresProduct = "customers_v1"

// useDemoPostgres copies the demo's sales.customers_v1 into the PostgreSQL
// at url (replacing the table if it exists) and serves the product from
// there, so that the demo federates Parquet with PostgreSQL. It runs while
// the mesh is being wired, before any query sees it.
func useDemoPostgres(ctx context.Context, mesh *catalog.Mesh, url string, progress io.Writer) error {
	p, ok := mesh.Lookup("sales", demoPostgresProduct)
	if !ok {
		return fmt.Errorf("--demo-postgres: the demo mesh has no sales.%s", demoPostgresProduct)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("--demo-postgres: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS sales; DROP TABLE IF EXISTS sales."+demoPostgresProduct); err != nil {
		return fmt.Errorf("--demo-postgres: preparing sales.%s: %w", demoPostgresProduct, err)
	}
	one := &catalog.Mesh{Products: []*catalog.Product{p}}
	if err := pgload.LoadMesh(ctx, conn, one, memory.NewGoAllocator()); err != nil {
		return fmt.Errorf("--demo-postgres: loading sales.%s: %w", demoPostgresProduct, err)
	}
	serveDemoFromPostgres(mesh, url)
	fmt.Fprintf(progress, "serving sales.%s from PostgreSQL\n", demoPostgresProduct)
	return nil
}

// serveDemoFromPostgres points the demo's sales.customers_v1 at the copy
// useDemoPostgres made; catalog reloads apply it again.
func serveDemoFromPostgres(mesh *catalog.Mesh, url string) {
	if p, ok := mesh.Lookup("sales", demoPostgresProduct); ok {
		p.Source = catalog.Source{Connector: "postgres", Table: "sales." + demoPostgresProduct, Options: map[string]string{"url": url}}
	}
}
