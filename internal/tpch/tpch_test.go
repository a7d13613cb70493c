package tpch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
)

const queryDir = "../../testdata/tpch/queries"

// knownFailing are the queries meshql cannot answer correctly yet at
// SF0.01, with the first error seen (issue #3). A query on this list that
// passes fails the test, so that the list only shrinks: remove it then.
var knownFailing = map[int]string{}

// knownFailingSF1 are the queries that fail at SF1 (TestTPCHSF1 only).
var knownFailingSF1 = map[int]string{}

// TestTPCHSF001 runs the 22 TPC-H queries over the SF0.01 reference files
// (testdata/mesh-tpch) as admin and compares each result with the
// reference answer.
func TestTPCHSF001(t *testing.T) {
	runSuite(t, suite{mesh: "../../testdata/mesh-tpch", answers: "../../testdata/tpch/sf0.01/answers",
		failing: knownFailing, timeout: 15 * time.Second})
}

// TestTPCHSF1 runs the 22 queries over a mesh that `meshql tpch gen --sf 1
// --out DIR` wrote, named by MESHQL_TPCH_SF1_MESH, against the SF1
// reference answers (made by DuckDB's dbgen, whose addresses and comments
// differ from the official dbgen's, which tpchgen follows): address and
// comment columns are not compared, and Q13, which filters on o_comment,
// is logged, not failed.
func TestTPCHSF1(t *testing.T) {
	dir := os.Getenv("MESHQL_TPCH_SF1_MESH")
	if dir == "" {
		t.Skip("set MESHQL_TPCH_SF1_MESH to a folder written by meshql tpch gen --sf 1")
	}
	runSuite(t, suite{mesh: dir, answers: "../../testdata/tpch/sf1/answers", failing: knownFailingSF1,
		logOnly: map[int]bool{13: true}, timeout: 2 * time.Minute,
		skip: func(c string) bool { return strings.HasSuffix(c, "_address") || strings.HasSuffix(c, "_comment") }})
}

// suite is one run of the 22 queries.
type suite struct {
	mesh, answers string                   // mesh folder; folder of qNN.csv answers
	failing       map[int]string           // known failures, skipped; passing one fails
	logOnly       map[int]bool             // queries whose differences are only logged
	skip          func(column string) bool // columns not compared
	// timeout bounds each query, so that a plan that explodes fails its
	// query rather than the test binary (at SF0.01 the slowest passing
	// query takes about 0.5 s with -race).
	timeout time.Duration
}

// runSuite runs the 22 queries in one admin session and compares each
// with its answer.
func runSuite(t *testing.T, s suite) {
	_, sess := newSession(t, s.mesh, nil)
	ctx := context.Background()
	if _, err := Run(ctx, sess, "SET search_path = tpch"); err != nil {
		t.Fatalf("SET search_path: %v", err)
	}
	for q := 1; q <= 22; q++ {
		name := fmt.Sprintf("q%02d", q)
		t.Run(name, func(t *testing.T) {
			err := runQuery(ctx, t, sess, name, s)
			reason, known := s.failing[q]
			switch {
			case known && err == nil:
				t.Fatalf("%s passes now: remove it from knownFailing (it was: %s)", name, reason)
			case known:
				t.Skipf("issue #3: %s (now: %v)", reason, firstLine(err))
			case err != nil && s.logOnly[q]:
				t.Logf("differs, as expected of generated comment text: %v", err)
			case err != nil:
				t.Fatal(err)
			}
		})
	}
}

// runQuery runs one query file and compares it with its answer.
func runQuery(ctx context.Context, t *testing.T, sess *engine.Session, name string, s suite) error {
	sql, err := os.ReadFile(filepath.Join(queryDir, name+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadAnswer(filepath.Join(s.answers, name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	start := time.Now()
	got, err := Run(ctx, sess, string(sql))
	t.Logf("%s ran in %s", name, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return err
	}
	return CompareColumns(string(sql), got, want, s.skip)
}

func firstLine(err error) string {
	s := fmt.Sprint(err)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// newSession serves the mesh folder dir with the Parquet connector and a
// checked allocator that must be empty when t ends, and returns an admin
// session, closed when t ends; configure (nil: none) adjusts the engine.
func newSession(t *testing.T, dir string, configure func(*engine.Config)) (*engine.Engine, *engine.Session) {
	t.Helper()
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	cfg := engine.Config{Mesh: mesh, Connectors: []connectors.Connector{parquet.New()}, Mem: mem, Workers: 2}
	if configure != nil {
		configure(&cfg)
	}
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return eng, sess
}
