# The Helm chart (issue 5): deploy/helm/giropops-senhas, checked without a cluster.
# See docs/kubernetes.md. $(HELM) and $(PROMTOOL) come from mk/tools.mk, which the
# Makefile reads before this file.

CHART       := deploy/helm/giropops-senhas
HELM_CHECK  := deploy/helm/check
HELM_KUBE   := 1.37.2

.PHONY: helm-lint helm-check helm-template test-helm

helm-lint: $(HELM) ## helm lint --strict, with each of the chart's ci/*.yaml values sets.
	@for v in $(CHART)/ci/*.yaml; do \
	  echo "helm lint --strict $(CHART) --values $$v"; \
	  $(HELM) lint --strict --quiet --kube-version $(HELM_KUBE) $(CHART) --values $$v; \
	done

helm-template: $(HELM) ## Render the chart with its defaults (VALUES=file to add one).
	$(HELM) template giropops-senhas $(CHART) --kube-version $(HELM_KUBE) $(if $(VALUES),--values $(VALUES))

# Renders every values set, decodes strictly into k8s.io/api and prometheus-operator
# types, runs the restricted Pod Security policy, the schema's bad values, the
# broken-chart fixtures and promtool's rule tests (see deploy/helm/check).
helm-check: $(HELM) $(PROMTOOL) $(STATICCHECK) ## Chart checks with no cluster: strict decode, restricted PSS, schema, alert rules.
	cd $(HELM_CHECK) && HELM=$(HELM) PROMTOOL=$(PROMTOOL) go test -count=1 -v ./...
	cd $(HELM_CHECK) && go vet ./... && $(STATICCHECK) ./...
	@test -z "$$(gofmt -l $(HELM_CHECK))" || { gofmt -l $(HELM_CHECK); echo "gofmt: files above need formatting"; exit 1; }

test-helm: helm-lint helm-check ## [warm 18 s, cold 45 s] Everything about the chart that CI runs.

TEST_TARGETS += test-helm
