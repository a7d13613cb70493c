# meshql developer targets. `make test` is what CI runs (.ci/run).
GO       ?= go
FUZZTIME ?= 30s

.PHONY: build run test slt slt-update fuzz bench lint loadtest

build:
	$(GO) build -o bin/meshql ./cmd/meshql

# DEMO_POSTGRES=postgres://user@host:5432/db serves sales.customers_v1
# from that PostgreSQL (serve --demo-postgres; MESHQL_DEMO_POSTGRES works too).
DEMO_POSTGRES ?=
run: build
	./bin/meshql serve $(if $(DEMO_POSTGRES),--demo-postgres '$(DEMO_POSTGRES)')

# ensure-deps installs PostgreSQL, the client drivers (and make, gcc) when
# missing; quiet otherwise. Then every fuzz target runs a short
# coverage-guided round (FUZZ_SMOKE inputs each) beyond its seed corpus.
FUZZ_SMOKE ?= 3000x
test:
	scripts/ensure-deps.sh
	$(GO) vet ./...
	$(GO) test -race -p 2 -timeout 20m ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZ_SMOKE)

# The .slt corpus against PostgreSQL (and, once wired, meshql).
slt:
	$(GO) test -race -count=1 ./internal/slt/...

# Rewrites testdata/sql/*.slt expectations from PostgreSQL; review the diff.
slt-update:
	$(GO) test -count=1 ./internal/slt -run TestSLTAgainstPostgres -update

# Runs every Fuzz* target of every package for FUZZTIME each: a duration
# (30s) or a number of inputs (3000x). make test uses a number: a duration
# can end a worker mid-input with a spurious "context deadline exceeded".
fuzz:
	@set -e; \
	for dir in $$(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | xargs -r -n1 dirname | sort -u); do \
		for target in $$($(GO) test -list '^Fuzz' ./$$dir | grep '^Fuzz' || true); do \
			echo "== fuzz $$dir $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) ./$$dir; \
		done; \
	done

# bench: the operator benchmarks of the root module (short -benchtime), then
# TPC-H SF1 side by side with DuckDB through bench/compare (its own module:
# DuckDB is cgo and stays out of the root go.mod), with 1 worker on the
# speed-up queries and BENCH_WORKERS on all 22; rewrites the generated part
# of bench/RESULTS.md, with the SF1 lineitem fetch rate of each front
# (Flight SQL, pgwire binary/text, in-process, and a real PostgreSQL from
# internal/pgtest loaded with the same table, binary/text) measured in one
# run, and all 22 queries once more with meshql alone under
# mesh.query_memory = BENCH_QUERY_MEMORY (the issue's SF1 check that they
# still give the official answers, spilling where they must), then the
# analyst queries of bench/analyst beside DuckDB (their own section). SF1
# is generated once into BENCH_DIR/sf1. -mod=mod lets bench/compare/go.mod
# follow new dependencies of the root module.
BENCH_DIR     ?= $(HOME)/.cache/meshql/bench
BENCH_TIME    ?= 100ms
BENCH_RUNS    ?= 5
BENCH_WORKERS ?= 2
BENCH_QUERY_MEMORY ?= 256MB
bench: build
	@mkdir -p $(BENCH_DIR)
	@test -f $(BENCH_DIR)/sf1/mesh.yaml || ./bin/meshql tpch gen --sf 1 --out $(BENCH_DIR)/sf1
	$(GO) test -p 1 -run '^$$' -bench . -benchmem -benchtime $(BENCH_TIME) -timeout 30m \
		$$(grep -rlE --include='*_test.go' '^func Benchmark' . | grep -v '^./bench/compare/' | xargs -n1 dirname | sort -u) \
		> $(BENCH_DIR)/operators.txt 2>&1; rc=$$?; cat $(BENCH_DIR)/operators.txt; exit $$rc
	MESHQL_TPCH_SF1_MESH=$(abspath $(BENCH_DIR))/sf1 $(GO) test -run '^$$' -bench '^BenchmarkFetchLineitem$$' -benchtime 1x \
		-timeout 30m ./wire/flightsql > $(BENCH_DIR)/wire.txt 2>&1; rc=$$?; cat $(BENCH_DIR)/wire.txt; exit $$rc
	cd bench/compare && $(GO) build -mod=mod -o $(abspath $(BENCH_DIR))/compare .
	$(BENCH_DIR)/compare --mesh $(BENCH_DIR)/sf1 --queries testdata/tpch/queries --runs $(BENCH_RUNS) \
		--workers 1 --only 1,3,5,9,18 --json $(BENCH_DIR)/sf1-1worker.json
	$(BENCH_DIR)/compare --mesh $(BENCH_DIR)/sf1 --queries testdata/tpch/queries --runs 1 --no-duckdb \
		--workers $(BENCH_WORKERS) --query-memory $(BENCH_QUERY_MEMORY) --check-answers testdata/tpch/sf1/answers \
		--json $(BENCH_DIR)/sf1-budget.json
	$(BENCH_DIR)/compare --mesh $(BENCH_DIR)/sf1 --queries testdata/tpch/queries --runs $(BENCH_RUNS) \
		--workers $(BENCH_WORKERS) --check-answers testdata/tpch/sf1/answers --json $(BENCH_DIR)/sf1.json \
		--speedup-from $(BENCH_DIR)/sf1-1worker.json --budget-from $(BENCH_DIR)/sf1-budget.json --operators $(BENCH_DIR)/operators.txt --wire $(BENCH_DIR)/wire.txt --markdown bench/RESULTS.md
	$(BENCH_DIR)/compare --mesh $(BENCH_DIR)/sf1 --queries bench/analyst --section analyst --runs $(BENCH_RUNS) \
		--workers $(BENCH_WORKERS) --json $(BENCH_DIR)/analyst.json --markdown bench/RESULTS.md

lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt -l reports:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# loadtest: 100 pgx clients for 60 s against `meshql serve` on the demo mesh
# (and the TPC-H SF0.01 mesh), then connect/disconnect churn checked via
# /metrics; rewrites the load-test section of bench/RESULTS.md. Not part of
# make test. LOADTEST_FLAGS adds flags (e.g. --duration 20s --demo-scale 0.1).
LOADTEST_FLAGS ?=
loadtest: build
	$(GO) run ./cmd/meshql-loadtest --meshql bin/meshql --results bench/RESULTS.md $(LOADTEST_FLAGS)
