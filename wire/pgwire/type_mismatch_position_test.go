package pgwire

import (
	"fmt"
	"os"
	"testing"
)

// TestTypeMismatchPositions: an error about values that have no common
// type (UNION, CASE, COALESCE, VALUES, ARRAY, IN) or about a literal that
// is no value of that type names the construct and points (ErrorResponse
// P) at the value it is about, as PostgreSQL 15 does (the wants are its
// answers; MESHQL_PROTO_PG checks them there).
func TestTypeMismatchPositions(t *testing.T) {
	conn := protoConn(t)
	for _, c := range typeMismatchCases {
		got := messages(t, conn, query(c.sql)...)
		if os.Getenv("MESHQL_PROTO_PRINT") != "" {
			fmt.Printf("\t{%q, %q},\n", c.sql, got)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
}

var typeMismatchCases = []struct{ sql, want string }{
	{"SELECT 1 UNION SELECT 'a'::text", "E[42804 UNION types integer and text cannot be matched @23] ZI"},
	{"SELECT 1, 2 UNION SELECT 1, 'a'::text", "E[42804 UNION types integer and text cannot be matched @29] ZI"},
	{"SELECT 1 UNION SELECT 2 UNION SELECT 'a'::text", "E[42804 UNION types integer and text cannot be matched @38] ZI"},
	{"SELECT (SELECT 1 UNION SELECT 'a'::text)", "E[42804 UNION types integer and text cannot be matched @31] ZI"},
	{"SELECT 1 INTERSECT SELECT true", "E[42804 INTERSECT types integer and boolean cannot be matched @27] ZI"},
	{"SELECT 1 UNION SELECT 1 + 'a'::text", "E[42883 operator does not exist: integer + text @25] ZI"},
	{"SELECT 'a' UNION SELECT 1", "E[22P02 invalid input syntax for type integer: \"a\" @8] ZI"},
	{"SELECT 1 UNION SELECT 'a'", "E[22P02 invalid input syntax for type integer: \"a\" @23] ZI"},
	{"SELECT CASE WHEN true THEN 1 ELSE 'a'::text END", "E[42804 CASE types text and integer cannot be matched @28] ZI"},
	{"SELECT CASE WHEN true THEN 'a'::text WHEN false THEN 2 END", "E[42804 CASE types text and integer cannot be matched @54] ZI"},
	{"SELECT CASE WHEN true THEN 'a' ELSE 2 END", "E[22P02 invalid input syntax for type integer: \"a\" @28] ZI"},
	{"SELECT CASE 1 WHEN 'a'::text THEN 1 END", "E[42883 operator does not exist: integer = text @15] ZI"},
	{"SELECT CASE '1' WHEN 1 THEN 2 END", "E[42883 operator does not exist: text = integer @17] ZI"},
	{"SELECT coalesce(1, 'a'::text)", "E[42804 COALESCE types integer and text cannot be matched @20] ZI"},
	{"SELECT coalesce(1, 'a')", "E[22P02 invalid input syntax for type integer: \"a\" @20] ZI"},
	{"SELECT greatest(1, 'a'::text)", "E[42804 GREATEST types integer and text cannot be matched @20] ZI"},
	{"SELECT least(1, 'a')", "E[22P02 invalid input syntax for type integer: \"a\" @17] ZI"},
	{"SELECT nullif(1, 'a'::text)", "E[42883 operator does not exist: integer = text @8] ZI"},
	{"SELECT nullif(1, 'a')", "E[22P02 invalid input syntax for type integer: \"a\" @18] ZI"},
	{"VALUES (1), ('a'::text)", "E[42804 VALUES types integer and text cannot be matched @14] ZI"},
	{"VALUES (1), ('a')", "E[22P02 invalid input syntax for type integer: \"a\" @14] ZI"},
	{"SELECT x FROM (VALUES (1), ('a'::text)) v(x)", "E[42804 VALUES types integer and text cannot be matched @29] ZI"},
	{"SELECT ARRAY[1, 'a'::text]", "E[42804 ARRAY types integer and text cannot be matched @17] ZI"},
	{"SELECT ARRAY[1, 'a']", "E[22P02 invalid input syntax for type integer: \"a\" @17] ZI"},
	{"SELECT 1 IN (2, 'a'::text)", "E[42883 operator does not exist: integer = text @10] ZI"},
	{"SELECT 1 NOT IN (2, 'a'::text)", "E[42883 operator does not exist: integer <> text @10] ZI"},
	{"SELECT 1 IN (2, 'a')", "E[22P02 invalid input syntax for type integer: \"a\" @17] ZI"},
	{"SELECT current_date + '1'", "E[42725 operator is not unique: date + unknown @21] ZI"},
	{"SELECT '1' + '2'", "E[42725 operator is not unique: unknown + unknown @12] ZI"},
	{"SELECT array_length('{1}', 1)", "E[42804 could not determine polymorphic type because input has type unknown] ZI"},
}
