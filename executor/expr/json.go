package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// JSON operators over json and jsonb values stored as text. json keeps
// the input text, so '{"a": [1,2]}'::json -> 'a' is [1,2]; jsonb's text is
// normalized on input, so its members are too ([1, 2]). Input that is not
// valid JSON is 22P02.

// jsonOpExpr is doc -> key, doc ->> key, doc #> path or doc #>> path.
type jsonOpExpr struct {
	doc, arg Expr
	path     bool // arg is a text[] path
	asText   bool
	byIndex  bool // arg is an integer index
}

// JSONGet returns e -> key (asText false: json result) or e ->> key
// (text result: strings unquoted, JSON null is SQL NULL). A text key
// selects an object field (the last duplicate wins); an integer key an
// array element, negative counting from the end. A missing member or a
// key of the wrong kind for the value is NULL.
func JSONGet(e, key Expr, asText bool) (Expr, error) {
	e = jsonOperand(e)
	if key.Type().Kind == sqltypes.Unknown {
		key = coerceTo(key, sqltypes.TypeText)
	}
	op := jsonOpName(false, asText)
	if !e.Type().IsJSON() {
		return nil, operatorError(op, e.Type(), key.Type())
	}
	kt := key.Type()
	switch {
	case kt.IsString():
		return &jsonOpExpr{doc: e, arg: key, asText: asText}, nil
	case kt.IsInteger():
		return &jsonOpExpr{doc: e, arg: coerceTo(key, sqltypes.TypeInt8), asText: asText, byIndex: true}, nil
	}
	return nil, operatorError(op, e.Type(), kt)
}

// JSONPath returns e #> path (json) or e #>> path (text): the member
// reached by following path's elements, each an object key or, inside
// an array, an integer index. A NULL path element gives NULL; an empty
// path gives the whole value.
func JSONPath(e, path Expr, asText bool) (Expr, error) {
	e = jsonOperand(e)
	if path.Type().Kind == sqltypes.Unknown {
		path = coerceTo(path, textListType)
	}
	pt := path.Type()
	if !e.Type().IsJSON() || pt.Kind != sqltypes.List || !pt.Elem.IsString() {
		return nil, operatorError(jsonOpName(true, asText), e.Type(), pt)
	}
	return &jsonOpExpr{doc: e, arg: path, path: true, asText: asText}, nil
}

// jsonOperand treats an untyped literal as json.
func jsonOperand(e Expr) Expr {
	if e.Type().Kind == sqltypes.Unknown {
		if v, ok := IsLiteral(e); ok {
			return Literal(sqltypes.TypeJSON, v)
		}
	}
	return e
}

func jsonOpName(path, asText bool) string {
	op := "->"
	if path {
		op = "#>"
	}
	if asText {
		op += ">"
	}
	return op
}

func (e *jsonOpExpr) Type() sqltypes.Type {
	if e.asText {
		return sqltypes.TypeText
	}
	return e.doc.Type()
}
func (e *jsonOpExpr) children() []Expr { return []Expr{e.doc, e.arg} }
func (e *jsonOpExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.doc, c.arg = ch[0], ch[1]
	return &c
}
func (e *jsonOpExpr) String() string {
	return fmt.Sprintf("(%s %s %s)", e.doc, jsonOpName(e.path, e.asText), e.arg)
}

func (e *jsonOpExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	args, err := evalArgs(ctx, env, b, e.doc, e.arg)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	n := int(b.NumRows())
	dv := viewOf(args[0])
	var get func(i int) (string, bool, error)
	switch {
	case e.path:
		lst, ok := args[1].(*array.List)
		if !ok {
			return nil, internalErr("json path of type %s", args[1].DataType())
		}
		get = func(i int) (string, bool, error) { return jsonFollow(dv.str(i), lst, i) }
	case e.byIndex:
		idx := values[int64](args[1])
		// PostgreSQL stores a jsonb scalar as a one-element array, so
		// -> 0 and -> -1 of a jsonb scalar are the scalar itself (json
		// has no such form: NULL).
		rawScalar := e.doc.Type().Kind == sqltypes.JSONB
		get = func(i int) (string, bool, error) {
			doc := dv.str(i)
			if rawScalar && (idx[i] == 0 || idx[i] == -1) {
				if s := jsonWS(doc, 0); s < len(doc) && doc[s] != '[' && doc[s] != '{' {
					return doc[s:], true, nil
				}
			}
			return jsonStep(doc, "", int(idx[i]), true)
		}
	default:
		kv := viewOf(args[1])
		get = func(i int) (string, bool, error) { return jsonStep(dv.str(i), kv.str(i), 0, false) }
	}
	return mapRowsStr(env.Mem, e.Type().Arrow(), n, args, func(i int, dst []byte) ([]byte, bool, error) {
		v, found, err := get(i)
		if err != nil || !found {
			return nil, !found, err
		}
		if e.asText {
			return jsonText(dst, v)
		}
		return append(dst, v...), false, nil
	})
}

// jsonFollow walks path row i of lst from doc.
func jsonFollow(doc string, lst *array.List, i int) (string, bool, error) {
	start, end := lst.ValueOffsets(i)
	elems, ok := lst.ListValues().(*array.String)
	if !ok {
		return "", false, internalErr("json path elements of type %s", lst.ListValues().DataType())
	}
	cur := doc
	if start == end {
		// the whole value, validated
		s := jsonWS(doc, 0)
		e, err := jsonValue(doc, s, nil)
		if err != nil {
			return "", false, err
		}
		if jsonWS(doc, e) != len(doc) {
			return "", false, errBadJSON()
		}
		return doc[s:e], true, nil
	}
	for j := int(start); j < int(end); j++ {
		if elems.IsNull(j) {
			return "", false, nil
		}
		step := elems.Value(j)
		s := jsonWS(cur, 0)
		var (
			next  string
			found bool
			err   error
		)
		if s < len(cur) && cur[s] == '[' {
			k, perr := sqltypes.ParseInt(step, 64)
			if perr != nil {
				// validate, then report no such element
				if _, _, err := jsonStep(cur, "", 0, true); err != nil {
					return "", false, err
				}
				return "", false, nil
			}
			next, found, err = jsonStep(cur, "", int(k), true)
		} else {
			next, found, err = jsonStep(cur, step, 0, false)
		}
		if err != nil || !found {
			return "", false, err
		}
		cur = next
	}
	return cur, true, nil
}
