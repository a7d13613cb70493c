package logical

import (
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// defaultSelectivity is the fraction of rows a filter conjunct is guessed
// to keep when the source's statistics say nothing about it.
const defaultSelectivity = 0.3

// scanSelectivity estimates the fraction of x's rows that pass filter e
// from the source's column statistics (most common values, histogram,
// distinct and null counts, as PostgreSQL's pg_stats gives them) for
// comparisons of a column with a constant; defaultSelectivity otherwise.
// Only the statistics only such sources give are used, so the estimates
// over sources without them (Parquet's min/max) stay as they were.
func scanSelectivity(x *Scan, e Expr) float64 {
	if l, ok := e.(*Like); ok {
		// NOT LIKE keeps what the LIKE would not: TPC-H Q13's
		// o_comment NOT LIKE '%special%requests%' keeps 99% of orders.
		sel := likeSelectivity(l)
		if l.Negated {
			return 1 - sel
		}
		return sel
	}
	b, ok := e.(*Binary)
	if !ok {
		return defaultSelectivity
	}
	col, cok := b.L.(*ColRef)
	c, kok := b.R.(*Const)
	op := b.Op
	if !cok || !kok {
		col, cok = b.R.(*ColRef)
		c, kok = b.L.(*Const)
		op = expr.FlipComparison(op)
	}
	if !cok || !kok || c.V == nil {
		return defaultSelectivity
	}
	rows := float64(x.Table.Stats().RowCount)
	cs, typ, ok := columnStats(x, col.ID)
	if !ok || rows <= 0 {
		return defaultSelectivity
	}
	nonNull := 1.0
	if cs.NullCount >= 0 {
		nonNull = max(0, 1-float64(cs.NullCount)/rows)
	}
	mcvFrac := 0.0
	for _, m := range cs.MostCommon {
		mcvFrac += m.Freq
	}
	rest := max(0, nonNull-mcvFrac) // rows outside the MCV list
	switch op {
	case expr.OpEq, expr.OpNe:
		sel, known := eqSelectivity(cs, typ, c, rest)
		if !known {
			return defaultSelectivity
		}
		if op == expr.OpNe {
			sel = max(0, nonNull-sel)
		}
		return clampSel(sel)
	case expr.OpLt, expr.OpLe, expr.OpGt, expr.OpGe:
		if len(cs.Histogram) < 2 && len(cs.MostCommon) == 0 {
			return defaultSelectivity
		}
		pass := func(cmp int) bool {
			switch op {
			case expr.OpLt:
				return cmp < 0
			case expr.OpLe:
				return cmp <= 0
			case expr.OpGt:
				return cmp > 0
			}
			return cmp >= 0
		}
		sel := 0.0
		for _, m := range cs.MostCommon {
			if cmp, ok := connectors.CompareDatums(typ, m.Value, c.T, c.V); ok && pass(cmp) {
				sel += m.Freq
			}
		}
		if h := cs.Histogram; len(h) >= 2 {
			// The fraction of histogram buckets on the passing side,
			// counting the bucket holding the constant as half.
			below := 0.0
			for i := 0; i+1 < len(h); i++ {
				lo, ok1 := connectors.CompareDatums(typ, h[i], c.T, c.V)
				hi, ok2 := connectors.CompareDatums(typ, h[i+1], c.T, c.V)
				if !ok1 || !ok2 {
					return defaultSelectivity
				}
				switch {
				case hi < 0:
					below++
				case lo < 0:
					below += 0.5
				}
			}
			frac := below / float64(len(h)-1)
			if op == expr.OpGt || op == expr.OpGe {
				frac = 1 - frac
			}
			sel += frac * rest
		}
		return clampSel(sel)
	}
	return defaultSelectivity
}

// eqSelectivity is the fraction of rows equal to c: its frequency when it
// is a most common value, else the rows outside that list spread evenly
// over the other distinct values.
func eqSelectivity(cs connectors.ColumnStats, typ sqltypes.Type, c *Const, rest float64) (float64, bool) {
	if len(cs.MostCommon) == 0 && cs.Distinct <= 0 {
		return 0, false
	}
	for _, m := range cs.MostCommon {
		if cmp, ok := connectors.CompareDatums(typ, m.Value, c.T, c.V); ok && cmp == 0 {
			return m.Freq, true
		}
	}
	others := float64(cs.Distinct - int64(len(cs.MostCommon)))
	if cs.Distinct <= 0 || others < 1 {
		// Every distinct value is in the list: c is in no row, but
		// statistics are a sample.
		return min(rest, 1/max(float64(len(cs.MostCommon)), 1)) * 0.1, true
	}
	return rest / others, true
}

// columnStats finds the statistics and source type of the column id of x.
func columnStats(x *Scan, id ColumnID) (connectors.ColumnStats, sqltypes.Type, bool) {
	stats := x.Table.Stats()
	if stats.Columns == nil {
		return connectors.ColumnStats{}, sqltypes.Type{}, false
	}
	for k, cid := range x.Cols {
		if cid == id {
			cs, ok := stats.Columns[x.Table.Schema().Field(x.SourceIdx[k]).Name]
			return cs, x.SourceTypes[k], ok
		}
	}
	return connectors.ColumnStats{}, sqltypes.Type{}, false
}

// clampSel keeps an estimate off 0, so that a filter never makes a side
// look free.
func clampSel(s float64) float64 { return min(1, max(s, 1e-4)) }

// likeFixedCharSel is how much each literal character of a LIKE pattern
// narrows what it matches, as PostgreSQL's like_selectivity reasons. Its
// 0.2 a character suits random strings; words are far from random (TPC-H
// Q9's p_name LIKE '%green%' keeps 5% of parts, Q2's p_type LIKE '%BRASS'
// 20%), so a character counts for less here.
const likeFixedCharSel = 0.8

// likeSelectivity guesses the fraction of rows a LIKE (or ILIKE) keeps
// from its pattern: defaultSelectivity narrowed by likeFixedCharSel for
// each character that must match literally, so that '%green%' keeps
// about 10% rather than the 30% of any other filter: enough for a join to
// build the filtered side rather than a table many times its size (Q9's
// lineitem ⋈ part against the 1.5M orders). A pattern that is not a
// constant keeps defaultSelectivity.
func likeSelectivity(l *Like) float64 {
	c, ok := l.Pattern.(*Const)
	if !ok {
		return defaultSelectivity
	}
	pat, ok := c.V.(string)
	if !ok {
		return defaultSelectivity
	}
	sel := defaultSelectivity
	runes := []rune(pat)
	for i := 0; i < len(runes); i++ {
		switch runes[i] {
		case '%', '_':
			continue
		case '\\':
			i++ // the escaped character is literal
		}
		sel *= likeFixedCharSel
	}
	return clampSel(sel)
}
