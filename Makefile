# meshql developer targets. `make test` is what CI runs (.ci/run).
GO       ?= go
FUZZTIME ?= 30s

.PHONY: build run test slt slt-update fuzz bench lint

build:
	$(GO) build -o bin/meshql ./cmd/meshql

run: build
	./bin/meshql serve

# ensure-deps installs PostgreSQL (and make, gcc) when missing; quiet otherwise.
test:
	scripts/ensure-deps.sh
	$(GO) vet ./...
	$(GO) test -race -p 2 -timeout 20m ./...

# The .slt corpus against PostgreSQL (and, once wired, meshql).
slt:
	$(GO) test -race -count=1 ./internal/slt/...

# Rewrites testdata/sql/*.slt expectations from PostgreSQL; review the diff.
slt-update:
	$(GO) test -count=1 ./internal/slt -run TestSLTAgainstPostgres -update

# Runs every Fuzz* target of every package for FUZZTIME each.
fuzz:
	@set -e; \
	for dir in $$(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | xargs -r -n1 dirname | sort -u); do \
		for target in $$($(GO) test -list '^Fuzz' ./$$dir | grep '^Fuzz' || true); do \
			echo "== fuzz $$dir $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) ./$$dir; \
		done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt -l reports:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
