-- Customers who ordered in 1997 but not in 1998, by market segment.
SELECT c_mktsegment, count(*) AS churned
FROM customer c
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.o_custkey = c.c_custkey AND o.o_orderdate BETWEEN DATE '1997-01-01' AND DATE '1997-12-31')
  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.o_custkey = c.c_custkey AND o.o_orderdate >= DATE '1998-01-01')
GROUP BY c_mktsegment
ORDER BY c_mktsegment;
