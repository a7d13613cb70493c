package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// pgClassOID is pg_class's own OID, pg_description.classoid of a relation's
// and its columns' comments.
const pgClassOID = 1259

// descriptionSubquery rewrites col_description(rel, attnum) and
// obj_description(oid [, catalog]) into what they mean, a scalar subquery
// on pg_description:
//
//	(SELECT description FROM pg_catalog.pg_description
//	 WHERE objoid = rel AND classoid = 1259 AND objsubid = attnum)
//
// so that psql's \d+ and SQLAlchemy's reflection, which call them per row
// of pg_attribute or pg_class, bind as a correlated subquery with equality
// correlations. nil for other arities.
func descriptionSubquery(name string, fc *pg_query.FuncCall) *pg_query.Node {
	col := func(n string) *pg_query.Node {
		return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(n)}, fc.Location)
	}
	eq := func(l, r *pg_query.Node) *pg_query.Node {
		return pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{pg_query.MakeStrNode("=")}, l, r, fc.Location)
	}
	var conds []*pg_query.Node
	switch {
	case name == "col_description" && len(fc.Args) == 2:
		conds = []*pg_query.Node{eq(col("objoid"), fc.Args[0]), eq(col("classoid"), pg_query.MakeAConstIntNode(pgClassOID, fc.Location)),
			eq(col("objsubid"), fc.Args[1])}
	case name == "obj_description" && len(fc.Args) == 1:
		conds = []*pg_query.Node{eq(col("objoid"), fc.Args[0]), eq(col("objsubid"), pg_query.MakeAConstIntNode(0, fc.Location))}
	case name == "obj_description" && len(fc.Args) == 2:
		regclass := &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: fc.Args[1],
			TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode("regclass")}, Typemod: -1}}}}
		conds = []*pg_query.Node{eq(col("objoid"), fc.Args[0]), eq(col("classoid"), regclass),
			eq(col("objsubid"), pg_query.MakeAConstIntNode(0, fc.Location))}
	default:
		return nil
	}
	return scalarSubquery(col("description"), "pg_catalog", "pg_description", pg_query.MakeBoolExprNode(pg_query.BoolExprType_AND_EXPR, conds, fc.Location), fc.Location)
}
