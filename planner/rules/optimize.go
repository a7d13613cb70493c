package rules

import (
	"context"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Optimize runs the rewrite pipeline over a bound plan whose consumer
// reads required: parameters become constants, constants fold, date casts
// and containment in constant ranges unwrap, predicates move down into scans, subtrees that cannot yield a
// row become empty, unused columns disappear, and stacked projections
// that only pick or rename columns fold into one.
// Rules that add columns register them in meta. ctx ending (statement
// timeout, cancel) stops the pipeline between rules.
func Optimize(ctx context.Context, n logical.Node, params []sqltypes.Datum, required logical.ColSet, eval ConstEvaluator, meta *logical.Metadata) (logical.Node, error) {
	n, err := runSteps(ctx, n, foldSteps(params, required, eval))
	if err != nil {
		return nil, err
	}
	steps := []func(logical.Node) (logical.Node, error){
		ResolveLimits,
		UnwrapForPushdown,
		FactorOr,
		PushDownFilters,
		RemoveEmpty,
		PushSemiJoins,
		func(n logical.Node) (logical.Node, error) { return PushAggregatesBelowKeyJoins(n, meta) },
		ReorderJoins,
		ReduceGroupedJoins,
		ReduceSemiJoinBuilds,
		func(n logical.Node) (logical.Node, error) { return PruneColumns(n, required) },
		// After pruning: a shared read keeps every column it reads.
		func(n logical.Node) (logical.Node, error) { return ShareReducedScans(n, meta) },
		MergeProjects,
	}
	return runSteps(ctx, n, steps)
}

// FoldWithParams runs the first steps of Optimize, up to constant
// folding, and reports their error: PostgreSQL plans a query's portal at
// Bind (its parameters' values then constants), so that 1/0, or 1/$1 with
// 0, fails the Bind rather than its Execute.
func FoldWithParams(ctx context.Context, n logical.Node, params []sqltypes.Datum, required logical.ColSet, eval ConstEvaluator) error {
	_, err := runSteps(ctx, n, foldSteps(params, required, eval))
	return err
}

// foldSteps are Optimize's steps up to constant folding.
func foldSteps(params []sqltypes.Datum, required logical.ColSet, eval ConstEvaluator) []func(logical.Node) (logical.Node, error) {
	return []func(logical.Node) (logical.Node, error){
		InlineSingleUse,
		func(n logical.Node) (logical.Node, error) { return SubstituteParams(n, params) },
		// Before folding: a constant nobody reads raises no error, as
		// PostgreSQL drops unused subquery outputs before planning the
		// subquery (SELECT count(*) FROM (SELECT 1/0 FROM t) s).
		func(n logical.Node) (logical.Node, error) { return PruneColumns(n, required) },
		func(n logical.Node) (logical.Node, error) { return FoldConstants(n, eval) },
	}
}

// runSteps applies steps in order; ctx ending stops them between steps.
func runSteps(ctx context.Context, n logical.Node, steps []func(logical.Node) (logical.Node, error)) (logical.Node, error) {
	var err error
	for _, step := range steps {
		if ctx.Err() != nil {
			return nil, sqltypes.AsError(context.Cause(ctx))
		}
		if n, err = step(n); err != nil {
			return nil, err
		}
	}
	return n, nil
}
