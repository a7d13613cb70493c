-- Top 3 customers by revenue in each nation (ranking over an aggregate).
SELECT n_name, c_name, revenue, rnk
FROM (
    SELECT n.n_name, c.c_name, sum(o.o_totalprice) AS revenue,
           row_number() OVER (PARTITION BY n.n_name ORDER BY sum(o.o_totalprice) DESC, c.c_name) AS rnk
    FROM customer c
    JOIN orders o ON o.o_custkey = c.c_custkey
    JOIN nation n ON n.n_nationkey = c.c_nationkey
    GROUP BY n.n_name, c.c_name
) t
WHERE rnk <= 3
ORDER BY n_name, rnk;
