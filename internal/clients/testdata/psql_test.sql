-- psql against meshql or PostgreSQL; run with -X -A -t -v ON_ERROR_STOP=1
-- in a scratch directory. Prints the sections internal/clients compares; see
-- clients_test.go.
\echo '## =gset'
SELECT 41 + 1 AS answer, 'mesh' AS word \gset
\echo :answer :word
\echo '## =expanded'
\x on
SELECT order_id, amount, order_date FROM sales.orders_v1 ORDER BY order_id LIMIT 2;
\x off
\echo '## =copy'
\copy (SELECT order_id, customer_id, amount FROM sales.orders_v1 ORDER BY order_id LIMIT 20) TO 'out.csv' CSV HEADER
\! cat out.csv
\copy (SELECT product_id, category FROM catalog.products_v2 ORDER BY product_id LIMIT 5) TO pstdout
\echo '## =crosssell'
WITH orders AS (
  SELECT customer_id, array_agg(product_id) AS bought
  FROM sales.orders_v1
  WHERE order_date > current_date - INTERVAL '30 day'
  GROUP BY customer_id),
products AS (SELECT product_id, category FROM catalog.products_v2)
SELECT o.customer_id, p.category, COUNT(*) AS occurences
FROM orders o
CROSS JOIN UNNEST(o.bought) AS u(product_id)
JOIN products p USING (product_id)
GROUP BY 1,2 ORDER BY occurences DESC, 1, 2;
\echo '## catalog'
-- Must not fail; what they list is checked for meshql only.
\dn
\dt *.*
\dv
\df
\l
\conninfo
