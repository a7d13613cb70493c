package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
)

// defaultReloadInterval is how often serve polls the mesh folder for
// changed descriptors.
const defaultReloadInterval = "5s"

// parseReloadInterval reads --reload-interval: a Go duration, 0 to turn
// polling off (SIGHUP still reloads).
func parseReloadInterval(v string) (time.Duration, error) {
	if v == "" {
		v = defaultReloadInterval
	}
	if v == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--reload-interval: %q is not a duration such as 5s (0 turns polling off)", v)
	}
	return d, nil
}

// reloader is how serve reloads the catalog: the same folder and options
// it loaded at start, and for --demo-postgres the same PostgreSQL source.
func reloader(o *options) func(context.Context) (*catalog.Mesh, error) {
	load := meshLoader(o)
	if o.DemoPostgres == "" {
		return load
	}
	return func(ctx context.Context) (*catalog.Mesh, error) {
		m, err := load(ctx)
		if err == nil {
			serveDemoFromPostgres(m, o.DemoPostgres)
		}
		return m, err
	}
}

// reloadOnSIGHUP reloads the catalog on every SIGHUP until ctx ends; the
// returned function stops listening.
func reloadOnSIGHUP(ctx context.Context, eng *engine.Engine) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = eng.Reload(ctx) // logged and counted by the engine
			}
		}
	}()
	return func() { signal.Stop(hup) }
}
