#!/usr/bin/env bash
# up.sh: start a single-node Kubernetes cluster on this machine, all state in $K8S_DIR.
# Binaries come from build.sh (built from the Go module proxy, cached by version); images
# are built locally and imported, never pulled. Idempotent: a running cluster is left alone.
# Stop it with down.sh, which also restores what the cluster changed on the host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
BIN=${K8S_BIN:-$("$here/build.sh")} # K8S_BIN: use binaries built elsewhere
start_time=$SECONDS

if alive kube-apiserver && alive kubelet && kc get --raw /readyz >/dev/null 2>&1; then
  log "cluster already running (KUBECONFIG=$KUBECONFIG)"; exit 0
fi
if [[ -d $K8S_DIR/pids ]]; then
  log "leftovers of an earlier cluster: tearing them down first"; "$here/down.sh"
fi
D=$K8S_DIR
mkdir -p "$D"/{pids,logs,host,pki,kubeconfig,etcd,kubelet,pod-logs,kubelet-plugins,pv,images,containerd,cni/net.d,cni/ipam}
chmod 0700 "$D/etcd"
ln -sfn "$BIN" "$D/bin"

# 1. Record the host state down.sh must restore (only what existed before the first start).
for p in "${HOST_PATHS[@]}"; do [[ -e $p ]] && echo "$p"; done >"$D/host/paths"
nft list tables 2>/dev/null >"$D/host/nft-tables" || true
ipset list -n 2>/dev/null >"$D/host/ipsets" || true
for s in "${SYSCTLS[@]}"; do v=$(sysctl -n "$s" 2>/dev/null) && echo "$s=$v"; done >"$D/host/sysctls"

# start NAME CMD...: run CMD in its own session, log to logs/NAME.log, record its PID.
start() {
  local name=$1; shift
  setsid "$@" >"$D/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$D/pids/$name.pid"
}

# 2. containerd: a separate instance (own socket, root, state, runc root) beside Docker's.
cat >"$D/containerd/config.toml" <<TOML
version = 2
root = "$D/containerd/root"
state = "$D/containerd/state"
# The "opt" plugin would create /opt/containerd; the others are unused snapshotters.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CTRD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Required here: the VM lacks CAP_SYS_RESOURCE, so runc cannot lower oom_score_adj.
  restrict_oom_score_adj = true
  # Pod network namespaces under the state dir instead of /var/run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$D/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$D/cni/net.d"
TOML
# CNI: a bridge with host-local addresses, portmap, and firewall (Docker sets FORWARD to DROP).
cat >"$D/cni/net.d/10-giropops.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "giropops", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$D/cni/ipam",
            "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}},
  {"type": "firewall", "backend": "iptables"}
]}
JSON
mkdir -p "$D/containerd"
start containerd containerd --config "$D/containerd/config.toml"
wait_for 30 containerd ctr --address "$CTRD_SOCK" version

# 3. Images: pause (the sandbox), CoreDNS and metrics-server, FROM scratch, imported into
#    containerd's k8s.io namespace.
"$here/mkimage.sh" "$D/images/pause.tar" "$PAUSE_IMAGE" "$BIN/pause"
"$here/mkimage.sh" "$D/images/coredns.tar" "localhost/k8s/coredns:$COREDNS_TAG" "$BIN/coredns"
images=(pause coredns)
if [[ -x $BIN/metrics-server ]]; then
  "$here/mkimage.sh" "$D/images/metrics-server.tar" localhost/k8s/metrics-server:v0.9.0 "$BIN/metrics-server"
  images+=(metrics-server)
fi
for i in "${images[@]}"; do
  ctr --address "$CTRD_SOCK" -n k8s.io images import --no-unpack "$D/images/$i.tar" >/dev/null
done

