"""SQL and output helpers shared by the Python client scripts."""

# Ordered on every key, so the whole result is deterministic and can be
# compared row by row with PostgreSQL's.
CROSS_SELL = """WITH orders AS (
  SELECT customer_id, array_agg(product_id) AS bought
  FROM sales.orders_v1
  WHERE order_date > current_date - INTERVAL '30 day'
  GROUP BY customer_id),
products AS (SELECT product_id, category FROM catalog.products_v2)
SELECT o.customer_id, p.category, COUNT(*) AS occurences
FROM orders o
CROSS JOIN UNNEST(o.bought) AS u(product_id)
JOIN products p USING (product_id)
GROUP BY 1,2 ORDER BY occurences DESC, 1, 2"""

STREAM_SQL = "SELECT order_id, amount FROM sales.orders_v1 ORDER BY order_id"

# Runs far longer than the test waits before canceling it.
CANCEL_SQL = "SELECT count(*) FROM sales.orders_v1 a CROSS JOIN sales.orders_v1 b CROSS JOIN sales.orders_v1 c"


def section(name):
    print("## " + name, flush=True)
