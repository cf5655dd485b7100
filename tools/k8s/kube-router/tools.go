//go:build tools

// Package tools pins kube-router, run only as a NetworkPolicy controller (its firewall
// part: iptables + ipset) beside the bridge CNI, so the test can check that the chart's
// NetworkPolicies are enforced; scripts/k8s/build.sh builds its cmd/kube-router.
// v1.6.1 is the newest release the module proxy serves here (v2 is refused). Its own
// module: it depends on Kubernetes v0.25 libraries, which must not move the v1.37 pins.
package tools

import _ "github.com/cloudnativelabs/kube-router/cmd/kube-router"
