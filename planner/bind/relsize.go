package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// storageTable is the system table (served by the engine) that holds the
// bytes of each product's data by relation id: NULL where the source's
// size is unknown (a database, an object store, a derived product).
var storageTable = [2]string{"mesh", "storage"}

// sizeSubquery rewrites the relation size functions into a scalar
// subquery on the storage table,
//
//	(SELECT bytes FROM mesh.storage WHERE oid = rel::regclass)
//
// so that clients calling them per row of pg_class (DBeaver, pgAdmin)
// bind as a correlated subquery, and a relation meshql does not know has
// NULL, as in PostgreSQL. A product has no indexes: pg_indexes_size is 0
// where the size is known. nil for other names and arities.
func sizeSubquery(name string, fc *pg_query.FuncCall) *pg_query.Node {
	switch {
	case (name == "pg_total_relation_size" || name == "pg_table_size" || name == "pg_indexes_size") && len(fc.Args) == 1:
	case name == "pg_database_size" && len(fc.Args) == 1:
		return databaseSize(fc.Location)
	case name == "pg_relation_size" && (len(fc.Args) == 1 || len(fc.Args) == 2):
		// The fork argument names a part of PostgreSQL's storage; a
		// product's files are all its "main" fork.
	default:
		return nil
	}
	loc := fc.Location
	col := func(n string) *pg_query.Node {
		return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(n)}, loc)
	}
	rel := &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: fc.Args[0],
		TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode("regclass")}, Typemod: -1}, Location: loc}}}
	value := col("bytes")
	if name == "pg_indexes_size" {
		value = pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{pg_query.MakeStrNode("*")}, value, pg_query.MakeAConstIntNode(0, loc), loc)
	}
	where := pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{pg_query.MakeStrNode("=")}, col("oid"), rel, loc)
	return scalarSubquery(value, storageTable[0], storageTable[1], where, loc)
}

// databaseSize is pg_database_size of meshql's one database, the bytes of
// every product stored in local files (the session can see):
//
//	(SELECT sum(bytes) FROM mesh.storage)
func databaseSize(loc int32) *pg_query.Node {
	sum := &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: &pg_query.FuncCall{
		Funcname:   []*pg_query.Node{pg_query.MakeStrNode("sum")},
		Args:       []*pg_query.Node{pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode("bytes")}, loc)},
		Funcformat: pg_query.CoercionForm_COERCE_EXPLICIT_CALL, Location: loc}}}
	return scalarSubquery(sum, storageTable[0], storageTable[1], nil, loc)
}

// scalarSubquery is (SELECT value FROM schema.table [WHERE where]), the
// form the catalog functions are rewritten into.
func scalarSubquery(value *pg_query.Node, schema, table string, where *pg_query.Node, loc int32) *pg_query.Node {
	sel := &pg_query.SelectStmt{
		Op:          pg_query.SetOperation_SETOP_NONE,
		LimitOption: pg_query.LimitOption_LIMIT_OPTION_DEFAULT,
		TargetList:  []*pg_query.Node{pg_query.MakeResTargetNodeWithVal(value, loc)},
		FromClause:  []*pg_query.Node{pg_query.MakeFullRangeVarNode(schema, table, "", loc)},
		WhereClause: where,
	}
	return &pg_query.Node{Node: &pg_query.Node_SubLink{SubLink: &pg_query.SubLink{SubLinkType: pg_query.SubLinkType_EXPR_SUBLINK,
		Subselect: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}}, Location: loc}}}
}
