//go:build tools

// Package tools pins CoreDNS; scripts/k8s/build.sh builds github.com/coredns/coredns.
// It is its own module so that its dependencies do not move Kubernetes' pins.
package tools

import _ "github.com/coredns/coredns"
