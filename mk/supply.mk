# Supply chain (issue 4): SBOM, the vulnerability and freshness gates, cosign signatures
# and attestations, the report. Scripts in scripts/supply/, tests in test/supply/,
# user documentation in docs/supply-chain.md.
#
#   make sbom      SPDX 2.3 JSON SBOM of the image (deterministic for one commit)
#   make scan      govulncheck (source + binary), osv-scanner (image + SBOM), freshness
#   make sign      push by digest to REGISTRY (default: a local one on 127.0.0.1), sign,
#                  attest SBOM (spdxjson) and SLSA provenance (slsaprovenance1)
#   make verify    verify the signature and both attestations of the built digest
#   make report    the course's comparison table, also written to dist/report.md
#
# VULNDB=/folder   a folder of OSV JSON files, used by every scanner (default: the live
#                  databases when reachable, else ../shared/vulndb/osv)
# COSIGN_KEY, COSIGN_PUB, COSIGN_PASSWORD   the key pair (make sign without one makes a
#                  throwaway pair under dist/supply/keys and says so)
# REGISTRY=host:port   where to push; IMAGE_NAME (default giropops-senhas)

SUPPLY_DIST  ?= $(IMAGE_DIST)
supply_dir   := $(SUPPLY_DIST)/supply
SBOM_FILE    := $(supply_dir)/$(BIN).spdx.json
PROVENANCE   := $(supply_dir)/provenance.json
SCAN_DIR     := $(SUPPLY_DIST)/scan
REPORT_FILE  := $(SUPPLY_DIST)/report.md
supply_bin   := $(IMAGE_DIST)/bin/linux-$(host_arch)/$(BIN)
supply_tar   := $(image_dir)/$(BIN).tar
supply_oci   := $(image_dir)/oci
supply_dgst  := $(image_dir)/digest

# Empty VULNDB means: live when reachable, else ../shared/vulndb/osv (scripts/supply/vulndb.sh).
VULNDB       ?=
REGISTRY     ?=
IMAGE_NAME   ?= $(BIN)
export VULNDB REGISTRY IMAGE_NAME

# `make lint` runs govulncheck with $(GOVULNCHECK_DB): the same database choice as
# `make scan`, worked out once per make run and only when used.
ifeq ($(origin GOVULNCHECK_DB),undefined)
GOVULNCHECK_DB = $(eval GOVULNCHECK_DB := $(shell VULNDB='$(VULNDB)' scripts/supply/vulndb.sh govulncheck-flag || echo '-db invalid-VULNDB'))$(GOVULNCHECK_DB)
endif

supply_tools = GOVULNCHECK=$(GOVULNCHECK) OSV_SCANNER=$(OSV_SCANNER) SYFT=$(SYFT) COSIGN=$(COSIGN) CRANE=$(CRANE)

.PHONY: sbom provenance scan freshness sign verify report registry-stop test-supply supply-keys

sbom: $(SYFT) image-oci ## SPDX 2.3 JSON SBOM of the image into dist/supply/.
	@$(supply_tools) scripts/supply/sbom.sh -i $(supply_tar) -b $(supply_bin) -n $(BIN) -o $(SBOM_FILE)

provenance: image-oci ## SLSA v1 provenance predicate of the image into dist/supply/.
	@mkdir -p $(supply_dir)
	@LDFLAGS='$(LDFLAGS)' scripts/supply/provenance.sh $(supply_bin) >$(PROVENANCE)
	@echo "provenance: $(PROVENANCE)"

scan: $(GOVULNCHECK) $(OSV_SCANNER) sbom ## Fail on any known vulnerability or a stale toolchain/module.
	@$(supply_tools) scripts/supply/scan.sh -m . -b $(supply_bin) -i $(supply_tar) -s $(SBOM_FILE) -o $(SCAN_DIR)

freshness: image-bins ## Only the freshness gate, on the host binary.
	@scripts/supply/freshness.sh $(supply_bin)

