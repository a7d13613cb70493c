package bind

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// pgjdbc's DatabaseMetaData (getPrimaryKeys, getIndexInfo, …) calls
// information_schema._pg_expandarray(arr) in a select list. It is a
// set-returning function of records (x, n): each element x of arr with its
// position n. The query selects a field, (f(arr)).n, or the whole record
// (f(arr) AS keys), of which an enclosing query selects (result.keys).x.
//
// meshql has neither set-returning functions in the select list nor
// composite values, so before binding such a SELECT it is rewritten:
//
//   - FROM gets `, LATERAL unnest(arr) WITH ORDINALITY AS <alias>(x, n)`:
//     for one argument this is what PostgreSQL 10+ computes (select-list
//     set-returning functions run in lockstep, one row per element);
//   - (f(arr)).x and (f(arr)).n become <alias>.x and <alias>.n;
//   - a whole record named k becomes two columns named "k.x" and "k.n",
//     which bindIndirection finds for (t.k).x and (t.k).n.
//
// A select list calling it with different arguments is left alone (and
// fails to bind, as before).

const (
	expandArrayFunc  = "_pg_expandarray"
	expandArrayAlias = "_pg_expandarray"
)

// rewriteExpandArray returns sel rewritten as above, or sel itself when
// its select list calls no _pg_expandarray. sel is not modified.
func rewriteExpandArray(sel *pg_query.SelectStmt) *pg_query.SelectStmt {
	var arg *pg_query.Node
	for _, tn := range sel.TargetList {
		fc, _ := expandArrayTarget(tn.GetResTarget().GetVal())
		if fc == nil {
			continue
		}
		if len(fc.Args) != 1 || (arg != nil && !sameExpr(arg, fc.Args[0])) {
			return sel
		}
		arg = fc.Args[0]
	}
	if arg == nil {
		return sel
	}
	out := proto.Clone(sel).(*pg_query.SelectStmt)
	var targets []*pg_query.Node
	for _, tn := range out.TargetList {
		rt := tn.GetResTarget()
		fc, field := expandArrayTarget(rt.GetVal())
		switch {
		case fc == nil:
			targets = append(targets, tn)
		case field != "":
			name := rt.Name
			if name == "" {
				name = field
			}
			targets = append(targets, resTarget(name, expandArrayField(field), rt.Location))
		default:
			name := rt.Name
			if name == "" {
				name = expandArrayFunc
			}
			targets = append(targets, resTarget(name+".x", expandArrayField("x"), rt.Location),
				resTarget(name+".n", expandArrayField("n"), rt.Location))
		}
	}
	out.TargetList = targets
	unnest := pg_query.MakeFuncCallNode([]*pg_query.Node{pg_query.MakeStrNode("unnest")}, []*pg_query.Node{arg}, -1)
	out.FromClause = append(out.FromClause, &pg_query.Node{Node: &pg_query.Node_RangeFunction{RangeFunction: &pg_query.RangeFunction{
		Lateral: true, Ordinality: true,
		Functions: []*pg_query.Node{pg_query.MakeListNode([]*pg_query.Node{unnest})},
		Alias:     &pg_query.Alias{Aliasname: expandArrayAlias, Colnames: []*pg_query.Node{pg_query.MakeStrNode("x"), pg_query.MakeStrNode("n")}},
	}}})
	return out
}

// expandArrayTarget recognizes f(arr) (field "") and (f(arr)).x / .n.
func expandArrayTarget(n *pg_query.Node) (*pg_query.FuncCall, string) {
	field := ""
	if ind := n.GetAIndirection(); ind != nil {
		if len(ind.Indirection) != 1 {
			return nil, ""
		}
		s := ind.Indirection[0].GetString_()
		if s == nil || (s.Sval != "x" && s.Sval != "n") {
			return nil, ""
		}
		field, n = s.Sval, ind.Arg
	}
	fc := n.GetFuncCall()
	if fc == nil || funcName(fc) != expandArrayFunc {
		return nil, ""
	}
	return fc, field
}

func expandArrayField(field string) *pg_query.Node {
	return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(expandArrayAlias), pg_query.MakeStrNode(field)}, -1)
}

func resTarget(name string, val *pg_query.Node, loc int32) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Name: name, Val: val, Location: loc}}}
}

// sameExpr reports whether two expressions are the same but for their
// positions in the query text.
func sameExpr(a, b *pg_query.Node) bool {
	a, b = proto.Clone(a).(*pg_query.Node), proto.Clone(b).(*pg_query.Node)
	clearLocations(a.ProtoReflect())
	clearLocations(b.ProtoReflect())
	return proto.Equal(a, b)
}

func clearLocations(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Name() == "location":
			m.Clear(fd)
		case fd.IsList() && fd.Message() != nil:
			for i := range v.List().Len() {
				clearLocations(v.List().Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			clearLocations(v.Message())
		}
		return true
	})
}

// resolves reports whether the column reference names a column of s or
// of an enclosing scope.
func (s *scope) resolves(cr *pg_query.ColumnRef) bool {
	table, name := "", cr.Fields[len(cr.Fields)-1].GetString_().GetSval()
	if len(cr.Fields) == 2 {
		table = cr.Fields[0].GetString_().GetSval()
	}
	for sc := s; sc != nil; sc = sc.parent {
		for _, c := range sc.cols {
			if c.name == name && (table == "" || c.table == table) {
				return true
			}
		}
	}
	return false
}
