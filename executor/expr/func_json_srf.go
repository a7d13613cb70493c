package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The JSON set-returning functions (json(b)_array_elements[_text],
// json(b)_object_keys) are, to the executor, scalar functions returning
// for each row the array of what the function returns: the planner
// unnests it as it does unnest(array). json_each and its variants return
// two columns: JSONSetPairsFunc of the name returns for each row the list
// of the document's members, each a text[] of its key and value (read in
// one pass over the document), which the planner unnests once and reads
// with JSONRecordFieldFunc of the name (0: key, 1: value). json keeps
// members in input order with their text as written and duplicate keys;
// jsonb's text is normalized, so its order is jsonb's (keys by length,
// then bytes) and its keys are unique.

// JSONSetPairsFunc names the internal function splitting the documents of
// json_each and its variants (srf) into members; the space keeps SQL from
// calling it.
func JSONSetPairsFunc(srf string) string { return srf + " pairs" }

// JSONSetPairsType is the type of JSONSetPairsFunc's results.
var JSONSetPairsType = JSONRecordRowsType

// JSONSetArgType is the type of the document a JSON set list's function
// (or set-returning function) name takes: json or jsonb.
func JSONSetArgType(name string) sqltypes.Type {
	if strings.HasPrefix(name, "jsonb") {
		return sqltypes.TypeJSONB
	}
	return sqltypes.TypeJSON
}

// jsonSetPart is what a JSON set list holds.
type jsonSetPart uint8

const (
	jsonElems     jsonSetPart = iota // array elements
	jsonElemsText                    // array elements as text
	jsonKeys                         // object keys
)

// jsonSetFunc resolves a JSON set list's function name: the set-returning
// function it serves (whose name errors carry) and its part.
func jsonSetFunc(name string) (srf string, part jsonSetPart, ok bool) {
	switch name {
	case "json_array_elements", "jsonb_array_elements":
		return name, jsonElems, true
	case "json_array_elements_text", "jsonb_array_elements_text":
		return name, jsonElemsText, true
	case "json_object_keys", "jsonb_object_keys":
		return name, jsonKeys, true
	}
	return "", 0, false
}

// jsonEachFunc resolves a JSONSetPairsFunc name to its srf.
func jsonEachFunc(name string) (srf string, ok bool) {
	srf, ok = strings.CutSuffix(name, " pairs")
	return srf, ok && isJSONEach(srf)
}

func isJSONEach(srf string) bool {
	switch srf {
	case "json_each", "jsonb_each", "json_each_text", "jsonb_each_text":
		return true
	}
	return false
}

// buildJSONSetPairs builds JSONSetPairsFunc(srf): per row, the list of
// the object's members as text[] {key, value}, the value as JSON text
// (json_each) or as ->> renders it (_text: JSON null is NULL); NULL for a
// NULL document, and the errors of jsonSetKindError.
func buildJSONSetPairs(name string, args []Expr) (Expr, error) {
	srf, _ := jsonEachFunc(name)
	if err := wantArgs(srf, args, 1, 1); err != nil {
		return nil, err
	}
	want := JSONSetArgType(srf)
	if args[0].Type().Kind != want.Kind {
		return nil, functionError(srf, args)
	}
	text := strings.HasSuffix(srf, "_text")
	jsonb := want.Kind == sqltypes.JSONB
	return &callExpr{name: name, args: args[:1], t: JSONSetPairsType, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		lb, mb, vb := newTextListsBuilder(env.Mem)
		defer lb.Release()
		var buf []byte // reused from member to member
		for i := 0; i < n; i++ {
			if in[0].IsNull(i) {
				lb.AppendNull()
				continue
			}
			lb.Append(true)
			doc := v.str(i)
			err := walkJSONSet(doc, srf, jsonKeys, jsonb, func(ks, ke int, kesc bool, vs, ve int) error {
				k, err := jsonKey(doc, ks, ke, kesc)
				if err != nil {
					return err
				}
				mb.Append(true)
				vb.Append(k)
				buf, err = appendMemberValue(vb, buf, doc[vs:ve], !text)
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		return lb.NewArray(), nil
	}}, nil
}

// buildJSONSetList builds one JSON set list: json[] or text[] per row
// (the argument is json or jsonb as the name says; the planner gives an
// untyped literal that type),
// NULL for a NULL document (no rows), 22023 for a document of the wrong
// kind in PostgreSQL's words.
func buildJSONSetList(name string, args []Expr) (Expr, error) {
	srf, part, _ := jsonSetFunc(name)
	if err := wantArgs(srf, args, 1, 1); err != nil {
		return nil, err
	}
	want := JSONSetArgType(srf)
	a := args[0]
	if a.Type().Kind != want.Kind {
		return nil, functionError(srf, args)
	}
	elem := sqltypes.TypeText
	if part == jsonElems {
		elem = want
	}
	return &callExpr{name: name, args: []Expr{a}, t: sqltypes.ListOf(elem), k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := viewOf(in[0])
		return textListRows(env.Mem, n, in, func(i int, dst []textElem) ([]textElem, bool, error) {
			return jsonSetMembers(dst, v.str(i), srf, part, want.Kind == sqltypes.JSONB)
		})
	}}, nil
}

// jsonSetMembers appends the members of doc that part selects.
func jsonSetMembers(dst []textElem, doc, srf string, part jsonSetPart, jsonb bool) ([]textElem, bool, error) {
	err := walkJSONSet(doc, srf, part, jsonb, func(ks, ke int, kesc bool, vs, ve int) error {
		switch part {
		case jsonElems:
			dst = append(dst, textElem{s: doc[vs:ve]})
		case jsonElemsText:
			s, null, err := jsonText(nil, doc[vs:ve])
			if err != nil {
				return err
			}
			dst = append(dst, textElem{s: string(s), null: null})
		case jsonKeys:
			k, err := jsonKey(doc, ks, ke, kesc)
			if err != nil {
				return err
			}
			dst = append(dst, textElem{s: k})
		}
		return nil
	})
	return dst, false, err
}

// walkJSONSet calls member for each member of doc (an array's elements,
// an object's members; ks is -1 for an element), after the kind check of
// jsonSetKindError. The error is doc's syntax error, else the first
// member's, which stops the calls.
func walkJSONSet(doc, srf string, part jsonSetPart, jsonb bool, member func(ks, ke int, kesc bool, vs, ve int) error) error {
	start := jsonWS(doc, 0)
	if err := jsonSetKindError(doc, start, srf, part, jsonb); err != nil {
		return err
	}
	var memberErr error
	end, err := jsonValue(doc, start, func(ks, ke int, kesc bool, vs, ve int) {
		if memberErr == nil {
			memberErr = member(ks, ke, kesc, vs, ve)
		}
	})
	if err == nil && jsonWS(doc, end) != len(doc) {
		err = errBadJSON()
	}
	if err == nil {
		err = memberErr
	}
	return err
}

// jsonSetKindError is the 22023 of a document that is not the array or
// object srf expands (nil when it is). A malformed document is 22P02.
func jsonSetKindError(doc string, start int, srf string, part jsonSetPart, jsonb bool) error {
	if start >= len(doc) {
		return errBadJSON()
	}
	kind := doc[start]
	arrays := part == jsonElems || part == jsonElemsText
	if arrays && kind == '[' || !arrays && kind == '{' {
		return nil
	}
	if kind != '[' && kind != '{' {
		// A scalar: checked whole first, as PostgreSQL parses before it looks.
		end, err := jsonValue(doc, start, nil)
		if err == nil && jsonWS(doc, end) != len(doc) {
			err = errBadJSON()
		}
		if err != nil {
			return err
		}
	}
	var msg string
	switch {
	case arrays && jsonb && kind == '{':
		msg = "cannot extract elements from an object"
	case arrays && jsonb:
		msg = "cannot extract elements from a scalar"
	case arrays && kind == '{':
		msg = "cannot call " + srf + " on a non-array"
	case arrays:
		msg = "cannot call " + srf + " on a scalar"
	case part == jsonKeys && strings.HasSuffix(srf, "keys") && kind == '[':
		msg = "cannot call " + srf + " on an array"
	case part == jsonKeys && strings.HasSuffix(srf, "keys"):
		msg = "cannot call " + srf + " on a scalar"
	case jsonb:
		msg = "cannot call " + srf + " on a non-object"
	case kind == '[':
		msg = "cannot deconstruct an array as an object"
	default:
		msg = "cannot deconstruct a scalar"
	}
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, "%s", msg)
}
