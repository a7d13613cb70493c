package jsonpath

import "github.com/meshql/meshql/sqltypes"

// seq evaluates e over cur into a sequence; in lax mode, arrays in the
// result are unwrapped into their elements (operands of arithmetic and
// of comparisons).
func (x *exec) seq(e *node, cur item, unwrapResult bool) ([]item, error) {
	s := &sink{}
	if err := x.eval(e, cur, x.lax(), s); err != nil {
		return nil, err
	}
	if !unwrapResult || !x.lax() {
		return s.items, nil
	}
	var out []item
	for _, it := range s.items {
		if it.v.Kind == sqltypes.JSONBArray {
			for i := range it.v.Elems {
				out = append(out, item{v: &it.v.Elems[i], base: it.base})
			}
			continue
		}
		out = append(out, it)
	}
	return out, nil
}

func (x *exec) arith(n *node, cur item, s *sink) error {
	operand := func(e *node, side string) (num, error) {
		its, err := x.seq(e, cur, true)
		if err != nil {
			return num{}, err
		}
		if len(its) != 1 || its[0].v.Kind != sqltypes.JSONBNumber {
			return num{}, sqltypes.New("22038", "%s operand of jsonpath operator %s is not a single numeric value", side, opNames[n.op])
		}
		return parseNum(its[0].v.Scalar), nil
	}
	l, err := operand(n.l, "left")
	if err != nil {
		return err
	}
	r, err := operand(n.r, "right")
	if err != nil {
		return err
	}
	var res num
	switch n.op {
	case opAdd:
		res = l.add(r)
	case opSub:
		res = l.sub(r)
	case opMul:
		res = l.mul(r)
	case opDiv:
		res, err = l.div(r)
	case opMod:
		res, err = l.mod(r)
	}
	if err == nil {
		err = res.checkRange()
	}
	if err != nil {
		return err
	}
	return x.next(n, scalar(sqltypes.JSONBNumber, res.String()), s)
}

func (x *exec) unary(n *node, cur item, s *sink) error {
	its, err := x.seq(n.l, cur, true)
	if err != nil {
		return err
	}
	for _, it := range its {
		if it.v.Kind != sqltypes.JSONBNumber {
			return sqltypes.New("2203B", "operand of unary jsonpath operator %s is not a numeric value", opNames[n.op])
		}
		v := it
		if n.op == opMinus {
			v = scalar(sqltypes.JSONBNumber, parseNum(it.v.Scalar).neg().String())
		}
		if err := x.next(n, v, s); err != nil {
			return err
		}
	}
	return nil
}
