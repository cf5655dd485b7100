# Proof under load and faults (issue 6). See docs/bench.md.
#   make bench             load figures of the binary and the image against a bare
#                          net/http handler, into dist/bench/ (about 10 minutes; not in make test)
#   make test-reliability  soak, Redis outage and restart, SIGTERM, hostile input (in make test)
#   make fuzz-ci           every fuzz target for FUZZTIME (10s) each (in make test)

BENCH_OUT           ?= dist/bench
# Seconds of load per cell and the concurrency levels (wrk connections).
BENCH_DURATION      ?= 5s
BENCH_CONCURRENCY   ?= 1,32,128
# auto: bench the image too when a Docker engine answers; off: the binary only.
BENCH_DOCKER        ?= auto
RELIABILITY_TIMEOUT ?= 15m
FUZZTIME            ?= 10s

.PHONY: bench test-reliability fuzz-ci

# The image under test is the one `make image` builds from this tree, when an engine answers.
bench: build ## Load figures (req/s, latency, RSS, start-up) against a bare handler, in dist/bench/.
	go vet -tags bench ./scripts/bench/...
	@image=; \
	if [ "$(BENCH_DOCKER)" != off ] && $(DOCKER) version >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory image redis-image; image=$(BIN):latest; \
	else echo "bench: no Docker engine (or BENCH_DOCKER=off): the binary only"; fi; \
	echo "go test -tags bench -run '^TestBench$$' ./scripts/bench/ (image: $${image:-none})"; \
	BENCH_OUT=$(abspath $(BENCH_OUT)) BENCH_APP_BIN=$(abspath bin/$(BIN)) \
	BENCH_DURATION=$(BENCH_DURATION) BENCH_CONCURRENCY=$(BENCH_CONCURRENCY) \
	BENCH_DOCKER=$$image BENCH_REDIS_IMAGE=$(REDIS_LOCAL) \
	  go test -tags bench -count=1 -v -timeout 30m -run '^TestBench$$' ./scripts/bench/

test-reliability: ## [warm 119 s, cold 3 min] The app under load and faults: soak, Redis outages and restart, SIGTERM, hostile clients.
	go test -tags reliability -count=1 -v -timeout $(RELIABILITY_TIMEOUT) ./test/reliability/...

fuzz-ci: ## [warm 70 s, cold 3 min] Every fuzz target for FUZZTIME (10s) each.
	FUZZTIME=$(FUZZTIME) scripts/bench/fuzz-ci.sh

TEST_TARGETS += test-reliability fuzz-ci
