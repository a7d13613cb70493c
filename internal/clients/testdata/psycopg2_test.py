"""psycopg2 against meshql or PostgreSQL (MQ_* environment variables).

Prints the sections internal/clients compares; see clients_test.go."""
import datetime
import decimal
import os
import threading

import psycopg2
import psycopg2.errors

from common import CANCEL_SQL, CROSS_SELL, STREAM_SQL, section


def connect():
    return psycopg2.connect(host=os.environ["MQ_HOST"], port=os.environ["MQ_PORT"],
                            dbname=os.environ["MQ_DB"], user=os.environ["MQ_USER"],
                            password=os.environ["MQ_PASSWORD"], sslmode=os.environ["MQ_SSLMODE"],
                            application_name="clients-psycopg2")


conn = connect()
cur = conn.cursor()

section("tls")
print("true" if conn.info.ssl_in_use else "false")

section("schemas")
cur.execute("SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1")
for (n,) in cur.fetchall():
    print(n)

section("tables")
cur.execute("""SELECT n.nspname, c.relname FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') ORDER BY 1, 2""")
for s, t in cur.fetchall():
    print(f"{s}.{t}")

section("columns")
cur.execute("""SELECT table_schema, table_name, column_name FROM information_schema.columns
  ORDER BY 1, 2, ordinal_position""")
for s, t, c in cur.fetchall():
    print(f"{s}.{t}.{c}")

section("=params")
tz = datetime.timezone.utc
cur.execute("""SELECT %s::int4, %s::int8, %s::numeric, %s::float8, %s::text, %s::bool, %s::date,
  %s::timestamp, %s::timestamptz, %s::interval, %s::int4[], %s::text[]""",
            (42, 9007199254740993, decimal.Decimal("-12345.678"), 2.5, "héllo 'q' \\ \"x\"", True,
             datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 12, 34, 56, 789012),
             datetime.datetime(1999, 12, 31, 23, 59, 59, 500000, tzinfo=tz),
             datetime.timedelta(days=3, hours=4, microseconds=7), [1, None, 3], ["a b", "", "NULL"]))
print(repr(cur.fetchone()))
cur.execute("SELECT NULL::int4, NULL::text, NULL::date")
print(repr(cur.fetchone()))
cur.execute("""SELECT count(*), sum(amount), min(order_date) FROM sales.orders_v1
  WHERE amount > %s AND product_id < %s AND order_date >= %s""",
            (decimal.Decimal("10.5"), 300, datetime.date(2000, 1, 1)))
print(repr(cur.fetchone()))
conn.rollback()

section("=stream")
# A named cursor is a server-side cursor: DECLARE ... CURSOR, then FETCH
# itersize rows at a time.
conn.autocommit = False
named = conn.cursor(name="big")
named.itersize = 500
named.execute(STREAM_SQL)
n, ids, total = 0, 0, decimal.Decimal(0)
for order_id, amount in named:
    n += 1
    ids += order_id
    total += amount
named.close()
conn.commit()
print(n, ids, total)

section("cancel")
conn.autocommit = True
timer = threading.Timer(1.0, conn.cancel)
timer.start()
try:
    cur.execute(CANCEL_SQL)
    print("not canceled")
except psycopg2.Error as e:
    print(e.pgcode)
timer.cancel()

section("=crosssell")
cur.execute(CROSS_SELL)
for row in cur.fetchall():
    print("|".join(str(v) for v in row))
conn.close()
