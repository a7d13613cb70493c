package flightsql

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflight "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// adbcConnect opens an ADBC Flight SQL connection as user.
func adbcConnect(t *testing.T, addr, user, password string) (adbc.Connection, error) {
	t.Helper()
	return adbcConnectWith(t, "grpc://"+addr, user, map[string]string{adbc.OptionKeyPassword: password})
}

// adbcConnectWith opens an ADBC Flight SQL connection to uri as user with
// more database options (the password among them).
func adbcConnectWith(t *testing.T, uri, user string, opts map[string]string) (adbc.Connection, error) {
	t.Helper()
	drv := adbcflight.NewDriver(memory.DefaultAllocator)
	all := map[string]string{adbc.OptionKeyURI: uri, adbc.OptionKeyUsername: user, adbc.OptionKeyPassword: user}
	for k, v := range opts {
		all[k] = v
	}
	db, err := drv.NewDatabase(all)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cnxn, err := db.Open(context.Background())
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { cnxn.Close() })
	return cnxn, nil
}

func adbcQuery(ctx context.Context, cnxn adbc.Connection, sql string, params arrow.RecordBatch) ([][]string, error) {
	stmt, err := cnxn.NewStatement()
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	if params != nil {
		if err := stmt.SetSqlQuery(sql); err != nil {
			return nil, err
		}
		if err := stmt.Prepare(ctx); err != nil {
			return nil, err
		}
		if err := stmt.Bind(ctx, params); err != nil {
			return nil, err
		}
	} else if err := stmt.SetSqlQuery(sql); err != nil {
		return nil, err
	}
	rdr, _, err := stmt.ExecuteQuery(ctx)
	if err != nil {
		return nil, err
	}
	defer rdr.Release()
	return appendRows(nil, rdr)
}

// TestADBC drives the server with ADBC's Go Flight SQL driver, as
// notebooks do through its Python bindings.
func TestADBC(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh)
	_, addr := startServer(t, eng, mem)
	ctx := context.Background()
	q1 := readQuery(t, "q01.sql")
	want := inProcess(t, eng, "admin", q1)
	for _, user := range demoUsers {
		cnxn, err := adbcConnect(t, addr, user, user)
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		got, err := adbcQuery(ctx, cnxn, q1, nil)
		if err != nil {
			t.Fatalf("%s: Q1: %v", user, err)
		}
		if !atFlightScales(got, want) {
			t.Errorf("%s: Q1 over ADBC =\n%v\nwant\n%v", user, got, want)
		}
		tables := adbcTables(t, cnxn)
		if !slices.Contains(tables, "tpch.lineitem_v1") || len(tables) != 8 {
			t.Errorf("%s: GetObjects tables %v", user, tables)
		}
	}
	cnxn, err := adbcConnect(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := cnxn.GetTableSchema(ctx, nil, ptr("tpch"), "nation_v1")
	if err != nil || sc.NumFields() != 4 {
		t.Errorf("GetTableSchema: %v %v", sc, err)
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "p", Type: arrow.PrimitiveTypes.Int64}}, nil))
	bld.Field(0).(*array.Int64Builder).Append(3)
	params := bld.NewRecordBatch()
	bld.Release()
	defer params.Release()
	got, err := adbcQuery(ctx, cnxn, "SELECT n_name FROM nation WHERE n_nationkey = $1", params)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0][0] != "CANADA" {
		t.Errorf("prepared: %v", got)
	}
	_, err = adbcQuery(ctx, cnxn, "SELECT * FROM nosuch", nil)
	var ae adbc.Error
	if !errors.As(err, &ae) || ae.Code != adbc.StatusInvalidArgument || !strings.Contains(ae.Msg, "42P01") {
		t.Errorf("unknown table: %#v", err)
	}
	_, err = adbcConnect(t, addr, "analyst", "nope")
	if !errors.As(err, &ae) || ae.Code != adbc.StatusUnauthenticated || !strings.Contains(ae.Msg, "28P01") {
		t.Errorf("bad password: %#v", err)
	}
}

// adbcTables lists "schema.table" through GetObjects.
func adbcTables(t *testing.T, cnxn adbc.Connection) []string {
	t.Helper()
	rdr, err := cnxn.GetObjects(context.Background(), adbc.ObjectDepthTables, nil, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	var out []string
	for rdr.Next() {
		b := rdr.RecordBatch()
		schemas := b.Column(1).(*array.List)
		sst := schemas.ListValues().(*array.Struct)
		for i := 0; i < int(b.NumRows()); i++ {
			s0, s1 := schemas.ValueOffsets(i)
			for si := s0; si < s1; si++ {
				sname := sst.Field(0).(*array.String).Value(int(si))
				tl := sst.Field(1).(*array.List)
				tst := tl.ListValues().(*array.Struct)
				t0, t1 := tl.ValueOffsets(int(si))
				for ti := t0; ti < t1; ti++ {
					out = append(out, sname+"."+tst.Field(0).(*array.String).Value(int(ti)))
				}
			}
		}
	}
	if err := rdr.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
