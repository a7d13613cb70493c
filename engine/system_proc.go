package engine

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// pg_proc lists, besides the types' I/O functions (procRows), PostgreSQL
// 15's rows of the built-in functions meshql binds, with their ids,
// argument and result types and source (the C function's name, as
// PostgreSQL shows for a function of language internal), so that psql's
// \df, \df+ and \sf, pgjdbc's getFunctions and 'f(argtypes)'::regprocedure
// find them as on PostgreSQL. A function PostgreSQL has that meshql does
// not bind is not listed (TestBuiltinProcsBind checks each row binds).

//go:embed pg_proc.tsv
var pgProcData string

// builtinProc is one row of pg_proc.tsv.
type builtinProc struct {
	oid, lang, variadic, rettype     int32
	cost, rows                       float32
	name, support, kind              string
	leakproof, strict, retset        bool
	volatile, parallel               string
	nargs, ndefaults                 int16
	argtypes                         string // oidvector's text: "25 23"
	allargtypes, argmodes, argnames  any    // arrays, or NULL
	src, result, arguments, identity string
	sqlbody, description             any // text or NULL
}

// builtinProcs parses pg_proc.tsv once: it is read-only data.
var builtinProcs = sync.OnceValue(func() []builtinProc {
	var out []builtinProc
	for _, line := range strings.Split(pgProcData, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 26 {
			continue // not a row (TestBuiltinProcsBind counts them)
		}
		for i := range f {
			f[i] = copyUnescape(f[i])
		}
		i32 := func(s string) int32 { n, _ := strconv.ParseInt(s, 10, 32); return int32(n) }
		f32 := func(s string) float32 { n, _ := strconv.ParseFloat(s, 32); return float32(n) }
		null := func(s string) any {
			if s == `\N` {
				return nil
			}
			return s
		}
		p := builtinProc{oid: i32(f[0]), name: f[1], lang: i32(f[2]), cost: f32(f[3]), rows: f32(f[4]), variadic: i32(f[5]),
			support: f[6], kind: f[7], leakproof: f[8] == "t", strict: f[9] == "t", retset: f[10] == "t", volatile: f[11],
			parallel: f[12], nargs: int16(i32(f[13])), ndefaults: int16(i32(f[14])), rettype: i32(f[15]), argtypes: f[16],
			allargtypes: pgArray(f[17], true), argmodes: pgArray(f[18], false), argnames: pgArray(f[19], false),
			src: f[20], result: f[21], arguments: f[22], identity: f[23], sqlbody: null(f[24]), description: null(f[25])}
		out = append(out, p)
	}
	return out
})

// copyUnescape reads a field of COPY's text format (\N stays as is: the
// caller tells NULL).
func copyUnescape(s string) string {
	if !strings.Contains(s, `\`) || s == `\N` {
		return s
	}
	return strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\\`, `\`, `\r`, "\r").Replace(s)
}

// pgArray reads an array's text form ({a,b}) of simple elements (type
// oids, argument modes and names, none quoted with commas); \N is NULL.
func pgArray(s string, oids bool) any {
	if s == `\N` {
		return nil
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	var out []any
	for _, e := range strings.Split(s, ",") {
		e = strings.Trim(e, `"`)
		if oids {
			n, _ := strconv.ParseInt(e, 10, 32)
			out = append(out, int32(n))
		} else {
			out = append(out, e)
		}
	}
	return out
}

// values is p as a pg_proc row (jdbcTables' column order).
func (p builtinProc) values() []any {
	support := int32(0)
	if p.support != "-" {
		support = procOID(p.support)
	}
	return []any{p.oid, p.name, int32(pgCatalogOID), int32(ownerOID), p.lang, p.cost, p.rows, p.variadic, support, p.kind,
		false, p.leakproof, p.strict, p.retset, p.volatile, p.parallel, p.nargs, p.ndefaults, p.rettype,
		p.argtypes, p.allargtypes, p.argmodes, p.argnames, nil, nil, p.src, nil, p.sqlbody, nil, nil}
}

