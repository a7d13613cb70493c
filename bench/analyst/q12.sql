-- A pivot: lines per year by return flag and size band (FILTER).
SELECT extract(year FROM l_shipdate) AS year,
       count(*) FILTER (WHERE l_returnflag = 'R') AS returned,
       count(*) FILTER (WHERE l_returnflag = 'A') AS accepted,
       count(*) FILTER (WHERE l_quantity < 10) AS small,
       count(*) FILTER (WHERE l_quantity >= 40) AS large,
       sum(l_extendedprice) FILTER (WHERE l_discount > 0.05) AS discounted
FROM lineitem
GROUP BY 1
ORDER BY 1;
