package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// nestedLoopJoin joins every left row with every right row.
type nestedLoopJoin struct {
	joinCore
	left, right executor.Operator
	li, rj      int // next pair of the current left batch
	tail        bool
	built       bool
	eof         bool
}

// NewNestedLoopJoin returns a join that materializes right and evaluates
// cond (nil = always TRUE, a cross join) on every (left row, right row)
// pair, in batches of about env.Rows() pairs. Output is left fields ++
// right fields (right nullable) for inner, left and single joins, left
// fields only for semi and anti joins, left fields and "mark" for mark
// joins: the three-valued OR of cond over the right rows (see MarkJoin).
// Right and full joins return 0A000: the planner swaps the inputs instead.
func NewNestedLoopJoin(env *executor.Env, jt JoinType, left, right executor.Operator, cond expr.Expr) (executor.Operator, error) {
	switch jt {
	case InnerJoin, LeftJoin, SemiJoin, AntiJoin, MarkJoin, SingleJoin:
	case RightJoin, FullJoin:
		return nil, errUnsupported("%s join is only supported with equality join conditions", jt.String())
	default:
		return nil, errInternal("unknown join type %d", jt)
	}
	if left == nil || right == nil {
		return nil, errInternal("nested loop join input is nil")
	}
	if cond != nil {
		if err := checkBool("JOIN", cond); err != nil {
			return nil, err
		}
	}
	o := &nestedLoopJoin{left: left, right: right}
	o.env, o.jt, o.residual, o.res = env, jt, cond, env.Reserve("NestedLoopJoin")
	o.out, o.cand = joinSchemas(jt, left.Schema(), right.Schema())
	o.narrowResidual()
	return o, nil
}

func (o *nestedLoopJoin) Schema() *arrow.Schema { return o.out }

func (o *nestedLoopJoin) Open(ctx context.Context) error {
	if err := o.right.Open(ctx); err != nil {
		return err
	}
	return o.left.Open(ctx)
}

func (o *nestedLoopJoin) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.eof {
		return nil, io.EOF
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if !o.built {
		cols, _, n, _, err := collectWithKeys(ctx, o.env, o.right, nil, o.res)
		if err != nil {
			return nil, err
		}
		o.bcols, o.bn, o.built = cols, n, true
		// Without a condition every right row matches: an anti join
		// keeps nothing once there is one.
		if n == 0 && (o.jt == InnerJoin || o.jt == SemiJoin) || n > 0 && o.jt == AntiJoin && o.residual == nil {
			o.eof = true
			return nil, io.EOF
		}
	}
	for {
		if o.pb == nil {
			b, err := o.left.Next(ctx)
			if err == io.EOF {
				o.eof = true
				return nil, io.EOF
			}
			if err != nil {
				return nil, err
			}
			o.setProbe(b)
			o.li, o.rj, o.tail = 0, 0, o.bn == 0
			continue
		}
		if !o.tail {
			if o.fillPairs(o.env.Rows()) == 0 {
				o.tail = true
				continue
			}
			out, err := o.emitPairs(ctx)
			if out != nil || err != nil {
				return out, err
			}
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
			continue
		}
		out, err := o.probeTail()
		o.dropProbe()
		if out != nil || err != nil {
			return out, err
		}
	}
}

// fillPairs collects up to limit (left, right) pairs in row-major order.
// Semi, anti and mark joins skip left rows already matched.
func (o *nestedLoopJoin) fillPairs(limit int) int {
	o.pIdx, o.bIdx = o.pIdx[:0], o.bIdx[:0]
	n := int(o.pb.NumRows())
	for len(o.pIdx) < limit && o.li < n {
		if o.jt.probeOnly() && o.pmatched[o.li] {
			o.li, o.rj = o.li+1, 0
			continue
		}
		if o.jt.probeOnly() && o.residual == nil {
			// Without a condition every pair matches, and a semi, anti
			// or mark join needs one match per left row: its first
			// pair (an uncorrelated `0 IN (SELECT x ...)`, whose
			// condition became the subquery's filter, paired 10,000
			// rows with 10,000 rows: 1.7 s).
			o.pIdx, o.bIdx = append(o.pIdx, int32(o.li)), append(o.bIdx, 0)
			o.li, o.rj = o.li+1, 0
			continue
		}
		k := min(o.bn-o.rj, limit-len(o.pIdx))
		for j := o.rj; j < o.rj+k; j++ {
			o.pIdx = append(o.pIdx, int32(o.li))
			o.bIdx = append(o.bIdx, int32(j))
		}
		o.rj += k
		if o.rj >= o.bn {
			o.li, o.rj = o.li+1, 0
		}
	}
	return len(o.pIdx)
}

func (o *nestedLoopJoin) Close() error {
	o.eof = true
	o.release()
	err := o.left.Close()
	if rerr := o.right.Close(); err == nil {
		err = rerr
	}
	return err
}
