package engine

import "context"

// Hooks are points in a statement's life where a test stops it, to land a
// signal or a timeout at an exact moment instead of racing for it.
type Hooks struct {
	// Planned runs when a statement's analysis is over, before it
	// executes (the gap between its planning and its execution), on the
	// session's goroutine, with the statement's context (its
	// statement_timeout and signals) and text.
	Planned func(ctx context.Context, sql string)
}

// SetHooks installs hooks, for tests; sessions may be running.
func (e *Engine) SetHooks(h Hooks) { e.hooks.Store(&h) }

// planned runs the Planned hook, if any.
func (e *Engine) planned(ctx context.Context, sql string) {
	if h := e.hooks.Load(); h != nil && h.Planned != nil {
		h.Planned(ctx, sql)
	}
}
