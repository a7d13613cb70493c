-- Cohorts: customers by the year of their first order, and how many ordered again in each later year.
WITH first_order AS (
    SELECT o_custkey, min(extract(year FROM o_orderdate)) AS cohort
    FROM orders GROUP BY o_custkey
),
active AS (
    SELECT DISTINCT o_custkey, extract(year FROM o_orderdate) AS year FROM orders
)
SELECT f.cohort, a.year, count(*) AS customers
FROM first_order f JOIN active a USING (o_custkey)
GROUP BY f.cohort, a.year
ORDER BY f.cohort, a.year;
