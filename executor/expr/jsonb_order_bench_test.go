package expr

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// BenchmarkJSONBArrayCompare is a jsonb[] comparison over arrays of four
// documents: with prefix=equal the arrays mostly agree on their first
// elements, so that most rows compare several elements; with
// prefix=differs most rows are decided by the first.
func BenchmarkJSONBArrayCompare(b *testing.B) {
	t := sqltypes.ListOf(sqltypes.TypeJSONB)
	for _, prefix := range []string{"equal", "differs"} {
		batch, done := benchBatch(b, false, func(r *rand.Rand) any {
			arr := make([]any, 4)
			for i := range arr {
				id := 0
				if prefix == "differs" || i == len(arr)-1 {
					id = r.Intn(8)
				}
				arr[i] = fmt.Sprintf(`{"id": %d, "tags": ["a", "b"], "price": 2.5}`, id)
			}
			return arr
		}, t, t)
		for _, op := range []BinaryOp{OpEq, OpLt} {
			b.Run(fmt.Sprintf("prefix=%s/op=%s", prefix, op), func(b *testing.B) {
				runBench(b, must(Binary(op, Column(0, t, "a"), Column(1, t, "b"))), batch, 400)
			})
		}
		done()
	}
}
