//go:build tools

// Package tools pins metrics-server (the HPA's CPU metrics); scripts/k8s/build.sh
// builds sigs.k8s.io/metrics-server/cmd/metrics-server. Its own module: it depends
// on Kubernetes v0.36 libraries, which must not move the v1.37 pins.
package tools

import _ "sigs.k8s.io/metrics-server/cmd/metrics-server"
