package bind

import (
	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// securedRelation is the policy enforcement point: it rewrites a product's
// relation as the session may see it, before any other clause of the
// query sees its columns. The row filter is applied to the raw values (it
// is the owner's predicate); masked columns are replaced by their mask
// expression, so every later filter, join, grouping and pushdown only ever
// sees masked values; denied columns stay in scope only to produce a
// permission error when named. rel's columns must carry the product's own
// names (aliases are applied after). Every column is tagged for the audit
// record (Options.Access).
func (b *binder) securedRelation(rel *relation, t *Table, loc int) (*relation, error) {
	if b.opts.Mesh == nil || t.Product == nil {
		return rel, nil
	}
	dec := policy.Decide(b.opts.Mesh, b.who, t.Product)
	if !dec.CanRead {
		b.opts.Access.Deny(t.Name)
		return nil, errAt(sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied for data product %s", t.Name), loc)
	}
	if err := policyColumnsExist(dec, rel.scope, t.Name); err != nil {
		return nil, errAt(err, loc)
	}
	node := rel.node
	if scan, ok := node.(*logical.Scan); ok && (dec.RowFilter() != "" || b.definer > 0) {
		// Counts derived from the source's statistics (files and row
		// groups a filter keeps) would describe rows the session may not
		// see: those a row filter hides, or inputs read with a definer's
		// rights. EXPLAIN withholds them.
		c := *scan
		c.HideStats = true
		node = &c
	}
	if f := dec.RowFilter(); f != "" {
		if t.Source == nil {
			b.hidesRows = true // the derived product's plan runs below its filter
		}
		pred, err := b.bindRowFilter(f, rel.scope, t.Name)
		if err != nil {
			return nil, err
		}
		// A security barrier: the query's own predicates run after it
		// unless they are leakproof (rules.PushDownFilters).
		node = &logical.Filter{Input: node, Pred: pred, Barrier: true}
	}
	b.opts.Access.product(t.Name, dec.RowFilter() != "")
	var proj *logical.Project
	if len(dec.Masks) > 0 || len(dec.Denied) > 0 {
		proj = &logical.Project{Input: node}
	}
	sc := &scope{parent: rel.scope.parent}
	for _, c := range rel.scope.cols {
		src := c.name
		c.sec = &securedCol{acc: b.opts.Access, product: t.Name, column: src}
		if dec.Denied[src] {
			c.denied, c.sec.denied = t.Name, true
			sc.add(c)
			continue
		}
		var e logical.Expr = &logical.ColRef{ID: c.id, Name: c.name, T: c.t}
		if m, ok := dec.Masks[src]; ok {
			args := []logical.Expr{e}
			switch m.Method {
			case policy.MaskHash:
				args = append(args, &logical.Const{T: sqltypes.TypeText, V: dec.HashKey})
			case policy.MaskRound:
				args = append(args, &logical.Const{T: sqltypes.TypeText, V: m.Param})
			}
			rt, err := funcType(m.Function(), args)
			if err != nil {
				return nil, errAt(sqltypes.Wrap(err, sqltypes.CodeInternal, "masking %s.%s: %v", t.Name, src, err), loc)
			}
			e = &logical.Func{Name: m.Function(), Args: args, T: rt}
			c.id, c.t = b.meta.NewColumn(c.name, c.table, rt), rt
			c.sec.mask = m.String()
		}
		if proj != nil {
			proj.Exprs = append(proj.Exprs, e)
			proj.Cols = append(proj.Cols, c.id)
		}
		sc.add(c)
	}
	if proj == nil {
		return &relation{node: node, scope: sc, cols: rel.cols}, nil
	}
	for _, name := range dec.DeniedColumns() {
		b.notices = append(b.notices, &sqltypes.Error{Code: sqltypes.CodeWarning, Severity: "NOTICE",
			Msg: "column " + name + " of " + t.Name + " is hidden by its access policy"})
	}
	return &relation{node: proj, scope: sc}, nil
}

// policyColumnsExist fails closed when a decision masks or denies a column
// the relation does not have under that name (a derived product whose SQL
// names its outputs differently from its declared columns): the policy
// would otherwise silently not apply.
func policyColumnsExist(dec policy.Decision, sc *scope, product string) *sqltypes.Error {
	names := map[string]bool{}
	for _, c := range sc.cols {
		names[c.name] = true
	}
	for _, col := range append(dec.DeniedColumns(), dec.MaskedColumns()...) {
		if !names[col] {
			return sqltypes.New(sqltypes.CodeInternal, "the access policy of %s names column %s, which the product does not deliver", product, col).
				WithHint("The product's definition and its declared columns disagree; tell its owner.")
		}
	}
	return nil
}

// bindRowFilter binds a product's row filter predicate over its raw columns.
func (b *binder) bindRowFilter(f string, sc *scope, product string) (logical.Expr, error) {
	saved := b.attrs
	who := b.who
	b.attrs = &who
	defer func() { b.attrs = saved }()
	stmts, err := parse.Parse("SELECT 1 WHERE " + f)
	if err != nil || len(stmts) != 1 {
		return nil, sqltypes.New(sqltypes.CodeInternal, "row filter of %s does not parse: %v", product, err)
	}
	where := stmts[0].Node.GetSelectStmt().WhereClause
	pred, err := b.bindPredicate(where, sc, "row filter")
	if err != nil {
		e := sqltypes.AsError(err)
		return nil, sqltypes.New(e.Code, "in the row filter of %s: %s", product, e.Msg)
	}
	return pred, nil
}
