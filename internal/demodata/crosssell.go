package demodata

// CrossSell is the README's cross-sell query over the demo mesh: per
// customer, the categories of what they bought in the last 30 days, the
// 50 most frequent pairs. The end-to-end tests and the load test run it.
const CrossSell = `WITH orders AS (
  SELECT customer_id, array_agg(product_id) AS bought
  FROM sales.orders_v1
  WHERE order_date > current_date - INTERVAL '30 day'
  GROUP BY customer_id),
products AS (SELECT product_id, category FROM catalog.products_v2)
SELECT o.customer_id, p.category, COUNT(*) AS occurences
FROM orders o
CROSS JOIN UNNEST(o.bought) AS u(product_id)
JOIN products p USING (product_id)
GROUP BY 1,2 ORDER BY occurences DESC LIMIT 50`
