-- The 100 most expensive order lines (top-N over the whole table).
SELECT l_orderkey, l_linenumber, l_extendedprice, l_shipdate
FROM lineitem
ORDER BY l_extendedprice DESC, l_orderkey, l_linenumber
LIMIT 100;
