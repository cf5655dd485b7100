# A real single-node Kubernetes cluster on this machine (issue 7), built from the Go
# module proxy and cached outside the repo; see docs/k8s-local.md and ../shared/K8S.md.
# Needs root (containerd, kubelet, iptables). All state lives in K8S_DIR.

K8S_DIR ?= /tmp/giropops-senhas-k8s
export K8S_DIR

.PHONY: k8s-build k8s-up k8s-down test-k8s

k8s-build: ## [cold 20 min alone] Build (once, cached by version) Kubernetes v1.37.2, etcd, CoreDNS, metrics-server, kube-router, pause.
	scripts/k8s/build.sh

k8s-up: ## Start the local cluster (KUBECONFIG=$(K8S_DIR)/kubeconfig/admin.conf).
	scripts/k8s/up.sh

k8s-down: ## Stop the local cluster and restore the host as it was.
	scripts/k8s/down.sh

# The checks are the Go tests of test/k8s (build tag k8s), one per check: its TestMain brings
# the cluster up (unless one runs: then it is reused and left up) and down, and diffs the
# host state. The app's OCI layout (image-oci) and the Redis image are imported into the
# node. Figures, results and diagnostics go to K8S_TEST_OUT. K8S_RUN=regexp runs some
# checks only (each runs the set-up it needs).
K8S_TEST_OUT ?= dist/k8s-test
K8S_RUN      ?=

test-k8s: $(HELM) image-oci redis-image ## [warm 6 min, cold 5 min after k8s-build] Cluster up, the chart under restricted Pod Security, upgrade under load, cluster down, host clean.
	HELM=$(abspath $(HELM)) CHART=$(abspath $(CHART)) \
	  IMAGE_OCI=$(abspath $(image_dir))/oci IMAGE_DIGEST=$(abspath $(image_dir))/digest REDIS_IMAGE=$(REDIS_LOCAL) \
	  K8S_SCRIPTS=$(abspath scripts/k8s) K8S_TEST_OUT=$(abspath $(K8S_TEST_OUT)) \
	  go test -tags k8s -v -count=1 -timeout 45m $(if $(K8S_RUN),-run '$(K8S_RUN)') ./test/k8s/

TEST_TARGETS += test-k8s
