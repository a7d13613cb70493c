package expr

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// BenchmarkJSONPathExists is payload @? '$.items[*] ? (@.qty > 3)' over
// event payloads: the constant path is parsed once, each row's document
// per row.
func BenchmarkJSONPathExists(b *testing.B) {
	for _, nulls := range []bool{false, true} {
		b.Run(fmt.Sprintf("nulls=%v", nulls), func(b *testing.B) {
			batch, done := benchBatch(b, nulls, func(r *rand.Rand) any {
				return fmt.Sprintf(`{"id": %d, "items": [{"qty": %d, "sku": "a%d"}, {"qty": %d, "sku": "b"}], "kind": "order"}`, r.Intn(1e6), r.Intn(5), r.Intn(100), r.Intn(5))
			}, sqltypes.TypeJSONB)
			defer done()
			e := must(Call("jsonb_path_exists", []Expr{Column(0, sqltypes.TypeJSONB, "payload"),
				Literal(sqltypes.TypeJSONPath, `$."items"[*]?(@."qty" > 3)`), Literal(sqltypes.TypeJSONB, `{}`), Literal(sqltypes.TypeBool, true)}))
			runBench(b, e, batch, 90)
		})
	}
}
