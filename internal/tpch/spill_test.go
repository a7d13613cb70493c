package tpch

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
)

// spillBudget is the per-query memory budget of TestTPCHSpill. At SF0.01
// a query's largest hash table or sort holds a few MB (lineitem is 60k
// rows), so the 64 MiB would never spill; 512kB makes the hash
// aggregates, hash joins and sorts of the big queries spill.
const spillBudget = "512kB"

// TestTPCHSpill runs the 22 queries with a memory budget small enough
// that operators spill to disk, and compares each with the reference
// answer; the engine's spill counter must have moved for Q18 and Q21 and
// the spill folder must be empty afterwards.
func TestTPCHSpill(t *testing.T) {
	mesh, err := catalog.Load("../../testdata/mesh-tpch", catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	spillDir := t.TempDir()
	eng, err := engine.New(engine.Config{Mesh: mesh, Connectors: []connectors.Connector{parquet.New()}, Mem: mem, Workers: 2, SpillDir: spillDir})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	ctx := context.Background()
	for _, set := range []string{"SET search_path = tpch", "SET mesh.query_memory = '" + spillBudget + "'"} {
		if _, err := Run(ctx, sess, set); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
	}
	s := suite{answers: "../../testdata/tpch/sf0.01/answers", timeout: 60 * time.Second}
	for q := 1; q <= 22; q++ {
		name := fmt.Sprintf("q%02d", q)
		t.Run(name, func(t *testing.T) {
			before := eng.SpilledBytes()
			if err := runQuery(ctx, t, sess, name, s); err != nil {
				t.Fatal(err)
			}
			spilled := eng.SpilledBytes() - before
			t.Logf("%s spilled %d bytes", name, spilled)
			if (q == 18 || q == 21) && spilled == 0 {
				t.Errorf("%s did not spill with a budget of %s", name, spillBudget)
			}
			if left, _ := os.ReadDir(spillDir); len(left) > 0 {
				t.Errorf("%s left %d entries in the spill folder", name, len(left))
			}
		})
	}
}
