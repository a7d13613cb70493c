package physical

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
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

// JSON renders the tree as PostgreSQL's EXPLAIN (FORMAT JSON): an array
// of one object whose "Plan" is the root operator, then top (say,
// "Execution Time"). An operator is an object with its "Node Type" (the
// name the text form shows), its properties under their names in
// PostgreSQL's title case ("row_groups" is "Row Groups"), under analyze
// what was measured ("Actual Rows" and "Actual Total Time" per loop, in
// milliseconds, as PostgreSQL counts them, "Actual Loops", then
// meshql's batches, memory and source counts), and its inputs as "Plans".
// Tools that read PostgreSQL's plans (pev2, DBeaver) read these keys.
func (n *ExplainNode) JSON(analyze bool, top ...JSONField) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // predicates hold < > &
	enc.SetIndent("", "  ")
	doc := []jsonObject{append(jsonObject{{"Plan", n.jsonNode(analyze)}}, top...)}
	if err := enc.Encode(doc); err != nil {
		// Only strings, numbers and booleans go in: this cannot fail.
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// JSONField is a key and value of a JSON object, in the order written.
type JSONField struct {
	Key   string
	Value any
}

// jsonObject is a JSON object whose keys keep their order (PostgreSQL
// writes "Node Type" first and "Plans" last; tools and readers expect it).
type jsonObject []JSONField

func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(f.Key); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		b.WriteByte(':')
		if err := enc.Encode(f.Value); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (n *ExplainNode) jsonNode(analyze bool) jsonObject {
	o := jsonObject{{"Node Type", n.Name}}
	for _, p := range n.Props {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			o = append(o, JSONField{titleCase(k), true})
			continue
		}
		o = append(o, JSONField{titleCase(k), v})
	}
	if analyze && n.Stats != nil {
		s := n.Stats.Snapshot()
		loops := max(s.Opens, 0)
		perLoop := func(v float64) float64 {
			if loops == 0 {
				return 0
			}
			return v / float64(loops)
		}
		o = append(o,
			JSONField{"Actual Total Time", Millis(time.Duration(perLoop(float64(s.Elapsed))))},
			JSONField{"Actual Rows", int64(perLoop(float64(s.Rows)) + 0.5)},
			JSONField{"Actual Loops", loops},
			JSONField{"Actual Batches", s.Batches})
		if n.Mem != nil {
			o = append(o, JSONField{"Peak Memory Bytes", n.Mem.Peak()}, JSONField{"Spilled Bytes", n.Mem.Spilled()})
		}
		if n.Source != nil {
			rows, bytes := n.Source.Snapshot()
			o = append(o, JSONField{"Source Rows", rows}, JSONField{"Source Bytes", bytes})
		}
		if n.Join != nil {
			if k := n.Join.Skipped(); k > 0 {
				o = append(o, JSONField{"Key Filter Skipped", k})
			}
		}
	}
	if len(n.Children) > 0 {
		plans := make([]jsonObject, len(n.Children))
		for i, c := range n.Children {
			plans[i] = c.jsonNode(analyze)
		}
		o = append(o, JSONField{"Plans", plans})
	}
	return o
}

// Millis is a duration as PostgreSQL's plans print times: milliseconds
// with three decimals.
func Millis(d time.Duration) json.Number {
	return json.Number(strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64))
}

// titleCase turns a property name as the text form shows it
// ("row_groups") into PostgreSQL's JSON key style ("Row Groups").
func titleCase(k string) string {
	words := strings.FieldsFunc(k, func(r rune) bool { return r == '_' || r == ' ' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
