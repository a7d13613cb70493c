package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// json(b)_to_record and json(b)_to_recordset are, to the executor, two
// internal functions. JSONRecordRowsFunc(srf)(doc, key1, raw1, ...,
// keyN, rawN) is, per row, a list of one text[] per object doc holds (one
// object for _to_record, an array of them for _to_recordset): the fields
// key1…keyN of that object, read in one pass over it, NULL where it lacks
// the field or holds JSON null. The planner unnests that list, and
// JSONRecordFieldFunc(srf)(fields, k, rawk) takes field k (0-based) of
// each element: so a document is split once per row, not once per
// declared column. A field with raw set keeps its JSON text (json and
// jsonb columns); otherwise it is rendered as ->> renders it, which the
// planner casts to the column's type (PostgreSQL reads a field through
// the type's input function too, with its errors: 1.5 for an integer
// column is 22P02).

// JSONRecordRowsFunc names the internal function splitting the documents
// of srf; the space keeps SQL from calling it.
func JSONRecordRowsFunc(srf string) string { return srf + " rows" }

// JSONRecordFieldFunc names the internal function reading one field of
// what JSONRecordRowsFunc (or, for json_each and its variants,
// JSONSetPairsFunc) returns.
func JSONRecordFieldFunc(srf string) string { return srf + " field" }

// JSONRecordFieldType is the type of JSONRecordFieldFunc(srf)'s raw
// fields: jsonb for jsonb_each's values, json for the others.
func JSONRecordFieldType(srf string) sqltypes.Type {
	if srf == "jsonb_each" {
		return sqltypes.TypeJSONB
	}
	return sqltypes.TypeJSON
}

// JSONRecordRowsType is the type of JSONRecordRowsFunc's results.
var JSONRecordRowsType = sqltypes.ListOf(textListType)

// jsonRecordFunc resolves a JSONRecordRowsFunc or JSONRecordFieldFunc
// name to its srf, and tells which it is.
func jsonRecordFunc(name string) (srf string, rows, ok bool) {
	srf, rows = strings.CutSuffix(name, " rows")
	if !rows {
		if srf, ok = strings.CutSuffix(name, " field"); !ok {
			return "", false, false
		}
	}
	switch srf {
	case "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset":
		return srf, rows, true
	}
	if !rows && isJSONEach(srf) {
		return srf, false, true // the fields of JSONSetPairsFunc's members
	}
	return "", false, false
}

func buildJSONRecord(name string, args []Expr) (Expr, error) {
	if _, rows, _ := jsonRecordFunc(name); rows {
		return buildJSONRecordRows(name, args)
	}
	return buildJSONRecordField(name, args)
}

// jsonRecordFields is the declared columns of a record function: their
// keys, whether each keeps its JSON text, and the columns each key fills.
type jsonRecordFields struct {
	raw   []bool
	byKey map[string][]int
}

func buildJSONRecordRows(name string, args []Expr) (Expr, error) {
	srf, _, _ := jsonRecordFunc(name)
	if len(args) < 3 || len(args)%2 != 1 || args[0].Type().Kind != JSONSetArgType(srf).Kind {
		return nil, functionError(srf, args)
	}
	f := jsonRecordFields{byKey: map[string][]int{}}
	for c := 1; c < len(args); c += 2 {
		key, _ := IsLiteral(args[c])
		rawArg, _ := IsLiteral(args[c+1])
		k, _ := key.(string)
		raw, _ := rawArg.(bool)
		f.byKey[k] = append(f.byKey[k], len(f.raw))
		f.raw = append(f.raw, raw)
	}
	set := strings.HasSuffix(srf, "recordset")
	jsonb := strings.HasPrefix(srf, "jsonb")
	return &callExpr{name: name, args: args[:1], t: JSONRecordRowsType, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		lb, mb, vb := newTextListsBuilder(env.Mem)
		defer lb.Release()
		// objs, vals and buf are reused from row to row of the batch.
		var objs []string
		vals := make([]string, len(f.raw))
		found := make([]bool, len(f.raw))
		var buf []byte
		for i := 0; i < n; i++ {
			if in[0].IsNull(i) {
				lb.AppendNull()
				continue
			}
			var err error
			if objs, err = jsonRecordObjects(objs[:0], v.str(i), srf, set, jsonb); err != nil {
				return nil, err
			}
			lb.Append(true)
			for _, o := range objs {
				clear(found)
				if err := f.read(o, vals, found); err != nil {
					return nil, err
				}
				mb.Append(true)
				for c, val := range vals {
					if !found[c] || jsonKind(val) == 'n' {
						vb.AppendNull()
						continue
					}
					if buf, err = appendMemberValue(vb, buf, val, f.raw[c]); err != nil {
						return nil, err
					}
				}
			}
		}
		return lb.NewArray(), nil
	}}, nil
}

