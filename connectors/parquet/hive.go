package parquet

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// hiveDefault is the folder value Hive and Spark write for a NULL key.
const hiveDefault = "__HIVE_DEFAULT_PARTITION__"

// hiveKeys is the hive partitioning of a table: the key=value folders
// between the path's fixed prefix and each file, the same keys in the same
// order for every file. Each key becomes a column after the files' own.
type hiveKeys struct {
	names []string
	types []sqltypes.Type // bigint if every value is an integer, date if every value is a date, else text
}

// hiveFolders returns the key=value folders of rel (a path below the
// source's fixed prefix), values URL-unescaped; "" values mean NULL.
func hiveFolders(rel string) (keys, vals []string) {
	dir := path.Dir(rel)
	if dir == "." || dir == "/" {
		return nil, nil
	}
	for _, seg := range strings.Split(dir, "/") {
		k, v, ok := strings.Cut(seg, "=")
		if !ok || k == "" {
			continue
		}
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		if v == hiveDefault {
			v = ""
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	return keys, vals
}

// inferHive decides the partition keys of files (their Rel paths) and
// parses each file's values. Files that disagree on the keys are an HV000
// error naming both.
func inferHive(paths, rels []string) (hiveKeys, [][]any, error) {
	var hk hiveKeys
	raw := make([][]string, len(rels))
	for i, rel := range rels {
		keys, vals := hiveFolders(rel)
		if i == 0 {
			hk.names = keys
		} else if strings.Join(keys, "/") != strings.Join(hk.names, "/") {
			return hk, nil, sqltypes.New(sqltypes.CodeFDWError, "parquet file %q has partition folders %v, but %q has %v", paths[i], keys, paths[0], hk.names).
				WithHint("Every file of a source must sit under the same key=value folders.")
		}
		raw[i] = vals
	}
	hk.types = make([]sqltypes.Type, len(hk.names))
	for k := range hk.names {
		hk.types[k] = sqltypes.TypeText
		for _, t := range []sqltypes.Type{sqltypes.TypeInt8, sqltypes.TypeDate} {
			if allParse(raw, k, t) {
				hk.types[k] = t
				break
			}
		}
	}
	vals := make([][]any, len(raw))
	for i, r := range raw {
		vals[i] = make([]any, len(r))
		for k, s := range r {
			if s == "" {
				continue // NULL
			}
			v, err := sqltypes.ParseValue(hk.types[k], s)
			if err != nil {
				return hk, nil, sqltypes.Wrap(err, sqltypes.CodeInternal, "partition value %q: %v", s, err)
			}
			vals[i][k] = v
		}
	}
	return hk, vals, nil
}

func allParse(raw [][]string, k int, t sqltypes.Type) bool {
	seen := false
	for _, r := range raw {
		if r[k] == "" {
			continue
		}
		if _, err := sqltypes.ParseValue(t, r[k]); err != nil {
			return false
		}
		if t.Kind == sqltypes.Date && len(r[k]) != len("2006-01-02") {
			return false // "20261101" parses as a date, but is meant as a number
		}
		seen = true
	}
	return seen
}

// fields returns the Arrow fields of the partition columns.
func (hk hiveKeys) fields(vals [][]any) []arrow.Field {
	out := make([]arrow.Field, len(hk.names))
	for k, n := range hk.names {
		nullable := false
		for _, v := range vals {
			nullable = nullable || v[k] == nil
		}
		out[k] = arrow.Field{Name: n, Type: hk.types[k].Arrow(), Nullable: nullable}
	}
	return out
}

// hiveRange is the statistics of a partition column over rows rows of one
// file: one value (or all NULL), which prunes files by their folders.
func hiveRange(t sqltypes.Type, v any, rows int64) connectors.ColumnRange {
	if v == nil {
		return connectors.ColumnRange{Type: t, NullCount: rows, Rows: rows}
	}
	return connectors.ColumnRange{Type: t, Min: v, Max: v, NullCount: 0, Rows: rows}
}

// constArray is a column of n copies of a partition value.
func constArray(dt arrow.DataType, v any, n int64, mem memory.Allocator) (arrow.Array, error) {
	var sc scalar.Scalar
	switch x := v.(type) {
	case nil:
		sc = scalar.MakeNullScalar(dt)
	case int64:
		sc = scalar.NewInt64Scalar(x)
	case arrow.Date32:
		sc = scalar.NewDate32Scalar(x)
	case string:
		sc = scalar.NewStringScalar(x)
	default:
		return nil, fmt.Errorf("partition value of type %T", v)
	}
	return scalar.MakeArrayFromScalar(sc, int(n), mem)
}
