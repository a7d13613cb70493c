package bind

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// walkChildren calls visit for every Node directly below n (through any
// intermediate non-Node messages), using protobuf reflection so that every
// node type is covered without a hand-written switch.
func walkChildren(n *pg_query.Node, visit func(*pg_query.Node)) {
	walkMsg(n.ProtoReflect(), visit)
}

func walkMsg(m protoreflect.Message, visit func(*pg_query.Node)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		handle := func(cm protoreflect.Message) {
			if node, ok := cm.Interface().(*pg_query.Node); ok {
				visit(node)
				return
			}
			walkMsg(cm, visit)
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				handle(l.Get(i).Message())
			}
		} else if !fd.IsMap() {
			handle(v.Message())
		}
		return true
	})
}

// locations is leftmost of each of ns.
func locations(ns []*pg_query.Node) []int {
	out := make([]int, len(ns))
	for i, n := range ns {
		out[i] = leftmost(n)
	}
	return out
}

// leftmost is where the expression n starts, as PostgreSQL's
// exprLocation reports it for an error about a whole value: 'a'::text
// and x + 1 start at their left operand, not at :: or +.
func leftmost(n *pg_query.Node) int {
	first := func(loc int, inner *pg_query.Node) int {
		if l := leftmost(inner); l >= 0 && (loc < 0 || l < loc) {
			return l
		}
		return loc
	}
	switch {
	case n.GetTypeCast() != nil:
		return first(int(n.GetTypeCast().Location), n.GetTypeCast().Arg)
	case n.GetAExpr() != nil && n.GetAExpr().Lexpr != nil:
		return first(int(n.GetAExpr().Location), n.GetAExpr().Lexpr)
	case n.GetCollateClause() != nil:
		return first(int(n.GetCollateClause().Location), n.GetCollateClause().Arg)
	}
	return location(n)
}

// location returns a node's parse location (0-based byte offset), or -1.
func location(n *pg_query.Node) int {
	if n == nil {
		return -1
	}
	loc := -1
	m := n.ProtoReflect()
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() {
			inner := v.Message()
			if f := inner.Descriptor().Fields().ByName("location"); f != nil {
				loc = int(inner.Get(f).Int())
			}
		}
		return false
	})
	return loc
}

func itoa(n int) string { return strconv.Itoa(n) }
