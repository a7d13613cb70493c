package catalog

import (
	"sort"
	"strconv"
	"strings"
)

// levenshtein returns the edit distance between a and b, counting runes
// and counting a swap of two adjacent runes as one edit (the optimal string
// alignment distance), since swaps are the commonest typo.
// EditDistance is the Levenshtein distance between two names, in runes;
// "did you mean" hints use it.
func EditDistance(a, b string) int { return levenshtein(a, b) }

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	rows := [3][]int{make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		prev2, prev, cur := rows[(i+1)%3], rows[(i+2)%3], rows[i%3]
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
	}
	return rows[len(ra)%3][len(rb)]
}

// closeEnough is the largest edit distance still worth suggesting for a
// name of n runes: about a third of the name, at least 2, at most 4, and
// always fewer edits than the name has runes.
func closeEnough(n int) int { return min(4, max(2, (n+2)/3), n-1) }

// Closest returns the candidate nearest to s when it is close enough to
// be a typo of it, else ""; "did you mean" hints outside catalog use it.
func Closest(s string, candidates []string) string { return closest(s, candidates) }

// closest returns the candidate nearest to s within closeEnough, or "";
// ties go to the earliest candidate.
func closest(s string, candidates []string) string {
	best, bestD := "", closeEnough(len([]rune(s)))+1
	for _, c := range candidates {
		if d := levenshtein(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// scored is a suggestion with its distance, for sorting.
type scored struct {
	name string
	dist int
}

// rank returns the names within limit, nearest first, ties by name. A name
// listed twice keeps its best score.
func rank(cands []scored, limit int) []scored {
	best := map[string]int{}
	for _, c := range cands {
		if d, ok := best[c.name]; c.dist <= limit && (!ok || c.dist < d) {
			best[c.name] = c.dist
		}
	}
	list := make([]scored, 0, len(best))
	for name, d := range best {
		list = append(list, scored{name, d})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].dist != list[j].dist {
			return list[i].dist < list[j].dist
		}
		return list[i].name < list[j].name
	})
	return list
}

// isIdent reports whether s is a lower-case SQL identifier that needs no
// quoting: [a-z_][a-z0-9_]*.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// splitVersion splits "orders_v2" into ("orders", 2, true). Names without a
// "_v<digits>" suffix return ok false.
func splitVersion(name string) (base string, version int, ok bool) {
	i := strings.LastIndex(name, "_v")
	if i <= 0 || i+2 == len(name) {
		return "", 0, false
	}
	digits := name[i+2:]
	for _, r := range digits {
		if r < '0' || r > '9' {
			return "", 0, false
		}
	}
	v, err := strconv.Atoi(digits)
	if err != nil || v <= 0 || digits[0] == '0' {
		return "", 0, false
	}
	return name[:i], v, true
}