# Without a key pair, a throwaway one (so a fresh clone can run sign and verify); a real
# release passes COSIGN_KEY and COSIGN_PUB.
supply-keys: $(COSIGN)
	@if [ -z "$(COSIGN_KEY)" ] && [ ! -f $(supply_dir)/keys/cosign.key ]; then \
	  mkdir -p $(supply_dir)/keys && cd $(supply_dir)/keys && \
	  COSIGN_PASSWORD= $(COSIGN) generate-key-pair >/dev/null && \
	  echo "cosign: no COSIGN_KEY given, made a throwaway key pair in $(supply_dir)/keys"; fi

supply_keyenv = $(if $(COSIGN_KEY),COSIGN_KEY='$(COSIGN_KEY)',COSIGN_KEY=$(supply_dir)/keys/cosign.key COSIGN_PASSWORD=) \
  COSIGN_PUB='$(or $(COSIGN_PUB),$(supply_dir)/keys/cosign.pub)'

# COSIGN_KEYLESS=1: keyless (OIDC identity, Fulcio, Rekor), no key pair (docs/release.md).
sign: $(COSIGN) $(CRANE) $(if $(COSIGN_KEYLESS),,supply-keys) sbom provenance ## Push by digest, sign, attest SBOM and provenance.
	@$(supply_tools) $(supply_keyenv) COSIGN_KEYLESS='$(COSIGN_KEYLESS)' VERSION=$(VERSION) scripts/supply/sign.sh \
	  -l $(supply_oci) -d $(supply_dgst) -s $(SBOM_FILE) -p $(PROVENANCE) -o $(supply_dir)

# Verifies the digest this tree built (dist/image/digest), in REGISTRY or in the local
# registry `make sign` started; with neither running, it signs first.
verify: $(COSIGN) $(CRANE) ## Verify the signature, SBOM and provenance attestations of the built digest.
	@reg="$(REGISTRY)"; \
	if [ -z "$$reg" ]; then \
	  reg=$$(CRANE=$(CRANE) scripts/supply/registry.sh addr $(supply_dir)/registry 2>/dev/null) || { \
	    echo "verify: no local registry running: running make sign first"; \
	    $(MAKE) --no-print-directory sign; \
	    reg=$$(CRANE=$(CRANE) scripts/supply/registry.sh addr $(supply_dir)/registry); }; \
	fi; \
	$(supply_tools) $(supply_keyenv) REVISION=$(REVISION) \
	  scripts/supply/verify.sh "$$reg/$(IMAGE_NAME)@$$(cat $(supply_dgst))" $(supply_dir)/verified

registry-stop: ## Stop the local registry that make sign started.
	@scripts/supply/registry.sh stop $(supply_dir)/registry

report: $(CRANE) ## The course's table for our image, printed and written to dist/report.md.
	@-$(MAKE) --no-print-directory scan
	@-$(MAKE) --no-print-directory verify
	@$(supply_tools) IMAGE_DIST=$(IMAGE_DIST) MAKE='$(MAKE)' scripts/supply/report.sh \
	  -l $(supply_oci) -d $(supply_dgst) -S $(SCAN_DIR)/summary.tsv -v $(supply_dir)/verified \
	  -s $(SBOM_FILE) -p $(PROVENANCE) -o $(REPORT_FILE)

# The gates, shown passing on our image and failing where they must: the Go tests in
# test/supply/ (build tag supply). One check: make test-supply SUPPLY_FLAGS='-run TestSignature/verify_fails_with_the_wrong_key'.
test-supply: $(GOVULNCHECK) $(OSV_SCANNER) $(SYFT) $(COSIGN) $(CRANE) $(STATICCHECK) scan ## [warm 65 s, cold 64 s] Scan, sign, verify, and the negative tests.
	go vet -tags supply ./test/supply/
	$(STATICCHECK) -tags supply ./test/supply/
	$(supply_tools) MAKE='$(MAKE)' IMAGE_DIST=$(IMAGE_DIST) SUPPLY_DIR=$(supply_dir) \
	  go test -tags supply -count=1 -v -timeout 30m $(SUPPLY_FLAGS) ./test/supply/

TEST_TARGETS += test-supply
