# Pinned developer tools, built from the Go module proxy and cached outside the repo.
#
# Each tool is its own small Go module under tools/<name>/ (go.mod with a `tool` directive
# and a committed go.sum), because their dependency graphs conflict (see docs/tools.md).
# The version is read from that go.mod, so bumping a tool is one `go get -tool` there.
#
# $(STATICCHECK) etc. are absolute paths and also file targets: use them as prerequisites
# (`sbom: $(SYFT) image`) and in recipes. A binary lives in
#   $(TOOLS_CACHE)/<tool>-<version>-<hash>/<tool>
# where <hash> is a short digest of the tool's go.mod, go.sum and -ldflags, so a version bump
# (or any pinned dependency, replace or stamp change) builds a new binary, and a fresh clone
# on the same machine finds the old one up to date without rebuilding. A lock in that directory makes concurrent makes
# (several people share this machine) wait for one build instead of each building the same.
#
# The Makefile reads this file first, and only this file defines tool paths: the other
# mk/*.mk files use them as prerequisites.

TOOLS_DIR   := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../tools)
TOOLS_CACHE ?= $(HOME)/.cache/giropops-senhas/tools
# The tool modules name go1.27.4; the machine's go.env says local.
TOOLS_GO    := env GOTOOLCHAIN=auto CGO_ENABLED=0 go

# $(call tools_modver,DIR,MODULE): MODULE's required version in tools/DIR/go.mod.
tools_modver = $(shell awk '$$1 == "$(2)" { print $$2; exit }' $(TOOLS_DIR)/$(1)/go.mod)
# $(call tools_key,DIR,LDFLAGS): short digest of tools/DIR/go.mod, go.sum and the ldflags.
tools_key = $(shell { cat $(TOOLS_DIR)/$(1)/go.mod $(TOOLS_DIR)/$(1)/go.sum; echo '$(2)'; } | sha256sum | cut -c1-10)

# $(call tools_def,VAR,DIR,MODULE,PACKAGE,LDFLAGS)
#   VAR      make variable that holds the binary's path (STATICCHECK)
#   DIR      tools/DIR module, also the binary's name (staticcheck)
#   MODULE   the module whose version is the tool's version (honnef.co/go/tools)
#   PACKAGE  the main package to build
#   LDFLAGS  extra -ldflags, e.g. version stamps (may use $$($(1)_VERSION))
define tools_def
$(1)_VERSION := $$(call tools_modver,$(2),$(3))
$(1)_MODULE  := $(3)
$(1)_PACKAGE := $(4)
$(1)_LDFLAGS  = $(5)
$(1)_HASH    := $$(call tools_key,$(2),$$($(1)_LDFLAGS))
$(1)         := $$(TOOLS_CACHE)/$(2)-$$($(1)_VERSION)-$$($(1)_HASH)/$(2)
TOOLS_VARS   += $(1)
TOOLS_BINS   += $$($(1))

.PHONY: tool-$(2)
tool-$(2): $$($(1))

$$($(1)):
	@mkdir -p $$(@D)
	@exec 9>$$(@D)/.lock && flock 9 && \
	if [ -x $$@ ]; then echo "tools: $(2) $$($(1)_VERSION) was built meanwhile by another make"; exit 0; fi && \
	echo "tools: building $(2) $$($(1)_VERSION) into $$(@D)" && t0=$$$$(date +%s) && \
	cd $$(TOOLS_DIR)/$(2) && tmp=$$@.tmp.$$$$$$$$ && \
	$$(TOOLS_GO) build -trimpath -buildvcs=false -mod=readonly \
	  -ldflags '-s -w $$($(1)_LDFLAGS)' -o $$$$tmp $(4) && \
	mv -f $$$$tmp $$@ && echo "tools: built $(2) in $$$$(( $$$$(date +%s) - t0 )) s"
endef

TOOLS_VARS :=
TOOLS_BINS :=

# Helm's default Capabilities.KubeVersion (helm template, lint) follows its client-go, as in
# helm's own Makefile: client-go v0.37.x -> Kubernetes 1.37.
HELM_K8S_MAJOR = 1
HELM_K8S_MINOR = $(word 2,$(subst ., ,$(call tools_modver,helm,k8s.io/client-go)))
# Prometheus tags its Go module v0.316.0 for release 3.16.0; promtool prints the release.
PROMTOOL_RELEASE = $(shell echo $(PROMTOOL_VERSION) | sed -E 's/^v0\.([0-9])([0-9]+)\.([0-9]+)$$/\1.\2.\3/')

