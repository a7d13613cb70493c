package expr

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// inExpr is e [NOT] IN (list): TRUE if e equals an element; otherwise NULL
// if e or any element is NULL; otherwise FALSE (NOT IN negates TRUE and
// FALSE, NULL stays NULL). An all-literal list is a hash set.
type inExpr struct {
	e       Expr
	list    []Expr
	negated bool
	set     *inSet // nil unless every element is a literal of a hashable type
}

// inSet holds the literal elements by their physical value.
type inSet struct {
	ints   map[int64]struct{}
	floats map[float64]struct{}
	hasNaN bool
	decs   map[decimal128.Num]struct{}
	strs   map[string]struct{}
	// short holds strs packed by packShort when there are few and all
	// are short (TPC-H Q22's country codes '13', '31', …): a row is then
	// looked up by a few integer compares instead of hashing its string.
	short   []uint64
	bools   [2]bool
	hasNull bool
}

// In returns e IN (list), or NOT IN when negated. Elements are converted
// to e's type where needed.
func In(e Expr, list []Expr, negated bool) Expr {
	if e.Type().Kind == sqltypes.Unknown && len(list) > 0 {
		e = coerceTo(e, list[0].Type())
	}
	t := e.Type()
	l := make([]Expr, len(list))
	for i, x := range list {
		l[i] = coerceTo(x, t)
	}
	if t.Kind == sqltypes.Bpchar {
		// Members compare as bpchar's = does, without trailing blanks.
		e = coerceTo(e, sqltypes.TypeText)
		for i := range l {
			l[i] = coerceTo(coerceTo(l[i], sqltypes.Type{Kind: sqltypes.Bpchar}), sqltypes.TypeText)
		}
		t = sqltypes.TypeText
	}
	return &inExpr{e: e, list: l, negated: negated, set: buildInSet(t, l)}
}

func buildInSet(t sqltypes.Type, list []Expr) *inSet {
	s := &inSet{}
	switch t.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ:
		s.ints = map[int64]struct{}{}
	case sqltypes.Float4, sqltypes.Float8:
		s.floats = map[float64]struct{}{}
	case sqltypes.Numeric:
		s.decs = map[decimal128.Num]struct{}{}
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.JSON, sqltypes.Bytea:
		// Not jsonb, whose equal values may differ in text (1.0 = 1):
		// its members compare one by one.
		s.strs = map[string]struct{}{}
	case sqltypes.Bool:
	default:
		return nil
	}
	for _, x := range list {
		v, ok := IsLiteral(x)
		if !ok || !x.Type().Equal(t) && !(x.Type().IsString() && t.IsString()) {
			return nil
		}
		switch y := v.(type) {
		case nil:
			s.hasNull = true
		case int16:
			s.ints[int64(y)] = struct{}{}
		case int32:
			s.ints[int64(y)] = struct{}{}
		case int64:
			s.ints[y] = struct{}{}
		case arrow.Date32:
			s.ints[int64(y)] = struct{}{}
		case arrow.Timestamp:
			s.ints[int64(y)] = struct{}{}
		case float32:
			s.addFloat(float64(y))
		case float64:
			s.addFloat(y)
		case decimal128.Num:
			s.decs[y] = struct{}{}
		case string:
			s.strs[y] = struct{}{}
		case []byte:
			s.strs[string(y)] = struct{}{}
		case bool:
			s.bools[b2u(y)] = true
		default:
			return nil
		}
	}
	if s.strs != nil && len(s.strs) <= maxShortMembers {
		for m := range s.strs {
			if len(m) > 7 {
				s.short = nil
				break
			}
			s.short = append(s.short, packShort([]byte(m)))
		}
	}
	return s
}

// maxShortMembers is the most members inSet.short holds: beyond, one
// hash lookup costs less than comparing with each.
const maxShortMembers = 16

// packShort packs a string of at most 7 bytes into one integer, its
// bytes in the low 7 and its length in the top one, so that two strings
// are equal exactly when their packings are.
func packShort(b []byte) uint64 {
	k := uint64(len(b)) << 56
	for j, c := range b {
		k |= uint64(c) << (8 * j)
	}
	return k
}

// shortLookup sets bit i of out when row i of v is one of short's
// packings (inSet.short).
func shortLookup(v strView, n int, short []uint64, out []byte) {
	rowsCmp(n, out, func(i int) bool {
		b := v.bytes(i)
		if len(b) > 7 {
			return false
		}
		k := packShort(b)
		for _, m := range short {
			if m == k {
				return true
			}
		}
		return false
	})
}

