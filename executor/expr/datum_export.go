package expr

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/sqltypes"
)

// DatumAt returns row i of a as a sqltypes.Datum of type t (nil for NULL).
// It is for single values outside hot loops: constant folding, the CLI's
// printer, tests.
func DatumAt(a arrow.Array, t sqltypes.Type, i int) sqltypes.Datum { return datumAt(a, t, i) }
