# A real single-node Kubernetes cluster on this machine (issue 7), built from the Go
# module proxy and cached outside the repo; see docs/k8s-local.md and ../shared/K8S.md.
# Needs root (containerd, kubelet, iptables). All state lives in K8S_DIR.

K8S_DIR ?= /tmp/giropops-senhas-k8s
export K8S_DIR

.PHONY: k8s-build k8s-up k8s-down test-k8s

k8s-build: ## Build (once, cached by version) Kubernetes v1.37.2, etcd, CoreDNS, metrics-server, kube-router, pause.
	scripts/k8s/build.sh

k8s-up: ## Start the local cluster (KUBECONFIG=$(K8S_DIR)/kubeconfig/admin.conf).
	scripts/k8s/up.sh

k8s-down: ## Stop the local cluster and restore the host as it was.
	scripts/k8s/down.sh

# The app's OCI layout (image-oci) and the Redis image are imported into the node.
test-k8s: $(HELM) image-oci redis-image ## Cluster up, the chart under restricted Pod Security, upgrade under load, cluster down, host clean.
	HELM=$(HELM) scripts/k8s/test.sh

TEST_TARGETS += test-k8s