func (s *inSet) addFloat(f float64) {
	if math.IsNaN(f) {
		s.hasNaN = true
		return
	}
	s.floats[f] = struct{}{}
}

func (e *inExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *inExpr) children() []Expr    { return append([]Expr{e.e}, e.list...) }
func (e *inExpr) withChildren(ch []Expr) Expr {
	return &inExpr{e: ch[0], list: ch[1:], negated: e.negated, set: e.set}
}

func (e *inExpr) String() string {
	parts := make([]string, len(e.list))
	for i, x := range e.list {
		parts[i] = x.String()
	}
	op := "IN"
	if e.negated {
		op = "NOT IN"
	}
	return fmt.Sprintf("(%s %s (%s))", e.e, op, strings.Join(parts, ", "))
}

func (e *inExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if e.set != nil {
		return e.evalSet(ctx, env, b)
	}
	args, err := evalArgs(ctx, env, b, append([]Expr{e.e}, e.list...)...)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	n := int(b.NumRows())
	mem := env.Mem
	a := args[0]
	found, fb := allocBitmap(mem, n)
	anyNull, nb := allocBitmap(mem, n)
	defer found.Release()
	defer anyNull.Release()
	for k, x := range args[1:] {
		eq, err := rawCompare(mem, OpEq, e.e.Type(), e.list[k].Type(), a, x)
		if err != nil {
			return nil, err
		}
		vl := validBytes(mem, x)
		eb, lb := eq.Bytes(), vl.Bytes()
		for i := range fb {
			fb[i] |= eb[i] & lb[i]
			nb[i] |= ^lb[i]
		}
		eq.Release()
		vl.Release()
	}
	return e.finish(env, a, fb, nb), nil
}

// finish combines "found" and "some element NULL" with e's validity.
func (e *inExpr) finish(env *executor.Env, a arrow.Array, fb, nb []byte) arrow.Array {
	n := a.Len()
	ve := validBytes(env.Mem, a)
	mb := ve.Bytes()
	vals, vb := allocBitmap(env.Mem, n)
	for i := range vb {
		mb[i] &= fb[i] | ^nb[i]
		v := fb[i]
		if e.negated {
			v = ^v
		}
		vb[i] = v & mb[i]
	}
	return boolArray(n, vals, ve)
}

func (e *inExpr) evalSet(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, err := e.e.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	n := a.Len()
	s := e.set
	found, fb := allocBitmap(env.Mem, n)
	defer found.Release()
	switch a.DataType().ID() {
	case arrow.INT16:
		setLookup(values[int16](a), s.ints, fb)
	case arrow.INT32, arrow.DATE32:
		setLookup(values[int32](a), s.ints, fb)
	case arrow.INT64, arrow.TIMESTAMP, arrow.TIME64:
		setLookup(values[int64](a), s.ints, fb)
	case arrow.FLOAT32:
		v := values[float32](a)
		rowsCmp(n, fb, func(i int) bool { return s.hasFloat(float64(v[i])) })
	case arrow.FLOAT64:
		v := values[float64](a)
		rowsCmp(n, fb, func(i int) bool { return s.hasFloat(v[i]) })
	case arrow.DECIMAL128:
		v := values[decimal128.Num](a)
		rowsCmp(n, fb, func(i int) bool { _, ok := s.decs[v[i]]; return ok })
	case arrow.STRING, arrow.BINARY:
		v := viewOf(a)
		if s.short != nil {
			shortLookup(v, n, s.short, fb)
			break
		}
		rowsCmp(n, fb, func(i int) bool { _, ok := s.strs[v.str(i)]; return ok })
	case arrow.BOOL:
		bs, off := a.Data().Buffers()[1].Bytes(), a.Data().Offset()
		rowsCmp(n, fb, func(i int) bool { return s.bools[b2u(validAt(bs, off, i))] })
	}
	nulls := make([]byte, len(fb))
	if s.hasNull {
		setBitsTrue(nulls, n)
	}
	return e.finish(env, a, fb, nulls), nil
}

func (s *inSet) hasFloat(f float64) bool {
	if f != f {
		return s.hasNaN
	}
	_, ok := s.floats[f]
	return ok
}

func setLookup[T int16 | int32 | int64](v []T, set map[int64]struct{}, out []byte) {
	var acc byte
	for i := range v {
		_, ok := set[int64(v[i])]
		acc |= b2u(ok) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if len(v)&7 != 0 {
		out[len(v)>>3] = acc
	}
}
