package expr

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// jsonb orders, groups and compares by its sort key
// (sqltypes.AppendJSONBSortKey): bytes whose order is PostgreSQL's jsonb
// btree order and whose equality is jsonb's =. Operators compare keys;
// operators that sort, group, join or deduplicate on a jsonb expression
// evaluate its key (SortKeyOf) or key it with JSONBSortKeys, so 1, 1.0
// and 1.00 are one value everywhere.

// JSONBSortKeys returns the sort key of every row of the jsonb array a as
// a binary array with a's NULLs; of a jsonb[] array, the array of its
// elements' keys (bytea[], same shape), which orders and groups as
// PostgreSQL's jsonb[] does. 22P02 if a value is not JSON (values that
// reached a jsonb column always are).
func JSONBSortKeys(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	if l, ok := a.(*array.List); ok {
		return mapListValues(l, func(vals arrow.Array) (arrow.Array, error) { return JSONBSortKeys(mem, vals) })
	}
	n := a.Len()
	v := viewOf(a)
	out := newStrOut(mem, n, 2*len(v.data))
	var key []byte
	for i := range n {
		if a.IsNull(i) {
			out.addNull()
			continue
		}
		var err error
		if key, err = sqltypes.AppendJSONBSortKey(key[:0], v.str(i)); err != nil {
			out.release()
			return nil, err
		}
		out.add(key)
	}
	return out.finish(arrow.BinaryTypes.Binary)
}

// SortKeyOf returns e where e's values order and group as themselves,
// and for a jsonb or range (or an array of them) e the expression of its
// sort keys (bytea, bytea[]), for operators that sort, group or join on e
// without returning it. It renders as e in EXPLAIN.
func SortKeyOf(e Expr) Expr {
	if rt := e.Type().Leaf(); rt.IsRange() {
		return &sortKeyExpr{e: e, t: jsonbKeyType(e.Type()), keys: func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
			return RangeSortKeys(mem, rt, a)
		}}
	}
	if !e.Type().HasKind(sqltypes.JSONB) {
		return e
	}
	return &sortKeyExpr{e: e, t: jsonbKeyType(e.Type()), keys: JSONBSortKeys}
}

// mapListValues returns l with its values replaced by f of them (same
// offsets and NULLs).
func mapListValues(l *array.List, f func(vals arrow.Array) (arrow.Array, error)) (arrow.Array, error) {
	child, err := f(l.ListValues())
	if err != nil {
		return nil, err
	}
	defer child.Release()
	d := l.Data()
	nd := array.NewData(arrow.ListOf(child.DataType()), d.Len(), d.Buffers(), []arrow.ArrayData{child.Data()}, d.NullN(), d.Offset())
	defer nd.Release()
	return array.MakeFromData(nd), nil
}

// jsonbKeyType is the type of the sort keys of values of type t.
func jsonbKeyType(t sqltypes.Type) sqltypes.Type {
	if t.Kind == sqltypes.List {
		return sqltypes.ListOf(jsonbKeyType(*t.Elem))
	}
	return sqltypes.TypeBytea
}

// sortKeyExpr is the sort key of a jsonb or range (or array of them)
// expression, computed by keys.
type sortKeyExpr struct {
	e    Expr
	t    sqltypes.Type
	keys func(mem memory.Allocator, a arrow.Array) (arrow.Array, error)
}

func (e *sortKeyExpr) Type() sqltypes.Type { return e.t }
func (e *sortKeyExpr) String() string      { return e.e.String() }
func (e *sortKeyExpr) children() []Expr    { return []Expr{e.e} }
func (e *sortKeyExpr) withChildren(ch []Expr) Expr {
	return &sortKeyExpr{e: ch[0], t: e.t, keys: e.keys}
}

func (e *sortKeyExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	a, err := e.e.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return e.keys(env.Mem, a)
}

// jsonbKeysOf returns the sort key of every row of a jsonb array (nil for
// NULL rows), on the Go heap, for comparisons that ignore validity.
func jsonbKeysOf(a arrow.Array) ([][]byte, error) {
	v := viewOf(a)
	keys := make([][]byte, a.Len())
	var buf []byte
	for i := range keys {
		if a.IsNull(i) {
			continue
		}
		start := len(buf)
		var err error
		if buf, err = sqltypes.AppendJSONBSortKey(buf, v.str(i)); err != nil {
			return nil, err
		}
		keys[i] = buf[start:len(buf):len(buf)]
	}
	// buf may have moved while growing: slice the final buffer.
	pos := 0
	for i, k := range keys {
		if k != nil {
			keys[i] = buf[pos : pos+len(k) : pos+len(k)]
			pos += len(k)
		}
	}
	return keys, nil
}

