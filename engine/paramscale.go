package engine

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// maxScaleVariants bounds the analyses a prepared statement keeps, one per
// combination of numeric parameter scales it was executed with.
const maxScaleVariants = 16

// ownScale returns the statement to execute with params at start (see
// analyzeAt), and params as that statement takes them. A parameter of numeric type without a modifier
// arrives as a sqltypes.Decimal carrying its value's scale; PostgreSQL keeps
// that scale ($1::numeric given '1.50' is 1.50, given '7' is 7), while the
// statement was typed before the value was known. So the statement is
// analyzed again (once per combination of scales, then cached) with each
// such parameter typed at its value's scale, and each Decimal becomes the
// decimal128.Num that type expects. The result columns keep their OIDs and
// typmods, so a client's earlier Describe still holds.
func (st *Statement) ownScale(ctx context.Context, params []sqltypes.Datum) (*Statement, []sqltypes.Datum, error) {
	var scales []int32
	for i, p := range params {
		if d, ok := p.(sqltypes.Decimal); ok {
			if scales == nil {
				scales = slices.Repeat([]int32{-1}, len(params))
			}
			scales[i] = d.Scale
		}
	}
	if scales == nil {
		return st, params, nil
	}
	key := scaleKey(scales)
	run := st.byScales[key]
	if run == nil {
		if len(st.byScales) >= maxScaleVariants {
			clear(st.byScales)
		}
		if st.byScales == nil {
			st.byScales = map[string]*Statement{}
		}
		run = &Statement{s: st.s, parsed: st.parsed, paramTypes: st.paramTypes, valueScales: scales}
		st.byScales[key] = run
	}
	// At the prepared analysis's clock: its 'now' literals are the
	// statement's, whatever scales its parameters have.
	if err := run.analyzeAt(ctx, true, st.start); err != nil {
		return nil, nil, err
	}
	types := run.ParamTypes()
	out := slices.Clone(params)
	for i, p := range params {
		d, ok := p.(sqltypes.Decimal)
		if !ok {
			continue
		}
		to := d.Scale
		if i < len(types) && types[i].Kind == sqltypes.Numeric {
			to = types[i].Scale
		}
		n, err := d.Num.Rescale(d.Scale, to)
		if err != nil {
			return nil, nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "numeric field overflow").
				WithDetail("parameter $%d does not fit numeric with scale %d", i+1, to)
		}
		out[i] = n
	}
	return run, out, nil
}

func scaleKey(scales []int32) string {
	var b strings.Builder
	for _, s := range scales {
		b.WriteString(strconv.Itoa(int(s)))
		b.WriteByte(',')
	}
	return b.String()
}
