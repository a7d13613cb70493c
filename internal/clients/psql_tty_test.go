package clients

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// checkPsqlInteractive types into a real interactive psql (readline on a
// pty): tab completion of schemas, tables and settings runs psql's own
// catalog queries, which must answer, and \timing must switch on. A
// catalog query meshql cannot answer leaves the line uncompleted.
func checkPsqlInteractive(t *testing.T, f *fixture) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		missing(t, "psql is not installed")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		missing(t, "python3 is not installed")
	}
	steps := []struct{ keys, want string }{
		{`SELECT * FROM sa\t\t`, "sales."},
		{`SELECT * FROM sales.or\t\t`, "sales.orders_v1"},
		{`\\d cat\t\t`, "catalog."},
		{`SET ti\t\t`, "timezone"},
		{`\\timing\r`, "Timing is on."},
	}
	args := []string{"testdata/psql_tty.py"}
	for _, s := range steps {
		args = append(args, s.keys)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	tg := f.meshql
	cmd.Env = append(cmd.Environ(), "PSQL="+psql, "PGHOST="+tg.host, "PGPORT="+tg.port, "PGDATABASE="+tg.db,
		"PGUSER="+tg.user, "PGPASSWORD="+tg.pw, "PGSSLMODE="+tg.sslmode, "TERM=dumb")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("interactive psql: %v\n%s", err, out)
	}
	parts := strings.Split(string(out), "## ")
	for i, s := range steps {
		if i+1 >= len(parts) || !strings.Contains(parts[i+1], s.want) {
			t.Errorf("typing %q into psql: want %q in what it shows; the session printed:\n%s", s.keys, s.want, out)
		}
	}
}
