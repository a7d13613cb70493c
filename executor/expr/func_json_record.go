package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// json(b)_to_record and json(b)_to_recordset are, to the executor, one
// list per column of their column definition list, unnested in lockstep
// like json_each's keys and values: JSONRecordFieldFunc(srf)(doc, key,
// raw) is, per row, the array of field key of each object doc holds (one
// object for _to_record, an array of them for _to_recordset), NULL where
// an object lacks the field or holds JSON null. raw keeps the field's
// JSON text (json and jsonb columns); otherwise it is rendered as ->>
// renders it, which the planner casts to the column's type (PostgreSQL
// reads a field through the type's input function too, with its errors:
// 1.5 for an integer column is 22P02).

// JSONRecordFieldFunc names the internal list function of a column of
// srf; the space keeps SQL from calling it.
func JSONRecordFieldFunc(srf string) string { return srf + " field" }

// jsonRecordFunc resolves a JSONRecordFieldFunc name to its srf.
func jsonRecordFunc(name string) (string, bool) {
	srf, ok := strings.CutSuffix(name, " field")
	switch srf {
	case "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset":
		return srf, ok
	}
	return "", false
}

func buildJSONRecordField(name string, args []Expr) (Expr, error) {
	srf, _ := jsonRecordFunc(name)
	if len(args) != 3 || args[0].Type().Kind != JSONSetArgType(srf).Kind {
		return nil, functionError(srf, args)
	}
	key, _ := IsLiteral(args[1])
	rawArg, _ := IsLiteral(args[2])
	k, _ := key.(string)
	raw, _ := rawArg.(bool)
	elem := sqltypes.TypeText
	if raw {
		elem = sqltypes.TypeJSON
	}
	set := strings.HasSuffix(srf, "recordset")
	jsonb := strings.HasPrefix(srf, "jsonb")
	return &callExpr{name: name, args: args[:1], t: sqltypes.ListOf(elem), k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		// objs and buf are reused from row to row of the batch.
		var objs []string
		var buf []byte
		return textListRows(env.Mem, n, in, func(i int, dst []textElem) ([]textElem, bool, error) {
			doc := v.str(i)
			var err error
			objs, err = jsonRecordObjects(objs[:0], doc, srf, set, jsonb)
			if err != nil {
				return nil, false, err
			}
			for _, o := range objs {
				val, found, err := jsonStep(o, k, 0, false)
				if err != nil {
					return nil, false, err
				}
				if !found || jsonKind(val) == 'n' {
					dst = append(dst, textElem{null: true})
					continue
				}
				if raw {
					dst = append(dst, textElem{s: val})
					continue
				}
				var null bool
				if buf, null, err = jsonText(buf[:0], val); err != nil {
					return nil, false, err
				}
				dst = append(dst, textElem{s: string(buf), null: null})
			}
			return dst, false, nil
		})
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
