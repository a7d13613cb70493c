package pgwire

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestUntypedParamTypes: the types PostgreSQL 15 infers for parameters
// Parse leaves untyped, as ParameterDescription reports them, or the error
// when it cannot infer one (42P18 where nothing gives $1 a type, 42804
// for a polymorphic function, 42725 where the candidates tie). The wants
// are PostgreSQL's answers (MESHQL_PROTO_PG checks them there).
func TestUntypedParamTypes(t *testing.T) {
	conn := protoConn(t)
	names := map[uint32]string{16: "bool", 17: "bytea", 20: "int8", 21: "int2", 23: "int4", 25: "text", 700: "float4",
		701: "float8", 1009: "text[]", 1007: "int4[]", 1082: "date", 1114: "timestamp", 1184: "timestamptz",
		1186: "interval", 1700: "numeric", 3802: "jsonb", 114: "json", 869: "inet", 1083: "time"}
	ctx := context.Background()
	for _, c := range untypedParamCases {
		got := ""
		sd, err := conn.Prepare(ctx, "", c.sql)
		if err != nil {
			var pe *pgconn.PgError
			switch {
			case errors.As(err, &pe) && pe.Position > 0:
				got = fmt.Sprintf("E[%s %s @%d]", pe.Code, pe.Message, pe.Position)
			case errors.As(err, &pe):
				got = fmt.Sprintf("E[%s %s]", pe.Code, pe.Message)
			default:
				got = err.Error()
			}
		} else {
			var ts []string
			for _, oid := range sd.ParamOIDs {
				n, ok := names[oid]
				if !ok {
					n = fmt.Sprint(oid)
				}
				ts = append(ts, n)
			}
			got = strings.Join(ts, ",")
		}
		if os.Getenv("MESHQL_PROTO_PRINT") != "" {
			fmt.Printf("\t{%q, %q},\n", c.sql, got)
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.sql, got, c.want)
		}
	}
}

