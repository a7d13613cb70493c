package engine

import (
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
)

// usageTable is mesh.usage, the platform's KPIs: for each product the
// session may read and each day (UTC) of the query log, how many queries
// read it, how many of those failed, and how many distinct users ran
// them. Derived products count as read, and so do the inputs they read.
// It covers what the query log still holds (query_log_size entries), over
// every user's queries: counts reveal no query text.
func usageTable() sysTable {
	return sysTable{schema: "mesh", name: "usage", cols: []sysColumn{
		{"day", tDate}, {"product", tText}, {"queries", tInt8}, {"failed_queries", tInt8}, {"consumers", tInt8},
	}, rows: func(s *Session) [][]any {
		type key struct {
			day     arrow.Date32
			product string
		}
		type counts struct {
			queries, failed int64
			users           map[string]bool
		}
		visible := map[string]bool{}
		for _, p := range s.visibleProducts() {
			visible[p.QualifiedName()] = true
		}
		byKey := map[key]*counts{}
		for _, q := range s.engine.queryLog.list(func(*QueryLogEntry) bool { return true }) {
			day := arrow.Date32FromTime(q.Start.UTC())
			for _, p := range q.Access.Products {
				if !visible[p] {
					continue
				}
				k := key{day, p}
				c := byKey[k]
				if c == nil {
					c = &counts{users: map[string]bool{}}
					byKey[k] = c
				}
				c.queries++
				if q.Status != "00000" {
					c.failed++
				}
				c.users[q.User] = true
			}
		}
		keys := make([]key, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].day != keys[j].day {
				return keys[i].day < keys[j].day
			}
			return keys[i].product < keys[j].product
		})
		out := make([][]any, len(keys))
		for i, k := range keys {
			c := byKey[k]
			out[i] = []any{k.day, k.product, c.queries, c.failed, int64(len(c.users))}
		}
		return out
	}}
}
