package physical

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshql/meshql/executor/ops"
)

// ExplainNode describes one operator for EXPLAIN. Props are key=value
// strings in a fixed order; Stats is set under EXPLAIN ANALYZE.
type ExplainNode struct {
	Name     string
	Props    []string
	Children []*ExplainNode
	Stats    *ops.OpStats
}

// Lines renders the tree, one operator per line, children indented by two
// spaces. With analyze, each line ends with the measured rows, batches and
// time (inclusive of children).
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
			line += fmt.Sprintf(" [actual rows=%d batches=%d time=%s]", s.Rows, s.Batches, s.Elapsed.Round(time.Microsecond))
		}
		out = append(out, line)
		for _, c := range n.Children {
			rec(c, depth+1)
		}
	}
	rec(n, 0)
	return out
}
