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
