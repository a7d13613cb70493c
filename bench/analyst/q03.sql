-- Distinct customers and parts ordered per month (COUNT DISTINCT).
SELECT date_trunc('month', o_orderdate)::date AS month,
       count(DISTINCT o_custkey) AS customers,
       count(DISTINCT l_partkey) AS parts
FROM orders JOIN lineitem ON l_orderkey = o_orderkey
WHERE o_orderdate >= DATE '1997-01-01'
GROUP BY 1
ORDER BY 1;
