package expr

import (
	"encoding/json"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The JSON set-returning functions (json(b)_array_elements[_text],
// json(b)_each[_text], json(b)_object_keys) are, to the executor, scalar
// functions returning for each row the array of what the function
// returns: the planner unnests it as it does unnest(array). json_each
// returns two columns, so it is two lists of one length, unnested in
// lockstep: its keys (JSONSetKeysFunc of its name) and its values (its
// own name). json keeps members in input order with their text as written
// and duplicate keys; jsonb's text is normalized, so its order is
// jsonb's (keys by length, then bytes) and its keys are unique.

// JSONSetKeysFunc names the internal function computing the key column of
// json_each and its variants (srf); the space keeps SQL from calling it.
func JSONSetKeysFunc(srf string) string { return srf + " keys" }

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
	jsonElems      jsonSetPart = iota // array elements
	jsonElemsText                     // array elements as text
	jsonKeys                          // object keys
	jsonValues                        // object values
	jsonValuesText                    // object values as text
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
	case "json_each", "jsonb_each":
		return name, jsonValues, true
	case "json_each_text", "jsonb_each_text":
		return name, jsonValuesText, true
	}
	for _, srf := range []string{"json_each", "jsonb_each", "json_each_text", "jsonb_each_text"} {
		if name == JSONSetKeysFunc(srf) {
			return srf, jsonKeys, true
		}
	}
	return "", 0, false
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
	if part == jsonElems || part == jsonValues {
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
	start := jsonWS(doc, 0)
	if err := jsonSetKindError(doc, start, srf, part, jsonb); err != nil {
		return nil, false, err
	}
	var decErr error
	end, err := jsonValue(doc, start, func(ks, ke int, kesc bool, vs, ve int) {
		switch part {
		case jsonElems, jsonValues:
			dst = append(dst, textElem{s: doc[vs:ve]})
		case jsonElemsText, jsonValuesText:
			s, null, err := jsonText(nil, doc[vs:ve])
			if err != nil {
				decErr = err
			}
			dst = append(dst, textElem{s: string(s), null: null})
		case jsonKeys:
			k := doc[ks+1 : ke-1]
			if kesc {
				if err := json.Unmarshal([]byte(doc[ks:ke]), &k); err != nil {
					decErr = errBadJSON()
				}
			}
			dst = append(dst, textElem{s: k})
		}
	})
	if err == nil && jsonWS(doc, end) != len(doc) {
		err = errBadJSON()
	}
	if err == nil {
		err = decErr
	}
	return dst, false, err
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
