# Giropops Senhas. `make run` serves the app on :5000, `make test` runs every check CI runs.
# Each concern keeps its targets in mk/*.mk; they add their checks to TEST_TARGETS.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# go.mod names go1.27.4; the machine's go.env says GOTOOLCHAIN=local, so ask for the download.
export GOTOOLCHAIN := auto
export CGO_ENABLED := 0

BIN      := giropops-senhas
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
# Commit time, so that two builds of one commit stamp the same date (reproducible images).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
LDFLAGS  := -s -w -buildid= -X main.version=$(VERSION) -X main.revision=$(REVISION)
GOBUILD  := go build -trimpath -ldflags '$(LDFLAGS)'

# Targets that `make test` runs after the Go tests; the mk/*.mk files add to it.
TEST_TARGETS :=

# tools.mk first: the others use its tool paths as prerequisites (it guards against the second include).
include mk/tools.mk
include $(sort $(wildcard mk/*.mk))

.PHONY: help deps run build test test-go lint bench-go clean

help: ## List the targets.
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort -u | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

run: ## Serve the app on :5000 (in-memory history unless REDIS_HOST is set).
	go run -trimpath -ldflags '$(LDFLAGS)' ./cmd/$(BIN)

build: ## Build a static, stripped, version-stamped binary into bin/.
	$(GOBUILD) -o bin/$(BIN) ./cmd/$(BIN)

deps: ## Install the Debian packages the tests need and start dockerd (scripts/deps.sh).
	bash scripts/deps.sh

test: deps test-go lint $(TEST_TARGETS) ## Everything CI runs (installs what it needs first).

test-go: ## Unit, handler, contract, browser and fuzz-seed tests, with the race detector.
	CGO_ENABLED=1 go test -race -count=1 ./...

lint: $(STATICCHECK) $(GOVULNCHECK) ## go vet, staticcheck and govulncheck.
	go vet ./...
	$(STATICCHECK) ./...
	$(GOVULNCHECK) $(GOVULNCHECK_DB) ./...

bench-go: ## go test benchmarks of the generator and handlers.
	go test -run '^$$' -bench . -benchmem ./internal/...

clean: ## Remove build outputs.
	rm -rf bin dist
