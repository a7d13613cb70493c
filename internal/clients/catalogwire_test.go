package clients

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
)

// checkCatalogWireTypes: the type OIDs, sizes and typmods RowDescription
// gives the catalog columns clients decode by type: information_schema's
// domains as their base types (sql_identifier name 19, cardinal_number
// int4 23, character_data varchar 1043, yes_or_no varchar(3) typmod 7),
// pg_catalog's "char" columns as 18 (proargmodes "char"[] 1002), in text
// and in binary.
func checkCatalogWireTypes(t *testing.T, f *fixture) {
	queries := []string{
		`SELECT table_schema, column_name, ordinal_position, is_nullable, data_type, character_maximum_length
		 FROM information_schema.columns WHERE table_name = 'pg_class' AND column_name = 'relkind'`,
		`SELECT table_name, table_type, is_typed FROM information_schema.tables WHERE table_name = 'pg_type'`,
		`SELECT c.relkind, c.relpersistence, t.typtype, t.typalign FROM pg_class c JOIN pg_type t ON t.oid = c.reltype WHERE c.relname = 'pg_class'`,
		`SELECT proargmodes, prokind, provolatile FROM pg_proc WHERE proname = 'now'`,
	}
	for _, q := range queries {
		compareOn(t, f, "row description of "+q, func(conn *pgx.Conn) ([]string, error) {
			rows, err := conn.Query(t.Context(), q)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []string
			for _, fd := range rows.FieldDescriptions() {
				out = append(out, fmt.Sprintf("%s %d %d %d", fd.Name, fd.DataTypeOID, fd.DataTypeSize, fd.TypeModifier))
			}
			for rows.Next() {
				out = append(out, fmt.Sprint(rows.RawValues()))
			}
			return out, rows.Err()
		})
		compareBinaryRow(t, f, "binary row of "+q, q)
	}
}
