// Package check holds the chart checks of `make test-helm`, which need no cluster:
// render deploy/helm/giropops-senhas with helm, decode every object strictly into
// the Kubernetes API types (and the prometheus-operator types for ServiceMonitor and
// PrometheusRule), evaluate every pod template against the restricted Pod Security
// Standard with k8s.io/pod-security-admission, and check the chart's own contract
// (probes, rollout, autoscaling, NetworkPolicies). The tests also run each check on a
// deliberately broken copy of the chart and require it to fail.
package check
