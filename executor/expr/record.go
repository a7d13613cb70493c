package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// RecordFunc builds an anonymous record from its string-typed fields, as
// `SELECT json_each(j)` returns one: the planner's, never a user's
// function (the binder refuses the name).
const RecordFunc = "mesh_record"

// RowFunc is a row constructor, ROW(a, b) or a whole-row reference t, as
// a record: its fields of any type in their output functions' text. Unlike
// RecordFunc's, a row of NULL fields is a record, `(,)`, as PostgreSQL's.
const RowFunc = "mesh_row"

func buildRow(name string, args []Expr) (Expr, error) {
	fields, err := outputStrings(name, args)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: fields, t: sqltypes.TypeRecord, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return formatRecords(env, in, n, false)
	}}, nil
}

func buildRecord(name string, args []Expr) (Expr, error) {
	if len(args) == 0 {
		return nil, functionError(name, args)
	}
	for _, a := range args {
		if a.Type().Arrow().ID() != arrow.STRING {
			return nil, functionError(name, args)
		}
	}
	return &callExpr{name: name, args: args, t: sqltypes.TypeRecord, k: recordKernel}, nil
}

// recordKernel formats each row as PostgreSQL's record_out does:
// `(f1,f2)`, a NULL field empty, a field quoted when it is empty or holds
// a quote, backslash, parenthesis, comma or white space (quotes and
// backslashes doubled inside). A row whose fields are all NULL is a NULL
// record: the padding row of a set-returning function expanded in
// lockstep with a longer one (json_each's key is never NULL).
func recordKernel(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
	return formatRecords(env, in, n, true)
}

// formatRecords formats each row of the string-typed fields in as
// record_out does; allNullIsNull makes a row of NULL fields NULL.
func formatRecords(env *executor.Env, in []arrow.Array, n int, allNullIsNull bool) (arrow.Array, error) {
	fields := make([]array.StringLike, len(in))
	for i, a := range in {
		s, ok := a.(array.StringLike)
		if !ok {
			return nil, internalErr("record field %d is a %s array", i, a.DataType())
		}
		fields[i] = s
	}
	return boundedStr(env, "record", arrow.BinaryTypes.String, n, nil, func(i int, dst []byte) ([]byte, bool, error) {
		allNull := true
		dst = append(dst, '(')
		for f, a := range fields {
			if f > 0 {
				dst = append(dst, ',')
			}
			if a.IsNull(i) {
				continue
			}
			allNull = false
			dst = appendRecordField(dst, a.Value(i))
		}
		return append(dst, ')'), allNull && allNullIsNull && len(fields) > 0, nil
	})
}

func appendRecordField(dst []byte, v string) []byte {
	quote := v == ""
	for i := 0; i < len(v) && !quote; i++ {
		switch v[i] {
		case '"', '\\', '(', ')', ',', ' ', '\t', '\n', '\r', '\v', '\f':
			quote = true
		}
	}
	if !quote {
		return append(dst, v...)
	}
	return appendQuoted(dst, v, '"')
}
