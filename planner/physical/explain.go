package physical

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/executor/ops"
)

// ExplainNode describes one operator for EXPLAIN. Props are key=value
// strings in a fixed order; Stats is set under EXPLAIN ANALYZE.
type ExplainNode struct {
	Name     string
	Props    []string
	Children []*ExplainNode
	Stats    *ops.OpStats
	// Mem is the operator's memory reservation (operators that retain
	// memory, under EXPLAIN ANALYZE): its peak and spilled bytes.
	Mem *membudget.Reservation
	// Source counts what a scan's source delivered (under EXPLAIN ANALYZE).
	Source *ops.SourceStats
	// Join counts the probe rows a hash join's runtime key filter
	// skipped (under EXPLAIN ANALYZE; shown when there are some).
	Join *ops.JoinStats
}

// HideInnerStats drops the measurements of every operator below the root,
// so that EXPLAIN ANALYZE shows the result's row count only (see
// bind.Query.HidesRows).
func (n *ExplainNode) HideInnerStats() {
	for _, c := range n.Children {
		c.Stats, c.Mem = nil, nil
		c.HideInnerStats()
	}
}

// Lines renders the tree, one operator per line, children indented by two
// spaces. With analyze, each line ends with the measured rows, batches and
// time (inclusive of children), for operators that retain memory the
// peak memory reserved and the bytes spilled to disk, for scans the
// rows and bytes their source returned (before meshql's own filters),
// and for hash joins the probe rows their runtime key filter skipped.
func (n *ExplainNode) Lines(analyze bool) []string {
	var out []string
	var rec func(n *ExplainNode, depth int)
	rec = func(n *ExplainNode, depth int) {
		line := strings.Repeat("  ", depth)
		if depth > 0 {
			line += "-> "
		}
		line += n.Name
		if len(n.Props) > 0 {
			line += " (" + strings.Join(n.Props, " ") + ")"
		}
		if analyze && n.Stats != nil {
			s := n.Stats.Snapshot()
			mem := ""
			if n.Mem != nil {
				mem = " peak_mem=" + membudget.HumanSize(n.Mem.Peak())
				if sp := n.Mem.Spilled(); sp > 0 {
					mem += " spilled=" + membudget.HumanSize(sp)
				}
			}
			src := ""
			if n.Source != nil {
				rows, bytes := n.Source.Snapshot()
				src = fmt.Sprintf(" source_rows=%d source_bytes=%d", rows, bytes)
			}
			if n.Join != nil {
				if k := n.Join.Skipped(); k > 0 {
					src += fmt.Sprintf(" key_filter_skipped=%d", k)
				}
			}
			loops := ""
			if s.Opens > 1 {
				loops = fmt.Sprintf(" loops=%d", s.Opens)
			}
			line += fmt.Sprintf(" [actual rows=%d batches=%d time=%s%s%s%s]", s.Rows, s.Batches, s.Elapsed.Round(time.Microsecond), loops, mem, src)
		}
		out = append(out, line)
		for _, c := range n.Children {
			rec(c, depth+1)
		}
	}
	rec(n, 0)
	return out
}
