package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// DatumAt returns row i of a as a sqltypes.Datum of type t (nil for NULL).
// It is for single values outside hot loops: constant folding, the CLI's
// printer, tests.
func DatumAt(a arrow.Array, t sqltypes.Type, i int) sqltypes.Datum { return datumAt(a, t, i) }

// AppendDatum appends v (a sqltypes.Datum of type t, nil for NULL) to a
// builder of t's Arrow type. For building small tables (system tables,
// VALUES), not for hot loops.
func AppendDatum(b array.Builder, t sqltypes.Type, v sqltypes.Datum) error {
	nv, err := normalizeDatum(t, v)
	if err != nil {
		return err
	}
	appendDatum(b, t, nv)
	return nil
}