// newTextListsBuilder returns a builder of lists of text[] (lb), with
// the builders of its text[] elements (mb) and of their values (vb).
// The caller releases lb.
func newTextListsBuilder(mem memory.Allocator) (lb, mb *array.ListBuilder, vb *array.StringBuilder) {
	lb = array.NewListBuilder(mem, arrow.ListOf(arrow.BinaryTypes.String))
	mb = lb.ValueBuilder().(*array.ListBuilder)
	return lb, mb, mb.ValueBuilder().(*array.StringBuilder)
}

// appendMemberValue appends the JSON value val to vb: its text if raw,
// else as ->> renders it (JSON null is NULL). buf is scratch space,
// returned for reuse.
func appendMemberValue(vb *array.StringBuilder, buf []byte, val string, raw bool) ([]byte, error) {
	if raw {
		vb.Append(val)
		return buf, nil
	}
	buf, null, err := jsonText(buf[:0], val)
	switch {
	case err != nil:
		return buf, err
	case null:
		vb.AppendNull()
	default:
		vb.Append(string(buf))
	}
	return buf, nil
}

// read walks the members of the object o once, setting vals[c] and
// found[c] for every column c its key fills; of duplicate keys the last
// wins, as in PostgreSQL.
func (f *jsonRecordFields) read(o string, vals []string, found []bool) error {
	var decErr error
	_, err := jsonValue(o, 0, func(ks, ke int, kesc bool, vs, ve int) {
		k, err := jsonKey(o, ks, ke, kesc)
		if err != nil {
			decErr = err
			return
		}
		for _, c := range f.byKey[k] {
			vals[c], found[c] = o[vs:ve], true
		}
	})
	if err == nil {
		err = decErr
	}
	return err
}

// buildJSONRecordField is field k of each text[] (fields) of
// JSONRecordRowsFunc: text, or json for a raw field.
func buildJSONRecordField(name string, args []Expr) (Expr, error) {
	srf, _, _ := jsonRecordFunc(name)
	if len(args) != 3 || !args[0].Type().Equal(textListType) {
		return nil, functionError(srf, args)
	}
	kArg, _ := IsLiteral(args[1])
	rawArg, _ := IsLiteral(args[2])
	k, ok := sqltypes.DatumInt64(kArg)
	if !ok || k < 0 {
		return nil, functionError(srf, args)
	}
	raw, _ := rawArg.(bool)
	t := sqltypes.TypeText
	if raw {
		t = JSONRecordFieldType(srf)
	}
	return &callExpr{name: name, args: args[:1], t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		l := in[0].(*array.List)
		vals := l.ListValues().(*array.String)
		b := array.NewStringBuilder(env.Mem)
		defer b.Release()
		b.Reserve(n)
		for i := 0; i < n; i++ {
			start, end := l.ValueOffsets(i)
			if l.IsNull(i) || start+k >= end || vals.IsNull(int(start+k)) {
				b.AppendNull()
				continue
			}
			b.Append(vals.Value(int(start + k)))
		}
		return b.NewArray(), nil
	}}, nil
}

// jsonRecordObjects appends to objs the objects of doc a record function
// reads, with PostgreSQL's 22023 for a document of another shape.
func jsonRecordObjects(objs []string, doc, srf string, set, jsonb bool) ([]string, error) {
	start := jsonWS(doc, 0)
	end, err := jsonValue(doc, start, nil)
	if err == nil && jsonWS(doc, end) != len(doc) {
		err = errBadJSON()
	}
	if err != nil {
		return nil, err
	}
	kind := doc[start]
	shape := func() string {
		switch kind {
		case '[':
			return "an array"
		case '{':
			return "an object"
		}
		return "a scalar"
	}
	if !set {
		if kind != '{' {
			return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot call populate_composite on %s", shape())
		}
		return append(objs, doc[start:end]), nil
	}
	if kind != '[' {
		if jsonb {
			return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot call %s on a non-array", srf)
		}
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "cannot call %s on %s", srf, shape())
	}
	notObject := false
	if _, err := jsonValue(doc, start, func(_, _ int, _ bool, vs, ve int) {
		if doc[vs] != '{' {
			notObject = true
		}
		objs = append(objs, doc[vs:ve])
	}); err != nil {
		return nil, err
	}
	if notObject {
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "argument of %s must be an array of objects", srf)
	}
	return objs, nil
}