$(eval $(call tools_def,STATICCHECK,staticcheck,honnef.co/go/tools,honnef.co/go/tools/cmd/staticcheck,))
$(eval $(call tools_def,GOVULNCHECK,govulncheck,golang.org/x/vuln,golang.org/x/vuln/cmd/govulncheck,))
$(eval $(call tools_def,HELM,helm,helm.sh/helm/v3,helm.sh/helm/v3/cmd/helm,\
  -X helm.sh/helm/v3/internal/version.version=$$(HELM_VERSION) \
  -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$$(HELM_K8S_MAJOR) \
  -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$$(HELM_K8S_MINOR) \
  -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$$(HELM_K8S_MAJOR) \
  -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$$(HELM_K8S_MINOR)))
$(eval $(call tools_def,CRANE,crane,github.com/google/go-containerregistry,github.com/google/go-containerregistry/cmd/crane,\
  -X github.com/google/go-containerregistry/cmd/crane/cmd.Version=$$(CRANE_VERSION)))
$(eval $(call tools_def,PROMTOOL,promtool,github.com/prometheus/prometheus,github.com/prometheus/prometheus/cmd/promtool,\
  -X github.com/prometheus/common/version.Version=$$(PROMTOOL_RELEASE) \
  -X github.com/prometheus/common/version.Branch=v$$(PROMTOOL_RELEASE)))
$(eval $(call tools_def,OSV_SCANNER,osv-scanner,github.com/google/osv-scanner/v2,github.com/google/osv-scanner/v2/cmd/osv-scanner,))
$(eval $(call tools_def,SYFT,syft,github.com/anchore/syft,github.com/anchore/syft/cmd/syft,\
  -X main.version=$$(patsubst v%,%,$$(SYFT_VERSION))))
$(eval $(call tools_def,COSIGN,cosign,github.com/sigstore/cosign/v3,github.com/sigstore/cosign/v3/cmd/cosign,\
  -X sigs.k8s.io/release-utils/version.gitVersion=$$(COSIGN_VERSION)))
$(eval $(call tools_def,ACTIONLINT,actionlint,github.com/rhysd/actionlint,github.com/rhysd/actionlint/cmd/actionlint,\
  -X github.com/rhysd/actionlint.version=$$(patsubst v%,%,$$(ACTIONLINT_VERSION))))

.PHONY: tools tools-versions test-tools

tools: $(TOOLS_BINS) ## [cold 18 min, two at a time] Build (or find cached) every pinned tool (one: make tool-cosign).

tools-versions: ## Print each pinned tool, its version and its cached binary.
	@$(foreach v,$(TOOLS_VARS),printf '%-12s %-9s %-42s %s\n' '$(notdir $($(v)))' '$($(v)_VERSION)' '$($(v)_MODULE)' \
	  "$$(test -x '$($(v))' && echo '$($(v))' || echo '(not built) $($(v))')";)

# Each binary must run and report the version pinned in its go.mod, as seen both by the
# tool itself and by the Go build info (catches a stale or hand-placed cache entry): the Go
# test in test/tools/ (build tag tools), one subtest per tool. One tool:
# make test-tools TOOLS_FLAGS='-run TestTools/cosign'.
test-tools: $(TOOLS_BINS) ## [warm 3 s, cold 8 s] Check that each cached tool runs and reports its pinned version.
	go vet -tags tools ./test/tools/
	$(STATICCHECK) -tags tools ./test/tools/
	TOOLS_VARS='$(TOOLS_VARS)' PROMTOOL_RELEASE='$(PROMTOOL_RELEASE)' \
	  $(foreach v,$(TOOLS_VARS),$(v)='$($(v))' $(v)_MODULE='$($(v)_MODULE)' $(v)_VERSION='$($(v)_VERSION)') \
	  go test -tags tools -count=1 -v $(TOOLS_FLAGS) ./test/tools/

TEST_TARGETS += test-tools
