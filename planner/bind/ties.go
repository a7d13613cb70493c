package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// applyLimit puts lim over the sorted node. FETCH FIRST n ROWS WITH TIES
// also keeps the rows that sort equal to the last one: the rows whose
// position is past OFFSET and whose rank (1 + the rows sorting strictly
// before them) is within OFFSET + n, computed by a window over the sort
// keys and filtered, then sorted again. It needs ORDER BY (42601, as in
// PostgreSQL). The result carries two extra columns: callers project
// them away (extra reports it).
func (b *binder) applyLimit(sel *pg_query.SelectStmt, node logical.Node, keys []logical.SortKey, lim *logical.Limit) (out logical.Node, extra bool, err error) {
	if sel.LimitOption != pg_query.LimitOption_LIMIT_OPTION_WITH_TIES {
		lim.Input = node
		return lim, false, nil
	}
	if len(keys) == 0 {
		return nil, false, sqltypes.New(sqltypes.CodeSyntaxError, "WITH TIES cannot be specified without ORDER BY clause")
	}
	if lim.Bounds == nil && lim.Count < 0 && sel.LimitCount != nil {
		// A NULL count means no limit elsewhere; here PostgreSQL refuses it.
		return nil, false, errAt(sqltypes.New("2201W", "row count cannot be null in FETCH FIRST ... WITH TIES clause"), location(sel.LimitCount))
	}
	if lim.Bounds != nil {
		return nil, false, sqltypes.New(sqltypes.CodeFeatureNotSupported, "FETCH FIRST ... WITH TIES takes a literal row count only").
			WithHint("Write the count as a number, or use rank() <= n over the ORDER BY.")
	}
	if s, ok := node.(*logical.Sort); ok {
		node = s.Input // the window sorts by the same keys
	}
	w := &logical.Window{Input: node, OrderBy: keys}
	var refs []logical.Expr
	for _, fn := range []string{"row_number", "rank"} {
		t, err := ops.WindowFuncType(fn, nil)
		if err != nil {
			return nil, false, err
		}
		id := b.meta.NewColumn(fn, "", t)
		w.Calls = append(w.Calls, logical.WindowCall{Func: fn, Frame: ops.DefaultFrame(true), T: t})
		w.Cols = append(w.Cols, id)
		refs = append(refs, &logical.ColRef{ID: id, Name: fn, T: t})
	}
	bound := func(v int64) logical.Expr { return &logical.Const{T: sqltypes.TypeInt8, V: v} }
	pred, err := b.makeBinary(expr.OpGt, refs[0], bound(lim.Offset), -1)
	if err != nil {
		return nil, false, err
	}
	if lim.Count >= 0 {
		within, err := b.makeBinary(expr.OpLe, refs[1], bound(lim.Offset+lim.Count), -1)
		if err != nil {
			return nil, false, err
		}
		if pred, err = b.makeBinary(expr.OpAnd, pred, within, -1); err != nil {
			return nil, false, err
		}
	}
	return &logical.Sort{Input: &logical.Filter{Input: w, Pred: pred}, Keys: keys}, true, nil
}
