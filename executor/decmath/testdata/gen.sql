-- Writes the PostgreSQL answers behind pg15.txt: psql -f gen.sql in this folder
-- against PostgreSQL 15, then keep every 5th line of one/log/pow.txt and all of ext1/ext2.txt.
CREATE OR REPLACE FUNCTION try1(fn text, a numeric) RETURNS text AS $$
DECLARE r numeric;
BEGIN
  EXECUTE format('SELECT %s($1)', fn) INTO r USING a;
  RETURN r::text;
EXCEPTION WHEN others THEN RETURN 'ERR ' || SQLSTATE;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION try2(fn text, a numeric, b numeric) RETURNS text AS $$
DECLARE r numeric;
BEGIN
  EXECUTE format('SELECT %s($1, $2)', fn) INTO r USING a, b;
  RETURN r::text;
EXCEPTION WHEN others THEN RETURN 'ERR ' || SQLSTATE;
END $$ LANGUAGE plpgsql;
SELECT setseed(0.42);
CREATE TEMP TABLE v AS
SELECT round((random()*2-1)::numeric * 10^(floor(random()*40)-20)::numeric, floor(random()*25)::int) AS x FROM generate_series(1,400)
UNION ALL SELECT x::numeric FROM unnest(ARRAY['0','1','1.0','0.9','1.1','0.95','1.05','1.0000001','0.9999999','2','10','100','0.5','0.001','1e-30','12345678901234567890','2.718281828459045','-1','-2.5','3.14159','0.1','7','1e10','1e-10','0.00001','99999.9999','10000','9999','0.0001','1.5']) x;
\copy (SELECT fn||'|'||x||'|'||try1(fn, x) FROM v, unnest(ARRAY['ln','exp','sqrt','log10']) fn) TO 'one.txt'
CREATE TEMP TABLE e AS SELECT unnest(ARRAY[0,1,2,3,-1,-2,-3,0.5,-0.5,1.5,2.0,10,-10,0.25,3.7,-7,100,0.333,20,-20,1.0,0.0]::numeric[]) AS y;
\copy (SELECT 'power|'||x||'|'||y||'|'||try2('power', x, y) FROM (SELECT x FROM v ORDER BY random() LIMIT 150) v, e) TO 'pow.txt'
\copy (SELECT 'log|'||b||'|'||x||'|'||try2('log', b, x) FROM (SELECT x AS b FROM v ORDER BY random() LIMIT 25) bb, (SELECT x FROM v ORDER BY random() LIMIT 40) xx) TO 'log.txt'
\copy (SELECT fn||'|'||a||'|'||b||'|'||try2(fn,a,b) FROM (VALUES ('power',1.0000001,100000000),('power',0.9999999,100000000),('power',2,-1000),('power',2.5,-77),('power',-2.5,-77),('power',-1.5,31),('power',1.0001,12345.5),('power',0.5,0.5),('power',0,0.5),('power',0,0),('power',0.0,-1.5),('power',-8,0.333),('power',10,-20),('power',10,20),('power',1e-5,3),('power',123456789.123,5),('power',3,1e10),('power',-3,1e10),('power',-3,1e10+1),('power',1.00000001,4e9),('power',0.99999999,4e9),('power',1.1, 3000), ('power',7,-2),('power',7,-3.0),('power', 2, 2147483647), ('power', 0.1, 2147483647), ('log',2,1024),('log',10,0.001),('log',0.5,8),('log',1.0000001,2),('log',2,1.0000001),('log',1,5),('log',0,5),('log',2,0),('log',-2,5),('power',0,-1)) t(fn,a,b)) TO 'ext2.txt'
\copy (SELECT fn||'|'||a||'|'||try1(fn,a) FROM (VALUES ('exp',5999::numeric),('exp',-5999),('exp',6000),('exp',-6000),('exp',230.5),('exp',-230.5),('exp',0.0000000001),('exp',-0.000000000000000000001),('ln',12345678901234567890123456789012345678),('ln',0.00000000000000000000000000000000000001),('ln',1.00000000000000000000000000000000000001),('ln',0.99999999999999999999999999999999999999),('sqrt',12345678901234567890123456789012345678),('sqrt',0.00000000000000000000000000000000000001),('sqrt',0.0),('sqrt',0),('log10',1e38),('exp',1),('exp',1.0),('exp',-1),('exp',88),('exp',-88.5)) t(fn,a)) TO 'ext1.txt'
