# Shared settings of the local cluster, sourced by the other scripts in scripts/k8s.
# Everything the cluster writes lives under K8S_DIR, except the few host paths that
# kubelet and containerd hard-code (recorded by up.sh, restored by down.sh).
K8S_VERSION=v1.37.2
K8S_DIR=${K8S_DIR:-/tmp/giropops-senhas-k8s}
NODE_NAME=$(hostname | tr 'A-Z' 'a-z')
# The node's address: the source address of the default route (the apiserver advertises it,
# so pods reach the `kubernetes` Service through it).
NODE_IP=${NODE_IP:-$(ip -4 route get 192.0.2.255 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1)}
[[ -n $NODE_IP ]] || NODE_IP=$(ip -4 -o addr show scope global | awk '{sub("/.*","",$4); print $4; exit}')
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/12
DNS_IP=10.96.0.10
# Local images are named under localhost/k8s: built here, never pulled.
PAUSE_IMAGE=localhost/k8s/pause:local
COREDNS_TAG=v1.14.6
CTRD_SOCK=$K8S_DIR/containerd/containerd.sock
export KUBECONFIG=$K8S_DIR/kubeconfig/admin.conf
# Host paths that kubelet / containerd create outside K8S_DIR.
HOST_PATHS=(/var/lib/kubelet /var/lib/kubelet/device-plugins /var/log/containers /var/lib/cni /etc/cni /opt/cni /opt/containerd)
# Kernel settings kubelet and kube-proxy may change.
SYSCTLS=(kernel.panic kernel.panic_on_oops vm.overcommit_memory vm.panic_on_oom kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet net.ipv4.ip_forward
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait)
# Start order; down.sh stops them in reverse.
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kube-router)

log() { printf '%s k8s: %s\n' "$(date -u +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
kc() { "$BIN/kubectl" "$@"; }
# wait_for SECONDS WHAT CMD...: poll CMD every half second until it succeeds.
wait_for() {
  local t=$1 what=$2; shift 2
  local end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || { log "timed out after ${t}s waiting for $what"; return 1; }
    sleep 0.5
  done
}
alive() { local f=$K8S_DIR/pids/$1.pid; [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null; }
