package engine

import (
	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

// A product's primary key (the columns whose descriptor constraints list
// primary_key, in column order) appears in pg_catalog as PostgreSQL shows
// a table's: a unique index <table>_pkey in pg_class and pg_index and a
// constraint of type 'p' in pg_constraint. Clients read primary keys from
// there (pgjdbc's getPrimaryKeys, SQLAlchemy's get_pk_constraint, psql's
// \d). meshql enforces nothing: the descriptor is a declaration.

const (
	indexRelKind = "i"
	btreeAMOID   = 403
)

// primaryKey returns the 1-based positions of p's primary key columns; nil
// when it declares none.
func primaryKey(p *catalog.Product) []int16 {
	var out []int16
	for i, c := range p.Columns {
		if c.PrimaryKey() {
			out = append(out, int16(i+1))
		}
	}
	return out
}

func pkeyName(p *catalog.Product) string    { return p.TableName() + "_pkey" }
func pkeyIndexOID(p *catalog.Product) int32 { return int32(stableOID("index", p.QualifiedName())) }
func pkeyConOID(p *catalog.Product) int32   { return int32(stableOID("constraint", p.QualifiedName())) }

// keyList is an int2vector/int2[] value.
func keyList(keys []int16) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

var tInt2s = sqltypes.ListOf(sqltypes.TypeInt2)

// tOIDs is oidvector and oid[].
var tOIDs = sqltypes.ListOf(sqltypes.TypeInt4)

// oidList is n zero oids: pg_index's indcollation and indclass of a
// primary key (meshql lists no collations of key columns and no operator
// classes).
func oidList(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = int32(0)
	}
	return out
}

func pgIndexTable() sysTable {
	return sysTable{schema: "pg_catalog", name: "pg_index", cols: []sysColumn{
		{"indexrelid", tInt4}, {"indrelid", tInt4}, {"indnatts", tInt2}, {"indnkeyatts", tInt2}, {"indisunique", tBool},
		{"indnullsnotdistinct", tBool}, {"indisprimary", tBool}, {"indisexclusion", tBool}, {"indimmediate", tBool}, {"indisclustered", tBool},
		{"indisvalid", tBool}, {"indcheckxmin", tBool}, {"indisready", tBool}, {"indislive", tBool}, {"indisreplident", tBool},
		{"indkey", tInt2s}, {"indcollation", tOIDs}, {"indclass", tOIDs}, {"indoption", tInt2s}, {"indexprs", tText}, {"indpred", tText},
	}, rows: func(s *Session) [][]any {
		return primaryKeyRows(s, func(p *catalog.Product, keys []int16) []any {
			return []any{pkeyIndexOID(p), classOID(p), int16(len(keys)), int16(len(keys)), true,
				false, true, false, true, false, true, false, true, true, false, keyList(keys), oidList(len(keys)), oidList(len(keys)), keyList(make([]int16, len(keys))), nil, nil}
		})
	}}
}

func pgConstraintTable() sysTable {
	return inPostgresOrder(sysTable{schema: "pg_catalog", name: "pg_constraint", cols: []sysColumn{
		{"oid", tInt4}, {"conname", tText}, {"connamespace", tInt4}, {"contype", tText}, {"condeferrable", tBool},
		{"condeferred", tBool}, {"convalidated", tBool}, {"conrelid", tInt4}, {"contypid", tInt4}, {"conindid", tInt4},
		{"conparentid", tInt4}, {"confrelid", tInt4}, {"confupdtype", tText}, {"confdeltype", tText}, {"confmatchtype", tText},
		{"conislocal", tBool}, {"coninhcount", tInt4}, {"connoinherit", tBool}, {"conkey", tInt2s}, {"confkey", tInt2s},
		{"conbin", tText},
	}, rows: func(s *Session) [][]any {
		return primaryKeyRows(s, func(p *catalog.Product, keys []int16) []any {
			return []any{pkeyConOID(p), pkeyName(p), int32(stableOID("namespace", p.Domain)), "p", false,
				false, true, classOID(p), int32(0), pkeyIndexOID(p),
				int32(0), int32(0), " ", " ", " ", true, int32(0), true, keyList(keys), nil, nil}
		})
	}}, `oid conname connamespace contype condeferrable condeferred convalidated conrelid contypid conindid conparentid
		confrelid confupdtype confdeltype confmatchtype conislocal coninhcount connoinherit conkey confkey conpfeqop
		conppeqop conffeqop confdelsetcols conexclop conbin`,
		// Operators of foreign keys and exclusion constraints, which
		// meshql has none of.
		catalogConstant{sysColumn{"conpfeqop", tOIDs}, nil}, catalogConstant{sysColumn{"conppeqop", tOIDs}, nil},
		catalogConstant{sysColumn{"conffeqop", tOIDs}, nil}, catalogConstant{sysColumn{"confdelsetcols", tInt2s}, nil},
		catalogConstant{sysColumn{"conexclop", tOIDs}, nil})
}

// primaryKeyRows lists row(p, keys) for each visible product p with a
// primary key.
func primaryKeyRows(s *Session, row func(p *catalog.Product, keys []int16) []any) [][]any {
	var out [][]any
	for _, p := range s.visibleProducts() {
		if keys := primaryKey(p); keys != nil {
			out = append(out, row(p, keys))
		}
	}
	return out
}
