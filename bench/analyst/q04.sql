-- Median and 90th percentile of line prices per ship mode.
SELECT l_shipmode,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY l_extendedprice) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY l_extendedprice) AS p90,
       count(*) AS lines
FROM lineitem
GROUP BY l_shipmode
ORDER BY l_shipmode;
