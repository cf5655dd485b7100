#!/usr/bin/env bash
# hoststate.sh: print the host state the cluster may touch, one fact per line, so that a
# snapshot before k8s-up and one after k8s-down can be diffed. Docker's own rules, links
# and mounts are left out (other work on this machine changes them meanwhile).
set -uo pipefail
source "$(dirname "$0")/env.sh"
section() { echo "## $1"; }
section mounts;  awk '{print $5, $9}' /proc/self/mountinfo | grep -vE 'docker|/proc/sys/fs/binfmt' | sort
section iptables
for ipt in iptables ip6tables; do
  for t in filter nat mangle raw; do
    $ipt -t $t -S 2>/dev/null | grep -v DOCKER | sed "s/^/$ipt $t /"
  done
done
section nftables; nft list tables 2>/dev/null | grep -v docker | sort
section ipsets;   ipset list -n 2>/dev/null | sort
section links;   ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -vE '^(veth|br-)' | sort
section addrs;   ip -o addr show | awk '{print $2, $4}' | grep -vE '^(veth|br-|docker)' | sort
section routes;  ip route show table all | grep -vE 'docker|br-' | sort
section netns;   ip netns list 2>/dev/null; ls /var/run/netns 2>/dev/null
section sysctls; for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s" 2>/dev/null)"; done
section paths;   for p in "${HOST_PATHS[@]}"; do [[ -e $p ]] && echo "exists $p"; done
section cgroups; find /sys/fs/cgroup -maxdepth 3 -type d -name 'kubepods*' 2>/dev/null | sort
section listeners; ss -ltnH 2>/dev/null | awk '{print $4}' | grep -E ':(2379|2380|2381|6443|1024[89]|1025[0-9])$' | sort
section processes
for p in /proc/[0-9]*; do
  exe=$(readlink "$p/exe" 2>/dev/null) || continue
  case $exe in */giropops-senhas/k8s/*) echo "running $exe";; esac
  if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$K8S_DIR"; then echo "running with $K8S_DIR: $exe"; fi
done | sort # `if`, not `&&`: a failed test as the last command would fail the loop
