package expr

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// The mesh_mask_hash, mesh_mask_partial and mesh_mask_round kernels (see
// mask.go for the semantics). Each builds its per-call state (the MAC) in
// Eval, so a mask expression stays immutable and safe for concurrent use.

// maskMAC computes HMAC-SHA-256 of msg into sum, resetting mac first.
func maskMAC(mac hash.Hash, msg []byte, sum *[sha256.Size]byte) []byte {
	mac.Reset()
	mac.Write(msg)
	return mac.Sum(sum[:0])
}

// maskHashKernel is mesh_mask_hash over values of type t with key.
func maskHashKernel(t sqltypes.Type, key []byte) maskKernel {
	dt := t.Arrow()
	switch {
	case t.IsInteger():
		return func(env *executor.Env, v arrow.Array, n int) (arrow.Array, error) {
			mac := hmac.New(sha256.New, key)
			var buf [24]byte
			var sum [sha256.Size]byte
			get := intGetter(t.Kind, v)
			// h is the first 8 bytes of the MAC, big-endian and signed;
			// narrower types keep its top bits (the first 2 or 4 bytes).
			h := func(i int) int64 {
				return int64(binary.BigEndian.Uint64(maskMAC(mac, strconv.AppendInt(buf[:0], get(i), 10), &sum)))
			}
			ins := []arrow.Array{v}
			switch t.Kind {
			case sqltypes.Int2:
				return mapRows(env.Mem, dt, n, ins, func(i int) (int16, bool, error) { return int16(h(i) >> 48), false, nil })
			case sqltypes.Int4:
				return mapRows(env.Mem, dt, n, ins, func(i int) (int32, bool, error) { return int32(h(i) >> 32), false, nil })
			}
			return mapRows(env.Mem, dt, n, ins, func(i int) (int64, bool, error) { return h(i), false, nil })
		}
	case t.IsString(), t.Kind == sqltypes.UUID:
		return func(env *executor.Env, v arrow.Array, n int) (arrow.Array, error) {
			txt, err := maskText(env, t, v)
			if err != nil {
				return nil, err
			}
			defer txt.Release()
			mac := hmac.New(sha256.New, key)
			var sum [sha256.Size]byte
			sv := viewOf(txt)
			ins := []arrow.Array{txt}
			if t.Kind == sqltypes.UUID {
				return mapRows(env.Mem, dt, n, ins, func(i int) ([16]byte, bool, error) {
					return [16]byte(maskMAC(mac, sv.bytes(i), &sum)[:16]), false, nil
				})
			}
			return mapRowsStr(env.Mem, dt, n, ins, func(i int, dst []byte) ([]byte, bool, error) {
				return hex.AppendEncode(dst, maskMAC(mac, sv.bytes(i), &sum)[:16]), false, nil
			})
		}
	}
	return maskNullKernel(t)
}

// maskPartialKernel is mesh_mask_partial over values of type t.
func maskPartialKernel(t sqltypes.Type) maskKernel {
	dt := arrow.DataType(arrow.BinaryTypes.String)
	if t.IsString() {
		dt = t.Arrow()
	}
	return func(env *executor.Env, v arrow.Array, n int) (arrow.Array, error) {
		txt, err := maskText(env, t, v)
		if err != nil {
			return nil, err
		}
		defer txt.Release()
		sv := viewOf(txt)
		return mapRowsStr(env.Mem, dt, n, []arrow.Array{txt}, func(i int, dst []byte) ([]byte, bool, error) {
			return maskAppendPartial(dst, sv.bytes(i)), false, nil
		})
	}
}

// maskAppendPartial appends the partial mask of s: an e-mail address keeps
// its domain ("***@example.com"); other text keeps its last 4 characters
// ("****1234"), and text of at most 4 characters becomes "****".
func maskAppendPartial(dst, s []byte) []byte {
	if at := bytes.LastIndexByte(s, '@'); at >= 0 && at < len(s)-1 {
		return append(append(dst, "***"...), s[at:]...)
	}
	cut := len(s)
	for k := 0; k < 4 && cut > 0; k++ {
		_, size := utf8.DecodeLastRune(s[:cut])
		cut -= size
	}
	dst = append(dst, "****"...)
	if cut == 0 {
		return dst
	}
	return append(dst, s[cut:]...)
}

