package expr

import (
	"fmt"
	"strings"
)

// Common arithmetic evaluated once. TPC-H Q1 sums
// l_extendedprice * (1 - l_discount) on its own and again inside
// l_extendedprice * (1 - l_discount) * (1 + l_tax): evaluated per
// aggregate argument, the product and the difference are computed twice
// for every row. Arithmetic and casts over columns and constants are
// deterministic and their value depends only on the row, so a subtree
// that occurs more than once can be computed once per batch and read by
// the others as a column.

// ShareSubexpressions finds the arithmetic subtrees (arithmetic and casts
// over columns and constants) that occur more than once in exprs, which
// read batches of ncols columns. It returns them as shared, each
// children-first, to be evaluated in order and appended to the batch as
// columns ncols, ncols+1, … (each may read the columns of those before
// it), and exprs rewritten to read those columns instead. With nothing
// to share, shared is empty and out is exprs.
func ShareSubexpressions(exprs []Expr, ncols int) (shared, out []Expr) {
	counts := map[string]int{}
	var count func(Expr) (string, bool)
	count = func(e Expr) (string, bool) {
		k, ok := shareKey(e, count)
		if ok && isArith(e) {
			counts[k]++
		}
		return k, ok
	}
	for _, e := range exprs {
		count(e)
	}
	index := map[string]int{}
	var rewrite func(e Expr) Expr
	rewrite = func(e Expr) Expr {
		k, ok := shareKey(e, nil)
		if !ok {
			return e
		}
		if i, done := index[k]; done {
			return &ColumnExpr{Index: ncols + i, T: e.Type(), Name: e.String()}
		}
		n, isNode := e.(node)
		if !isNode || len(n.children()) == 0 {
			return e
		}
		ch := n.children()
		nch := make([]Expr, len(ch))
		for i, c := range ch {
			nch[i] = rewrite(c)
		}
		r := n.withChildren(nch)
		if counts[k] < 2 || !isArith(e) {
			return r
		}
		index[k] = len(shared)
		shared = append(shared, r)
		return &ColumnExpr{Index: ncols + index[k], T: e.Type(), Name: e.String()}
	}
	out = make([]Expr, len(exprs))
	for i, e := range exprs {
		out[i] = rewrite(e)
	}
	if len(shared) == 0 {
		return nil, exprs
	}
	return shared, out
}

// isArith reports whether e is an arithmetic or cast node.
func isArith(e Expr) bool {
	switch e.(type) {
	case *arithExpr, *castExpr:
		return true
	}
	return false
}

// shareKey identifies e among the trees ShareSubexpressions may share:
// its kind, text and type, with columns by index rather than name. It
// reports false for a tree with any other kind of node. visit, when set,
// is called for the children instead of shareKey itself.
func shareKey(e Expr, visit func(Expr) (string, bool)) (string, bool) {
	if visit == nil {
		visit = func(c Expr) (string, bool) { return shareKey(c, nil) }
	}
	switch x := e.(type) {
	case *ColumnExpr:
		return fmt.Sprintf("#%d:%s", x.Index, x.T), true
	case *LiteralExpr:
		if x.err != nil {
			return "", false
		}
		return fmt.Sprintf("lit %s:%s", x.String(), x.t), true
	case *arithExpr, *castExpr:
		var b strings.Builder
		fmt.Fprintf(&b, "%T %s:%s(", e, e.String(), e.Type())
		ok := true
		for _, c := range e.(node).children() {
			k, cok := visit(c)
			ok = ok && cok
			b.WriteString(k)
			b.WriteByte(',')
		}
		b.WriteByte(')')
		return b.String(), ok
	}
	return "", false
}
