package slt

import "testing"

// TestSLTTPCHAgainstPostgres runs the TPC-H corpus (testdata/sql-tpch)
// against PostgreSQL loaded with testdata/mesh-tpch: this proves its
// committed expectations are PostgreSQL's. With -update it first
// rewrites them from PostgreSQL.
func TestSLTTPCHAgainstPostgres(t *testing.T) {
	conn := PostgresTPCHFixture(t)
	if *update {
		files, err := TPCHCorpusFiles()
		if err != nil {
			t.Fatal(err)
		}
		if err := CompleteFiles(t.Context(), files, conn); err != nil {
			t.Error(err)
		}
	}
	RunTPCHCorpus(t, conn, EnginePostgres)
}
