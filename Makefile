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
# -buildvcs=false: the version and revision come from LDFLAGS, and the bytes must not depend
# on the checkout (docker build's context has no .git: its binary must equal image-bins').
GOBUILD  := go build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)'

# Targets that `make test` runs after the Go tests; the mk/*.mk files add to it.
TEST_TARGETS :=

# tools.mk first: the others use its tool paths as prerequisites.
include mk/tools.mk
include $(filter-out mk/tools.mk,$(sort $(wildcard mk/*.mk)))

.PHONY: help deps run build check vet staticcheck unit test test-go lint bench-go clean

help: ## List the targets (usual time on the 2-core machines: warm, then cold caches).
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort -u | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

run: ## [warm 5 s] Serve the app on :5000 (in-memory history unless REDIS_HOST is set).
	go run -trimpath -ldflags '$(LDFLAGS)' ./cmd/$(BIN)

build: ## [warm 3 s] Build a static, stripped, version-stamped binary into bin/.
	$(GOBUILD) -o bin/$(BIN) ./cmd/$(BIN)

deps: ## Install the Debian packages the tests need and start dockerd (scripts/deps.sh; root).
	bash scripts/deps.sh

# Every build tag the tests use, so that vet and staticcheck read every file once.
TEST_TAGS := e2e,reliability,bench,k8s,supply,tools

# The fast loop for a change to the code: no root, no Docker, no apt. Tests that need
# redis-server or chromium skip with a message when they are not installed.
check: build vet staticcheck unit test-helm workflows ## [warm 46 s, cold Go caches 7 min] The fast loop: build, vet, staticcheck, unit/handler/contract tests and fuzz seeds, the chart's static checks.

vet: ## go vet, every package and build tag.
	go vet ./...
	go vet -tags $(TEST_TAGS) ./...

staticcheck: $(STATICCHECK) ## staticcheck, every package and build tag.
	$(STATICCHECK) -tags $(TEST_TAGS) ./...

unit: ## Unit, handler, contract (real redis-server when installed), browser (chromium when installed) and fuzz-seed tests, once each.
	go test -count=1 ./...

# make test: the builds every test needs, then each test target in turn, timed into
# dist/test-times.tsv (scripts/test.sh; where the minutes go: docs/ci.md).
TEST_TIMES := dist/test-times.tsv

test: ## [cold 50 min, warm 16 min] Everything CI runs (installs what it needs first; root).
	@MAKE='$(MAKE)' scripts/test.sh $(TEST_TIMES) test-go lint $(filter-out test-k8s,$(TEST_TARGETS)) $(filter test-k8s,$(TEST_TARGETS))

test-go: ## [warm 59 s, cold 3 min] Unit, handler, contract, browser and fuzz-seed tests, with the race detector.
	CGO_ENABLED=1 go test -race -count=1 ./...

lint: vet staticcheck $(GOVULNCHECK) ## [warm 22 s, cold 88 s] go vet, staticcheck and govulncheck.
	$(GOVULNCHECK) $(GOVULNCHECK_DB) ./...

bench-go: ## go test benchmarks of the generator and handlers.
	go test -run '^$$' -bench . -benchmem ./internal/...

clean: ## Remove build outputs.
	rm -rf bin dist
