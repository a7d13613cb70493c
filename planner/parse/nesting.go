package parse

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/sqltypes"
)

// maxNesting bounds how deep a statement's expressions may nest. The parse
// tree crosses from C as protobuf: Go's decoder refuses past 10,000
// message levels (syntaxError's 54001), but the C side that writes the
// message recurses on its own stack first and, a few tens of thousands of
// levels down (a 30,000-term chain of +), overflows it and kills the
// process. Statements estimated deeper than this are refused before the
// grammar sees them.
const maxNesting = 10000

// checkNesting refuses, with PostgreSQL's 54001, a statement whose
// expressions may nest deeper than maxNesting. Only long text can (each
// level costs at least two bytes), so short statements are not scanned.
func checkNesting(sql string) error {
	if len(sql) < 2*maxNesting {
		return nil
	}
	res, err := pg_query.Scan(sql)
	if err != nil {
		return nil // the parser reports the text's error
	}
	if nestingEstimate(res.Tokens) > maxNesting {
		return errStackDepth()
	}
	return nil
}

// nestingEstimate over-approximates the depth of the expression trees
// tokens parse into: every open parenthesis or CASE is a level, and so is
// every operator of a chain (a + b + c nests left-deep: PostgreSQL folds
// only AND and OR chains into one node), counted until a comma, a
// semicolon or a reserved keyword (AND, OR, WHEN, FROM…) ends the chain.
func nestingEstimate(tokens []*pg_query.ScanToken) int {
	chain := []int{0} // operators of the open chain, per open level
	open, deepest := 0, 0
	for _, t := range tokens {
		top := len(chain) - 1
		switch t.Token {
		case pg_query.Token_ASCII_40, pg_query.Token_CASE: // (
			chain = append(chain, 0)
		case pg_query.Token_ASCII_41, pg_query.Token_END_P: // )
			if top > 0 {
				open -= chain[top]
				chain = chain[:top]
			}
		case pg_query.Token_ASCII_44, pg_query.Token_ASCII_59: // , ;
			open -= chain[top]
			chain[top] = 0
		case pg_query.Token_ASCII_37, pg_query.Token_ASCII_42, pg_query.Token_ASCII_43, pg_query.Token_ASCII_45,
			pg_query.Token_ASCII_47, pg_query.Token_ASCII_60, pg_query.Token_ASCII_61, pg_query.Token_ASCII_62,
			pg_query.Token_ASCII_94, pg_query.Token_Op, pg_query.Token_TYPECAST, pg_query.Token_LESS_EQUALS,
			pg_query.Token_GREATER_EQUALS, pg_query.Token_NOT_EQUALS, pg_query.Token_NOT, pg_query.Token_IS,
			pg_query.Token_LIKE, pg_query.Token_ILIKE, pg_query.Token_SIMILAR:
			chain[top]++
			open++
		default:
			if t.KeywordKind == pg_query.KeywordKind_RESERVED_KEYWORD {
				open -= chain[top]
				chain[top] = 0
			}
		}
		deepest = max(deepest, open+len(chain)-1)
	}
	return deepest
}

func errStackDepth() *sqltypes.Error {
	return sqltypes.New(sqltypes.CodeStackDepthExceeded, "stack depth limit exceeded").
		WithHint("The statement nests expressions or operators more than about 10,000 levels deep; split it, or write a long chain of + or OR as sum() or IN (...).")
}
