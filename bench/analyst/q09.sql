-- The most expensive line of every order (rank within a partition, filtered).
SELECT count(*) AS orders, sum(l_extendedprice) AS top_lines, avg(l_quantity) AS avg_qty
FROM (
    SELECT l_orderkey, l_extendedprice, l_quantity,
           rank() OVER (PARTITION BY l_orderkey ORDER BY l_extendedprice DESC) AS r
    FROM lineitem
) t
WHERE r = 1;
