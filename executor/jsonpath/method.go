package jsonpath

import (
	"math"
	"strconv"

	"github.com/meshql/meshql/sqltypes"
)

var typeNames = map[sqltypes.JSONBKind]string{
	sqltypes.JSONBNull: "null", sqltypes.JSONBBool: "boolean", sqltypes.JSONBNumber: "number",
	sqltypes.JSONBString: "string", sqltypes.JSONBArray: "array", sqltypes.JSONBObject: "object",
}

func (x *exec) method(n *node, cur item, unwrap bool, s *sink) error {
	switch n.s {
	case "type":
		if cur.dt != nil {
			return x.next(n, scalar(sqltypes.JSONBString, dtTypeNames[cur.dt.kind]), s)
		}
		return x.next(n, scalar(sqltypes.JSONBString, typeNames[cur.v.Kind]), s)
	case "size":
		size := 1
		if cur.v.Kind == sqltypes.JSONBArray {
			size = len(cur.v.Elems)
		} else if !x.lax() && !x.ignoreStructural {
			return structural("22039", "jsonpath item method .size() can only be applied to an array")
		}
		return x.next(n, scalar(sqltypes.JSONBNumber, strconv.Itoa(size)), s)
	}
	if unwrap && cur.v.Kind == sqltypes.JSONBArray {
		return x.unwrapArray(n, cur, s)
	}
	switch n.s {
	case "datetime":
		return x.datetimeMethod(n, cur, s)
	case "keyvalue":
		return x.keyvalue(n, cur, s)
	case "double":
		v, err := double(cur.v)
		if err != nil {
			return err
		}
		return x.next(n, v, s)
	}
	if cur.v.Kind != sqltypes.JSONBNumber {
		return sqltypes.New("22036", "jsonpath item method .%s() can only be applied to a numeric value", n.s)
	}
	v := parseNum(cur.v.Scalar)
	switch n.s {
	case "abs":
		v = v.abs()
	case "floor":
		v = v.floor()
	case "ceiling":
		v = v.ceil()
	}
	return x.next(n, scalar(sqltypes.JSONBNumber, v.String()), s)
}

// double is .double(): a number as it is (if a double holds it), a
// string read as a double and printed as numeric takes a double (15
// significant digits).
func double(v *jv) (item, error) {
	switch v.Kind {
	case sqltypes.JSONBNumber:
		f, err := strconv.ParseFloat(v.Scalar, 64)
		if err != nil || math.IsInf(f, 0) {
			return item{}, sqltypes.New("22036", "numeric argument of jsonpath item method .double() is out of range for type double precision")
		}
		return item{v: v}, nil
	case sqltypes.JSONBString:
		f, ok := parseFloat8(v.Scalar)
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return item{}, sqltypes.New("22036", "string argument of jsonpath item method .double() is not a valid representation of a double precision number")
		}
		return scalar(sqltypes.JSONBNumber, numFromFloat(f).String()), nil
	}
	return item{}, sqltypes.New("22036", "jsonpath item method .double() can only be applied to a string or numeric value")
}

// parseFloat8 reads text as float8in does (sqltypes.ParseFloat:
// surrounding blanks allowed, overflow and underflow an error).
func parseFloat8(s string) (float64, bool) {
	f, err := sqltypes.ParseFloat(s, 64)
	return f, err == nil
}

// keyvalue is .keyvalue(): one object {"id", "key", "value"} per member,
// id being PostgreSQL's: the object's byte offset inside the binary jsonb
// it lives in, plus 10^10 times that container's number (0 the document,
// 1 the vars, 2 on for objects keyvalue() made).
func (x *exec) keyvalue(n *node, cur item, s *sink) error {
	if cur.v.Kind != sqltypes.JSONBObject {
		return sqltypes.New("2203C", "jsonpath item method .keyvalue() can only be applied to an object")
	}
	var id int64
	if cur.base != nil {
		id = cur.base.id*10_000_000_000 + cur.base.offset(cur.v)
	}
	idText := strconv.FormatInt(id, 10)
	for i, k := range cur.v.Keys {
		obj := &jv{Kind: sqltypes.JSONBObject, Keys: []string{"id", "key", "value"}, Elems: []jv{
			{Kind: sqltypes.JSONBNumber, Scalar: idText},
			{Kind: sqltypes.JSONBString, Scalar: k},
			cur.v.Elems[i],
		}}
		b := &base{id: x.nextID, root: obj}
		x.nextID++
		if err := x.next(n, item{v: obj, base: b}, s); err != nil {
			return err
		}
	}
	return nil
}
