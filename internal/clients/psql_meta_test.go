package clients

import (
	"strings"
	"testing"
)

// checkPsqlMetaCommands runs psql's meta-commands against meshql and
// PostgreSQL. Those listing objects neither server has (foreign servers,
// publications, event triggers, large objects, default privileges, …)
// must print what PostgreSQL prints, headers included; the others list
// meshql's own objects and must succeed wherever PostgreSQL's do.
func checkPsqlMetaCommands(t *testing.T, f *fixture) {
	same := []string{`\dy`, `\des`, `\dew`, `\deu`, `\det`, `\dRs`, `\dRp`, `\ddp`, `\dl`, `\lo_list`,
		`\drds`, `\dX`}
	succeed := []string{`\dn+`, `\dT+`, `\du+`, `\dd`, `\dc`, `\dC`, `\do`, `\dF`, `\dFd`, `\dFp`, `\dFt`, `\dA`,
		`\dAc`, `\dAf`, `\dAp`, `\db`, `\l+`, `\dx`, `\dL`, `\dconfig`, `\dconfig *date*`}
	for _, meta := range same {
		got, errOut, err := runPsql(t, f.meshql, meta)
		if err != nil {
			t.Errorf("psql %s against meshql: %v\n%s", meta, err, errOut)
			continue
		}
		want, errOut, err := runPsql(t, f.postgres, meta)
		if err != nil {
			t.Fatalf("psql %s against PostgreSQL: %v\n%s", meta, err, errOut)
		}
		if got != want {
			t.Errorf("psql %s differs:\nmeshql:\n%s\npostgres:\n%s", meta, got, want)
		}
	}
	for _, meta := range succeed {
		if _, errOut, err := runPsql(t, f.postgres, meta); err != nil {
			t.Fatalf("psql %s against PostgreSQL: %v\n%s", meta, err, errOut)
		}
		got, errOut, err := runPsql(t, f.meshql, meta)
		if err != nil || strings.Contains(errOut, "ERROR") {
			t.Errorf("psql %s against meshql: %v\n%s", meta, err, errOut)
			continue
		}
		if strings.Count(got, "\n") < 2 {
			t.Errorf("psql %s against meshql printed no result:\n%s", meta, got)
		}
	}
	// The primary key index a product's descriptor declares (the
	// PostgreSQL fixture has no index).
	got, errOut, err := runPsql(t, f.meshql, `\d catalog.products_v2_pkey`)
	if err != nil {
		t.Fatalf("psql \\d of an index: %v\n%s", err, errOut)
	}
	for _, line := range []string{"\nproduct_id|bigint|yes|product_id\n", "\nprimary key, btree, for table \"catalog.products_v2\"\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("psql \\d of an index lacks %q:\n%s", line, got)
		}
	}
}
