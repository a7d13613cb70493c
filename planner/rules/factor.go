package rules

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// FactorOr pulls conjuncts common to every branch of an OR out of it:
// (A AND B) OR (A AND C) becomes A AND (B OR C). Join keys and pushable
// filters hidden in disjunctions (TPC-H Q19) become visible to pushdown.
func FactorOr(n logical.Node) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		return logical.MapExprs(n, factorExpr), nil
	})
}

func factorExpr(e logical.Expr) logical.Expr {
	var out []logical.Expr
	for _, c := range logical.Conjuncts(e) {
		for _, f := range factorOr(c) {
			out = append(out, f)
			out = append(out, impliedByOr(f)...)
		}
	}
	return logical.And(out)
}

// impliedByOr derives single-input filters implied by a disjunction of
// conjunctions: from (n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY'
// AND n2 = 'FRANCE') it adds (n1 = 'FRANCE' OR n1 = 'GERMANY') and the same
// for n2, which pushdown can then move into each scan (TPC-H Q7, Q19).
// The original disjunction stays; the new conjuncts only filter earlier.
func impliedByOr(e logical.Expr) []logical.Expr {
	branches := disjuncts(e)
	if len(branches) < 2 || len(logical.ColumnsOf(e)) < 2 {
		return nil
	}
	conj := make([][]logical.Expr, len(branches))
	for i, b := range branches {
		conj[i] = logical.Conjuncts(b)
	}
	var out []logical.Expr
	seen := map[string]bool{}
	for _, cand := range conj[0] {
		cols := logical.ColumnsOf(cand)
		if len(cols) == 0 || len(cols) == len(logical.ColumnsOf(e)) {
			continue
		}
		var parts []logical.Expr
		for _, cs := range conj {
			var in []logical.Expr
			for _, c := range cs {
				if cc := logical.ColumnsOf(c); len(cc) > 0 && cc.SubsetOf(cols) {
					in = append(in, c)
				}
			}
			if len(in) == 0 {
				parts = nil
				break
			}
			parts = append(parts, logical.And(in))
		}
		if parts == nil {
			continue
		}
		or := parts[0]
		for _, p := range parts[1:] {
			or = &logical.Binary{Op: expr.OpOr, L: or, R: p, T: sqltypes.TypeBool}
		}
		if k := logical.Key(or); !seen[k] {
			seen[k] = true
			out = append(out, or)
		}
	}
	return out
}

// factorOr returns the conjuncts equivalent to one disjunction.
func factorOr(e logical.Expr) []logical.Expr {
	branches := disjuncts(e)
	if len(branches) < 2 {
		return []logical.Expr{e}
	}
	conj := make([][]logical.Expr, len(branches))
	for i, b := range branches {
		conj[i] = logical.Conjuncts(b)
	}
	var common []logical.Expr
	for _, c := range conj[0] {
		k := logical.Key(c)
		inAll := true
		for _, other := range conj[1:] {
			found := false
			for _, o := range other {
				if logical.Key(o) == k {
					found = true
					break
				}
			}
			if !found {
				inAll = false
				break
			}
		}
		if inAll {
			common = append(common, c)
		}
	}
	if len(common) == 0 {
		return []logical.Expr{e}
	}
	isCommon := func(x logical.Expr) bool {
		for _, c := range common {
			if logical.Key(c) == logical.Key(x) {
				return true
			}
		}
		return false
	}
	var rest []logical.Expr
	for _, cs := range conj {
		var keep []logical.Expr
		for _, c := range cs {
			if !isCommon(c) {
				keep = append(keep, c)
			}
		}
		if len(keep) == 0 {
			// One branch is exactly the common part: the OR is implied.
			return common
		}
		rest = append(rest, logical.And(keep))
	}
	or := rest[0]
	for _, r := range rest[1:] {
		or = &logical.Binary{Op: expr.OpOr, L: or, R: r, T: sqltypes.TypeBool}
	}
	return append(common, or)
}

func disjuncts(e logical.Expr) []logical.Expr {
	if b, ok := e.(*logical.Binary); ok && b.Op == expr.OpOr {
		return append(disjuncts(b.L), disjuncts(b.R)...)
	}
	return []logical.Expr{e}
}
