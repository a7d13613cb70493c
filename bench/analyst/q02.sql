-- Monthly revenue with a running total and the change on the month before.
SELECT month, revenue,
       sum(revenue) OVER (ORDER BY month) AS running,
       revenue - lag(revenue) OVER (ORDER BY month) AS change
FROM (
    SELECT date_trunc('month', l_shipdate)::date AS month,
           sum(l_extendedprice * (1 - l_discount)) AS revenue
    FROM lineitem
    GROUP BY 1
) m
ORDER BY month;
