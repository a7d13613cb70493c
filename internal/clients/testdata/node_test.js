// node-postgres against meshql or PostgreSQL (MQ_* environment variables).
// Prints the sections internal/clients compares; see clients_test.go.
const { Client, Query } = require('pg');

const CROSS_SELL = `WITH orders AS (
  SELECT customer_id, array_agg(product_id) AS bought
  FROM sales.orders_v1
  WHERE order_date > current_date - INTERVAL '30 day'
  GROUP BY customer_id),
products AS (SELECT product_id, category FROM catalog.products_v2)
SELECT o.customer_id, p.category, COUNT(*) AS occurences
FROM orders o
CROSS JOIN UNNEST(o.bought) AS u(product_id)
JOIN products p USING (product_id)
GROUP BY 1,2 ORDER BY occurences DESC, 1, 2`;

const env = process.env;
const config = () => ({
  host: env.MQ_HOST, port: Number(env.MQ_PORT), database: env.MQ_DB, user: env.MQ_USER,
  password: env.MQ_PASSWORD, application_name: 'clients-node',
  // sslmode=require: encrypt, do not verify the throwaway certificate.
  ssl: env.MQ_SSLMODE === 'require' ? { rejectUnauthorized: false } : false,
});
const section = (name) => console.log('## ' + name);

async function main() {
  const c = new Client(config());
  await c.connect();

  section('tls');
  console.log(c.connection.stream.encrypted ? 'true' : 'false');

  section('schemas');
  for (const r of (await c.query('SELECT schema_name FROM information_schema.schemata ORDER BY 1')).rows) {
    console.log(r.schema_name);
  }
  section('tables');
  const tables = await c.query(`SELECT table_schema, table_name FROM information_schema.tables
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`);
  for (const r of tables.rows) console.log(`${r.table_schema}.${r.table_name}`);

  section('=params');
  // Extended protocol: node-postgres sends every value as text.
  const p = await c.query(`SELECT $1::int4 AS i4, $2::int8 AS i8, $3::numeric(12,3) AS num, $4::float8 AS f8, $5::text AS t,
      $6::bool AS b, $7::date AS d, $8::timestamp AS ts, $9::timestamptz AS tstz, $10::interval AS iv,
      $11::int4[] AS ia, $12::text[] AS ta`,
    [42, '9007199254740993', '-12345.678', 2.5, 'héllo \'q\' \\ "x"', true, '2024-02-29',
      '2024-02-29 12:34:56.789012', new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 500)), '3 days 04:00:00.000007',
      [1, null, 3], ['a b', '', 'NULL']]);
  console.log(JSON.stringify(p.rows[0]));
  const q = await c.query(`SELECT count(*), sum(amount), min(order_date)::text AS first FROM sales.orders_v1
      WHERE amount > $1 AND product_id < $2 AND order_date >= $3`, ['10.5', 300, '2000-01-01']);
  console.log(JSON.stringify(q.rows[0]));

  section('=stream');
  // A portal with a row limit: rows: 100 makes node-postgres send
  // Execute with a limit of 100 and fetch page after page.
  await c.query('BEGIN');
  let n = 0, ids = 0n, total = 0;
  await new Promise((resolve, reject) => {
    const query = new Query({ text: 'SELECT order_id, amount FROM sales.orders_v1 ORDER BY order_id', rows: 100 });
    query.on('row', (r) => { n++; ids += BigInt(r.order_id); total += Math.round(Number(r.amount) * 100); });
    query.on('end', resolve);
    query.on('error', reject);
    c.query(query);
  });
  await c.query('COMMIT');
  console.log(n, ids.toString(), (total / 100).toFixed(2));

  section('cancel');
  // node-postgres cancels through a second, unauthenticated connection
  // that sends a CancelRequest with the first one's key.
  const long = new Query('SELECT count(*) FROM sales.orders_v1 a CROSS JOIN sales.orders_v1 b CROSS JOIN sales.orders_v1 c');
  const done = new Promise((resolve) => {
    long.on('error', (e) => resolve(e.code));
    long.on('end', () => resolve('not canceled'));
  });
  c.query(long);
  const timer = setTimeout(() => new Client(config()).cancel(c, long), 1000);
  console.log(await done);
  clearTimeout(timer);

  section('=crosssell');
  for (const r of (await c.query(CROSS_SELL)).rows) console.log(`${r.customer_id}|${r.category}|${r.occurences}`);
  await c.end();
}

main().catch((e) => { console.error(e); process.exit(1); });
