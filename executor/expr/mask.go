package expr

import (
	"context"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Column masks: the kernels behind catalog/policy's MaskSpecs. The binder
// (the policy enforcement point) wraps a masked column's reference in one
// of these calls right above the scan, so nothing downstream sees raw
// values:
//
//	mesh_mask_hash(v, key text)            keyed HMAC-SHA-256 of v::text
//	mesh_mask_redact(v)                    '***' for text, else NULL
//	mesh_mask_partial(v)                   '***@domain' / '****1234'
//	mesh_mask_round(v, granularity text)   '100', '0.1' / 'month', 'year'…
//	mesh_mask_null(v)                      NULL
//
// Types: every mask returns v's type, except partial on a non-text value,
// which masks v::text and returns text. Masks that have no meaning for a
// type fail closed to NULL of that type instead of raising an error: hash
// on anything but integers, text/varchar and uuid; round on anything but
// numbers, dates and timestamps. NULL in gives NULL out; masks never raise
// errors while evaluating (round falls back to rounding toward zero where
// rounding away from zero would overflow the type).
//
// hash: v::text is v's PostgreSQL text output with timestamptz in UTC (so
// a hash never depends on the session's TimeZone). Integers map to the
// same integer type, read big-endian from the first 2, 4 or 8 bytes of the
// MAC, so hashed keys still join with each other (within one integer
// width) and keep their type; text maps to the lowercase hex of the first
// 16 bytes (32 characters, also for varchar(n) with n < 32); uuid to the
// first 16 bytes. The key and the granularity must be constants; String
// (EXPLAIN) never prints the key.
//
// round: integers and numerics round half away from zero to a multiple of
// the granularity (a positive number, exact at the column's scale; whole
// for integers); floats round to a multiple; dates and timestamps
// truncate to the unit ('day', 'week', 'month', 'quarter', 'year', and for
// timestamps 'hour', 'minute' …), timestamptz in the session's zone as
// date_trunc does.

// maskKernel masks one evaluated argument of n rows.
type maskKernel func(env *executor.Env, v arrow.Array, n int) (arrow.Array, error)

// maskExpr is a mesh_mask_* call; args[1], if present, is the constant
// key or granularity, already folded into k.
type maskExpr struct {
	name string
	args []Expr
	t    sqltypes.Type
	k    maskKernel
}

func (e *maskExpr) Type() sqltypes.Type { return e.t }
func (e *maskExpr) children() []Expr    { return e.args }
func (e *maskExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.args = ch
	return &c
}

// String renders the call; the hash key is left out.
func (e *maskExpr) String() string {
	if e.name == "mesh_mask_hash" {
		return callString(e.name, e.args[:1])
	}
	return callString(e.name, e.args)
}

func (e *maskExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	in, err := evalArgs(ctx, env, b, e.args[0])
	if err != nil {
		return nil, err
	}
	defer releaseAll(in)
	return e.k(env, in[0], int(b.NumRows()))
}

// IsInternalFunction reports whether name is one of the functions the
// planner and the engine write and users may not call: the masks (a user
// who could call the hash with a key of their choosing could reverse it)
// and the internal forms of records, samples, per-row lookups and signals.
func IsInternalFunction(name string) bool {
	switch name {
	case RecordFunc, RowFunc, SampleFunc, OneRowFunc:
		return true
	}
	if _, _, ok := sessionSigOf(name); ok {
		return true
	}
	return IsMaskFunction(name)
}

// IsMaskFunction reports whether name is one of the mesh_mask_* functions,
// which only the policy enforcement point may call (the binder refuses
// them in user SQL, so that no query can probe the hash key).
func IsMaskFunction(name string) bool {
	switch name {
	case "mesh_mask_hash", "mesh_mask_redact", "mesh_mask_partial", "mesh_mask_round", "mesh_mask_null":
		return true
	}
	return false
}

// MaskCall builds the mask function name over args (see the top of
// mask.go); it is what Call does for the mesh_mask_* names. Errors are
// 42883 for a wrong signature and 22023 for a key or granularity that is
// not a usable constant.
func MaskCall(name string, args []Expr) (Expr, error) {
	if !IsMaskFunction(name) {
		return nil, functionError(name, args)
	}
	return buildMask(name, args)
}

// buildMask is the builder for the mesh_mask_* names.
func buildMask(name string, args []Expr) (Expr, error) {
	nParams := 0
	if name == "mesh_mask_hash" || name == "mesh_mask_round" {
		nParams = 1
	}
	if err := wantArgs(name, args, 1+nParams, 1+nParams); err != nil {
		return nil, err
	}
	v := args[0]
	if k := v.Type().Kind; k == sqltypes.Unknown || k == sqltypes.Bpchar && name != "mesh_mask_null" {
		// bpchar is masked as its text (no trailing blanks), so that
		// its hash matches the same value's in a text column.
		v = coerceTo(v, sqltypes.TypeText)
	}
	vt := v.Type()
	var param string
	if nParams == 1 {
		if !implicitText(args[1].Type()) {
			return nil, functionError(name, args)
		}
		d, ok := IsLiteral(args[1])
		s, isStr := d.(string)
		if !ok || !isStr {
			return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "%s: the second argument must be a non-NULL text constant", name)
		}
		param = s
	}
	e := &maskExpr{name: name, args: append([]Expr{v}, args[1:]...), t: vt}
	var err error
	switch name {
	case "mesh_mask_null":
		e.k = maskNullKernel(vt)
	case "mesh_mask_redact":
		e.k = maskRedactKernel(vt)
	case "mesh_mask_partial":
		if !vt.IsString() {
			e.t = sqltypes.TypeText
		}
		e.k = maskPartialKernel(vt)
	case "mesh_mask_hash":
		e.k = maskHashKernel(vt, []byte(param))
	case "mesh_mask_round":
		e.k, err = maskRoundKernel(vt, param)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// maskNullKernel returns NULLs of type t.
func maskNullKernel(t sqltypes.Type) maskKernel {
	return func(env *executor.Env, _ arrow.Array, n int) (arrow.Array, error) {
		return nullArray(env.Mem, t, n), nil
	}
}

// maskRedactKernel replaces text by '***' and other values by NULL.
func maskRedactKernel(t sqltypes.Type) maskKernel {
	if !t.IsString() {
		return maskNullKernel(t)
	}
	return func(env *executor.Env, v arrow.Array, n int) (arrow.Array, error) {
		return mapRowsStr(env.Mem, t.Arrow(), n, []arrow.Array{v}, func(_ int, dst []byte) ([]byte, bool, error) {
			return append(dst, "***"...), false, nil
		})
	}
}

// maskText renders v (of type t) as text for the masks that work on the
// text form: the input itself (retained) for strings, else v::text with
// timestamptz in UTC.
func maskText(env *executor.Env, t sqltypes.Type, v arrow.Array) (arrow.Array, error) {
	if t.IsString() {
		v.Retain()
		return v, nil
	}
	return toTextKernel(t)(env.Mem, castCtx{loc: time.UTC}, v)
}

// maskUnitOK reports whether a round unit is one date_trunc knows.
func maskUnitOK(unit string) bool {
	_, ok := truncMicros(unit, 0)
	return ok && strings.TrimSpace(unit) != ""
}
