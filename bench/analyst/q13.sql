-- Each large order's part list as one string (string_agg with ORDER BY).
SELECT l_orderkey, count(*) AS lines, string_agg(l_partkey::text, ',' ORDER BY l_linenumber) AS parts
FROM lineitem
WHERE l_quantity > 45
GROUP BY l_orderkey
HAVING count(*) >= 3
ORDER BY l_orderkey;