// definition is pg_get_functiondef(oid): the CREATE statement PostgreSQL
// prints for a built-in function (ruleutils.c's pg_get_functiondef); an
// aggregate has none (NULL).
func (p builtinProc) definition() any {
	if p.kind == "a" {
		return nil
	}
	var b strings.Builder
	b.WriteString("CREATE OR REPLACE FUNCTION pg_catalog." + expr.QuoteIdent(p.name) + "(" + p.arguments + ")\n")
	b.WriteString(" RETURNS " + p.result + "\n")
	b.WriteString(" LANGUAGE " + map[int32]string{12: "internal", 13: "c", 14: "sql"}[p.lang] + "\n")
	var opts strings.Builder
	if p.kind == "w" {
		opts.WriteString(" WINDOW")
	}
	opts.WriteString(map[string]string{"i": " IMMUTABLE", "s": " STABLE"}[p.volatile])
	opts.WriteString(map[string]string{"s": " PARALLEL SAFE", "r": " PARALLEL RESTRICTED"}[p.parallel])
	if p.strict {
		opts.WriteString(" STRICT")
	}
	if p.leakproof {
		opts.WriteString(" LEAKPROOF")
	}
	defaultCost := float32(100)
	if p.lang == 12 || p.lang == 13 {
		defaultCost = 1
	}
	if p.cost != defaultCost {
		opts.WriteString(" COST " + strconv.FormatFloat(float64(p.cost), 'g', -1, 32))
	}
	if p.rows > 0 && p.rows != 1000 {
		opts.WriteString(" ROWS " + strconv.FormatFloat(float64(p.rows), 'g', -1, 32))
	}
	if p.support != "-" {
		opts.WriteString(" SUPPORT " + p.support)
	}
	if opts.Len() > 0 {
		b.WriteString(opts.String() + "\n")
	}
	if body, ok := p.sqlbody.(string); ok && p.lang == 14 {
		b.WriteString(body)
	} else {
		quote := "$function"
		for strings.Contains(p.src, quote+"$") {
			quote += "x"
		}
		quote += "$"
		b.WriteString("AS " + quote + p.src + quote)
	}
	b.WriteString("\n")
	return b.String()
}

// procObjectValues are the pg_get_function_* functions' values by
// function id, for objectFunction; ok is false for other names.
func procObjectValues(name string) (map[int64]sqltypes.Datum, bool) {
	var value func(p builtinProc) any
	switch name {
	case "pg_get_function_result":
		value = func(p builtinProc) any { return p.result }
	case "pg_get_function_arguments":
		value = func(p builtinProc) any { return p.arguments }
	case "pg_get_function_identity_arguments":
		value = func(p builtinProc) any { return p.identity }
	case "pg_get_functiondef":
		value = builtinProc.definition
	case "pg_get_function_sqlbody":
		value = func(p builtinProc) any { return p.sqlbody }
	default:
		return nil, false
	}
	out := map[int64]sqltypes.Datum{}
	for _, p := range builtinProcs() {
		if v := value(p); v != nil {
			out[int64(p.oid)] = v
		}
	}
	return out, true
}

