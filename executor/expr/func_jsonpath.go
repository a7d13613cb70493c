package expr

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/jsonpath"
	"github.com/meshql/meshql/sqltypes"
)

// The SQL/JSON path functions: jsonb_path_exists, _match, _query (a
// set-returning function: the planner unnests the jsonb[] it returns per
// row, as for jsonb_array_elements), _query_array and _query_first, and
// their _tz twins, which may compare a datetime without time zone with
// one that has it, in the session's TimeZone. Their arguments are (target jsonb, path jsonpath, vars
// jsonb, silent boolean), all present: the planner fills the defaults
// ('{}', false). Like PostgreSQL's they are strict: a NULL argument gives
// NULL (no rows). A constant path or vars is parsed once, when the call
// is built; a path read from a column is parsed once per distinct text
// within a batch.

// jsonPathCastKernel casts text to jsonpath (parsed, stored as its
// normalized text, 42601 for bad syntax) and jsonpath to text.
func jsonPathCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	switch {
	case from.Kind == sqltypes.JSONPath && to.Kind == sqltypes.JSONPath:
		return retypeKernel(to.Arrow()), true
	case from.Kind == sqltypes.JSONPath && to.Kind == sqltypes.Varchar && to.Precision > 0:
		return truncateKernel(int(to.Precision)), true
	case from.Kind == sqltypes.JSONPath && to.IsString():
		return retypeKernel(to.Arrow()), true
	case to.Kind == sqltypes.JSONPath && from.IsString():
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
				p, err := jsonpath.Parse(v.str(i))
				if err != nil {
					return nil, false, err
				}
				return append(dst, p.String()...), false, nil
			})
		}, true
	}
	return nil, false
}

// JSONPathFunc reports whether name is one of the jsonb_path functions.
func JSONPathFunc(name string) bool {
	switch name {
	case "jsonb_path_exists", "jsonb_path_match", "jsonb_path_query", "jsonb_path_query_array", "jsonb_path_query_first",
		"jsonb_path_exists_tz", "jsonb_path_match_tz", "jsonb_path_query_tz", "jsonb_path_query_array_tz", "jsonb_path_query_first_tz":
		return true
	}
	return false
}

// pathCall holds what a jsonb_path call knows before it runs.
type pathCall struct {
	path        *jsonpath.Path // nil unless the path is a constant
	vars        *sqltypes.JSONBValue
	varsConst   bool
	silent      bool
	silentConst bool
	tz          bool // a _tz function
}

// pathRow is one row's resolved arguments.
type pathRow struct {
	path   *jsonpath.Path
	zone   *jsonpath.Zone
	doc    sqltypes.JSONBValue
	vars   *sqltypes.JSONBValue
	silent bool
}

// rowReader resolves the arguments of each row of one batch; it caches
// the last path parsed, so a path column repeating one text is parsed
// once.
type rowReader struct {
	c                 *pathCall
	zone              *jsonpath.Zone
	docs, paths, vars strView
	silent            arrow.Array
	lastText          string
	last              *jsonpath.Path
}

func (c *pathCall) reader(env *executor.Env, in []arrow.Array) *rowReader {
	r := &rowReader{c: c, docs: viewOf(in[0]), paths: viewOf(in[1]), vars: viewOf(in[2]), silent: in[3]}
	if c.tz {
		r.zone = &jsonpath.Zone{Loc: env.Location, Now: env.Now}
		if r.zone.Loc == nil {
			r.zone.Loc = time.UTC
		}
	}
	return r
}

func (r *rowReader) row(i int) (pathRow, error) {
	var out pathRow
	var err error
	if out.doc, err = sqltypes.ParseJSONB(r.docs.str(i)); err != nil {
		return out, err
	}
	out.path, out.zone = r.c.path, r.zone
	if out.path == nil {
		text := r.paths.str(i)
		if r.last == nil || text != r.lastText {
			if r.last, err = jsonpath.Parse(text); err != nil {
				return out, err
			}
			r.lastText = text
		}
		out.path = r.last
	}
	out.vars = r.c.vars
	if !r.c.varsConst {
		v, err := sqltypes.ParseJSONB(r.vars.str(i))
		if err != nil {
			return out, err
		}
		out.vars = &v
	}
	out.silent = r.c.silent
	if !r.c.silentConst {
		out.silent = boolAt(r.silent, i)
	}
	return out, nil
}

