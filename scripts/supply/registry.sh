#!/usr/bin/env bash
# A local OCI registry on 127.0.0.1 (go-containerregistry's `crane registry serve`) for
# `make sign` and `make verify` when no REGISTRY is given.
#
#   registry.sh start STATE_DIR   start one unless STATE_DIR's registry still answers;
#                                 prints its address (127.0.0.1:PORT)
#   registry.sh addr STATE_DIR    prints the address of the running one, fails if none
#   registry.sh stop STATE_DIR    stops the one this script started (by its recorded pid)
#
# The registry keeps manifests in memory: it lives from `make sign` until `make verify`
# has run, and `make registry-stop` (or the test) ends it.
set -euo pipefail

cmd=${1:-}
state=${2:?usage: $0 start|addr|stop STATE_DIR}

alive() {
  [[ -f $state/pid && -f $state/addr ]] || return 1
  local pid
  pid=$(cat "$state/pid")
  grep -qa 'registry' "/proc/$pid/cmdline" 2>/dev/null || return 1
  curl -fsS --max-time 2 -o /dev/null "http://$(cat "$state/addr")/v2/"
}

case $cmd in
start)
  : "${CRANE:?set CRANE to the crane binary}"
  if alive; then
    cat "$state/addr"
    exit 0
  fi
  mkdir -p "$state"
  rm -rf "$state/blobs" "$state/pid" "$state/addr"
  mkdir -p "$state/blobs"
  state=$(cd "$state" && pwd)
  # Detached, so it outlives this make target; its log says which port it chose.
  setsid "$CRANE" registry serve --address 127.0.0.1:0 --disk "$state/blobs" >"$state/log" 2>&1 </dev/null &
  echo $! >"$state/pid"
  for _ in $(seq 100); do
    port=$(sed -nE 's/.*serving on port ([0-9]+).*/\1/p' "$state/log" | head -n 1)
    if [[ -n $port ]] && curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$port/v2/"; then
      echo "127.0.0.1:$port" >"$state/addr"
      echo "127.0.0.1:$port"
      exit 0
    fi
    sleep 0.1
  done
  echo "registry: did not start; log:" >&2
  cat "$state/log" >&2
  exit 1
  ;;
addr)
  if alive; then cat "$state/addr"; else
    echo "registry: no local registry is running in $state (run make sign first)" >&2
    exit 1
  fi
  ;;
stop)
  if [[ -f $state/pid ]]; then
    pid=$(cat "$state/pid")
    if grep -qa 'registry' "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid"; fi
    rm -f "$state/pid" "$state/addr"
  fi
  ;;
*)
  echo "usage: $0 start|addr|stop STATE_DIR" >&2
  exit 2
  ;;
esac