# 4. PKI and kubeconfigs, as kubeadm makes them, but every path inside $D.
cat >"$D/kubeadm.yaml" <<YAML
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint: {advertiseAddress: $NODE_IP, bindPort: 6443}
nodeRegistration: {name: $NODE_NAME, criSocket: "unix://$CTRD_SOCK"}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: $K8S_VERSION
certificatesDir: $D/pki
controlPlaneEndpoint: "$NODE_IP:6443"
networking: {serviceSubnet: $SERVICE_CIDR, podSubnet: $POD_CIDR, dnsDomain: cluster.local}
dns: {imageRepository: localhost/k8s, imageTag: $COREDNS_TAG}
YAML
K="$BIN/kubeadm"
if [[ ! -f $D/pki/ca.crt ]]; then
  $K init phase certs all --config "$D/kubeadm.yaml" >"$D/logs/kubeadm.log" 2>&1
  $K init phase kubeconfig all --config "$D/kubeadm.yaml" --kubeconfig-dir "$D/kubeconfig" >>"$D/logs/kubeadm.log" 2>&1
  $K kubeconfig user --config "$D/kubeadm.yaml" --client-name system:kube-proxy >"$D/kubeconfig/kube-proxy.conf" 2>>"$D/logs/kubeadm.log"
fi
P=$D/pki C=$D/kubeconfig

# 5. Control plane: etcd, apiserver, controller-manager, scheduler (kubeadm's usual flags).
start etcd "$BIN/etcd" --name "$NODE_NAME" --data-dir "$D/etcd" \
  --listen-client-urls https://127.0.0.1:2379 --advertise-client-urls https://127.0.0.1:2379 \
  --listen-peer-urls https://127.0.0.1:2380 --initial-advertise-peer-urls https://127.0.0.1:2380 \
  --initial-cluster "$NODE_NAME=https://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381 \
  --cert-file "$P/etcd/server.crt" --key-file "$P/etcd/server.key" --trusted-ca-file "$P/etcd/ca.crt" \
  --client-cert-auth --peer-cert-file "$P/etcd/peer.crt" --peer-key-file "$P/etcd/peer.key" \
  --peer-trusted-ca-file "$P/etcd/ca.crt" --peer-client-cert-auth
start kube-apiserver "$BIN/kube-apiserver" --advertise-address "$NODE_IP" --secure-port 6443 \
  --allow-privileged=true --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --client-ca-file "$P/ca.crt" --tls-cert-file "$P/apiserver.crt" --tls-private-key-file "$P/apiserver.key" \
  --etcd-servers https://127.0.0.1:2379 --etcd-cafile "$P/etcd/ca.crt" \
  --etcd-certfile "$P/apiserver-etcd-client.crt" --etcd-keyfile "$P/apiserver-etcd-client.key" \
  --kubelet-client-certificate "$P/apiserver-kubelet-client.crt" --kubelet-client-key "$P/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP,ExternalIP,Hostname \
  --proxy-client-cert-file "$P/front-proxy-client.crt" --proxy-client-key-file "$P/front-proxy-client.key" \
  --requestheader-client-ca-file "$P/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-extra-headers-prefix X-Remote-Extra- --requestheader-group-headers X-Remote-Group \
  --requestheader-username-headers X-Remote-User --enable-aggregator-routing=true \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$P/sa.pub" --service-account-signing-key-file "$P/sa.key" \
  --service-cluster-ip-range "$SERVICE_CIDR"
wait_for 90 "kube-apiserver /readyz" kc --kubeconfig "$C/super-admin.conf" get --raw /readyz
start kube-controller-manager "$BIN/kube-controller-manager" --bind-address 127.0.0.1 \
  --kubeconfig "$C/controller-manager.conf" --authentication-kubeconfig "$C/controller-manager.conf" \
  --authorization-kubeconfig "$C/controller-manager.conf" --client-ca-file "$P/ca.crt" \
  --requestheader-client-ca-file "$P/front-proxy-ca.crt" --root-ca-file "$P/ca.crt" \
  --cluster-signing-cert-file "$P/ca.crt" --cluster-signing-key-file "$P/ca.key" \
  --service-account-private-key-file "$P/sa.key" --use-service-account-credentials=true \
  --controllers '*,bootstrapsigner,tokencleaner' --leader-elect=false \
  --flex-volume-plugin-dir "$D/kubelet-plugins" --service-cluster-ip-range "$SERVICE_CIDR"
