package expr

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// BenchmarkJSONEach is json(b)_each(_text) over documents of eight
// members: the list of members (key and value in one pass, what the
// planner unnests) next to json_object_keys, which parses each document
// once too, so the two cost about the same. json_each used to evaluate a
// list of keys and a list of values, parsing each document twice.
func BenchmarkJSONEach(b *testing.B) {
	for _, t := range []sqltypes.Type{sqltypes.TypeJSON, sqltypes.TypeJSONB} {
		batch, done := benchBatch(b, false, func(r *rand.Rand) any {
			return fmt.Sprintf(`{"id": %d, "kind": "order", "qty": %d, "price": %d.%02d, "tags": ["a", "b%d"], "ship": {"city": "Lyon", "zip": "69%03d"}, "note": "fragile \"glass\"", "paid": %v}`,
				r.Intn(1e6), r.Intn(50), r.Intn(1000), r.Intn(100), r.Intn(9), r.Intn(1000), r.Intn(2) == 0)
		}, t)
		prefix := "json"
		if t.Kind == sqltypes.JSONB {
			prefix = "jsonb"
		}
		doc := Column(0, t, "doc")
		for _, name := range []string{JSONSetPairsFunc(prefix + "_each"), JSONSetPairsFunc(prefix + "_each_text"), prefix + "_object_keys"} {
			b.Run(fmt.Sprintf("type=%s/fn=%s", prefix, name), func(b *testing.B) {
				runBench(b, must(Call(name, []Expr{doc})), batch, 170)
			})
		}
		done()
	}
}
