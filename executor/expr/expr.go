// Package expr owns vectorized scalar expressions: typed expression trees
// whose Eval computes one Arrow array per input batch, and the kernels and
// scalar function library behind them.
//
// Expressions reference input columns by index into the batch they are
// evaluated on. Types are resolved when an expression is built: the planner
// inserts casts so that operands of comparisons and arithmetic share a type
// family (see sqltypes.CommonType); constructors return a *sqltypes.Error
// with 42883 when no kernel exists for the operand types.
//
// Errors during evaluation are SQL errors: integer overflow 22003, division
// by zero 22012, invalid text for a cast 22P02. NULLs follow SQL's
// three-valued logic.
//
// Contracts:
//
//   - Eval returns a new array (a new reference) that the caller releases;
//     it never keeps or releases the input batch. Every buffer comes from
//     env.Mem; intermediates are released before Eval returns, also on error.
//   - An Expr is immutable once built and safe for concurrent Eval calls
//     from several goroutines (per-call scratch state lives in Eval).
//   - ctx is checked once per batch and node; a canceled context is 57014.
//   - Kernels work on whole typed slices (generic over the element type)
//     with separate no-NULL fast paths; NULL slots may be computed but
//     never raise errors. The row-wise helpers in kernels.go serve the
//     function library; datum.go is only for literals and slow paths.
//   - CASE, COALESCE and the right side of AND/OR never raise an error for
//     rows whose result they do not need (see selection.go).
//
// Files: node.go (Column, Literal, Columns, Remap), binary.go (Binary and
// operand coercion), arith_*.go, compare*.go, logic.go (AND/OR/NOT/IS),
// case.go, in.go, like.go, cast*.go, func*.go (Call), dec128.go (128-bit
// decimal arithmetic), arrays.go/kernels.go (buffers and row helpers).
package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Expr is a typed scalar expression.
type Expr interface {
	// Type is the SQL type of the result.
	Type() sqltypes.Type
	// Eval computes the expression for every row of b. The result has
	// b.NumRows() rows and type Type().Arrow(); the caller releases it.
	Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error)
	// String renders the expression for EXPLAIN, deterministically.
	String() string
}

// BinaryOp is a binary operator.
type BinaryOp uint8

const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
	OpMod
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd
	OpOr
	OpConcat            // ||
	OpIsDistinctFrom    // IS DISTINCT FROM
	OpIsNotDistinctFrom // IS NOT DISTINCT FROM
)

var opNames = [...]string{"+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "AND", "OR", "||", "IS DISTINCT FROM", "IS NOT DISTINCT FROM"}

func (o BinaryOp) String() string { return opNames[o] }

// IsComparison reports whether o is =, <>, <, <=, > or >=.
func (o BinaryOp) IsComparison() bool { return o >= OpEq && o <= OpGe }

// When is one WHEN cond THEN value arm of a CASE.
type When struct {
	Cond Expr // boolean
	Then Expr
}
