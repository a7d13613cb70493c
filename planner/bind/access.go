package bind

import "slices"

// Access is what one statement read of the mesh, as the policy
// enforcement point saw it: the audit log's record. The binder fills it
// while it binds (Options.Access), so that a statement refused for a
// denied column still leaves its record. Names are "domain.product_vN"
// and "domain.product_vN.column"; each list keeps first-seen order
// without duplicates. Columns counts every column a query names or
// expands with *, in any clause, as PostgreSQL's column privileges do.
type Access struct {
	Products   []string
	Columns    []string
	Masks      []string // "product.column:mask", for masked columns read
	RowFilters []string // products whose row filter applied
	Denied     []string // products or columns the statement was refused
}

func addOnce(list *[]string, v string) {
	if !slices.Contains(*list, v) {
		*list = append(*list, v)
	}
}

// Deny records a refused product or column; nil-safe.
func (a *Access) Deny(what string) {
	if a != nil {
		addOnce(&a.Denied, what)
	}
}

func (a *Access) product(name string, filtered bool) {
	if a == nil {
		return
	}
	addOnce(&a.Products, name)
	if filtered {
		addOnce(&a.RowFilters, name)
	}
}

// securedCol is a product column as the policy left it visible; scope
// lookups report reads and denials through it.
type securedCol struct {
	acc             *Access
	product, column string
	mask            string // "" = raw
	denied          bool
}

func (c *securedCol) read() {
	if c == nil || c.acc == nil {
		return
	}
	q := c.product + "." + c.column
	addOnce(&c.acc.Columns, q)
	if c.mask != "" {
		addOnce(&c.acc.Masks, q+":"+c.mask)
	}
}

func (c *securedCol) deny() {
	if c != nil {
		c.acc.Deny(c.product + "." + c.column)
	}
}
