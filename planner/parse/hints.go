package parse

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// joinUnnestHint explains a common mistake: `JOIN UNNEST(o.bought) AS x`
// with no ON/USING, which PostgreSQL's grammar rejects. It works on the
// token stream (never on raw text), and returns "" when the statement does
// not contain the pattern.
func joinUnnestHint(sql string) string {
	res, err := pg_query.Scan(sql)
	if err != nil {
		return ""
	}
	toks := res.Tokens
	text := func(t *pg_query.ScanToken) string { return sql[t.Start:t.End] }
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Token != pg_query.Token_JOIN {
			continue
		}
		if i > 0 && (toks[i-1].Token == pg_query.Token_CROSS || toks[i-1].Token == pg_query.Token_NATURAL) {
			continue
		}
		j := i + 1
		if toks[j].Token == pg_query.Token_LATERAL_P {
			j++
		}
		if j+1 >= len(toks) || !strings.EqualFold(text(toks[j]), "unnest") || toks[j+1].Token != pg_query.Token_ASCII_40 {
			continue
		}
		// Find the matching parenthesis.
		depth, k := 0, j+1
		for ; k < len(toks); k++ {
			switch toks[k].Token {
			case pg_query.Token_ASCII_40:
				depth++
			case pg_query.Token_ASCII_41:
				depth--
			}
			if depth == 0 {
				break
			}
		}
		if k >= len(toks) {
			return ""
		}
		call := sql[toks[j].Start:toks[k].End]
		next := k + 1
		if next < len(toks) && toks[next].Token == pg_query.Token_AS {
			next++
		}
		col := "x"
		if next < len(toks) && toks[next].Token == pg_query.Token_IDENT {
			col = text(toks[next])
			next++
		}
		if next < len(toks) && (toks[next].Token == pg_query.Token_ON || toks[next].Token == pg_query.Token_USING || toks[next].Token == pg_query.Token_ASCII_40) {
			continue // it has a join condition or a column list: not this mistake
		}
		return "JOIN needs an ON or USING condition. To expand an array into rows, write CROSS JOIN " + call + " AS u(" + col + ")"
	}
	return ""
}
