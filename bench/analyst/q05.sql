-- Revenue by region, nation and year with subtotals (ROLLUP).
SELECT r_name, n_name, extract(year FROM o_orderdate) AS year, sum(o_totalprice) AS revenue, count(*) AS orders
FROM orders
JOIN customer ON c_custkey = o_custkey
JOIN nation ON n_nationkey = c_nationkey
JOIN region ON r_regionkey = n_regionkey
GROUP BY ROLLUP (r_name, n_name, extract(year FROM o_orderdate))
ORDER BY r_name NULLS LAST, n_name NULLS LAST, year NULLS LAST;
