-- Each supplier's share of its nation's revenue (window over groups).
SELECT n_name, s_name, revenue,
       round(100 * revenue / sum(revenue) OVER (PARTITION BY n_name), 2) AS pct
FROM (
    SELECT n_name, s_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
    FROM lineitem
    JOIN supplier ON s_suppkey = l_suppkey
    JOIN nation ON n_nationkey = s_nationkey
    WHERE l_shipdate >= DATE '1995-01-01' AND l_shipdate < DATE '1996-01-01'
    GROUP BY n_name, s_name
) t
ORDER BY pct DESC, s_name
LIMIT 25;