// regproc reads a function's name as PostgreSQL's regprocin does
// ('lower', 'pg_catalog.upper') or, withArgs, its name and argument types
// as regprocedurein does ('lower(text)', 'round(numeric, int)'), and
// finds it among pg_proc's rows: 42883 for no such function, 42725 for a
// name of several (regproc), 3F000 for an unknown schema, 42704 for an
// unknown argument type, 22P02 for text that is no f(types).
func (s *Session) regproc(withArgs bool, text string) (int32, error) {
	name, argText := text, ""
	if withArgs {
		var err error
		if name, argText, err = splitProcSignature(text); err != nil {
			return 0, err
		}
	}
	parts, err := sqltypes.SplitQualifiedName(name)
	if err != nil {
		return 0, err
	}
	undefined := sqltypes.New(sqltypes.CodeUndefinedFunction, "function \"%s\" does not exist", text)
	switch {
	case len(parts) > 3:
		return 0, sqltypes.New(sqltypes.CodeSyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(parts, "."))
	case len(parts) == 3 && parts[0] != databaseName:
		return 0, sqltypes.New(sqltypes.CodeFeatureNotSupported, "cross-database references are not implemented: %s", strings.Join(parts, "."))
	case len(parts) >= 2:
		schema := parts[len(parts)-2]
		known := false
		for _, n := range s.namespaces() {
			known = known || n.name == schema
		}
		if !known {
			return 0, sqltypes.New(sqltypes.CodeInvalidSchemaName, "schema \"%s\" does not exist", schema)
		}
		if schema != "pg_catalog" {
			return 0, undefined // the mesh's schemas hold no functions
		}
	}
	var argTypes string
	if withArgs {
		if argTypes, err = procArgTypes(argText); err != nil {
			return 0, err
		}
	}
	var found []int32
	for _, r := range procRows() {
		if r[1] == parts[len(parts)-1] && (!withArgs || r[19] == argTypes) {
			found = append(found, r[0].(int32))
		}
	}
	switch {
	case len(found) == 0:
		return 0, undefined
	case len(found) > 1:
		return 0, sqltypes.New(sqltypes.CodeAmbiguousFunction, "more than one function named \"%s\"", text)
	}
	return found[0], nil
}

// splitProcSignature splits 'f(t1, t2)' into the name and what the
// parentheses hold, as PostgreSQL's parseNameAndArgTypes: the name ends
// at the first unquoted parenthesis, and the text must end with the
// closing one (blanks aside).
func splitProcSignature(text string) (name, args string, err error) {
	quoted, open := false, -1
	for i := 0; i < len(text) && open < 0; i++ {
		switch {
		case text[i] == '"':
			quoted = !quoted
		case text[i] == '(' && !quoted:
			open = i
		}
	}
	if open < 0 {
		return "", "", sqltypes.New(sqltypes.CodeInvalidTextRepr, "expected a left parenthesis")
	}
	rest := strings.TrimRight(text[open+1:], " \t\n\r\f\v")
	if !strings.HasSuffix(rest, ")") {
		return "", "", sqltypes.New(sqltypes.CodeInvalidTextRepr, "expected a right parenthesis")
	}
	return text[:open], rest[:len(rest)-1], nil
}

// pseudoTypes are the polymorphic types of the built-in functions'
// arguments, which meshql has no values of but a signature names
// ('lower(anyrange)'::regprocedure).
var pseudoTypes = map[string]uint32{"any": 2276, "anyarray": 2277, "anyelement": 2283, "anynonarray": 2776, "anyrange": 3831,
	"anycompatible": 5077, "anycompatiblearray": 5078}

// procArgTypes reads the argument types of a signature ("text, int") as
// pg_proc.proargtypes prints them ("25 23"): the types are split at
// commas outside parentheses and quotes and read as regtype reads a type.
func procArgTypes(args string) (string, error) {
	if strings.TrimSpace(args) == "" {
		return "", nil
	}
	var oids []string
	depth, quoted, start := 0, false, 0
	for i := 0; i <= len(args); i++ {
		if i < len(args) {
			switch c := args[i]; {
			case c == '"':
				quoted = !quoted
			case quoted:
			case c == '(':
				depth++
			case c == ')':
				depth--
			}
			if quoted || depth > 0 || args[i] != ',' {
				continue
			}
		}
		typ := strings.TrimSpace(args[start:i])
		if typ == "" {
			return "", sqltypes.New(sqltypes.CodeInvalidTextRepr, "expected a type name")
		}
		oid, ok := pseudoTypes[strings.Trim(strings.ToLower(typ), `"`)]
		if !ok {
			t, err := typeOfName(typ)
			if err != nil {
				return "", err
			}
			oid = t.OID()
		}
		oids = append(oids, strconv.FormatUint(uint64(oid), 10))
		start = i + 1
	}
	return strings.Join(oids, " "), nil
}