// jsonbCompare is rawCompare for two jsonb arrays: a bitmap of "a[i] op
// b[i]" in jsonb's order (NULL rows: false).
func jsonbCompare(mem memory.Allocator, op BinaryOp, a, b arrow.Array) (*memory.Buffer, error) {
	ka, err := jsonbKeysOf(a)
	if err != nil {
		return nil, err
	}
	kb, err := jsonbKeysOf(b)
	if err != nil {
		return nil, err
	}
	buf, out := allocBitmap(mem, a.Len())
	rowsCmp(a.Len(), out, func(i int) bool { return cmpOpHolds(op, bytes.Compare(ka[i], kb[i])) })
	return buf, nil
}

// jsonbArrayCompare is rawCompare for two one-dimensional jsonb[] arrays:
// compareArrays over the elements' sort keys, each element's key encoded
// at most once per batch, and only if a comparison reaches it. ok is false
// for arrays of several dimensions, and if an element is not JSON (never
// so in a jsonb column): compareDatums then orders them.
func jsonbArrayCompare(mem memory.Allocator, op BinaryOp, a, b arrow.Array) (buf *memory.Buffer, ok bool) {
	la, aok := a.(*array.List)
	lb, bok := b.(*array.List)
	if !aok || !bok {
		return nil, false
	}
	ka, kb := newLazyJSONBKeys(la.ListValues()), newLazyJSONBKeys(lb.ListValues())
	if ka == nil || kb == nil {
		return nil, false
	}
	failed := false
	cmp := func(i int) int {
		sa, fa := la.ValueOffsets(i)
		sb, fb := lb.ValueOffsets(i)
		for x, y := int(sa), int(sb); x < int(fa) && y < int(fb); x, y = x+1, y+1 {
			xk, xerr := ka.key(x)
			yk, yerr := kb.key(y)
			switch {
			case xerr != nil || yerr != nil:
				failed = true
				return 0
			case xk == nil && yk == nil:
				continue
			case xk == nil: // NULL after every value
				return 1
			case yk == nil:
				return -1
			}
			if c := bytes.Compare(xk, yk); c != 0 {
				return c
			}
		}
		return cmpInt(fa-sa, fb-sb)
	}
	buf, out := allocBitmap(mem, a.Len())
	rowsCmp(a.Len(), out, func(i int) bool { return cmpOpHolds(op, cmp(i)) })
	if failed {
		buf.Release()
		return nil, false
	}
	return buf, true
}

// lazyJSONBKeys encodes the sort keys of a jsonb array's values on first
// use, into one buffer.
type lazyJSONBKeys struct {
	a    arrow.Array
	v    strView
	buf  []byte
	span [][2]int32 // of value i in buf; {0, -1} until encoded
}

// newLazyJSONBKeys returns nil unless a holds strings (not nested arrays).
func newLazyJSONBKeys(a arrow.Array) *lazyJSONBKeys {
	if id := a.DataType().ID(); id != arrow.STRING && id != arrow.BINARY {
		return nil
	}
	k := &lazyJSONBKeys{a: a, v: viewOf(a), span: make([][2]int32, a.Len())}
	for i := range k.span {
		k.span[i][1] = -1
	}
	return k
}

// key returns value i's sort key (nil for NULL), valid until the next call.
func (k *lazyJSONBKeys) key(i int) ([]byte, error) {
	if k.a.IsNull(i) {
		return nil, nil
	}
	if sp := k.span[i]; sp[1] >= 0 {
		return k.buf[sp[0]:sp[1]:sp[1]], nil
	}
	start := len(k.buf)
	var err error
	if k.buf, err = sqltypes.AppendJSONBSortKey(k.buf, k.v.str(i)); err != nil {
		return nil, err
	}
	k.span[i] = [2]int32{int32(start), int32(len(k.buf))}
	return k.buf[start:len(k.buf):len(k.buf)], nil
}

// cmpOpHolds reports whether a comparison whose three-way result is c
// satisfies op, one of the six comparison operators.
func cmpOpHolds(op BinaryOp, c int) bool {
	p := planOf(op)
	if p.swap {
		c = -c
	}
	return cmpResult(p.eq, c) != p.inv
}

// jsonbCmpExpr is l op r over jsonb for the six comparison operators.
type jsonbCmpExpr struct {
	op   BinaryOp
	l, r Expr
}

func (e *jsonbCmpExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *jsonbCmpExpr) children() []Expr    { return []Expr{e.l, e.r} }
func (e *jsonbCmpExpr) withChildren(ch []Expr) Expr {
	return &jsonbCmpExpr{op: e.op, l: ch[0], r: ch[1]}
}
func (e *jsonbCmpExpr) String() string { return fmt.Sprintf("(%s %s %s)", e.l, e.op, e.r) }

func (e *jsonbCmpExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalArgs(ctx, env, b, e.l, e.r)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	ka, err := jsonbKeysOf(args[0])
	if err != nil {
		return nil, err
	}
	kb, err := jsonbKeysOf(args[1])
	if err != nil {
		return nil, err
	}
	return boolRows(env.Mem, int(b.NumRows()), args, func(i int) (bool, bool, error) {
		return cmpOpHolds(e.op, bytes.Compare(ka[i], kb[i])), false, nil
	})
}
