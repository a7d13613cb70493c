package ops

import (
	"math"
	"math/big"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Row-at-a-time references of the window tests.

func refKeyCmp(a, b any, k refKey) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return map[bool]int{true: -1, false: 1}[k.nullsFirst]
	case b == nil:
		return map[bool]int{true: 1, false: -1}[k.nullsFirst]
	}
	c := refCmp(a, b)
	if k.desc {
		return -c
	}
	return c
}

// refWindow computes window functions row at a time: it sorts stably,
// then for every row enumerates its partition, peers and frame naively.
func refWindow(in [][]any, part []int, order []refKey, cases []wCase, fr Frame) [][]any {
	keys := make([]refKey, 0, len(part)+len(order))
	for _, c := range part {
		keys = append(keys, refKey{col: c})
	}
	keys = append(keys, order...)
	rs := append([][]any(nil), in...)
	sort.SliceStable(rs, func(i, j int) bool {
		for _, k := range keys {
			if c := refKeyCmp(rs[i][k.col], rs[j][k.col], k); c != 0 {
				return c < 0
			}
		}
		return false
	})
	same := func(a, b []any, ks []refKey) bool {
		for _, k := range ks {
			if refKeyCmp(a[k.col], b[k.col], k) != 0 {
				return false
			}
		}
		return true
	}
	if fr == (Frame{}) {
		fr = DefaultFrame(len(order) > 0)
	}
	var out [][]any
	for start := 0; start < len(rs); {
		end := start
		for end < len(rs) && same(rs[start], rs[end], keys[:len(part)]) {
			end++
		}
		p := rs[start:end]
		m := len(p)
		grp := make([]int, m) // peer group of each position
		for i := 1; i < m; i++ {
			grp[i] = grp[i-1]
			if !same(p[i-1], p[i], order) {
				grp[i]++
			}
		}
		for i, r := range p {
			row := append([]any{}, r...)
			if d, ok := row[6].(decimal128.Num); ok {
				row[6] = d.ToString(2)
			}
			for _, c := range cases {
				row = append(row, refWinValue(c, p, grp, i, fr))
			}
			out = append(out, row)
		}
		start = end
	}
	return out
}

func inFrame(fr Frame, grp []int, i, j int) bool {
	pos := func(b FrameBound, x int) int {
		switch b.Kind {
		case OffsetPreceding:
			return x - int(b.Offset)
		case OffsetFollowing:
			return x + int(b.Offset)
		}
		return x
	}
	cur, at := i, j
	if fr.Mode != FrameRows {
		cur, at = grp[i], grp[j]
	}
	okStart := fr.Start.Kind == UnboundedPreceding || at >= pos(fr.Start, cur)
	okEnd := fr.End.Kind == UnboundedFollowing || at <= pos(fr.End, cur)
	peer := grp[i] == grp[j]
	excluded := fr.Exclude == ExcludeCurrentRow && i == j || fr.Exclude == ExcludeGroup && peer ||
		fr.Exclude == ExcludeTies && peer && i != j
	return okStart && okEnd && !excluded
}

func refWinValue(c wCase, p [][]any, grp []int, i int, fr Frame) any {
	m := len(p)
	firstPeer, lastPeer := i, i
	for firstPeer > 0 && grp[firstPeer-1] == grp[i] {
		firstPeer--
	}
	for lastPeer+1 < m && grp[lastPeer+1] == grp[i] {
		lastPeer++
	}
	arg := func(k, row int) any { return c.args[k].get(p[row]) }
	switch c.fn {
	case "row_number":
		return int64(i + 1)
	case "rank":
		return int64(firstPeer + 1)
	case "dense_rank":
		return int64(grp[i] + 1)
	case "percent_rank":
		if m == 1 {
			return 0.0
		}
		return float64(firstPeer) / float64(m-1)
	case "cume_dist":
		return float64(lastPeer+1) / float64(m)
	case "ntile":
		n := int(arg(0, i).(int32))
		q, r := m/n, m%n
		if i < r*(q+1) {
			return int32(i/(q+1) + 1)
		}
		return int32(r + (i-r*(q+1))/q + 1)
	case "lag", "lead":
		off := int32(1)
		if len(c.args) > 1 {
			o := arg(1, i)
			if o == nil {
				return nil
			}
			off = o.(int32)
		}
		if c.fn == "lag" {
			off = -off
		}
		if t := i + int(off); t >= 0 && t < m {
			return arg(0, t)
		}
		if len(c.args) > 2 {
			return arg(2, i)
		}
		return nil
	}
	var frame [][]any
	var fidx []int
	for j := range p {
		if inFrame(fr, grp, i, j) {
			frame = append(frame, p[j])
			fidx = append(fidx, j)
		}
	}
	switch c.fn {
	case "first_value", "last_value", "nth_value":
		k := 0
		switch c.fn {
		case "last_value":
			k = len(fidx) - 1
		case "nth_value":
			k = int(arg(1, i).(int32)) - 1
		}
		if k < 0 || k >= len(fidx) {
			return nil
		}
		return arg(0, fidx[k])
	case "var_samp", "stddev_pop", "variance":
		return refStats(c.fn, c.col, frame)
	}
	return refValue(refAgg{fn: c.fn, col: c.col, filter: c.filter}, frame)
}

// refStats is the variance family: exact over integers (scale 16),
// PostgreSQL's float8_accum over floats.
func refStats(fn string, c int, rows [][]any) any {
	pop := fn == "stddev_pop" || fn == "var_pop"
	sqrt := fn == "stddev_pop" || fn == "stddev" || fn == "stddev_samp"
	var ints []*big.Int
	var fl []float64
	for _, r := range rows {
		switch x := r[c].(type) {
		case int64:
			ints = append(ints, big.NewInt(x))
		case int32:
			ints = append(ints, big.NewInt(int64(x)))
		case float64:
			fl = append(fl, x)
		}
	}
	n := len(ints) + len(fl)
	if n == 0 || (!pop && n == 1) {
		return nil
	}
	den := int64(n - 1)
	if pop {
		den = int64(n)
	}
	if fl != nil {
		N, sx, sxx := 0.0, 0.0, 0.0
		for _, x := range fl {
			N++
			sx += x
			if N > 1 {
				t := x*N - sx
				sxx += t * t / (N * (N - 1))
			}
		}
		v := sxx / float64(den)
		if sqrt {
			return math.Sqrt(v)
		}
		return v
	}
	mean := new(big.Rat)
	for _, x := range ints {
		mean.Add(mean, new(big.Rat).SetInt(x))
	}
	mean.Quo(mean, new(big.Rat).SetInt64(int64(n)))
	ss := new(big.Rat)
	for _, x := range ints {
		d := new(big.Rat).Sub(new(big.Rat).SetInt(x), mean)
		ss.Add(ss, d.Mul(d, d))
	}
	v := ss.Quo(ss, new(big.Rat).SetInt64(den))
	scaled := new(big.Rat).Mul(v, new(big.Rat).SetInt(pow10(16)))
	if sqrt {
		f := new(big.Float).SetPrec(400).SetRat(new(big.Rat).Mul(scaled, new(big.Rat).SetInt(pow10(16))))
		f.Sqrt(f)
		scaled, _ = f.Rat(nil)
	}
	q := roundDiv(new(big.Int).Mul(scaled.Num(), big.NewInt(1)), scaled.Denom())
	return bigDec(q, 16)
}
