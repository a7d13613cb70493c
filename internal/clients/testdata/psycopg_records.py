"""Row values as psycopg 3 reads them: anonymous records in text (a tuple
of strings) and binary (typed fields, from record_send's field OIDs), a
product's whole row (of the product's row type: a string, or bytes in
binary, until the type is registered) and, registered by
CompositeInfo.fetch, as the composite's named tuple."""

import psycopg
from psycopg.types.composite import CompositeInfo, register_composite

from common import section

# One record column a query: psycopg's binary record loader reads the
# field types of the first record it meets and applies them to every
# record column of the result.
ROWS = [
    "SELECT ROW(1, 'a b', 2.50::numeric, NULL::int, ROW(2::int8, DATE '2024-02-29'), ARRAY[1, NULL])",
    "SELECT (order_id, amount, customer_id::text) FROM sales.orders_v1 ORDER BY order_id LIMIT 2",
    """SELECT json_each('{"k": [1], "n": null}'::json)""",
    "SELECT ROW(TIMESTAMPTZ '2024-01-02 03:04:05+02', INTERVAL '1 day 2 hours', true, 1.5::float4, '\\x01'::bytea)",
]
WHOLE = "SELECT p FROM catalog.products_v2 p ORDER BY product_id LIMIT 2"

with psycopg.connect() as conn:
    section("=records")
    for q in ROWS:
        for binary in (False, True):
            with conn.cursor(binary=binary) as cur:
                for row in cur.execute(q):
                    print(binary, repr(row))
    section("=whole-row")
    for binary in (False, True):
        with conn.cursor(binary=binary) as cur:
            for row in cur.execute(WHOLE):
                print(binary, type(row[0]).__name__)
    info = CompositeInfo.fetch(conn, "catalog.products_v2")
    print(info.name, info.field_names, info.field_types)
    register_composite(info, conn)
    for binary in (False, True):
        with conn.cursor(binary=binary) as cur:
            for row in cur.execute(WHOLE):
                print(binary, repr(row[0]))
