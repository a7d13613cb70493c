package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// TestParquetCharColumns reads Parquet strings into columns declared
// character(n) as PostgreSQL's INSERT stores them: blank-padded to n,
// blanks beyond n cut, and a longer value fails with 22001 ("value too
// long for type character(3)"); comparisons and grouping ignore the
// padding. varchar(n) takes them unpadded, blanks beyond n cut, and fails
// a longer value the same way.
func TestParquetCharColumns(t *testing.T) {
	dir := t.TempDir()
	writeStrings := func(product, typ string, vals []string, valid []bool) {
		sch := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "c", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
		b := array.NewRecordBuilder(memory.NewGoAllocator(), sch)
		defer b.Release()
		for i := range vals {
			b.Field(0).(*array.Int64Builder).Append(int64(i + 1))
		}
		b.Field(1).(*array.StringBuilder).AppendValues(vals, valid)
		rec := b.NewRecordBatch()
		defer rec.Release()
		writeParquetFile(t, filepath.Join(dir, "ops", product, "p.parquet"), rec)
		desc := "product: " + product + `
version: 1
domain: ops
owner: {team: ops, contact: ops@example.com}
status: active
source: {connector: parquet, path: ops/` + product + `/*.parquet}
columns:
  - {name: id, type: bigint}
  - {name: c, type: '` + typ + `'}
policies:
  read: [analyst]
`
		if err := os.WriteFile(filepath.Join(dir, "ops", product+"_v1.yaml"), []byte(desc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeStrings("codes", "char(3)", []string{"ab", "ab   ", "x", "", ""}, []bool{true, true, true, true, false})
	writeStrings("long", "char(3)", []string{"abc", "abcd"}, nil)
	writeStrings("names", "varchar(3)", []string{"ab", "ab   ", "x", ""}, nil)
	writeStrings("longnames", "varchar(3)", []string{"abc", "abcd"}, nil)
	if err := os.WriteFile(filepath.Join(dir, "mesh.yaml"), []byte(opsMeshYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	s := parquetMeshSession(t, dir)
	checkRowCases(t, s, []rowCase{
		{"SELECT id, c || '|', octet_length(c), pg_typeof(c) FROM ops.codes_v1 ORDER BY id",
			"1|ab||3|character,2|ab||3|character,3|x||3|character,4|||3|character,5|NULL|NULL|character"},
		{"SELECT id FROM ops.codes_v1 WHERE c = 'ab' ORDER BY id", "1,2"},
		{"SELECT c || '|', count(*) FROM ops.codes_v1 GROUP BY c ORDER BY c", "||1,ab||2,x||1,NULL|1"},
		{"SELECT data_type, character_maximum_length FROM information_schema.columns WHERE table_name = 'codes_v1' AND column_name = 'c'", "character|3"},
		{"SELECT id, c || '|', pg_typeof(c) FROM ops.names_v1 ORDER BY id",
			"1|ab||character varying,2|ab ||character varying,3|x||character varying,4|||character varying"},
	})
	_, err := sessionRows(t, s, "SELECT c FROM ops.long_v1")
	if sqltypes.Code(err) != sqltypes.CodeStringTruncation || !strings.Contains(err.Error(), "character(3)") {
		t.Errorf("a 4-character value in a char(3) column: %v, want 22001 value too long for type character(3)", err)
	}
	_, err = sessionRows(t, s, "SELECT c FROM ops.longnames_v1")
	if sqltypes.Code(err) != sqltypes.CodeStringTruncation || !strings.Contains(err.Error(), "character varying(3)") {
		t.Errorf("a 4-character value in a varchar(3) column: %v, want 22001 value too long for type character varying(3)", err)
	}
}
