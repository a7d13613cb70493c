package planner

import (
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
	out.Prepared = parse.Statement{Node: ps.Query, SQL: st.SQL, Offset: st.Offset, OffsetChars: st.OffsetChars}
	return out, nil
}

// analyzeExecute classifies EXECUTE name [(args)]. The arguments stay
// parsed: only the session knows the prepared statement's parameter
// types, and binding them from the tree keeps their positions in this
// statement's text for errors.
func analyzeExecute(es *pg_query.ExecuteStmt, out *Statement) (*Statement, error) {
	out.Kind, out.Name, out.Args = KindExecute, es.Name, es.Params
	return out, nil
}
