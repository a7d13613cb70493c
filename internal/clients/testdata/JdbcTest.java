// pgjdbc against meshql or PostgreSQL (MQ_* environment variables), run as
// a single-file source program: java -cp postgresql.jar JdbcTest.java.
// Prints the sections internal/clients compares; see clients_test.go.
import java.math.BigDecimal;
import java.sql.*;
import java.time.*;
import java.util.*;

public class JdbcTest {
    static final String CROSS_SELL = """
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
        GROUP BY 1,2 ORDER BY occurences DESC, 1, 2""";

    static void section(String name) { System.out.println("## " + name); }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String url = "jdbc:postgresql://" + env.get("MQ_HOST") + ":" + env.get("MQ_PORT") + "/" + env.get("MQ_DB")
            + "?sslmode=" + env.get("MQ_SSLMODE") + "&ApplicationName=clients-jdbc";
        Properties props = new Properties();
        props.setProperty("user", env.get("MQ_USER"));
        props.setProperty("password", env.get("MQ_PASSWORD"));
        try (Connection conn = DriverManager.getConnection(url, props)) {
            section("tls");
            // sslmode=require makes pgjdbc fail rather than connect in clear.
            System.out.println(env.get("MQ_SSLMODE").equals("require") ? "true" : "false");

            DatabaseMetaData md = conn.getMetaData();
            section("schemas");
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) System.out.println(rs.getString("TABLE_SCHEM"));
            }
            section("tables");
            List<String[]> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME")});
                    System.out.println(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME"));
                }
            }
            section("columns");
            try (ResultSet rs = md.getColumns(null, null, "%", "%")) {
                while (rs.next()) {
                    System.out.println(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + "." + rs.getString("COLUMN_NAME"));
                }
            }
            section("pkeys");
            for (String[] t : tables) {
                if (t[0].equals("pg_catalog") || t[0].equals("information_schema")) continue;
                try (ResultSet rs = md.getPrimaryKeys(null, t[0], t[1])) {
                    while (rs.next()) System.out.println(t[0] + "." + t[1] + "." + rs.getString("COLUMN_NAME"));
                } catch (SQLException e) {
                    System.out.println("ERROR " + e.getSQLState() + " " + e.getMessage());
                    break;
                }
            }
            section("typeinfo");
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) System.out.println(rs.getString("TYPE_NAME"));
            }

            // The metadata calls tools make (DataGrip without its own
            // introspector, DBeaver, SQuirreL): each must answer as on
            // PostgreSQL, rows or not; their contents differ by nature
            // (PostgreSQL's copy has no comments and no keys).
            section("=metadata");
            Map<String, java.util.concurrent.Callable<Object>> calls = new LinkedHashMap<>();
            calls.put("getMaxColumnNameLength", md::getMaxColumnNameLength);
            calls.put("getSQLKeywords", () -> md.getSQLKeywords().isEmpty());
            calls.put("getClientInfoProperties", md::getClientInfoProperties);
            calls.put("getCatalogs", md::getCatalogs);
            calls.put("getTableTypes", md::getTableTypes);
            calls.put("getColumns", () -> md.getColumns(null, "sales", "orders_v1", "%"));
            calls.put("getImportedKeys", () -> md.getImportedKeys(null, "sales", "orders_v1"));
            calls.put("getExportedKeys", () -> md.getExportedKeys(null, "sales", "customers_v1"));
            calls.put("getCrossReference", () -> md.getCrossReference(null, "sales", "customers_v1", null, "sales", "orders_v1"));
            calls.put("getIndexInfo", () -> md.getIndexInfo(null, "sales", "orders_v1", false, true));
            calls.put("getProcedures", () -> md.getProcedures(null, "sales", "%"));
            calls.put("getProcedureColumns", () -> md.getProcedureColumns(null, "sales", "%", "%"));
            calls.put("getFunctions", () -> md.getFunctions(null, "sales", "%"));
            calls.put("getFunctionColumns", () -> md.getFunctionColumns(null, "sales", "%", "%"));
            calls.put("getUDTs", () -> md.getUDTs(null, "sales", "%", null));
            calls.put("getTablePrivileges", () -> md.getTablePrivileges(null, "sales", "orders_v1"));
            calls.put("getColumnPrivileges", () -> md.getColumnPrivileges(null, "sales", "orders_v1", "%"));
            calls.put("getBestRowIdentifier", () -> md.getBestRowIdentifier(null, "sales", "orders_v1", DatabaseMetaData.bestRowSession, true));
            calls.put("getVersionColumns", () -> md.getVersionColumns(null, "sales", "orders_v1"));
            calls.put("ResultSetMetaData", () -> {
                try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT order_id, amount FROM sales.orders_v1 LIMIT 1")) {
                    ResultSetMetaData m = rs.getMetaData();
                    return m.getColumnName(1) + " " + m.getColumnTypeName(2) + " " + m.getPrecision(2) + " " + m.getScale(2) + " " + m.isAutoIncrement(1);
                }
            });
            for (Map.Entry<String, java.util.concurrent.Callable<Object>> c : calls.entrySet()) {
                try {
                    Object v = c.getValue().call();
                    if (v instanceof ResultSet rs) {
                        rs.close();
                        v = "ok";
                    }
                    System.out.println(c.getKey() + " " + v);
                } catch (SQLException e) {
                    System.out.println(c.getKey() + " ERROR " + e.getSQLState());
                }
            }

            section("=params");
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT ?::int4, ?::int8, ?::numeric(12,3), ?::float8, ?::text, ?::bool, ?::date, ?::timestamp, ?::timestamptz, ?::interval, ?::int4[], ?::text[]")) {
                ps.setInt(1, 42);
                ps.setLong(2, 9007199254740993L);
                ps.setBigDecimal(3, new BigDecimal("-12345.678"));
                ps.setDouble(4, 2.5);
                ps.setString(5, "héllo 'q' \\ \"x\"");
                ps.setBoolean(6, true);
                ps.setObject(7, LocalDate.of(2024, 2, 29));
                ps.setObject(8, LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789012000));
                ps.setObject(9, OffsetDateTime.of(1999, 12, 31, 23, 59, 59, 500000000, ZoneOffset.UTC));
                ps.setObject(10, new org.postgresql.util.PGInterval(0, 0, 3, 4, 0, 0.000007));
                ps.setArray(11, conn.createArrayOf("int4", new Integer[] {1, null, 3}));
                ps.setArray(12, conn.createArrayOf("text", new String[] {"a b", "", "NULL"}));
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData rmd = rs.getMetaData();
                    while (rs.next()) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 1; i <= rmd.getColumnCount(); i++) {
                            Object v = rs.getObject(i);
                            if (v instanceof java.sql.Array a) v = Arrays.toString((Object[]) a.getArray());
                            sb.append(rmd.getColumnTypeName(i)).append('=').append(v).append(' ');
                        }
                        System.out.println(sb.toString().trim());
                    }
                }
            }
            // The same statement many times: pgjdbc switches to a named
            // server-side prepared statement after prepareThreshold uses.
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT count(*), sum(amount), min(order_date) FROM sales.orders_v1 WHERE amount > ? AND product_id < ? AND order_date >= ?")) {
                for (int i = 0; i < 7; i++) {
                    ps.setBigDecimal(1, new BigDecimal("10.5"));
                    ps.setLong(2, 300 + i);
                    ps.setObject(3, LocalDate.of(2000, 1, 1));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        System.out.println(rs.getLong(1) + " " + rs.getBigDecimal(2) + " " + rs.getObject(3, LocalDate.class));
                    }
                }
            }

            section("=stream");
            // With autocommit off and a fetch size, pgjdbc executes the
            // portal with a row limit and fetches 100 rows at a time.
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement("SELECT order_id, amount FROM sales.orders_v1 ORDER BY order_id")) {
                ps.setFetchSize(100);
                long n = 0, ids = 0;
                BigDecimal total = BigDecimal.ZERO;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        n++;
                        ids += rs.getLong(1);
                        total = total.add(rs.getBigDecimal(2));
                    }
                }
                System.out.println(n + " " + ids + " " + total);
            }
            conn.commit();
            conn.setAutoCommit(true);

            section("cancel");
            try (Statement st = conn.createStatement()) {
                Thread t = new Thread(() -> {
                    try { Thread.sleep(1000); st.cancel(); } catch (Exception e) { }
                });
                t.start();
                try {
                    st.executeQuery("SELECT count(*) FROM sales.orders_v1 a CROSS JOIN sales.orders_v1 b CROSS JOIN sales.orders_v1 c");
                    System.out.println("not canceled");
                } catch (SQLException e) {
                    System.out.println(e.getSQLState());
                }
                t.join();
            }

            section("=crosssell");
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(CROSS_SELL)) {
                while (rs.next()) System.out.println(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getLong(3));
            }
        }
    }
}
