package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/wire/flightsql"
	"github.com/meshql/meshql/wire/pgwire"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := &options{PGListen: "127.0.0.1:5433", FlightListen: "127.0.0.1:32010", HTTPListen: "127.0.0.1:9187",
		MaxConnections: 100, ShutdownGrace: 30 * time.Second, MaxMessageSize: "1MB", LogFormat: "text", LogLevel: "info", DataDir: defaultDataDir()}
	fs, config, specs := newFlags("serve", o, true, stderr)
	printCfg := fs.Bool("print-config", false, "print the effective configuration (YAML, secrets redacted) and exit")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if err := resolve(fs, *config, specs); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return err
	}
	if *printCfg {
		return printConfig(stdout, specs)
	}
	log := newLogger(o, stderr)
	if limit, _ := engineSize("memory_limit", o.MemoryLimit); limit > 0 {
		// The process's one runtime setting, made once here by main.
		debug.SetMemoryLimit(limit)
	}
	maxMsg, _ := engineSize("max_message_size", o.MaxMessageSize)
	mesh, err := loadMesh(ctx, o, stderr)
	if err != nil {
		return err
	}
	reloadEvery, err := parseReloadInterval(o.ReloadInterval)
	if err != nil {
		return err
	}
	var tlsConfig *tls.Config
	if o.TLSCert != "" || o.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if o.DemoPostgres != "" {
		if o.Mesh != "" {
			return fmt.Errorf("--demo-postgres applies to the demo mesh only (no --mesh)")
		}
		if err := useDemoPostgres(ctx, mesh, o.DemoPostgres, stderr); err != nil {
			return err
		}
	}
	eng, closeLineage, err := newEngineObserved(mesh, o, reloader(o))
	if err != nil {
		return err
	}
	// Last: the queries drained below still emit their COMPLETE events,
	// and the queue is sent before the process exits.
	defer func() {
		if err := closeLineage(); err != nil {
			log.Warn("openlineage: closing the event file", "err", err)
		}
	}()
	watchCtx, stopWatch := context.WithCancel(ctx)
	waitWatch := eng.WatchCatalog(watchCtx, reloadEvery)
	stopHUP := reloadOnSIGHUP(watchCtx, eng)
	defer func() { stopWatch(); waitWatch(); stopHUP() }()
	srv, err := pgwire.NewServer(pgwire.EngineBackend[*engine.Session, *engine.Statement](eng), pgwire.Config{
		Addr: o.PGListen, TLSConfig: tlsConfig, Logger: log,
		MaxConnections: o.MaxConnections, IdleSessionTimeout: o.IdleSessionTimeout,
		MaxMessageSize: int(maxMsg),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.PGListen)
	if err != nil {
		return fmt.Errorf("--pg-listen: %w", err)
	}
	errc := make(chan error, 3)
	// The server outlives ctx (the signal): Shutdown drains it below.
	go func() { errc <- srv.Serve(context.Background(), ln) }()
	var fsrv *flightsql.Server
	if o.FlightListen != "" && o.FlightListen != "off" {
		fsrv, err = flightsql.NewServer(eng, flightsql.Config{Addr: o.FlightListen, TLSConfig: tlsConfig, Logger: log, ServerVersion: Version, MaxEndpoints: o.FlightEndpoints})
		if err != nil {
			srv.Close()
			return err
		}
		fln, err := net.Listen("tcp", o.FlightListen)
		if err != nil {
			srv.Close()
			return fmt.Errorf("--flight-listen: %w", err)
		}
		defer fsrv.Close()
		// Like pgwire, it outlives the signal: Shutdown drains it below.
		go func() { errc <- fsrv.Serve(context.Background(), fln) }()
		log.Info("Arrow Flight SQL listening", "flight", fln.Addr().String())
	}
	var httpSrv *http.Server
	var draining atomic.Bool
	if o.HTTPListen != "" && o.HTTPListen != "off" {
		hln, err := net.Listen("tcp", o.HTTPListen)
		if err != nil {
			srv.Close()
			return fmt.Errorf("--http-listen: %w", err)
		}
		httpSrv = &http.Server{Handler: healthHandler(eng, &draining), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := httpSrv.Serve(hln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	log.Info("meshql serving", "mesh", mesh.Name, "products", len(mesh.Products), "pg", ln.Addr().String(), "http", o.HTTPListen)
	fmt.Fprintf(stdout, "meshql is ready: psql \"postgres://analyst:analyst@%s/mesh\"\n", ln.Addr())
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	// Drain: /readyz fails so that load balancers stop routing here, the
	// listener closes, running queries get shutdown_grace to finish.
	draining.Store(true)
	log.Info("meshql shutting down", "shutdown_grace", o.ShutdownGrace.String())
	grace, cancel := context.WithTimeout(context.Background(), o.ShutdownGrace)
	flightDrained := make(chan error, 1)
	if fsrv != nil {
		go func() { flightDrained <- fsrv.Shutdown(grace) }()
	} else {
		flightDrained <- nil
	}
	serr := srv.Shutdown(grace)
	if ferr := <-flightDrained; serr != nil || ferr != nil {
		log.Warn("shutdown grace period over: running queries were canceled", "shutdown_grace", o.ShutdownGrace.String())
	}
	cancel()
	if httpSrv != nil {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		httpSrv.Shutdown(shutdownCtx)
		cancel()
	}
	log.Info("meshql stopped")
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// healthHandler serves /healthz (the process is up), /readyz (it takes
// new connections: 503 while draining) and /metrics.
func healthHandler(eng *engine.Engine, draining *atomic.Bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if draining.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		eng.WriteMetrics(w)
		writeProcessMetrics(w)
	})
	return mux
}
