package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// analyzePrepare classifies PREPARE name [(types)] AS query. The query is
// bound by the session, which keeps it under name; only queries can be
// prepared, as meshql runs nothing else.
func analyzePrepare(ps *pg_query.PrepareStmt, st parse.Statement, out *Statement) (*Statement, error) {
	if ps.Query.GetSelectStmt() == nil {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "PREPARE is supported for queries only: meshql serves read-only queries")
	}
	for _, a := range ps.Argtypes {
		// A parameter has no type modifier in PostgreSQL: numeric(10,2)
		// declares numeric (EXECUTE p(1.555) keeps three digits).
		tn := a.GetTypeName()
		t, err := bind.ResolveTypeName(&pg_query.TypeName{Names: tn.GetNames(), ArrayBounds: tn.GetArrayBounds(), Location: tn.GetLocation()})
		if err != nil {
			return nil, err
		}
		out.ParamTypes = append(out.ParamTypes, t)
	}
	out.Kind, out.Name, out.Tag = KindPrepare, ps.Name, "PREPARE"
	out.Prepared = parse.Statement{Node: ps.Query, SQL: st.SQL, Offset: st.Offset}
	return out, nil
}

// analyzeExecute classifies EXECUTE name [(args)], keeping each argument
// as SQL text: the session evaluates them at the prepared statement's
// parameter types, which only it knows.
func analyzeExecute(es *pg_query.ExecuteStmt, out *Statement) (*Statement, error) {
	out.Kind, out.Name = KindExecute, es.Name
	for _, p := range es.Params {
		sel := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
			TargetList: []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: p}}}},
		}}}
		text, err := parse.Deparse(sel)
		if err != nil {
			return nil, sqltypes.New(sqltypes.CodeSyntaxError, "EXECUTE parameter: %v", err)
		}
		out.Args = append(out.Args, strings.TrimPrefix(text, "SELECT "))
	}
	return out, nil
}