start kube-scheduler "$BIN/kube-scheduler" --bind-address 127.0.0.1 --kubeconfig "$C/scheduler.conf" \
  --authentication-kubeconfig "$C/scheduler.conf" --authorization-kubeconfig "$C/scheduler.conf" \
  --leader-elect=false

# 6. The RBAC bindings kubeadm would create: admin.conf's group is cluster-admin; the
#    apiserver may call the kubelet (logs, exec, port-forward); kube-proxy reads Services.
kc --kubeconfig "$C/super-admin.conf" apply -f - >/dev/null <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "kubeadm:cluster-admins"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "kubeadm:cluster-admins"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "kubeadm:apiserver-kubelet-client"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kubelet-api-admin"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-apiserver-kubelet-client}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "kubeadm:node-proxier"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:node-proxier"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:kube-proxy"}]
YAML

# 7. Node: kubelet (cgroupfs, cgroup v1 allowed) and kube-proxy (iptables mode).
cat >"$D/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: "unix://$CTRD_SOCK"
authentication: {anonymous: {enabled: false}, webhook: {enabled: true}, x509: {clientCAFile: "$P/ca.crt"}}
authorization: {mode: Webhook}
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
podLogsDir: "$D/pod-logs"
volumePluginDir: "$D/kubelet-plugins"
healthzBindAddress: 127.0.0.1
# Imported images cannot be pulled again: never garbage-collect them; the disk is shared.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
YAML
start kubelet "$BIN/kubelet" --config "$D/kubelet/config.yaml" --kubeconfig "$C/kubelet.conf" \
  --root-dir "$D/kubelet" --cert-dir "$D/kubelet/pki" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
cat >"$D/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: "$C/kube-proxy.conf"}
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Leave the host's conntrack sysctls and route_localnet alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false}
YAML
start kube-proxy "$BIN/kube-proxy" --config "$D/kube-proxy.yaml"

# 8. Addons: CoreDNS (kubeadm's, our image; one replica is enough for one node) and
#    metrics-server (for the HPA; the test waits for it, up.sh does not); kube-router.
[[ -x $BIN/metrics-server ]] && kc apply -f "$here/addons/metrics-server.yaml" >/dev/null
kc --kubeconfig "$C/super-admin.conf" get deploy -n kube-system coredns >/dev/null 2>&1 ||
  $K init phase addon coredns --config "$D/kubeadm.yaml" --kubeconfig "$C/super-admin.conf" >>"$D/logs/kubeadm.log" 2>&1
kc scale -n kube-system deploy/coredns --replicas 1 >/dev/null
wait_for 60 "node $NODE_NAME Ready" kc wait --for=condition=Ready "node/$NODE_NAME" --timeout 5s
# kube-router as the NetworkPolicy controller only (iptables + ipset rules per pod): the
# bridge CNI does not enforce NetworkPolicies by itself. Its router and proxy stay off.
# It looks its node up when it starts, so it starts once the node is registered.
start kube-router "$BIN/kube-router" --run-firewall=true --run-router=false --run-service-proxy=false \
  --kubeconfig "$C/admin.conf" --hostname-override "$NODE_NAME" --service-cluster-ip-range "$SERVICE_CIDR" \
  --health-port 0 --metrics-port 0
wait_for 90 "CoreDNS" kc rollout status -n kube-system deploy/coredns --timeout 5s
wait_for 60 "kube-router's firewall chains" iptables -S KUBE-ROUTER-FORWARD
log "cluster up in $((SECONDS - start_time))s: export KUBECONFIG=$KUBECONFIG"
