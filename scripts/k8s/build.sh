#!/usr/bin/env bash
# Build the cluster's binaries from the Go module proxy, once, into a cache outside the
# repo keyed by version: $K8S_CACHE/<k8s version>/bin/. Each group (Kubernetes, etcd,
# CoreDNS, metrics-server, kube-router, pause) is rebuilt only when its pinning module
# under tools/k8s changes (a stamp file holds the hash of its go.mod/go.sum/sources). Prints the bin dir.
# Cold: ~20 min on 2 cores (kube-apiserver dominates); warm: well under a second.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=auto CGO_ENABLED=0 GOFLAGS=-buildvcs=false

K8S_VERSION=v1.37.2
mod=$PWD/tools/k8s
bin=${K8S_CACHE:-$HOME/.cache/giropops-senhas/k8s}/$K8S_VERSION/bin
mkdir -p "$bin"
log() { echo "build.sh: $* ($((SECONDS - t0)) s)" >&2; }
t0=$SECONDS

# fresh GROUP FILES...: true when the stamp matches the hash of FILES.
fresh() { local g=$1; shift; [[ -f $bin/.$g.stamp && $(cat "$@" | sha256sum) == "$(cat "$bin/.$g.stamp")" ]]; }
stamp() { local g=$1; shift; cat "$@" | sha256sum > "$bin/.$g.stamp"; }

k8s_files=("$mod/go.mod" "$mod/go.sum")
if ! fresh kubernetes "${k8s_files[@]}"; then
  log "building Kubernetes $K8S_VERSION (cold: ~13 min)"
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  ld="-s -w -buildid="
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  pkgs=()
  for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubeadm kubectl; do
    pkgs+=("k8s.io/kubernetes/cmd/$c")
  done
  rm -rf "$bin/.tmp" && mkdir "$bin/.tmp"
  (cd "$mod" && go build -trimpath -ldflags "$ld" -o "$bin/.tmp/" "${pkgs[@]}")
  mv "$bin"/.tmp/* "$bin/" && rmdir "$bin/.tmp"
  stamp kubernetes "${k8s_files[@]}"
fi

etcd_files=("$mod/etcd/go.mod" "$mod/etcd/go.sum" "$mod/etcd/main.go")
if ! fresh etcd "${etcd_files[@]}"; then
  log "building etcd"
  (cd "$mod/etcd" && go build -trimpath -ldflags "-s -w -buildid=" -o "$bin/etcd" .)
  stamp etcd "${etcd_files[@]}"
fi

coredns_files=("$mod/coredns/go.mod" "$mod/coredns/go.sum")
if ! fresh coredns "${coredns_files[@]}"; then
  log "building CoreDNS (cold: ~4 min)"
  (cd "$mod/coredns" && go build -trimpath -ldflags "-s -w -buildid=" -o "$bin/coredns" github.com/coredns/coredns)
  stamp coredns "${coredns_files[@]}"
fi

ms_files=("$mod/metrics-server/go.mod" "$mod/metrics-server/go.sum")
if ! fresh metrics-server "${ms_files[@]}"; then
  log "building metrics-server (cold: ~4 min)"
  (cd "$mod/metrics-server" && go build -trimpath -ldflags "-s -w -buildid=" -o "$bin/metrics-server" sigs.k8s.io/metrics-server/cmd/metrics-server)
  stamp metrics-server "${ms_files[@]}"
fi

kr_files=("$mod/kube-router/go.mod" "$mod/kube-router/go.sum")
if ! fresh kube-router "${kr_files[@]}"; then
  log "building kube-router (the NetworkPolicy controller; cold: ~3 min)"
  (cd "$mod/kube-router" && go build -trimpath -ldflags "-s -w -buildid=" -o "$bin/kube-router" github.com/cloudnativelabs/kube-router/cmd/kube-router)
  stamp kube-router "${kr_files[@]}"
fi

pause_files=("$mod/go.mod" "$mod/pause/main.go")
if ! fresh pause "${pause_files[@]}"; then
  (cd "$mod" && go build -trimpath -ldflags "-s -w -buildid=" -o "$bin/pause" ./pause)
  stamp pause "${pause_files[@]}"
fi
((SECONDS - t0 < 2)) || log "built"
echo "$bin"
