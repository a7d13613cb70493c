package main

import (
	"fmt"
	"strings"

	"github.com/meshql/meshql/executor/membudget"
)

// budgetSummary renders a --query-memory run (the check that all
// 22 queries still give the official answers at SF1 under a 256MB
// budget, spilling where they must) as a paragraph and a table for the
// Markdown report.
func (r *report) budgetSummary() string {
	var b strings.Builder
	right, checked, failed := 0, 0, 0
	for _, q := range r.Queries {
		switch {
		case q.Error != "" || strings.HasPrefix(q.Answer, "error"):
			failed++
		case q.Answer == "ok":
			right++
			checked++
		case strings.HasPrefix(q.Answer, "differs"):
			checked++
		}
	}
	fmt.Fprintf(&b, "\nUnder `mesh.query_memory = %s` (%s, %d workers, meshql %s, measured %s): **%d of %d official answers right**, %d queries failed, %d not checked (generated comment text).\n\n",
		r.QueryMemory, r.Mesh, r.Workers, r.Mode, r.Date, right, checked, failed, len(r.Queries)-checked-failed)
	b.WriteString("| query | meshql ms | spilled per run | official answer |\n|---|--:|--:|---|\n")
	for _, q := range r.Queries {
		spilled, answer := "-", shortAnswer(q.Answer)
		if q.SpilledBytes > 0 {
			spilled = membudget.HumanSize(q.SpilledBytes)
		}
		if q.Error != "" {
			answer = q.Error
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", q.Query, fmtMS(q.MeshMedian), spilled, answer)
	}
	return b.String()
}