var untypedParamCases = []struct{ sql, want string }{
	{"select array_length($1, 1)", "E[42804 could not determine polymorphic type because input has type unknown]"},
	{"select array_append($1, $2)", "text[],text"},
	{"select to_json($1)", "E[42804 could not determine polymorphic type because input has type unknown]"},
	{"select width_bucket(5, $1)", "int4[]"},
	{"select $1 is null", "E[42P18 could not determine data type of parameter $1]"},
	{"select $1", "text"},
	{"select $1 = $2", "text,text"},
	{"select coalesce($1, $2)", "text,text"},
	{"select $1 is not null", "E[42P18 could not determine data type of parameter $1]"},
	{"select pg_typeof($1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select concat($1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select count($1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select $1 is true", "bool"},
	{"select $1 is distinct from $2", "text,text"},
	{"select num_nulls($1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select case when true then $1 end", "text"},
	{"select * from (select $1) t", "text"},
	{"select x from (select $1 as x) t where x is null", "text"},
	{"select $1 || $2", "text,text"},
	{"select format('%s', $1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select $1 order by 1", "text"},
	{"select nullif($1, $2)", "text,text"},
	{"select greatest($1, $2)", "text,text"},
	{"select array[$1]", "text"},
	{"select $1 in ($2)", "text,text"},
	{"select row($1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select $1::text is null", "text"},
	{"select not $1", "bool"},
	{"select -$1", "E[42725 operator is not unique: - unknown @8]"},
	{"select $1 + 1", "int4"},
	{"select $1 like 'a'", "text"},
	{"select max($1)", "text"},
	{"select string_agg($1, ',')", "text"},
	{"select array_agg($1)", "E[42725 function array_agg(unknown) is not unique @8]"},
	{"select left($1, $2)", "text,int4"},
	{"select repeat($1, $2)", "text,int4"},
	{"select lpad($1, $2)", "text,int4"},
	{"select lpad($1, $2, $3)", "text,int4,text"},
	{"select substr($1, $2)", "text,int4"},
	{"select substr($1, $2, $3)", "text,int4,int4"},
	{"select substring($1, $2, $3)", "text,text,text"},
	{"select generate_series($1, $2)", "E[42725 function generate_series(unknown, unknown) is not unique @8]"},
	{"select * from generate_series($1, $2)", "E[42725 function generate_series(unknown, unknown) is not unique @15]"},
	{"select round($1)", "float8"},
	{"select round($1, $2)", "numeric,int4"},
	{"select round(1.5, $1)", "int4"},
	{"select trunc($1, $2)", "numeric,int4"},
	{"select right($1, $2)", "text,int4"},
	{"select split_part($1, $2, $3)", "text,text,int4"},
	{"select chr($1)", "int4"},
	{"select make_date($1, $2, $3)", "int4,int4,int4"},
	{"select date_trunc($1, $2)", "E[42725 function date_trunc(unknown, unknown) is not unique @8]"},
	{"select date_part($1, $2)", "E[42725 function date_part(unknown, unknown) is not unique @8]"},
	{"select extract(year from $1)", "E[42725 function pg_catalog.extract(unknown, unknown) is not unique @8]"},
	{"select to_char($1, $2)", "E[42725 function to_char(unknown, unknown) is not unique @8]"},
	{"select to_timestamp($1)", "float8"},
	{"select abs($1)", "float8"},
	{"select power($1, $2)", "float8,float8"},
	{"select mod($1, $2)", "E[42725 function mod(unknown, unknown) is not unique @8]"},
	{"select $1 ^ $2", "float8,float8"},
	{"select width_bucket($1, $2, $3, $4)", "float8,float8,float8,int4"},
	{"select array_fill($1, $2)", "E[42804 could not determine polymorphic type because input has type unknown]"},
	{"select array_position($1, $2)", "text[],text"},
	{"select jsonb_build_object($1, $2)", "E[42P18 could not determine data type of parameter $1]"},
	{"select $1::int + $2", "int4,int4"},
	{"select $1 - current_date", "date"},
	{"select current_date + $1", "E[42725 operator is not unique: date + unknown @21]"},
	{"select now() + $1", "interval"},
	{"select overlay($1 placing $2 from $3)", "text,text,int4"},
	{"select position($1 in $2)", "text,text"},
	{"select length($1)", "text"},
	{"select md5($1)", "text"},
	{"select $1 @> $2", "E[42725 operator is not unique: unknown @> unknown @11]"},
	{"select $1 ->> $2", "E[42725 operator is not unique: unknown ->> unknown @11]"},
	{"select gcd($1, $2)", "E[42725 function gcd(unknown, unknown) is not unique @8]"},
	{"select ascii($1)", "text"},
	{"select to_number($1, $2)", "text,text"},
	{"select encode($1, $2)", "bytea,text"},
	{"select string_to_array($1, $2)", "text,text"},
	{"select array_to_string($1, $2)", "E[42804 could not determine polymorphic type because input has type unknown]"},
	{"select regexp_replace($1, $2, $3)", "text,text,text"},
	{"select 1 where $1", "bool"},
	{"select 1 limit $1", "int8"},
	{"select 1 offset $1", "int8"},
	{"select 1 order by $1", "text"},
	{"select 1 group by $1", "text"},
	{"select distinct $1", "text"},
	{"values ($1)", "text"},
	{"select * from (values ($1)) v(x) where x is null", "text"},
	{"select 1 where exists (select $1)", "text"},
	{"select 1 where $1 in (select 1)", "int4"},
	{"select (select $1)", "text"},
	{"select array[$1] is null", "text"},
	{"select coalesce($1) is null", "text"},
	{"select $1 is not distinct from null", "E[42P18 could not determine data type of parameter $1]"},
	{"select $1 is unknown", "bool"},
	{"select length($1) is null", "text"},
	{"select 1 from (select $1 as x) t where $1 is null", "text"},
	{"select x is null from (select $1 as x) t", "text"},
	{"select 1 where $1 is null", "E[42P18 could not determine data type of parameter $1]"},
	{"select count(*) filter (where $1 is null)", "E[42P18 could not determine data type of parameter $1]"},
	{"select $1 from (values (1)) v group by 1", "text"},
	{"select row($1) is null", "E[42P18 could not determine data type of parameter $1]"},
	{"select json_build_array($1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select num_nonnulls($1, 1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select concat_ws(',', $1)", "E[42P18 could not determine data type of parameter $1]"},
	{"select coalesce($1, 1)", "int4"},
	{"select case $1 when 1 then 2 end", "E[42883 operator does not exist: text = integer @16]"},
	{"select case when $1 then 1 end", "bool"},
	{"select $1 between 1 and 2", "int4"},
	{"select $1 like $2", "text,text"},
	{"select $1 in (1, 2)", "int4"},
	{"select 1 = any($1)", "int4[]"},
	{"select $1 = any('{1,2}'::int[])", "int4"},
	{"select $1::int4 is null", "int4"},
	{"select min($1)", "text"},
	{"select sum($1)", "E[42725 function sum(unknown) is not unique @8]"},
	{"select avg($1)", "E[42725 function avg(unknown) is not unique @8]"},
	{"select lag($1) over ()", "E[42804 could not determine polymorphic type because input has type unknown]"},
	{"select 'a' || $1", "text"},
	{"select $1 || 1", "text"},
	{"select array_to_string(array[1], $1)", "text"},
	{"select date '2024-01-01' - $1", "date"},
	{"select interval '1 day' * $1", "float8"},
	{"select timestamp '2024-01-01' + $1", "interval"},
	{"select time '10:00' + $1", "interval"},
	{"select interval '1 day' + $1", "interval"},
	{"select $1 + interval '1 day'", "interval"},
	{"select $1 is null, $1", "E[42P08 could not determine data type of parameter $1 @8]"},
	{"select 1 from (select $1 as x) t where $1 is null", "text"},
	{"select lag($1, 1, $2) over ()", "text,text"},
	{"select $1 union select $2", "text,text"},
	{"select case $1 when '1' then 2 end", "text"},
	{"select array_cat($1, array[1])", "int4[]"},
	{"select array_append($1, 1)", "int4[]"},
	{"select $1 || array[1]", "int4[]"},
	{"select $1 @> array[1]", "int4[]"},
	{"select generate_series(1, $1)", "int4"},
	{"select * from generate_series(1, 10, $1)", "int4"},
	{"select * from generate_series(now(), now(), $1)", "interval"},
	{"select substring('abc' from $1 for $2)", "text,text"},
	{"select lpad('a', $1)", "int4"},
	{"select make_interval(days => $1)", "int4"},
	{"select to_timestamp($1, 'YYYY')", "text"},
	{"select date_trunc('day', $1)", "E[42725 function date_trunc(unknown, unknown) is not unique @8]"},
	{"select date_part('year', $1)", "E[42725 function date_part(unknown, unknown) is not unique @8]"},
	{"select $1 + 1.5", "numeric"},
	{"select 1::int8 + $1", "int8"},
	{"select $1 * 2.0::float8", "float8"},
	{"select array_position(array[1,2], $1)", "int4"},
	{"select array_remove(array[1,2], $1)", "int4"},
	{"select width_bucket($1, array[1,2])", "int4"},
	{"select $1 = any(array[1,2])", "int4"},
	{"select $1::int[] @> $2", "int4[],int4[]"},
	{"select jsonb_set('{}', $1, $2)", "text[],jsonb"},
	{"select $1::jsonb -> $2", "jsonb,text"},
	{"select to_char(now(), $1)", "text"},
	{"select to_char($1::numeric, $2)", "numeric,text"},
	{"select strpos($1, $2)", "text,text"},
	{"select translate($1, $2, $3)", "text,text,text"},
	{"select octet_length($1)", "text"},
	{"select ntile($1) over ()", "int4"},
	{"select lag(1, $1) over ()", "int4"},
	{"select nth_value(1, $1) over ()", "int4"},
	{"select 1 from generate_series(1,3) limit $1", "int8"},
	{"select $1 like any(array['a'])", "text"},
	{"select left('abc', $1) || $2", "int4,text"},
	{"select date '2024-01-01' + $1::int", "int4"},
	{"select coalesce($1, now())", "timestamptz"},
	{"select greatest($1, 1.5)", "numeric"},
	{"select $1 between now() and now()", "timestamptz"},
	{"select abs($1::int) + $2", "int4,int4"},
	{"select $1 in (select 1)", "int4"},
	{"select (select 1) = $1", "int4"},
	{"select exists(select 1 where $1)", "bool"},
	{"select array_length($1::int[], $2)", "int4[],int4"},
	{"select trim(both $1 from $2)", "text,text"},
}
