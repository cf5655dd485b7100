#!/usr/bin/env bash
# down.sh: stop the cluster up.sh started (by the PIDs it recorded) and put the host back
# as up.sh found it: pods' sandboxes and network namespaces, mounts under $K8S_DIR, the
# KUBE-*/CNI-* iptables chains, ipsets, the cni0 bridge, kubepods cgroups, kernel settings and the
# host paths kubelet/containerd create. Then delete $K8S_DIR (KEEP_K8S_DIR=1 keeps logs).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
D=$K8S_DIR
[[ -d $D/pids ]] || { log "no cluster state in $D: nothing to stop"; exit 0; }
BIN=$D/bin # up.sh links it to the cached binaries
ctr() { command ctr --address "$CTRD_SOCK" -n k8s.io "$@"; }

# stop NAME [GRACE]: SIGTERM the recorded PID, SIGKILL after GRACE seconds.
stop() {
  local name=$1 grace=${2:-15} f=$D/pids/$1.pid pid
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    local end=$((SECONDS + grace))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "$name ignored SIGTERM for ${grace}s: SIGKILL"; kill -KILL "$pid"; }
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$f"
}

running_none() { [[ -z $(ctr tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING"') ]]; }

# 1. No new pods: stop the scheduler and the controllers, then have the kubelet tear down
#    every pod (CNI DEL for each sandbox) before it stops.
stop kube-scheduler; stop kube-controller-manager
if alive kube-apiserver && alive kubelet; then
  kc delete pods --all --all-namespaces --grace-period=0 --force --wait=false >/dev/null 2>&1
  wait_for 30 "kubelet to stop every pod" running_none ||
    log "some tasks still running: killing them below"
fi
stop kubelet; stop kube-router; stop kube-proxy

# 2. Whatever is left in our containerd: kill the tasks and remove the containers.
if alive containerd; then
  for t in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s KILL "$t" >/dev/null 2>&1; done
  sleep 1
  for t in $(ctr tasks ls -q 2>/dev/null); do ctr tasks delete -f "$t" >/dev/null 2>&1; done
  for c in $(ctr containers ls -q 2>/dev/null); do ctr containers delete "$c" >/dev/null 2>&1; done
fi
stop kube-apiserver 10; stop etcd; stop containerd
# The shims of our containerd outlive it; they are ours when started with our socket.
for p in /proc/[0-9]*; do
  tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q -- "-address $CTRD_SOCK " &&
    { log "stopping leftover shim ${p#/proc/}"; kill -KILL "${p#/proc/}" 2>/dev/null; }
done

# 3. Mounts under $D (pod volumes, container rootfs, netns), deepest first.
for i in 1 2 3; do
  mapfile -t mnts < <(awk -v d="$D/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  ((${#mnts[@]})) || break
  for m in "${mnts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
done

# 4. Network: kube-proxy's own cleanup, then any KUBE-*/CNI-* chain (kube-router's too), the
#    cni0 bridge and kube-router's ipsets.
"$BIN/kube-proxy" --cleanup >"$D/logs/kube-proxy-cleanup.log" 2>&1
for ipt in iptables ip6tables; do
  for table in filter nat mangle raw; do
    # Rules in other chains (FORWARD, POSTROUTING, ...) that jump to ours, then our chains.
    $ipt -t $table -S 2>/dev/null | grep -E '^-A ' | grep -vE '^-A (KUBE|CNI)-' |
      grep -E -- '-j (KUBE|CNI)-' | sed 's/^-A /-D /' | while read -r rule; do
        eval "$ipt -t $table $rule"
      done
    chains=$($ipt -t $table -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE|CNI)-/ {print $2}')
    for c in $chains; do $ipt -t $table -F "$c"; done
    for c in $chains; do $ipt -t $table -X "$c"; done
  done
done
ip link show cni0 >/dev/null 2>&1 && ip link delete cni0
# kube-router's ipsets, once no rule refers to them: every set that did not exist before.
if [[ -f $D/host/ipsets ]]; then
  ipset list -n 2>/dev/null | while read -r set; do
    grep -qxF "$set" "$D/host/ipsets" || ipset destroy "$set"
  done
fi
# iptables-nft leaves the tables it created (ip mangle, ip6 filter, ...): drop those that
# did not exist before and hold no rule.
if [[ -f $D/host/nft-tables ]]; then
  nft list tables 2>/dev/null | while read -r _ fam name; do
    grep -qxF "table $fam $name" "$D/host/nft-tables" && continue
    nft list table "$fam" "$name" | grep -qvE '^\s*(table .*\{|chain .*\{|type .*policy [a-z]+;|\}|)\s*$' ||
      nft delete table "$fam" "$name"
  done
fi

# 5. kubepods cgroups (cgroupfs driver), deepest first.
find /sys/fs/cgroup -depth -type d -name 'kubepods*' -exec rmdir {} \; 2>/dev/null
find /sys/fs/cgroup -depth -type d -path '*/kubepods*' -exec rmdir {} \; 2>/dev/null

# 6. Kernel settings and host paths, as recorded by up.sh.
if [[ -f $D/host/sysctls ]]; then
  while IFS= read -r kv; do
    [[ $(sysctl -n "${kv%%=*}" 2>/dev/null) == "${kv#*=}" ]] || sysctl -q -w "$kv"
  done <"$D/host/sysctls"
fi
if [[ -f $D/host/paths ]]; then
  for p in "${HOST_PATHS[@]}"; do
    [[ -e $p ]] && ! grep -qxF "$p" "$D/host/paths" && rm -rf "$p"
  done
fi

rm -rf "$D/pids"
if awk -v d="$D/" 'index($5, d) == 1 {f=1} END {exit !f}' /proc/self/mountinfo; then
  log "ERROR: mounts remain under $D; not deleting it"; exit 1
fi
if [[ ${KEEP_K8S_DIR:-} == 1 ]]; then log "stopped; state kept in $D"
else rm -rf --one-file-system "$D"; log "stopped and cleaned"; fi
