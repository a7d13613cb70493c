package expr

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildFormatType is format_type(type_oid, typmod): the SQL name of a type
// as PostgreSQL's catalog functions print it, for client introspection
// (psql's \d). Unknown OIDs print as "???", like PostgreSQL.
func buildFormatType(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	oid, mod := coerceTo(args[0], sqltypes.TypeInt8), coerceTo(args[1], sqltypes.TypeInt4)
	if oid.Type().Kind != sqltypes.Int8 || mod.Type().Kind != sqltypes.Int4 {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: []Expr{oid, mod}, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		oids, mods := values[int64](in[0]), values[int32](in[1])
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in[:1], func(i int, dst []byte) ([]byte, bool, error) {
			t, ok := sqltypes.FromOID(uint32(oids[i]))
			if !ok {
				return append(dst, "???"...), false, nil
			}
			if m := mods[i]; !in[1].IsNull(i) && m >= 4 {
				switch t.Kind {
				case sqltypes.Numeric:
					t.Precision, t.Scale = (m-4)>>16, (m-4)&0xffff
				case sqltypes.Varchar, sqltypes.Bpchar:
					t.Precision = m - 4
				}
			}
			return append(dst, t.String()...), false, nil
		})
	}}, nil
}

// buildPgTypeof is pg_typeof(any): the name of its argument's type, as
// PostgreSQL's regtype prints it (no modifiers: numeric, character,
// integer[]). It depends on the type alone, so it is a constant, also for
// NULL. PostgreSQL's result type is regtype; meshql answers text, which
// prints the same.
func buildPgTypeof(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	return Literal(sqltypes.Type{Kind: sqltypes.RegType}, args[0].Type().RegTypeOID()), nil
}