// maskRoundKernel is mesh_mask_round over values of type t with granularity g.
func maskRoundKernel(t sqltypes.Type, g string) (maskKernel, error) {
	dt := t.Arrow()
	switch {
	case t.IsNumeric():
		r, ok := new(big.Rat).SetString(strings.TrimSpace(g))
		if !ok || r.Sign() <= 0 {
			return nil, maskGranularityError(g, t, "a positive number")
		}
		switch t.Kind {
		case sqltypes.Float4, sqltypes.Float8:
			return maskRoundFloat(t, r), nil
		case sqltypes.Numeric:
			scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(bigOf(pow10(t.Scale))))
			gm, ok := u128OfBig(scaled.Num())
			if !scaled.IsInt() || !ok {
				return nil, maskGranularityError(g, t, "a positive multiple of 10^-scale")
			}
			limit := maxDec
			if t.Precision > 0 {
				limit = pow10(t.Precision)
			}
			return func(env *executor.Env, v arrow.Array, _ int) (arrow.Array, error) {
				return mapUnary(env.Mem, dt, v, func(x decimal128.Num) (decimal128.Num, error) {
					if isSpecial(x) {
						return x, nil // no granularity coarsens NaN or ±Infinity
					}
					neg, a := split(x)
					q := a.divRound(gm)
					m, over := q.mul(gm)
					if over || m.cmp(limit) >= 0 {
						q, _ = a.divmod(gm)
						m, _ = q.mul(gm)
					}
					return join(neg, m), nil
				})
			}, nil
		}
		if !r.IsInt() || !r.Num().IsInt64() {
			return nil, maskGranularityError(g, t, "a positive whole number")
		}
		gi := r.Num().Int64()
		return func(env *executor.Env, v arrow.Array, _ int) (arrow.Array, error) {
			switch t.Kind {
			case sqltypes.Int2:
				return mapUnary(env.Mem, dt, v, func(x int16) (int16, error) {
					return int16(maskRoundInt(int64(x), gi, math.MinInt16, math.MaxInt16)), nil
				})
			case sqltypes.Int4:
				return mapUnary(env.Mem, dt, v, func(x int32) (int32, error) {
					return int32(maskRoundInt(int64(x), gi, math.MinInt32, math.MaxInt32)), nil
				})
			}
			return mapUnary(env.Mem, dt, v, func(x int64) (int64, error) {
				return maskRoundInt(x, gi, math.MinInt64, math.MaxInt64), nil
			})
		}, nil
	case t.IsTemporal():
		unit := canonicalUnit(strings.TrimSpace(g)) // a policy's granularity, not SQL
		if !maskUnitOK(unit) {
			return nil, maskGranularityError(g, t, "a unit such as 'day', 'month' or 'year'")
		}
		if t.Kind == sqltypes.Date {
			return func(env *executor.Env, v arrow.Array, _ int) (arrow.Array, error) {
				return mapUnary(env.Mem, dt, v, func(d int32) (int32, error) {
					us, _ := truncMicros(unit, int64(d)*sqltypes.MicrosPerDay)
					days, _ := sqltypes.FloorDivMod(us, sqltypes.MicrosPerDay)
					return int32(days), nil
				})
			}, nil
		}
		return func(env *executor.Env, v arrow.Array, _ int) (arrow.Array, error) {
			loc := zoneOf(env)
			tz := t.Kind == sqltypes.TimestampTZ
			return mapUnary(env.Mem, dt, v, func(us int64) (int64, error) {
				if tz {
					us = sqltypes.UTCToLocal(us, loc)
				}
				r, _ := truncMicros(unit, us)
				if tz {
					r = sqltypes.LocalToUTC(r, loc)
				}
				return r, nil
			})
		}, nil
	}
	return maskNullKernel(t), nil
}

// maskRoundInt rounds x half away from zero to a multiple of g (> 0), or
// toward zero where away from zero would leave [lo, hi].
func maskRoundInt(x, g, lo, hi int64) int64 {
	q, r := x/g, x%g
	m := q * g // |m| <= |x|: cannot overflow
	if r < 0 {
		r = -r
	}
	if r >= g-r {
		switch {
		case x >= 0 && m <= hi-g:
			return m + g
		case x < 0 && m >= lo+g:
			return m - g
		}
	}
	return m
}

// maskRoundFloat rounds floats to a multiple of g. For g = 1/k (0.1, 0.01)
// it computes round(x*k)/k, which prints without binary noise.
func maskRoundFloat(t sqltypes.Type, r *big.Rat) maskKernel {
	g, _ := r.Float64()
	inv := 1 / g
	byInv := inv >= 1 && inv == math.Round(inv) && inv < 1<<53
	f := func(x float64) float64 {
		if byInv {
			return math.Round(x*inv) / inv
		}
		return math.Round(x/g) * g
	}
	dt := t.Arrow()
	return func(env *executor.Env, v arrow.Array, _ int) (arrow.Array, error) {
		if t.Kind == sqltypes.Float4 {
			return mapUnary(env.Mem, dt, v, func(x float32) (float32, error) { return float32(f(float64(x))), nil })
		}
		return mapUnary(env.Mem, dt, v, func(x float64) (float64, error) { return f(x), nil })
	}
}

// maskGranularityError is 22023 for a round granularity that does not fit t.
func maskGranularityError(g string, t sqltypes.Type, want string) error {
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, "mesh_mask_round: granularity %q for type %s must be %s", g, t, want)
}
