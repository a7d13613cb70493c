-- Seven-day moving average of daily revenue (RANGE frame over dates).
SELECT day, revenue,
       avg(revenue) OVER (ORDER BY day RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) AS avg7
FROM (
    SELECT l_shipdate AS day, sum(l_extendedprice * (1 - l_discount)) AS revenue
    FROM lineitem
    WHERE l_shipdate BETWEEN DATE '1996-01-01' AND DATE '1996-12-31'
    GROUP BY 1
) d
ORDER BY day;
