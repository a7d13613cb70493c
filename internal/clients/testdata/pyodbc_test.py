"""pyodbc over the psqlODBC driver (DSN-less) against meshql or PostgreSQL
(MQ_* environment variables).

Prints the sections internal/clients compares; see clients_test.go."""
import datetime
import decimal
import os

import pyodbc

from common import CROSS_SELL, STREAM_SQL, section

env = os.environ
conn = pyodbc.connect(
    f"DRIVER={{{env['ODBC_DRIVER']}}};SERVER={env['MQ_HOST']};PORT={env['MQ_PORT']};DATABASE={env['MQ_DB']};"
    f"UID={env['MQ_USER']};PWD={env['MQ_PASSWORD']};SSLMode={env['MQ_SSLMODE']};"
    # Server-side prepare (extended protocol) and a cursor that fetches
    # 100 rows at a time.
    "UseServerSidePrepare=1;UseDeclareFetch=1;Fetch=100",
    autocommit=True)
cur = conn.cursor()

section("tls")
# SSLMode=require makes psqlODBC refuse a connection in clear.
print("true" if env["MQ_SSLMODE"] == "require" else "false")

section("tables")
tables = []
for r in cur.tables(tableType="TABLE,VIEW").fetchall():
    if r.table_schem in ("pg_catalog", "information_schema"):
        continue
    tables.append((r.table_schem, r.table_name))
    print(f"{r.table_schem}.{r.table_name}")
section("columns")
for s, t in tables:
    for c in cur.columns(table=t, schema=s).fetchall():
        print(f"{s}.{t}.{c.column_name}")

section("=params")
cur.execute("SELECT CAST(? AS int4), CAST(? AS int8), CAST(? AS numeric(12,3)), CAST(? AS float8), CAST(? AS text),"
            " CAST(? AS bool), CAST(? AS date), CAST(? AS timestamp)",
            42, 9007199254740993, decimal.Decimal("-12345.678"), 2.5, "héllo 'q'", True,
            datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 12, 34, 56, 789012))
print(repr(tuple(cur.fetchone())))
cur.execute("SELECT count(*), sum(amount), min(order_date) FROM sales.orders_v1"
            " WHERE amount > ? AND product_id < ? AND order_date >= ?",
            decimal.Decimal("10.5"), 300, datetime.date(2000, 1, 1))
print(repr(tuple(cur.fetchone())))

section("=stream")
cur.execute(STREAM_SQL)
n, ids, total = 0, 0, decimal.Decimal(0)
while True:
    rows = cur.fetchmany(100)
    if not rows:
        break
    for order_id, amount in rows:
        n += 1
        ids += order_id
        total += amount
print(n, ids, total)

section("=crosssell")
cur.execute(CROSS_SELL)
for row in cur.fetchall():
    print("|".join(str(v) for v in row))
conn.close()
