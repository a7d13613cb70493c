"""SQLAlchemy's inspector and pandas.read_sql (over psycopg2) against meshql
or PostgreSQL (MQ_* environment variables).

Prints the sections internal/clients compares; see clients_test.go."""
import datetime
import decimal
import os

import pandas as pd
import sqlalchemy as sa

from common import CROSS_SELL, section

env = os.environ
url = sa.engine.URL.create("postgresql+psycopg2", username=env["MQ_USER"], password=env["MQ_PASSWORD"],
                           host=env["MQ_HOST"], port=int(env["MQ_PORT"]), database=env["MQ_DB"],
                           query={"sslmode": env["MQ_SSLMODE"], "application_name": "clients-sqlalchemy"})
engine = sa.create_engine(url)

insp = sa.inspect(engine)
schemas = insp.get_schema_names()
section("schemas")
for s in schemas:
    print(s)
section("tables")
tables = []
for s in schemas:
    if s in ("pg_catalog", "information_schema"):
        continue
    for t in insp.get_table_names(schema=s) + insp.get_view_names(schema=s):
        tables.append((s, t))
        print(f"{s}.{t}")
section("columns")
try:
    for s, t in tables:
        for c in insp.get_columns(t, schema=s):
            print(f"{s}.{t}.{c['name']}")
except sa.exc.DBAPIError as e:
    print("ERROR", e.orig.pgcode, str(e.orig).splitlines()[0])

# What SQLAlchemy reflects of each table besides its columns: the same on
# both servers, but for what meshql takes from the descriptors (primary
# keys, comments), which the next sections list and PostgreSQL's copy lacks.
section("=reflect")
pkeys, comments = [], []
for s, t in tables:
    pkeys += [f"{s}.{t}.{c}" for c in insp.get_pk_constraint(t, schema=s)["constrained_columns"]]
    comments.append(f"{s}.{t}|{insp.get_table_comment(t, schema=s)['text']}")
    if s not in ("sales", "catalog"):
        continue  # products defined by SQL are not in PostgreSQL's copy
    cols = [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in insp.get_columns(t, schema=s)]
    print(s, t, cols)
    print(s, t, "fk", insp.get_foreign_keys(t, schema=s), "idx", insp.get_indexes(t, schema=s),
          "uq", insp.get_unique_constraints(t, schema=s), "ck", insp.get_check_constraints(t, schema=s),
          "has", insp.has_table(t, schema=s))
print("has nope", insp.has_table("nope", schema="sales"), "views", insp.get_view_names(schema="sales"))
md = sa.MetaData()
md.reflect(engine, schema="catalog")
print(sorted((name, [c.name for c in tb.columns]) for name, tb in md.tables.items()))
section("pkeys")
for k in pkeys:
    print(k)
section("comments")
for c in comments:
    print(" ".join(c.split()))

section("=params")
with engine.connect() as conn:
    row = conn.execute(sa.text(
        "SELECT CAST(:i AS int4), CAST(:b AS int8), CAST(:n AS numeric(12,3)), CAST(:f AS float8), CAST(:t AS text),"
        " CAST(:ok AS bool), CAST(:d AS date), CAST(:ts AS timestamp), CAST(:tz AS timestamptz)"),
        {"i": 42, "b": 9007199254740993, "n": decimal.Decimal("-12345.678"), "f": 2.5, "t": "héllo 'q'",
         "ok": True, "d": datetime.date(2024, 2, 29), "ts": datetime.datetime(2024, 2, 29, 12, 34, 56, 789012),
         "tz": datetime.datetime(1999, 12, 31, 23, 59, 59, 500000, tzinfo=datetime.timezone.utc)}).one()
    print(repr(tuple(row)))

section("=crosssell")
df = pd.read_sql(sa.text(CROSS_SELL), engine)
print(list(df.columns), list(map(str, df.dtypes)))
for r in df.itertuples(index=False):
    print(f"{r.customer_id}|{r.category}|{r.occurences}")