func boolAt(a arrow.Array, i int) bool {
	type boolValuer interface{ Value(int) bool }
	if b, ok := a.(boolValuer); ok {
		return b.Value(i)
	}
	return false
}

// hidden reports whether err is one silent => true hides.
func (p *pathRow) hidden(err error) bool { return p.silent && jsonpath.Suppressible(err) }

func buildJSONPath(name string, args []Expr) (Expr, error) {
	want := []sqltypes.Kind{sqltypes.JSONB, sqltypes.JSONPath, sqltypes.JSONB, sqltypes.Bool}
	if len(args) != len(want) {
		return nil, functionError(name, args)
	}
	for i, k := range want {
		if args[i].Type().Kind != k {
			return nil, functionError(name, args)
		}
	}
	c := &pathCall{}
	if v, ok := IsLiteral(args[1]); ok && v != nil {
		p, err := jsonpath.Parse(v.(string))
		if err != nil {
			return nil, err
		}
		c.path = p
	}
	if v, ok := IsLiteral(args[2]); ok && v != nil {
		j, err := sqltypes.ParseJSONB(v.(string))
		if err != nil {
			return nil, err
		}
		c.vars, c.varsConst = &j, true
	}
	if v, ok := IsLiteral(args[3]); ok && v != nil {
		c.silent, c.silentConst = v.(bool), true
	}
	base := name
	if len(base) > 3 && base[len(base)-3:] == "_tz" {
		base = base[:len(base)-3]
		c.tz = true
	}
	call := &callExpr{name: name, args: args}
	switch base {
	case "jsonb_path_exists", "jsonb_path_match":
		call.t = sqltypes.TypeBool
		match := base == "jsonb_path_match"
		call.k = func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			rd := c.reader(env, in)
			return boolRows(env.Mem, n, in, func(i int) (bool, bool, error) {
				r, err := rd.row(i)
				if err != nil {
					return false, false, err
				}
				var v, null bool
				if match {
					v, null, err = r.path.Match(&r.doc, r.vars, r.zone)
				} else {
					v, err = r.path.Exists(&r.doc, r.vars, r.zone)
				}
				if err != nil {
					if r.hidden(err) {
						return false, true, nil
					}
					return false, false, err
				}
				return v, null, nil
			})
		}
	case "jsonb_path_query":
		call.t = sqltypes.ListOf(sqltypes.TypeJSONB)
		call.k = func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			rd := c.reader(env, in)
			return textListRows(env.Mem, n, in, func(i int, dst []textElem) ([]textElem, bool, error) {
				items, err := rd.query(i)
				for j := range items {
					dst = append(dst, textElem{s: string(items[j].Append(nil))})
				}
				return dst, false, err
			})
		}
	case "jsonb_path_query_array", "jsonb_path_query_first":
		call.t = sqltypes.TypeJSONB
		first := base == "jsonb_path_query_first"
		call.k = func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			rd := c.reader(env, in)
			return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
				items, err := rd.query(i)
				switch {
				case err != nil:
					return nil, false, err
				case !first:
					arr := sqltypes.JSONBValue{Kind: sqltypes.JSONBArray, Elems: items}
					return arr.Append(dst), false, nil
				case len(items) == 0:
					return nil, true, nil
				}
				return items[0].Append(dst), false, nil
			})
		}
	default:
		return nil, functionError(name, args)
	}
	return call, nil
}

// query returns row i's items; with silent => true, an error hidden
// leaves the items found before it, as PostgreSQL's functions return.
func (r *rowReader) query(i int) ([]sqltypes.JSONBValue, error) {
	row, err := r.row(i)
	if err != nil {
		return nil, err
	}
	items, err := row.path.Query(&row.doc, row.vars, 0, row.zone)
	if err != nil && !row.hidden(err) {
		return nil, err
	}
	return items, nil
}
